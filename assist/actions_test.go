package assist

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"switchyard/config"
	"switchyard/providers"
)

// ws is a workspace folder on disk with some files, and documents the
// editor has open.
type ws struct {
	t    *testing.T
	root string
	open []Document
}

func newWS(t *testing.T, files map[string]string) *ws {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := &ws{t: t, root: root}
	for name, text := range files {
		w.write(name, text)
	}
	return w
}

func (w *ws) path(name string) string { return filepath.Join(w.root, filepath.FromSlash(name)) }

func (w *ws) write(name, text string) {
	w.t.Helper()
	p := w.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// doc opens a file in the "editor" at version 7, with the text on disk
// unless text is given.
func (w *ws) doc(name string, text ...string) Document {
	w.t.Helper()
	p := w.path(name)
	s := ""
	if len(text) > 0 {
		s = text[0]
	} else {
		b, err := os.ReadFile(p)
		if err != nil {
			w.t.Fatal(err)
		}
		s = string(b)
	}
	d := Document{URI: FileURI(p), Path: p, LanguageID: languageOfExt(filepath.Ext(p)), Version: 7, Text: s}
	w.open = append(w.open, d)
	return d
}

// request is a request on doc with the selection given by the first
// occurrence of sel ("" for the start of the file).
func (w *ws) request(action string, d Document, sel string) ActionRequest {
	w.t.Helper()
	start := strings.Index(d.Text, sel)
	if start < 0 {
		w.t.Fatalf("%q is not in %s", sel, d.Path)
	}
	return ActionRequest{
		Selection: Selection{Doc: d, Start: start, End: start + len(sel)},
		Action:    action,
		Folders:   []string{w.root},
		Open:      w.open,
	}
}

func newCodeActions(t *testing.T, cfg *config.Config, answer ...string) (*Actions, *fakeProvider, *fakeRouter) {
	t.Helper()
	p := answering(answer...)
	p.name = "cloud"
	r := &fakeRouter{targets: []providers.Target{{Name: "sonnet", Model: config.Model{Provider: "cloud", ID: "claude-sonnet"}, Provider: p}}}
	if cfg == nil {
		cfg = &config.Config{}
	}
	if cfg.Providers == nil {
		cfg.Providers = map[string]config.Provider{"cloud": {Type: "anthropic"}}
	}
	return NewActions(r, cfg, Options{AnswerDir: t.TempDir()}), p, r
}

func v(n int32) *int32 { return &n }

// prompt is the user message of the provider's only chat.
func prompt(t *testing.T, p *fakeProvider) string {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.chats) != 1 {
		t.Fatalf("%d chats, want 1", len(p.chats))
	}
	msgs := p.chats[0].Messages
	return msgs[len(msgs)-1].Content
}

func TestListMakesNoModelCall(t *testing.T) {
	w := newWS(t, map[string]string{"a.go": "package a\n\n// switchyard: make it iterative\nfunc f() {}\n"})
	d := w.doc("a.go")
	cfg := &config.Config{Actions: []config.Action{
		{Name: "translate", Prompt: "Translate {selection}"},
		{Name: "ask", Title: "Ask about it", Prompt: "{instruction}: {selection}", Output: config.OutputDocument},
	}}
	a, _, r := newCodeActions(t, cfg, "unused")
	sel := strings.Index(d.Text, "func f")
	req := ListRequest{Selection: Selection{Doc: d, Start: sel, End: sel + len("func f() {}"), Diagnostics: []Diagnostic{{Message: "f is unused", Severity: 2}}}}

	ids := func(os []Offer) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	offers := a.List(req)
	want := []string{ActionFix, ActionExplain, ActionDocument, ActionTests, ActionRewrite, ActionRefactor, "user:translate", "user:ask"}
	if got := ids(offers); !reflect.DeepEqual(got, want) {
		t.Errorf("offers %v, want %v", got, want)
	}
	if r.calls.Load() != 0 {
		t.Errorf("listing called a model %d times", r.calls.Load())
	}
	byID := map[string]Offer{}
	for _, o := range offers {
		byID[o.ID] = o
	}
	if o := byID[ActionFix]; o.Title != "Fix with AI: f is unused" || o.Kind != KindQuickFix || !reflect.DeepEqual(o.Diagnostics, []int{0}) {
		t.Errorf("fix offer %+v", o)
	}
	if o := byID[ActionRewrite]; o.Instruction != "make it iterative" || !o.NeedsInstruction || o.Title != "Rewrite with AI: make it iterative" {
		t.Errorf("rewrite offer %+v: the directive comment should give the instruction", o)
	}
	if !byID[ActionExplain].Shows || !byID["user:ask"].Shows || byID["user:translate"].Shows {
		t.Errorf("Shows must be set for the actions that show a document")
	}
	if o := byID["user:ask"]; o.Title != "Ask about it" || !o.NeedsInstruction {
		t.Errorf("user offer %+v", o)
	}

	req.Only = []string{KindQuickFix}
	if got := ids(a.List(req)); !reflect.DeepEqual(got, []string{ActionFix}) {
		t.Errorf("only quickfix: %v", got)
	}
	req.Only = []string{KindRefactor}
	if got := ids(a.List(req)); hasID(got, ActionFix) || !hasID(got, ActionDocument) {
		t.Errorf("only refactor admits refactor.rewrite and not quickfix: %v", got)
	}
	req.Only, req.Diagnostics = nil, nil
	if got := ids(a.List(req)); hasID(got, ActionFix) {
		t.Errorf("Fix with AI offered with no diagnostics: %v", got)
	}
}

