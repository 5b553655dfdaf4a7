// Package editors tests the editor integrations in this folder (the
// Neovim plugin, the Emacs, Helix and Zed configurations) against the
// built switchyard binary and fake providers, driving the real editors
// headless where they are installed. It holds tests only.
package editors

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
)

// tool returns the path of an editor binary, or skips the test with what
// to install.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed: install Debian's %s package (CI does) to run this test", name, pkg)
	}
	return p
}

// server returns the switchyard binary: $SWITCHYARD_BIN, or one built
// from this module.
func server(t *testing.T) string {
	t.Helper()
	return lsptest.Binary(t)
}

// sandbox is a home folder for an editor run, so that neither the
// developer's editor configuration nor their switchyard configuration
// leaks into a test.
type sandbox struct {
	home string
	env  []string
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	home := t.TempDir()
	s := &sandbox{home: home}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SWITCHYARD_CONFIG=") {
			s.env = append(s.env, kv)
		}
	}
	s.env = append(s.env,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
	)
	return s
}

// write creates a file under the sandbox and returns its path.
func (s *sandbox) write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(s.home, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// run runs an editor with a deadline and returns its combined output.
func (s *sandbox) run(t *testing.T, timeout time.Duration, env []string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = s.home
	cmd.Env = append(append([]string(nil), s.env...), env...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return string(out), err
}

// logs returns the content of the files under the sandbox whose names
// end in suffix (lsp.log, the server's stderr in Neovim), for failures.
func (s *sandbox) logs(suffix string) string {
	var b strings.Builder
	_ = filepath.WalkDir(s.home, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, suffix) {
			data, _ := os.ReadFile(p)
			b.WriteString("--- " + p + "\n")
			b.Write(data)
		}
		return nil
	})
	return b.String()
}

// readJSON decodes a results file.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no results from the editor: %v", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("results %s: %v", data, err)
	}
}

// fimPrefixEndsWith reports whether a fill-in-the-middle prompt's text
// before the cursor ends with s, in the Qwen2.5-Coder layout the server
// sends for the models used in these tests.
func fimPrefixEndsWith(prompt, s string) bool {
	return strings.Contains(prompt, s+"<|fim_suffix|>")
}
