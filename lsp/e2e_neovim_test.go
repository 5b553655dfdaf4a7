package lsp_test

// A real editor end to end: headless Neovim starts the built server with
// its own LSP client, asks for completions in a real buffer, applies them
// with its own edit code and writes the file. The test reads the file
// back. Debian 12 ships Neovim 0.7.2, which has vim.lsp.start_client and
// vim.lsp.buf_request_sync but not vim.lsp.start (0.8); the script sticks
// to what 0.7 has so that it runs on every Neovim since.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/providers/providertest"
)

// neovimScript runs inside nvim between neovimPrelude and
// neovimEpilogue. It reads its inputs from the environment.
const neovimScript = `
local function request(buf, client_id, method, params)
  local results, err = vim.lsp.buf_request_sync(buf, method, params, 15000)
  if not results then fail(method .. ': ' .. tostring(err)) end
  local r = results[client_id]
  if not r then fail(method .. ': no answer from switchyard') end
  if r.err or r.error then fail(method .. ': ' .. vim.inspect(r.err or r.error)) end
  return r.result
end

-- position_params is make_position_params for an insert-mode cursor:
-- in normal mode, which a headless script is in, Neovim clamps the cursor
-- onto the last character of a line, but a user typing sits after it.
-- The UTF-16 conversion is Neovim's own.
local function position_params(buf, line, col)
  local text = vim.api.nvim_buf_get_lines(buf, line - 1, line, true)[1]
  local _, character = vim.str_utfindex(text, col)
  return {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    position = { line = line - 1, character = character },
    context = { triggerKind = 1 },
  }
end

local function main()
  local buf, client_id = attach(env.SY_FILE)

  -- Completion menu: apply the first item's textEdit the way
  -- completion plugins do.
  local params = position_params(buf, tonumber(env.SY_LINE1), tonumber(env.SY_COL1))
  local res = request(buf, client_id, 'textDocument/completion', params)
  local items = res and (res.items or res) or {}
  if #items == 0 then fail('textDocument/completion returned no items: ' .. vim.inspect(res)) end
  if not items[1].textEdit then fail('completion item without textEdit: ' .. vim.inspect(items[1])) end
  vim.lsp.util.apply_text_edits({ items[1].textEdit }, buf, 'utf-16')

  -- Inline completion: what a ghost-text plugin accepts is the item's
  -- insertText over its range.
  params = position_params(buf, tonumber(env.SY_LINE2), tonumber(env.SY_COL2))
  res = request(buf, client_id, 'textDocument/inlineCompletion', params)
  items = res and (res.items or res) or {}
  if #items == 0 then fail('textDocument/inlineCompletion returned no items: ' .. vim.inspect(res)) end
  local item = items[1]
  local text = type(item.insertText) == 'table' and item.insertText.value or item.insertText
  local range = item.range or { start = params.position, ['end'] = params.position }
  vim.lsp.util.apply_text_edits({ { range = range, newText = text } }, buf, 'utf-16')

  vim.cmd('write')
end
`

func TestNeovim(t *testing.T) {
	nv := needNeovim(t)
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Text("ntln(", "s)"), providertest.Text("return x + y"))

	dir := t.TempDir()
	src := "package main\n\nimport \"fmt\"\n\n// héllo, wörld 😀\nfunc main() {\n\ts := \"é😀ü\"; fmt.Pri\n}\n\nfunc add(x, y int) int {\n\t\n}\n"
	want := "package main\n\nimport \"fmt\"\n\n// héllo, wörld 😀\nfunc main() {\n\ts := \"é😀ü\"; fmt.Println(s)\n}\n\nfunc add(x, y int) int {\n\treturn x + y\n}\n"
	file := filepath.Join(dir, "main.go")
	must(t, os.WriteFile(file, []byte(src), 0o644))
	cfg := writeConfig(t, configText(nil, provider{"fake", fake.URL, fimModel}))

	// Cursor positions for nvim_win_set_cursor: 1-based line, 0-based
	// byte column, here at the end of each line to complete.
	line1, col1 := cursorAt(src, "fmt.Pri")
	line2, col2 := cursorAt(src, "int {\n\t")

	nv.run(t, dir, cfg, 60*time.Second, neovimScript,
		"SY_FILE="+file,
		fmt.Sprintf("SY_LINE1=%d", line1), fmt.Sprintf("SY_COL1=%d", col1),
		fmt.Sprintf("SY_LINE2=%d", line2), fmt.Sprintf("SY_COL2=%d", col2),
	)
	got, err := os.ReadFile(file)
	must(t, err)
	if string(got) != want {
		t.Errorf("file after completion and inline completion:\n%s\nwant:\n%s", got, want)
	}
	reqs := completions(fake)
	if len(reqs) != 2 {
		t.Fatalf("the fake received %d completion requests, want 2", len(reqs))
	}
	// The second request saw the first edit: Neovim sent didChange before
	// it, and the server applied it at the right place.
	if p, _ := reqs[1].Body["prompt"].(string); !strings.Contains(p, "fmt.Println(s)\n}") {
		t.Errorf("the second prompt does not contain the first edit: %q", p)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