func hasID(list []string, s string) bool {
	return slices.Contains(list, s)
}

func TestBuiltInActionsEdits(t *testing.T) {
	const src = "package calc\n\nfunc Add(a, b int) int {\n\treturn a - b\n}\n"
	tests := []struct {
		name     string
		files    map[string]string
		action   string
		sel      string
		diags    []Diagnostic
		instr    string
		answer   string
		want     func(w *ws, d Document) *Edit
		inPrompt []string
	}{
		{
			name:   "fix",
			action: ActionFix,
			sel:    "return a - b",
			diags:  []Diagnostic{{Message: "Add subtracts", Severity: 1, Source: "vet"}},
			answer: "The sign is wrong.\n\ncalc.go\n```go\n<<<<<<< SEARCH\n\treturn a - b\n=======\n\treturn a + b\n>>>>>>> REPLACE\n```\n",
			want: func(w *ws, d Document) *Edit {
				return &Edit{Changes: []FileChange{{Op: OpEdit, Path: d.Path, URI: d.URI, Version: v(7), Base: d.Text,
					Edits: []TextEdit{{Start: strings.Index(d.Text, "\treturn"), End: strings.Index(d.Text, "}\n"), NewText: "\treturn a + b\n"}}}},
					Annotation: Annotation{Label: "Fix with AI", Description: "Add subtracts (sonnet)"}}
			},
			inPrompt: []string{"error (vet): Add subtracts", "File: calc.go"},
		},
		{
			name:   "document",
			action: ActionDocument,
			sel:    "func Add",
			answer: "calc.go\n<<<<<<< SEARCH\nfunc Add(a, b int) int {\n=======\n// Add returns the sum of a and b.\nfunc Add(a, b int) int {\n>>>>>>> REPLACE\n",
			want: func(w *ws, d Document) *Edit {
				at := strings.Index(d.Text, "func Add")
				return &Edit{Changes: []FileChange{{Op: OpEdit, Path: d.Path, URI: d.URI, Version: v(7), Base: d.Text,
					Edits: []TextEdit{{Start: at, End: at + len("func Add(a, b int) int {\n"), NewText: "// Add returns the sum of a and b.\nfunc Add(a, b int) int {\n"}}}},
					Annotation: Annotation{Label: "Document with AI", Description: "sonnet"}}
			},
			inPrompt: []string{"Go doc comments"},
		},
		{
			name:   "tests into a new file",
			action: ActionTests,
			sel:    "func Add",
			answer: "calc_test.go\n```go\n<<<<<<< SEARCH\n=======\npackage calc\n\nfunc TestAdd(t *testing.T) {}\n>>>>>>> REPLACE\n```",
			want: func(w *ws, d Document) *Edit {
				p := w.path("calc_test.go")
				return &Edit{Changes: []FileChange{
					{Op: OpCreate, Path: p},
					{Op: OpEdit, Path: p, Edits: []TextEdit{{NewText: "package calc\n\nfunc TestAdd(t *testing.T) {}\n"}}},
				}, Annotation: Annotation{Label: "Write tests with AI", Description: "calc_test.go (sonnet)"}}
			},
			inPrompt: []string{"new test file calc_test.go"},
		},
		{
			name:   "tests appended to the existing file on disk",
			files:  map[string]string{"calc_test.go": "package calc\n"},
			action: ActionTests,
			sel:    "func Add",
			answer: "calc_test.go\n<<<<<<< SEARCH\n=======\n\nfunc TestAdd(t *testing.T) {}\n>>>>>>> REPLACE\n",
			want: func(w *ws, d Document) *Edit {
				p := w.path("calc_test.go")
				return &Edit{Changes: []FileChange{
					{Op: OpEdit, Path: p, Base: "package calc\n", Edits: []TextEdit{{Start: 13, End: 13, NewText: "\nfunc TestAdd(t *testing.T) {}\n"}}},
				}, Annotation: Annotation{Label: "Write tests with AI", Description: "calc_test.go (sonnet)"}}
			},
			inPrompt: []string{"existing test file calc_test.go", "File: calc_test.go"},
		},
		{
			name:   "rewrite with an instruction argument",
			action: ActionRewrite,
			sel:    "\treturn a - b\n",
			instr:  "use addition",
			answer: "```go\n\treturn a + b\n```",
			want: func(w *ws, d Document) *Edit {
				at := strings.Index(d.Text, "\treturn")
				return &Edit{Changes: []FileChange{{Op: OpEdit, Path: d.Path, URI: d.URI, Version: v(7), Base: d.Text,
					Edits: []TextEdit{{Start: at, End: at + len("\treturn a - b\n"), NewText: "\treturn a + b\n"}}}},
					Annotation: Annotation{Label: "Rewrite with AI", Description: "use addition (sonnet)"}}
			},
			inPrompt: []string{"Rewrite the selection as follows: use addition"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"calc.go": src}
			for k, v := range tt.files {
				files[k] = v
			}
			w := newWS(t, files)
			d := w.doc("calc.go")
			a, p, _ := newCodeActions(t, nil, tt.answer)
			req := w.request(tt.action, d, tt.sel)
			req.Diagnostics, req.Instruction = tt.diags, tt.instr
			var steps []Progress
			req.Progress = func(p Progress) { steps = append(steps, p) }
			res, err := a.Run(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want(w, d)
			if !reflect.DeepEqual(res.Edit, want) {
				t.Errorf("edit:\n got %+v\nwant %+v", res.Edit, want)
			}
			if res.Model != "sonnet" || res.Provider != "cloud" {
				t.Errorf("model %q provider %q", res.Model, res.Provider)
			}
			if len(res.Read) == 0 || res.Read[0].Path != d.Path || res.Read[0].Version != 7 || !res.Read[0].Open {
				t.Errorf("read %+v: the open document's snapshot must be recorded", res.Read)
			}
			pr := prompt(t, p)
			for _, s := range tt.inPrompt {
				if !strings.Contains(pr, s) {
					t.Errorf("prompt lacks %q:\n%s", s, pr)
				}
			}
			if strings.Contains(pr, w.root) {
				t.Errorf("prompt holds the absolute workspace path %s", w.root)
			}
			if len(steps) == 0 || steps[len(steps)-1].Percent != 100 {
				t.Errorf("progress %+v: want steps ending at 100%%", steps)
			}
		})
	}
}

