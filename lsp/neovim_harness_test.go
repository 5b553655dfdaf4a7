package lsp_test

// The headless-Neovim harness the Neovim end-to-end tests share: find
// nvim, start it with an isolated home so no user configuration or plugin
// takes part, run a Lua script that attaches Neovim's own LSP client to the
// built server, and fail with the script's status, nvim's output and
// Neovim's LSP log (where the server's stderr goes) when it did not finish.
// The scripts stick to Neovim 0.7 (Debian 12): vim.lsp.start_client and
// vim.lsp.buf_request_sync, not vim.lsp.start (0.8).

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
)

// neovimPrelude comes before every script: env, fail and attach, which
// starts switchyard with Neovim's client, opens path and waits until the
// server has answered initialize.
const neovimPrelude = `
local env = vim.env
local function fail(msg) error(msg, 0) end

local function attach(path)
  local client_id = vim.lsp.start_client({
    name = 'switchyard',
    cmd = { env.SY_BIN, 'serve', '--stdio', '--config', env.SY_CONFIG },
    root_dir = env.SY_ROOT,
  })
  if not client_id then fail('vim.lsp.start_client failed') end
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(buf, client_id)
  local ready = vim.wait(15000, function()
    local c = vim.lsp.get_client_by_id(client_id)
    return c ~= nil and c.initialized
  end, 10)
  if not ready then fail('switchyard did not finish initialize within 15s') end
  return buf, client_id
end
`

// neovimEpilogue comes after every script: it runs the script's main,
// writes "ok" or the error to $SY_STATUS, and quits.
const neovimEpilogue = `
local ok, err = xpcall(main, debug.traceback)
local f = io.open(env.SY_STATUS, 'w')
f:write(ok and 'ok' or tostring(err))
f:close()
vim.cmd(ok and 'qall!' or 'cquit 1')
`

// neovim is a found nvim and the built server it starts.
type neovim struct{ path, bin string }

// needNeovim skips the test where nvim is not installed and builds the
// server otherwise.
func needNeovim(t *testing.T) neovim {
	t.Helper()
	path, err := exec.LookPath("nvim")
	if err != nil {
		t.Skip("nvim not found: install Neovim (Debian: apt-get install neovim) to run the Neovim end-to-end test; .ci/run does")
	}
	return neovim{path: path, bin: lsptest.Binary(t)}
}

// run runs script (a Lua chunk defining main, between neovimPrelude and
// neovimEpilogue) in headless Neovim in dir, with the server configured by
// cfg and rooted at dir, and env added to nvim's environment. It fails the
// test unless the script finished within timeout and reported ok.
func (nv neovim) run(t *testing.T, dir, cfg string, timeout time.Duration, script string, env ...string) {
	t.Helper()
	tmp := t.TempDir()
	scriptFile := filepath.Join(tmp, "e2e.lua")
	must(t, os.WriteFile(scriptFile, []byte(neovimPrelude+script+neovimEpilogue), 0o644))
	status := filepath.Join(tmp, "status")

	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nv.path, "--headless", "--clean", "-n", "-c", "luafile "+scriptFile)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"SY_BIN="+nv.bin, "SY_CONFIG="+cfg, "SY_ROOT="+dir, "SY_STATUS="+status,
	)
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	st, _ := os.ReadFile(status)
	if runErr != nil || string(st) != "ok" {
		// Neovim sends the server's stderr to its lsp.log.
		logs, _ := filepath.Glob(filepath.Join(home, ".cache", "nvim", "*.log"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			t.Logf("%s:\n%s", l, b)
		}
		t.Fatalf("nvim: %v\nscript status: %s\noutput:\n%s", runErr, st, out.String())
	}
}

// cursorAt returns Neovim's cursor (1-based line, 0-based byte column)
// just after the first occurrence of marker in text.
func cursorAt(text, marker string) (line, col int) {
	i := strings.Index(text, marker)
	if i < 0 {
		panic("marker not found: " + marker)
	}
	off := i + len(marker)
	line = strings.Count(text[:off], "\n") + 1
	col = off - (strings.LastIndex(text[:off], "\n") + 1)
	return line, col
}
