package editors

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/providers/providertest"
)

// nvimResult is what editors/neovim/test/e2e.lua reports.
type nvimResult struct {
	Error            string            `json:"error"`
	FirstMarks       []json.RawMessage `json:"first_marks"`
	FirstCursor      []int             `json:"first_cursor"`
	AfterFirst       []string          `json:"after_first"`
	CursorAfterFirst []int             `json:"cursor_after_first"`
	SecondMarks      []json.RawMessage `json:"second_marks"`
	AfterSecond      []string          `json:"after_second"`
	StatuslineAfter  string            `json:"statusline_after"`
	Settings         struct {
		Routes map[string][]string `json:"routes"`
	} `json:"settings_after_switch"`
	CodeActions string `json:"code_actions"`
	Notes       []struct {
		Msg string `json:"msg"`
	} `json:"notes"`
}

// extmark is one [id, row, col, details] from nvim_buf_get_extmarks.
type extmark struct {
	row, col int
	details  struct {
		VirtText    [][]string `json:"virt_text"`
		VirtTextPos string     `json:"virt_text_pos"`
		HlGroup     string     `json:"hl_group"`
		EndRow      int        `json:"end_row"`
		EndCol      int        `json:"end_col"`
	}
}

func decodeExtmark(t *testing.T, raw json.RawMessage) extmark {
	t.Helper()
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) != 4 {
		t.Fatalf("extmark %s is not [id, row, col, details]", raw)
	}
	var m extmark
	if err := json.Unmarshal(parts[1], &m.row); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(parts[2], &m.col); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(parts[3], &m.details); err != nil {
		t.Fatalf("extmark details %s: %v", parts[3], err)
	}
	return m
}

func (m extmark) text() string {
	var b strings.Builder
	for _, chunk := range m.details.VirtText {
		if len(chunk) > 0 {
			b.WriteString(chunk[0])
		}
	}
	return b.String()
}

// runNeovim runs a scenario file of editors/neovim/test as Neovim's init
// file and decodes its results into v.
func runNeovim(t *testing.T, sb *sandbox, scenario string, env []string, v any) {
	t.Helper()
	nvim := tool(t, "nvim", "neovim")
	plugin, err := filepath.Abs("neovim")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(sb.home, "results.json")
	env = append(env, "SWITCHYARD_TEST_OUT="+out, "SWITCHYARD_TEST_PLUGIN="+plugin)
	output, err := sb.run(t, 60*time.Second, env, nvim, "--headless", "-n", "-i", "NONE",
		"-u", filepath.Join(plugin, "test", scenario))
	if err != nil {
		t.Fatalf("nvim: %v\n%s\n%s", err, output, sb.logs("lsp.log"))
	}
	if strings.TrimSpace(output) != "" {
		// Errors raised in Neovim's own callbacks end up here.
		t.Logf("nvim printed:\n%s", output)
	}
	readJSON(t, out, v)
}

const goSource = `package main

import "fmt"

func main() {
	fmt.Println
}
`

// TestNeovimGhostTextAndModelSwitch drives the plugin in headless Neovim:
// ghost text appears as an extmark, is accepted byte for byte, and after
// :Switchyard model the next completion comes from the other provider.
func TestNeovimGhostTextAndModelSwitch(t *testing.T) {
	tool(t, "nvim", "neovim")
	bin := server(t)
	a := providertest.NewOpenAI(t)
	a.Handle(func(r providertest.Request) providertest.Reply {
		if p, _ := r.Body["prompt"].(string); fimPrefixEndsWith(p, "fmt.Println(") {
			return providertest.Text(`"from`, ` a")`)
		}
		return providertest.Text()
	})
	b := providertest.NewOpenAI(t)
	b.Handle(func(r providertest.Request) providertest.Reply {
		if p, _ := r.Body["prompt"].(string); fimPrefixEndsWith(p, "\tfmt.") {
			return providertest.Text(`Println("from b")`)
		}
		return providertest.Text()
	})

	sb := newSandbox(t)
	file := sb.write(t, "project/main.go", goSource)
	sb.write(t, "project/.git/HEAD", "ref: refs/heads/main\n")
	var res nvimResult
	runNeovim(t, sb, "e2e.lua", []string{
		"SWITCHYARD_TEST_BIN=" + bin,
		"SWITCHYARD_TEST_URL_A=" + a.URL,
		"SWITCHYARD_TEST_URL_B=" + b.URL,
		"SWITCHYARD_TEST_FILE=" + file,
	}, &res)
	if res.Error != "" {
		t.Fatalf("scenario failed: %s\n%s", res.Error, sb.logs("lsp.log"))
	}

	// The first ghost text: one extmark at the cursor, after "\tfmt.Println(".
	if len(res.FirstMarks) != 1 {
		t.Fatalf("extmarks while ghost text is shown = %d, want 1", len(res.FirstMarks))
	}
	m := decodeExtmark(t, res.FirstMarks[0])
	if m.row != 5 || m.col != len("\tfmt.Println(") {
		t.Errorf("ghost text at row %d col %d, want row 5 col %d (the cursor)", m.row, m.col, len("\tfmt.Println("))
	}
	if got := m.text(); got != `"from a")` {
		t.Errorf("ghost text = %q, want %q", got, `"from a")`)
	}
	want := strings.Split(strings.Replace(goSource, "\tfmt.Println\n", "\tfmt.Println(\"from a\")\n", 1), "\n")
	want = want[:len(want)-1]
	if strings.Join(res.AfterFirst, "\n") != strings.Join(want, "\n") {
		t.Errorf("buffer after accepting:\n%q\nwant\n%q", res.AfterFirst, want)
	}
	if len(res.CursorAfterFirst) == 2 && (res.CursorAfterFirst[0] != 6 || res.CursorAfterFirst[1] != len("\tfmt.Println(\"from a\")")) {
		t.Errorf("cursor after accepting = %v, want [6 %d] (after the inserted text)", res.CursorAfterFirst, len("\tfmt.Println(\"from a\")"))
	}

	// After the switch: the route names mb first, and b answered.
	if r := res.Settings.Routes["completion"]; len(r) == 0 || r[0] != "mb" {
		t.Errorf("completion route after :Switchyard model mb = %v, want mb first", r)
	}
	if len(res.SecondMarks) != 1 {
		t.Fatalf("extmarks for the second ghost text = %d, want 1", len(res.SecondMarks))
	}
	if got := decodeExtmark(t, res.SecondMarks[0]).text(); got != `Println("from b")` {
		t.Errorf("second ghost text = %q, want provider b's %q", got, `Println("from b")`)
	}
	want = append(want[:6:6], "\tfmt.Println(\"from b\")", "}")
	if strings.Join(res.AfterSecond, "\n") != strings.Join(want, "\n") {
		t.Errorf("buffer after the second accept:\n%q\nwant\n%q", res.AfterSecond, want)
	}
	for _, r := range a.Requests() {
		if p, _ := r.Body["prompt"].(string); fimPrefixEndsWith(p, "\tfmt.") {
			t.Errorf("provider a was asked after the switch to mb: %.200q", p)
		}
	}
	if !strings.Contains(res.StatuslineAfter, "mb") {
		t.Errorf("statusline after the switch = %q, want it to name mb", res.StatuslineAfter)
	}
	t.Logf("code actions: %s", res.CodeActions)
}

