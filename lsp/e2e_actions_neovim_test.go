package lsp_test

// Code actions in a real editor: headless Neovim with its own LSP client
// and its own code-action and workspace-edit code. Two flows:
//
//  1. vim.lsp.buf.code_action() with the diagnostic, the user picking
//     "Fix with AI" (vim.ui.select is answered by the script), Neovim
//     resolving it with codeAction/resolve and applying the edit to the
//     buffer; the buffer text is checked.
//  2. A refactor across two files run as switchyard.runAction, the way
//     the Neovim plugin sends it with the instruction it asked for; the
//     server sends workspace/applyEdit, Neovim applies it to the open
//     buffer and to a file it had not opened, and :wall writes both. The
//     test reads the two files back from disk.
//
// The script sticks to Neovim 0.7 (Debian 12), as e2e_neovim_test.go does.

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchyard/providers/providertest"
)

const neovimActionsScript = `
local function text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, true), '\n') .. '\n'
end

-- action_id is the switchyard action a listed code action runs.
local function action_id(action)
  local data = action.data
  if not data and action.command and action.command.arguments then
    data = action.command.arguments[1]
  end
  return data and data.action
end

-- Flow 1: Fix with AI through Neovim's own code-action menu.
local function fix(buf)
  local line = tonumber(env.SY_FIX_LINE)
  local col = tonumber(env.SY_FIX_COL)
  local diag = {
    range = { start = { line = line, character = col }, ['end'] = { line = line, character = col + 4 } },
    severity = 1, source = 'compiler', message = 'undefined: totl',
  }
  local offered = {}
  vim.ui.select = function(items, _, on_choice)
    for _, item in ipairs(items) do
      local id = action_id(item[2])
      table.insert(offered, tostring(id))
      if id == 'fix' then return on_choice(item) end
    end
    fail('Fix with AI was not offered; got ' .. table.concat(offered, ', '))
  end
  local before = text(buf)
  vim.lsp.buf.range_code_action({ diagnostics = { diag } }, { line + 1, col }, { line + 1, col + 3 })
  local changed = vim.wait(20000, function() return text(buf) ~= before end, 20)
  if not changed then fail('the fix was not applied to the buffer within 20s') end
  local f = io.open(env.SY_BUFFER, 'w')
  f:write(text(buf))
  f:close()
  vim.cmd('write')
end

-- Flow 2: the refactor, as the plugin runs it.
local function refactor(buf, client_id)
  local line = tonumber(env.SY_REF_LINE)
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    range = { start = { line = line, character = 5 }, ['end'] = { line = line, character = 8 } },
    context = { diagnostics = {} },
  }
  local results = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000)
  local actions = results and results[client_id] and results[client_id].result or {}
  local command
  for _, a in ipairs(actions) do
    if action_id(a) == 'refactor' then command = a.command end
  end
  if not command then fail('Refactor across files was not offered as a command: ' .. vim.inspect(actions)) end
  local data = command.arguments[1]
  data.instruction = 'rename Sum to Total'
  data.scope = 'package'
  local res = vim.lsp.buf_request_sync(buf, 'workspace/executeCommand',
    { command = command.command, arguments = { data } }, 30000)
  local r = res and res[client_id]
  if not r then fail('workspace/executeCommand: no answer') end
  if r.err or r.error then fail('workspace/executeCommand: ' .. vim.inspect(r.err or r.error)) end
  vim.cmd('wall')
end

local function main()
  local buf, client_id = attach(env.SY_ROOT .. '/calc.go')
  fix(buf)
  refactor(buf, client_id)
end
`

func TestNeovimCodeActions(t *testing.T) {
	nv := needNeovim(t)
	fake := providertest.NewOpenAI(t)
	fake.SetModels("fake-coder", "fake-frontier")
	fixed := strings.Replace(calcGo, "totl", "total", 1)
	fake.Enqueue(
		providertest.Text("Misspelled.\n", block("calc.go", "\treturn totl\n", "\treturn total\n")),
		providertest.Text(
			block("calc.go", "// Sum adds the numbers.\nfunc Sum(xs []int) int {\n", "// Total adds the numbers.\nfunc Total(xs []int) int {\n"),
			block("use.go", "func Twice(xs []int) int { return 2 * Sum(xs) }\n", "func Twice(xs []int) int { return 2 * Total(xs) }\n"),
		),
	)

	dir, err := filepath.EvalSymlinks(t.TempDir())
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "calc.go"), []byte(calcGo), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "use.go"), []byte(useGo), 0o644))
	cfg := writeConfig(t, actConfig(fake.URL, ""))
	buffer := filepath.Join(t.TempDir(), "buffer")

	fixLine, fixCol := cursorAt(calcGo, "return ")
	refLine, _ := cursorAt(calcGo, "func Sum")

	nv.run(t, dir, cfg, 90*time.Second, neovimActionsScript,
		"SY_BUFFER="+buffer,
		"SY_FIX_LINE="+strconv.Itoa(fixLine-1), "SY_FIX_COL="+strconv.Itoa(fixCol),
		"SY_REF_LINE="+strconv.Itoa(refLine-1),
	)

	// Flow 1: the buffer after Neovim applied the resolved fix.
	if got, _ := os.ReadFile(buffer); string(got) != fixed {
		t.Errorf("buffer after Fix with AI:\n%s\nwant:\n%s", got, fixed)
	}
	// Flow 2: both files on disk after workspace/applyEdit and :wall.
	wantCalc := strings.Replace(strings.Replace(fixed, "// Sum adds", "// Total adds", 1), "func Sum(", "func Total(", 1)
	if got, _ := os.ReadFile(filepath.Join(dir, "calc.go")); string(got) != wantCalc {
		t.Errorf("calc.go after the refactor:\n%s\nwant:\n%s", got, wantCalc)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "use.go")); string(got) != strings.Replace(useGo, "Sum", "Total", 1) {
		t.Errorf("use.go after the refactor:\n%s", got)
	}
	var models []any
	for _, r := range fake.Requests() {
		if r.Endpoint == "chat" {
			models = append(models, r.Body["model"])
		}
	}
	if len(models) != 2 || models[0] != "fake-coder" || models[1] != "fake-frontier" {
		t.Errorf("models called: %v, want fake-coder for the fix, then fake-frontier for the refactor", models)
	}
}
