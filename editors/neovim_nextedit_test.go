package editors

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"switchyard/editors/editortest"
	"switchyard/providers/providertest"
)

const pySource = "def scale(count, factor):\n    total = count * factor\n    return total\n"

// TestNeovimNextEditAfterRename drives the plugin in headless Neovim: the
// user renames a parameter, the server's suggestion for the next line that
// uses it appears as extmarks, <Tab> applies it as one undo step, and the
// file written is exactly right. Next edits are turned on once in setup(),
// and once only in config.toml, which the plugin follows through the
// server's switchyard/status as VS Code does.
func TestNeovimNextEditAfterRename(t *testing.T) {
	t.Run("setup", func(t *testing.T) { neovimNextEditAfterRename(t, false) })
	t.Run("config.toml", func(t *testing.T) { neovimNextEditAfterRename(t, true) })
}

func neovimNextEditAfterRename(t *testing.T, fromConfig bool) {
	tool(t, "nvim", "neovim")
	bin := server(t)
	a := providertest.NewOpenAI(t)
	a.Handle(func(r providertest.Request) providertest.Reply {
		if p, ok := editortest.NextEditPrompt(r.Body); ok {
			answer, _ := editortest.RenameAnswer(p, "count", "amount")
			return providertest.Text(answer)
		}
		// Completions: none, so that no ghost text takes <Tab>.
		return providertest.Text()
	})

	sb := newSandbox(t)
	file := sb.write(t, "project/scale.py", pySource)
	sb.write(t, "project/.git/HEAD", "ref: refs/heads/main\n")
	env := []string{
		"SWITCHYARD_TEST_BIN=" + bin,
		"SWITCHYARD_TEST_URL_A=" + a.URL,
		"SWITCHYARD_TEST_FILE=" + file,
	}
	if fromConfig {
		sb.write(t, ".config/switchyard/config.toml", fmt.Sprintf(`[providers.a]
type = "openai"
base_url = %q

[models.coder]
provider = "a"
id = "qwen2.5-coder:1.5b-base"
classes = ["completion"]

[models.predictor]
provider = "a"
id = "fake-next-edit"
classes = ["next-edit"]
next_edit_format = "chat"

[routes]
completion = ["coder"]
next_edit = ["predictor"]

[completion]
debounce = "10ms"

[next_edit]
enabled = true
debounce = "70ms"
`, a.URL))
		env = append(env, "SWITCHYARD_TEST_FROM_CONFIG=1")
	}
	var res struct {
		Error       string            `json:"error"`
		Capability  bool              `json:"capability"`
		TabMapped   bool              `json:"tab_mapped"`
		AfterRename []string          `json:"after_rename"`
		Marks       []json.RawMessage `json:"marks"`
		LinesShown  []string          `json:"lines_shown"`
		AfterAccept []string          `json:"after_accept"`
		MarksAfter  []json.RawMessage `json:"marks_after"`
		AfterUndo   []string          `json:"after_undo"`
		AfterRedo   []string          `json:"after_redo"`
		Notes       []any             `json:"notes"`
		CursorShown []int             `json:"cursor_shown"`
		SetupEmpty  bool              `json:"setup_next_edit"`
		DebounceMS  float64           `json:"debounce_ms"`
	}
	runNeovim(t, sb, "nextedit.lua", env, &res)
	if res.Error != "" {
		t.Fatalf("scenario failed: %s\ncapability: %v, after rename: %q, messages: %v\n%s", res.Error, res.Capability, res.AfterRename, res.Notes, sb.logs("lsp.log"))
	}
	if fromConfig && (!res.SetupEmpty || res.DebounceMS != 70) {
		t.Errorf("nothing of next_edit in setup() = %v, debounce = %v ms; want true and config.toml's 70", res.SetupEmpty, res.DebounceMS)
	}
	if !res.Capability || !res.TabMapped {
		t.Errorf("capability announced = %v, <Tab> mapped in normal mode = %v; want both", res.Capability, res.TabMapped)
	}

	renamed := strings.Replace(pySource, "scale(count", "scale(amount", 1)
	if got := strings.Join(res.LinesShown, "\n") + "\n"; got != renamed {
		t.Errorf("buffer while the suggestion is shown:\n%s\nwant only the user's rename:\n%s", got, renamed)
	}
	// The struck-through word on the next line, and the new one at its end.
	var struck, added *extmark
	for _, raw := range res.Marks {
		m := decodeExtmark(t, raw)
		switch {
		case m.details.HlGroup == "SwitchyardNextEditDelete":
			struck = &m
		case len(m.details.VirtText) > 0:
			added = &m
		}
	}
	col := len("    total = ")
	if struck == nil || struck.row != 1 || struck.col != col || struck.details.EndRow != 1 || struck.details.EndCol != col+len("count") {
		t.Errorf("strike-through extmark = %+v, want row 1 cols %d-%d (count); marks: %s", struck, col, col+len("count"), res.Marks)
	}
	if added == nil || added.row != 1 || added.text() != "→ amount" {
		t.Errorf("new-text extmark = %+v, want \"→ amount\" on row 1; marks: %s", added, res.Marks)
	}

	want := strings.ReplaceAll(pySource, "count", "amount")
	if got := strings.Join(res.AfterAccept, "\n") + "\n"; got != want {
		t.Errorf("buffer after <Tab>:\n%s\nwant:\n%s", got, want)
	}
	if len(res.MarksAfter) != 0 {
		t.Errorf("extmarks left after accepting: %s", res.MarksAfter)
	}
	if got := strings.Join(res.AfterUndo, "\n") + "\n"; got != renamed {
		t.Errorf("after one undo:\n%s\nwant the suggestion taken back, the rename kept:\n%s", got, renamed)
	}
	if got := strings.Join(res.AfterRedo, "\n") + "\n"; got != want {
		t.Errorf("after redo:\n%s\nwant:\n%s", got, want)
	}
	disk, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(disk) != want {
		t.Errorf("%s on disk:\n%s\nwant:\n%s", file, disk, want)
	}
	var asked bool
	for _, r := range a.Requests() {
		if p, ok := editortest.NextEditPrompt(r.Body); ok && strings.Contains(p, "def scale(amount") {
			asked = true
		}
	}
	if !asked {
		t.Error("the provider got no next-edit prompt holding the rename")
	}
}
