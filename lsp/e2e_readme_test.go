package lsp_test

// The README's snippets, run: each minimal configuration serves a
// completion from a fake provider, and the Neovim 0.7 snippet starts the
// server and attaches it. A README that drifts from the code fails here.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

// readmeBlocks returns the fenced blocks of language lang in the README
// section that starts with heading, in order.
func readmeBlocks(t *testing.T, heading, lang string) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("README.md has no %q section", heading)
	}
	section := text[i+len(heading)+2:]
	level := heading[:strings.IndexByte(heading, ' ')+1]
	if j := strings.Index(section, "\n"+level); j >= 0 {
		section = section[:j]
	}
	re := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```")
	var out []string
	for _, m := range re.FindAllStringSubmatch(section, -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("README.md section %q has no %s block", heading, lang)
	}
	return out
}

// pointAt makes every provider of a README configuration use url: the
// block's own base_url is replaced, or one is added after the type.
func pointAt(cfg, url string) string {
	var out []string
	for _, line := range strings.Split(cfg, "\n") {
		switch {
		case strings.HasPrefix(line, "base_url"):
			continue
		case strings.HasPrefix(line, "type = "):
			out = append(out, line, "base_url = \""+url+"\"")
		default:
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestReadmeConfigurations(t *testing.T) {
	blocks := readmeBlocks(t, "## Configuration", "toml")
	if len(blocks) < 2 {
		t.Fatalf("want the Ollama and the OpenAI configuration, found %d blocks", len(blocks))
	}
	for i, block := range blocks {
		t.Run(strings.TrimSpace(strings.SplitN(block, "\n", 2)[0]), func(t *testing.T) {
			fake := providertest.NewOpenAI(t)
			fake.Handle(func(r providertest.Request) providertest.Reply {
				if r.Endpoint == "models" {
					return providertest.Reply{}
				}
				return providertest.Text("ntln(s)")
			})
			if ids := regexp.MustCompile(`id = "([^"]+)"`).FindAllStringSubmatch(block, -1); len(ids) > 0 {
				var models []string
				for _, m := range ids {
					models = append(models, m[1])
				}
				fake.SetModels(models...)
			}
			c := lsptest.Start(t, lsptest.Options{
				Config: writeConfig(t, pointAt(block, fake.URL)),
				// The OpenAI block reads its key from here.
				Env: []string{"OPENAI_API_KEY=sk-test-not-a-real-key"},
			})
			dir := t.TempDir()
			if _, err := c.Initialize(timeout(t, 20*time.Second), lsptest.InitOptions{RootURI: fileURI(dir)}); err != nil {
				t.Fatal(err)
			}
			uri := fileURI(filepath.Join(dir, "main.go"))
			text := "package main\n\nimport \"fmt\"\n\nfunc main() {\n\ts := \"x\"\n\tfmt.Pri\n}\n"
			if err := c.Open(uri, "go", text); err != nil {
				t.Fatal(err)
			}
			list, err := c.InlineCompletion(timeout(t, 10*time.Second), uri, c.Pos(uri, strings.Index(text, "Pri")+3))
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Items) != 1 || !strings.HasPrefix(list.Items[0].InsertText, "ntln(s)") {
				t.Errorf("README configuration %d: got %s, want the fake's suggestion (messages %+v)", i+1, list.Raw, c.ShowMessages())
			}
			for _, m := range c.ShowMessages() {
				if m.Type == lsptest.MessageError {
					t.Errorf("README configuration %d: the server reported %q", i+1, m.Message)
				}
			}
		})
	}
}

// readmeNeovimCheck runs after the README's init.lua: it opens a file,
// waits for the snippet to attach the server, and asks for a completion.
const readmeNeovimCheck = `
local function main()
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.SY_FILE))
  local buf = vim.api.nvim_get_current_buf()
  local attached = vim.wait(15000, function()
    for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
      if c.name == 'switchyard' and c.initialized then return true end
    end
    return false
  end, 10)
  if not attached then error('the README snippet did not attach switchyard to the buffer', 0) end
  if vim.bo[buf].omnifunc ~= 'v:lua.vim.lsp.omnifunc' then error('omnifunc not set: ' .. vim.bo[buf].omnifunc, 0) end
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    position = { line = tonumber(vim.env.SY_LINE), character = tonumber(vim.env.SY_CHAR) },
    context = { triggerKind = 1 },
  }
  local results = vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, 15000) or {}
  for _, r in pairs(results) do
    local items = r.result and (r.result.items or r.result) or {}
    if #items > 0 then return items[1].textEdit.newText end
  end
  error('no completion items: ' .. vim.inspect(results), 0)
end
local ok, res = pcall(main)
local f = io.open(vim.env.SY_STATUS, 'w')
f:write(ok and ('ok ' .. res) or res)
f:close()
vim.cmd(ok and 'qall!' or 'cquit 1')
`

func TestReadmeNeovimSnippet(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		t.Skip("nvim not found: install Neovim (Debian: apt-get install neovim) to run the README's Neovim snippet; .ci/run does")
	}
	// The 0.7 snippet is the one that mentions start_client.
	var snippet string
	for _, b := range readmeBlocks(t, "### Neovim without the plugin", "lua") {
		if strings.Contains(b, "vim.lsp.start_client") {
			snippet = b
		}
	}
	if snippet == "" {
		t.Fatal("README.md has no vim.lsp.start_client snippet")
	}
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Text("ntln(s)"))

	// The snippet runs "switchyard" from PATH.
	binDir := t.TempDir()
	must(t, os.Symlink(lsptest.Binary(t), filepath.Join(binDir, "switchyard")))
	dir := t.TempDir()
	text := "package main\n\nfunc main() {\n\tfmt.Pri\n}\n"
	file := filepath.Join(dir, "main.go")
	must(t, os.WriteFile(file, []byte(text), 0o644))
	initLua := filepath.Join(dir, "init.lua")
	must(t, os.WriteFile(initLua, []byte(snippet), 0o644))
	check := filepath.Join(dir, "check.lua")
	must(t, os.WriteFile(check, []byte(readmeNeovimCheck), 0o644))
	status := filepath.Join(dir, "status")
	home := t.TempDir()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "-u", initLua, "-i", "NONE", "-n", "-c", "luafile "+check)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"SWITCHYARD_CONFIG="+writeConfig(t, configText(nil, provider{"fake", fake.URL, fimModel})),
		"SY_FILE="+file, "SY_STATUS="+status, "SY_LINE=3", "SY_CHAR=8",
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	st, _ := os.ReadFile(status)
	if runErr != nil || string(st) != "ok Println(s)" {
		t.Fatalf("nvim with the README snippet: %v\nstatus: %s\noutput:\n%s", runErr, st, out.String())
	}
}