// TestNeovimLuaUnits runs editors/neovim/test/unit.lua: the plugin's Lua
// logic, with the version checks stubbed so that the code paths of
// Neovim 0.8 to 0.12 run in whatever Neovim is installed (0.7.2 in
// Debian 12 and CI).
func TestNeovimLuaUnits(t *testing.T) {
	sb := newSandbox(t)
	var res struct {
		Error   string `json:"error"`
		Version string `json:"version"`
		Tests   []struct {
			Name string `json:"name"`
			OK   bool   `json:"ok"`
			Err  string `json:"err"`
		} `json:"tests"`
	}
	runNeovim(t, sb, "unit.lua", nil, &res)
	if res.Error != "" {
		t.Fatalf("unit.lua failed outside a test: %s", res.Error)
	}
	if len(res.Tests) < 10 {
		t.Fatalf("unit.lua ran %d tests, want them all", len(res.Tests))
	}
	t.Logf("Neovim %s", res.Version)
	for _, r := range res.Tests {
		t.Run(r.Name, func(t *testing.T) {
			if !r.OK {
				t.Error(r.Err)
			}
		})
	}
}

// rewriteAnswer is how a coding model answers "Rewrite with AI" for the
// Println line of main.go: the code that replaces the selection.
const rewriteAnswer = "```go\n\tfmt.Println(\"hello, world\")\n```\n"

const goHello = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n"

// rewriteFake answers chat requests with rewriteAnswer and records the
// instruction they carried.
func rewriteFake(t *testing.T) (*providertest.OpenAI, func() string) {
	f := providertest.NewOpenAI(t)
	f.Handle(func(r providertest.Request) providertest.Reply {
		if r.Endpoint == "chat" {
			return providertest.Text(rewriteAnswer)
		}
		return providertest.Text()
	})
	chats := func() string {
		var b strings.Builder
		for _, r := range f.Requests() {
			if r.Endpoint == "chat" {
				b.Write(r.RawBody)
			}
		}
		return b.String()
	}
	return f, chats
}

// TestNeovimCodeActionRewrite picks "Rewrite with AI" from Neovim's
// code-action menu: the plugin asks for the instruction, the server runs
// the action, and its workspace/applyEdit changes the buffer.
func TestNeovimCodeActionRewrite(t *testing.T) {
	tool(t, "nvim", "neovim")
	bin := server(t)
	a, chats := rewriteFake(t)
	sb := newSandbox(t)
	file := sb.write(t, "project/main.go", goHello)
	sb.write(t, "project/.git/HEAD", "ref: refs/heads/main\n")
	var res struct {
		Error    string   `json:"error"`
		Notes    []any    `json:"notes"`
		Titles   []string `json:"titles"`
		Prompts  []string `json:"prompts"`
		Commands []string `json:"commands"`
		After    []string `json:"after"`
	}
	runNeovim(t, sb, "codeaction.lua", []string{
		"SWITCHYARD_TEST_BIN=" + bin,
		"SWITCHYARD_TEST_URL_A=" + a.URL,
		"SWITCHYARD_TEST_FILE=" + file,
	}, &res)
	if res.Error != "" {
		t.Fatalf("scenario failed: %s\nmenu: %q\nprompts: %q\nmessages: %v\n%s", res.Error, res.Titles, res.Prompts, res.Notes, sb.logs("lsp.log"))
	}
	want := strings.Replace(goHello, `"hi"`, `"hello, world"`, 1)
	if got := strings.Join(res.After, "\n") + "\n"; got != want {
		t.Errorf("buffer after the rewrite:\n%s\nwant\n%s", got, want)
	}
	if len(res.Prompts) != 1 || !strings.Contains(res.Prompts[0], "what should change") {
		t.Errorf("prompts = %q, want one asking for the instruction", res.Prompts)
	}
	if !strings.Contains(chats(), "greet the world") {
		t.Errorf("the model was not given the instruction; chat requests: %.500s", chats())
	}
}
