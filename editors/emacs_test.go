package editors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/providers/providertest"
)

// completionFake is a fake OpenAI-compatible provider that completes
// "print(" with text and anything else with nothing.
func completionFake(t *testing.T, after, text string) *providertest.OpenAI {
	f := providertest.NewOpenAI(t)
	f.Handle(func(r providertest.Request) providertest.Reply {
		if p, _ := r.Body["prompt"].(string); fimPrefixEndsWith(p, after) {
			return providertest.Text(text)
		}
		return providertest.Text()
	})
	return f
}

// twoModelSettings are editor settings with model ma on provider a
// (routed for completion) and mb on provider b.
func twoModelSettings(t *testing.T, urlA, urlB string) string {
	t.Helper()
	const id = "qwen2.5-coder:1.5b-base"
	s := map[string]any{
		"providers": map[string]any{
			"a": map[string]any{"type": "openai", "base_url": urlA},
			"b": map[string]any{"type": "openai", "base_url": urlB},
		},
		"models": map[string]any{
			"ma": map[string]any{"provider": "a", "id": id, "classes": []string{"completion"}},
			"mb": map[string]any{"provider": "b", "id": id, "classes": []string{"completion"}},
		},
		"routes":     map[string]any{"completion": []string{"ma"}},
		"completion": map[string]any{"debounce": "10ms"},
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEmacsEglotCompletionAndModelSwitch loads editors/emacs/switchyard.el
// in batch Emacs with Debian's eglot 1.9: completion-at-point inserts the
// server's completion, and after switchyard-set-model the next one comes
// from the other provider.
func TestEmacsEglotCompletionAndModelSwitch(t *testing.T) {
	emacs := tool(t, "emacs", "emacs-nox")
	if m, _ := filepath.Glob("/usr/share/emacs/site-lisp/elpa/eglot-*"); len(m) == 0 {
		t.Skip("eglot is not installed: install Debian's elpa-eglot package (CI does) to run this test")
	}
	bin := server(t)
	a := completionFake(t, "print(", `"from a")`)
	b := completionFake(t, "print(", `"from b")`)

	sb := newSandbox(t)
	file := sb.write(t, "project/main.py", "def main():\n    print\n")
	sb.write(t, "project/.git/HEAD", "ref: refs/heads/main\n")
	plugin, err := filepath.Abs("emacs")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(sb.home, "results.json")
	output, err := sb.run(t, 90*time.Second, []string{
		"SWITCHYARD_TEST_BIN=" + bin,
		"SWITCHYARD_TEST_PLUGIN=" + plugin,
		"SWITCHYARD_TEST_FILE=" + file,
		"SWITCHYARD_TEST_OUT=" + out,
		"SWITCHYARD_TEST_SETTINGS=" + twoModelSettings(t, a.URL, b.URL),
	}, emacs, "--batch", "-Q", "-l", filepath.Join(plugin, "test", "e2e.el"))
	if err != nil {
		t.Fatalf("emacs: %v\n%s", err, output)
	}
	var res struct {
		Error       string   `json:"error"`
		Mode        string   `json:"mode"`
		FirstLine   string   `json:"first_line"`
		SecondLine  string   `json:"second_line"`
		Buffer      string   `json:"buffer"`
		Route       []string `json:"route"`
		ModeLine    string   `json:"mode_line"`
		CodeActions []string `json:"code_actions"`
	}
	readJSON(t, out, &res)
	if res.Error != "" {
		t.Fatalf("e2e.el failed: %s\n%s", res.Error, output)
	}
	if want := `    print("from a")`; res.FirstLine != want {
		t.Errorf("line after completing with model ma = %q, want %q", res.FirstLine, want)
	}
	if len(res.Route) == 0 || res.Route[0] != "mb" {
		t.Errorf("completion route after switchyard-set-model = %v, want mb first", res.Route)
	}
	if want := `    print("from b")`; res.SecondLine != want {
		t.Errorf("line after switching to model mb = %q, want %q (provider b)", res.SecondLine, want)
	}
	if want := "def main():\n    print(\"from a\")\n    print(\"from b\")\n"; res.Buffer != want {
		t.Errorf("buffer = %q, want %q", res.Buffer, want)
	}
	t.Logf("major mode %s, mode line %q, code actions %q", res.Mode, res.ModeLine, res.CodeActions)
}

// TestEmacsByteCompiles byte-compiles switchyard.el with warnings as
// errors, as package managers do when they install it.
func TestEmacsByteCompiles(t *testing.T) {
	emacs := tool(t, "emacs", "emacs-nox")
	sb := newSandbox(t)
	src, err := os.ReadFile(filepath.Join("emacs", "switchyard.el"))
	if err != nil {
		t.Fatal(err)
	}
	el := sb.write(t, "switchyard.el", string(src))
	output, err := sb.run(t, 60*time.Second, nil, emacs, "--batch", "-Q",
		"--eval", `(dolist (d (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*")) (add-to-list 'load-path d))`,
		"--eval", "(setq byte-compile-error-on-warn t)",
		"-f", "batch-byte-compile", el)
	if err != nil {
		t.Fatalf("byte-compiling switchyard.el: %v\n%s", err, output)
	}
}

// TestEmacsCodeActionRewrite runs "Rewrite with AI" as eglot's code-action
// menu does: switchyard.el asks for the instruction, the server runs the
// action and its workspace/applyEdit changes the buffer.
func TestEmacsCodeActionRewrite(t *testing.T) {
	emacs := tool(t, "emacs", "emacs-nox")
	if m, _ := filepath.Glob("/usr/share/emacs/site-lisp/elpa/eglot-*"); len(m) == 0 {
		t.Skip("eglot is not installed: install Debian's elpa-eglot package (CI does) to run this test")
	}
	bin := server(t)
	// A rewrite is answered with the code that replaces the selection.
	const answer = "```python\n    print(\"hello, world\")\n```\n"
	a := providertest.NewOpenAI(t)
	a.Handle(func(r providertest.Request) providertest.Reply {
		if r.Endpoint == "chat" {
			return providertest.Text(answer)
		}
		return providertest.Text()
	})
	settings, err := json.Marshal(map[string]any{
		"providers": map[string]any{"a": map[string]any{"type": "openai", "base_url": a.URL}},
		"models": map[string]any{"ma": map[string]any{"provider": "a", "id": "qwen2.5-coder:1.5b-base",
			"classes": []string{"completion", "coding"}}},
		"routes": map[string]any{"completion": []string{"ma"}, "coding": []string{"ma"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sb := newSandbox(t)
	file := sb.write(t, "project/main.py", "def main():\n    print(\"hi\")\n")
	sb.write(t, "project/.git/HEAD", "ref: refs/heads/main\n")
	plugin, err := filepath.Abs("emacs")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(sb.home, "results.json")
	output, err := sb.run(t, 90*time.Second, []string{
		"SWITCHYARD_TEST_BIN=" + bin,
		"SWITCHYARD_TEST_PLUGIN=" + plugin,
		"SWITCHYARD_TEST_FILE=" + file,
		"SWITCHYARD_TEST_OUT=" + out,
		"SWITCHYARD_TEST_SETTINGS=" + string(settings),
	}, emacs, "--batch", "-Q", "-l", filepath.Join(plugin, "test", "codeaction.el"))
	if err != nil {
		t.Fatalf("emacs: %v\n%s", err, output)
	}
	var res struct {
		Error   string   `json:"error"`
		Titles  []string `json:"titles"`
		Prompts []string `json:"prompts"`
		Buffer  string   `json:"buffer"`
	}
	readJSON(t, out, &res)
	if res.Error != "" {
		t.Fatalf("codeaction.el failed: %s\nactions: %q\n%s", res.Error, res.Titles, output)
	}
	if want := "def main():\n    print(\"hello, world\")\n"; res.Buffer != want {
		t.Errorf("buffer after the rewrite = %q, want %q", res.Buffer, want)
	}
	if len(res.Prompts) != 1 || !strings.Contains(res.Prompts[0], "what should change") {
		t.Errorf("prompts = %q, want one asking for the instruction", res.Prompts)
	}
	var chats strings.Builder
	for _, r := range a.Requests() {
		chats.Write(r.RawBody)
	}
	if !strings.Contains(chats.String(), "greet the world") {
		t.Errorf("the model was not given the instruction; requests: %.500s", chats.String())
	}
}
