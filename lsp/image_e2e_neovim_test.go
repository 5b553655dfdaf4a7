package lsp_test

// Implement from an image in a real editor: headless Neovim 0.7 (Debian
// 12) with its own LSP client. The cursor is put on ![](mock.png) in a
// Markdown file, vim.lsp.buf.code_action() lists the actions, the script
// picks "Implement from mock.png" as a user would in vim.ui.select,
// Neovim resolves it with codeAction/resolve and applies the CreateFile
// and its text itself, and :wall writes the new component to disk, where
// the test reads it.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchyard/assist/images/imagestest"
	"switchyard/providers/providertest"
)

const neovimImageScript = `
local function main()
  attach(env.SY_ROOT .. '/README.md')

  vim.api.nvim_win_set_cursor(0, { tonumber(env.SY_LINE), tonumber(env.SY_COL) })
  local offered = {}
  vim.ui.select = function(items, _, on_choice)
    for _, item in ipairs(items) do
      local action = item[2]
      table.insert(offered, action.title)
      if action.title == 'Implement from mock.png' then return on_choice(item) end
    end
    fail('Implement from mock.png was not offered; got: ' .. table.concat(offered, ', '))
  end
  vim.lsp.buf.code_action()

  local target = env.SY_TARGET
  local written = vim.wait(30000, function()
    local b = vim.fn.bufnr(target)
    if b < 0 then return false end
    vim.fn.bufload(b)
    local lines = vim.api.nvim_buf_get_lines(b, 0, -1, true)
    return #lines > 1
  end, 20)
  if not written then fail('no text in a buffer for ' .. target .. ' within 30s; offered: ' .. table.concat(offered, ', ')) end
  vim.cmd('wall')
end
`

func TestNeovimImplementFromImage(t *testing.T) {
	nv := needNeovim(t)
	fake := providertest.NewOpenAI(t)
	fake.SetModels("fake-vision")
	fake.Enqueue(providertest.Text(componentAnswer...))

	dir, err := filepath.EvalSymlinks(t.TempDir())
	must(t, err)
	readme := "# Login\n\nThe screen we build:\n\n![](mock.png)\n"
	for name, data := range map[string][]byte{
		"package.json":  []byte(`{"dependencies":{"react":"^19.0.0"}}`),
		"tsconfig.json": []byte("{}"),
		"mock.png":      imagestest.PNG(imagestest.Mockup(640, 400)),
		"README.md":     []byte(readme),
	} {
		must(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	cfg := writeConfig(t, fmt.Sprintf(imageConfig, fake.URL))
	target := filepath.Join(dir, "Mock.tsx")
	line, col := cursorAt(readme, "![](mo")

	nv.run(t, dir, cfg, 90*time.Second, neovimImageScript,
		"SY_TARGET="+target, "SY_LINE="+strconv.Itoa(line), "SY_COL="+strconv.Itoa(col),
	)

	got, err := os.ReadFile(target)
	if err != nil {
		t.Fatalf("the new component is not on disk: %v", err)
	}
	// Neovim 0.7 holds a new empty file as one empty line, so text
	// inserted at 0:0 keeps that line after it and :w writes one blank
	// line more than the edit's text; the LSP text (and VS Code's file)
	// is exact. Anything else is wrong.
	if string(got) != componentCode && string(got) != componentCode+"\n" {
		t.Errorf("Mock.tsx on disk:\n%s\nwant:\n%s", got, componentCode)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "README.md")); string(b) != readme {
		t.Errorf("README.md changed:\n%s", b)
	}
	var chats int
	for _, r := range fake.Requests() {
		if r.Endpoint == "chat" {
			chats++
			if !strings.Contains(string(r.RawBody), `"image_url"`) {
				t.Errorf("the chat request carries no image_url part")
			}
		}
	}
	if chats != 1 {
		t.Errorf("%d chat requests, want 1", chats)
	}
}
