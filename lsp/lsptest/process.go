package lsptest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Options say how to start the server.
type Options struct {
	// Args replace the default arguments, "serve --stdio".
	Args []string
	// Config is a configuration file, passed as --config.
	Config string
	// Env is added to the environment. HOME and XDG_CONFIG_HOME always
	// point into a fresh temporary folder, so that a developer's own
	// configuration never leaks into a test.
	Env []string
	// Dir is the working directory; the test's temporary folder if empty.
	Dir string
	// Quiet keeps the server's stderr out of the test log (benchmarks,
	// where the log would be the bottleneck).
	Quiet bool
}

type process struct {
	cmd        *exec.Cmd
	exited     chan struct{}
	waitErr    error
	stderrDone chan struct{}
}

// Start starts the switchyard binary (see Binary) with opts and returns a
// client connected to its stdin and stdout. The server's stderr goes to
// the test log line by line. The test's cleanup closes stdin, gives the
// server a moment to exit and kills it if it does not.
func Start(tb testing.TB, opts Options) *Client {
	tb.Helper()
	bin := Binary(tb)
	args := opts.Args
	if args == nil {
		args = []string{"serve", "--stdio"}
	}
	if opts.Config != "" {
		args = append(args, "--config", opts.Config)
	}
	home := tb.TempDir()
	cmd := exec.Command(bin, args...)
	cmd.Dir = opts.Dir
	if cmd.Dir == "" {
		cmd.Dir = home
	}
	cmd.Env = append(os.Environ(),
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
	)
	cmd.Env = append(cmd.Env, opts.Env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("lsptest: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("lsptest: %v", err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatalf("lsptest: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("lsptest: start %s: %v", bin, err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{}), stderrDone: make(chan struct{})}
	go func() {
		defer close(p.stderrDone)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			if !opts.Quiet {
				tb.Logf("server: %s", sc.Text())
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	c := newClient(tb, &pipeConn{ReadCloser: stdout, WriteCloser: stdin})
	c.proc = p
	go func() {
		// Wait closes the pipes, so it may only run once the readers are
		// done with them: stderr above, stdout in the read loop.
		<-p.stderrDone
		<-c.readDone
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(func() { c.stop() })
	return c
}

// pipeConn joins the server's stdout and stdin into one connection.
type pipeConn struct {
	io.ReadCloser
	io.WriteCloser
}

func (p *pipeConn) Close() error {
	return errors.Join(p.WriteCloser.Close(), p.ReadCloser.Close())
}

// stop ends the server: closing stdin is how an editor that crashed
// looks; a server that ignores it is killed after a grace period.
func (c *Client) stop() {
	p := c.proc
	c.closeOnce.Do(func() { _ = c.conn.(*pipeConn).WriteCloser.Close() })
	select {
	case <-p.exited:
	case <-time.After(3 * time.Second):
		c.tb.Logf("lsptest: the server did not exit 3s after its stdin closed; killing it")
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	<-c.readDone
}

// CloseStdin closes the server's stdin (the whole connection for a
// client given one), as an editor that crashed would.
func (c *Client) CloseStdin() {
	if pc, ok := c.conn.(*pipeConn); ok {
		_ = pc.WriteCloser.Close()
		return
	}
	c.closeOnce.Do(func() { _ = c.conn.Close() })
}

// PID is the server's process id, 0 for a client given a connection.
func (c *Client) PID() int {
	if c.proc == nil {
		return 0
	}
	return c.proc.cmd.Process.Pid
}

// Exited is closed once the server process has ended; nil for a client
// given a connection.
func (c *Client) Exited() <-chan struct{} {
	if c.proc == nil {
		return nil
	}
	return c.proc.exited
}

// WaitExit waits for the server process to end and returns its exit code.
func (c *Client) WaitExit(ctx context.Context) (int, error) {
	if c.proc == nil {
		return -1, errors.New("lsptest: no process: the client was given a connection")
	}
	select {
	case <-c.proc.exited:
	case <-ctx.Done():
		return -1, fmt.Errorf("lsptest: the server has not exited: %w", ctx.Err())
	}
	return c.proc.cmd.ProcessState.ExitCode(), nil
}
