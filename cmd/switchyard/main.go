package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"switchyard/config"
	"switchyard/lsp"
	"switchyard/providers/audit"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdin io.ReadCloser, stdout, stderr *os.File) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stdin, stdout, stderr)
	case "doctor":
		return doctor(args, stdout, stderr)
	case "audit":
		return auditCmd(args, stdout, stderr, time.Now)
	case "version":
		fmt.Fprintln(stdout, "switchyard", versionString())
		return 0
	case "help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "switchyard: unknown command %q\n", cmd)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  switchyard [serve] [--stdio] [--listen 127.0.0.1:PORT] [--config FILE] [--log-file FILE] [--log-level LEVEL]
  switchyard doctor [--config FILE] [--route TASK [--path FILE]] [--redact FILE]
  switchyard audit [--since DURATION] [--file PATH] [--provider NAME] [--json] [--config FILE]
  switchyard version
`)
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}

func serve(args []string, stdin io.ReadCloser, stdout, stderr *os.File) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Bool("stdio", true, "speak LSP over stdin and stdout (the default; editors pass it)")
	listen := fs.String("listen", "", "serve one LSP client over TCP at this address instead of stdio, for debugging")
	configFile := fs.String("config", "", "user configuration file (default $"+config.EnvConfig+", else the XDG config path)")
	logFile := fs.String("log-file", "", "write the log to this file instead of stderr (default from [log] file)")
	logLevel := fs.String("log-level", "", "debug, info, warn or error (default from [log] level, else info)")
	if err := fs.Parse(args); err != nil {
		return 2
	}

	log, closeLog, err := newLogger(*configFile, *logFile, *logLevel, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "switchyard:", err)
		return 2
	}
	defer closeLog()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	records := audit.New(audit.Options{Logger: log.Named("audit")})
	defer records.Close()
	opts := lsp.Options{Logger: log, Version: versionString(), ConfigFile: *configFile, Backend: backend{audit: records},
		Initialized: tuneGC}
	var conn io.ReadWriteCloser
	if *listen != "" {
		c, err := acceptOne(ctx, *listen, log)
		if err != nil {
			log.Error("cannot listen", zap.Error(err))
			fmt.Fprintln(stderr, "switchyard:", err)
			return 1
		}
		conn = c
	} else {
		// Only the connection may write to the real stdout.
		conn = stdio{in: stdin, out: stdout}
		os.Stdout = stderr
	}

	err = lsp.Serve(ctx, conn, opts)
	if err != nil {
		if !errors.Is(err, lsp.ErrExitWithoutShutdown) || ctx.Err() != nil {
			log.Info("server stopped", zap.Error(err))
		} else {
			log.Info("client ended the session without shutdown", zap.Error(err))
		}
		return 1
	}
	return 0
}

// acceptOne listens on addr and returns the first client's connection.
func acceptOne(ctx context.Context, addr string, log *zap.Logger) (net.Conn, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--listen %s: %w", addr, err)
	}
	defer ln.Close()
	log.Info("waiting for one LSP client", zap.String("address", ln.Addr().String()))
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	c, err := ln.Accept()
	if err != nil {
		return nil, fmt.Errorf("--listen %s: %w", addr, err)
	}
	return c, nil
}

// stdio joins stdin and stdout into the connection.
type stdio struct {
	in  io.ReadCloser
	out io.WriteCloser
}

func (s stdio) Read(p []byte) (int, error)  { return s.in.Read(p) }
func (s stdio) Write(p []byte) (int, error) { return s.out.Write(p) }

// Close closes stdout only. stdin is usually a blocking pipe, and closing
// an *os.File waits for the Read in progress, which would hold the exit
// until the editor closed its end; the process exit closes it instead.
func (s stdio) Close() error { return s.out.Close() }

// newLogger builds the zap logger: the flags win, then the user file's
// [log] table, then info on stderr. A file that cannot be read or parsed
// is reported by the server itself, where the editor shows it.
func newLogger(configFlag, file, level string, stderr *os.File) (*zap.Logger, func(), error) {
	if file == "" || level == "" {
		f, lv := config.UserLog(configFlag)
		if file == "" {
			file = f
		}
		if level == "" {
			level = lv
		}
	}
	lvl := zapcore.InfoLevel
	if level != "" {
		if err := lvl.Set(level); err != nil {
			return nil, nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
		}
	}
	out := zapcore.Lock(stderr)
	closeFn := func() {}
	if file != "" {
		f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("--log-file: %w: check the path and its permissions", err)
		}
		out = zapcore.Lock(f)
		closeFn = func() { f.Close() }
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), out, lvl)
	log := zap.New(core)
	return log, func() { _ = log.Sync(); closeFn() }, nil
}