func TestRewriteFromDirectiveRemovesIt(t *testing.T) {
	text := "package a\n\n// switchyard: make it iterative\nfunc fib(n int) int {\n\treturn fib(n-1) + fib(n-2)\n}\n"
	w := newWS(t, map[string]string{"a.go": text})
	d := w.doc("a.go")
	a, p, _ := newCodeActions(t, nil, "Here:\n```go\nfunc fib(n int) int {\n\ta, b := 0, 1\n\treturn a\n}\n```\n")
	req := w.request(ActionRewrite, d, "func fib(n int) int {\n\treturn fib(n-1) + fib(n-2)\n}\n")
	res, err := a.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Edit.Changes[0].ApplyTo()
	want := "package a\n\nfunc fib(n int) int {\n\ta, b := 0, 1\n\treturn a\n}\n"
	if got != want {
		t.Errorf("after the edit:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(prompt(t, p), "make it iterative") {
		t.Error("the directive's instruction did not reach the model")
	}

	// With no directive and no argument the user is told how to give one.
	d2 := w.doc("a.go", "package a\n\nfunc g() {}\n")
	_, err = a.Run(context.Background(), w.request(ActionRewrite, d2, "func g() {}"))
	if err == nil || !strings.Contains(err.Error(), "switchyard: make this iterative") {
		t.Errorf("got %v, want the directive comment explained", err)
	}
}

func TestExplainWritesAMarkdownDocument(t *testing.T) {
	w := newWS(t, map[string]string{"a.py": "def f(x):\n    return x * 2\n"})
	d := w.doc("a.py")
	a, _, _ := newCodeActions(t, nil, "It **doubles** x.")
	res, err := a.Run(context.Background(), w.request(ActionExplain, d, "def f(x):"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Edit != nil || res.Show == nil {
		t.Fatalf("result %+v: want a document to show and no edit", res)
	}
	b, err := os.ReadFile(res.Show.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(res.Show.Path, ".md") || !strings.Contains(string(b), "It **doubles** x.") || !strings.HasPrefix(string(b), "# Explanation of a.py, lines 1–1") {
		t.Errorf("%s holds:\n%s", res.Show.Path, b)
	}
}

func TestRefactorAcrossFiles(t *testing.T) {
	w := newWS(t, map[string]string{
		".gitignore":      "gen/\n",
		"pkg/a.go":        "package pkg\n\nfunc parseConfig() {}\n",
		"pkg/b.go":        "package pkg\n\nfunc use() { parseConfig() }\n",
		"pkg/c.go":        "package pkg\n\nfunc other() {}\n",
		"pkg/gen/z.go":    "package gen\n\nfunc parseConfig() {}\n",
		"cmd/main.go":     "package main\n\nfunc main() { pkg.parseConfig() }\n",
		"secrets/keys.go": "package secrets\n\nvar k = parseConfig\n",
	})
	d := w.doc("pkg/a.go")
	answer := "pkg/a.go\n<<<<<<< SEARCH\nfunc parseConfig() {}\n=======\nfunc loadConfig() {}\n>>>>>>> REPLACE\n" +
		"pkg/b.go\n<<<<<<< SEARCH\nfunc use() { parseConfig() }\n=======\nfunc use() { loadConfig() }\n>>>>>>> REPLACE\n" +
		"cmd/main.go\n<<<<<<< SEARCH\nfunc main() { pkg.parseConfig() }\n=======\nfunc main() { pkg.loadConfig() }\n>>>>>>> REPLACE\n" +
		"RENAME pkg/c.go -> pkg/other.go\n" +
		"pkg/config.go\n<<<<<<< SEARCH\n=======\npackage pkg\n>>>>>>> REPLACE\n"
	cfg := &config.Config{Policy: config.Policy{LocalOnly: []string{"secrets/**"}}}
	a, p, r := newCodeActions(t, cfg, answer)
	req := w.request(ActionRefactor, d, "parseConfig")
	req.Instruction = "rename parseConfig to loadConfig"
	req.Scope = ScopeWorkspace
	res, err := a.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if r.needs[0].Task != config.TaskRefactor {
		t.Errorf("routed as %q, want refactor", r.needs[0].Task)
	}
	pr := prompt(t, p)
	for _, want := range []string{"File: pkg/a.go", "File: pkg/b.go", "File: cmd/main.go"} {
		if !strings.Contains(pr, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
	for _, not := range []string{"gen/z.go", "keys.go", "pkg/c.go"} {
		if strings.Contains(pr, not) {
			t.Errorf("prompt holds %s: ignored, local-only or unrelated files must not be sent", not)
		}
	}
	var ops []string
	for _, c := range res.Edit.Changes {
		rel, _ := filepath.Rel(w.root, c.Path)
		ops = append(ops, string(c.Op)+" "+filepath.ToSlash(rel))
	}
	want := []string{"edit pkg/a.go", "edit pkg/b.go", "edit cmd/main.go", "rename pkg/c.go", "create pkg/config.go", "edit pkg/config.go"}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("changes %v, want %v", ops, want)
	}
	if c := res.Edit.Changes[0]; c.Version == nil || *c.Version != 7 || c.URI != d.URI {
		t.Errorf("the open document's change %+v must carry its version", c)
	}
	if c := res.Edit.Changes[1]; c.Version != nil || c.URI != "" || c.ApplyTo() != "package pkg\n\nfunc use() { loadConfig() }\n" {
		t.Errorf("the file on disk's change %+v must have no version and apply to its disk text", c)
	}
	if !res.Edit.Annotation.NeedsConfirmation {
		t.Error("a refactor must ask for confirmation")
	}
}
