package lsp_test

// Code actions over the wire: the built server, an editor-like client
// with VS Code's code-action and workspace-edit capabilities, and a fake
// OpenAI-compatible provider scripted with the answers a model gives.
// Each test checks what the editor would be sent (the code actions, the
// exact WorkspaceEdit, progress, the document shown) and what the
// provider was asked.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

// actConfig routes coding to one model and refactor to another on the
// same fake, and defines one user action. The provider says it is not
// local, so [policy] local_only applies to it.
func actConfig(url, extra string) string {
	return fmt.Sprintf(`[providers.fake]
type = "openai"
base_url = %q
timeout = "20s"
data = { local = false }

[models.coder]
provider = "fake"
id = "fake-coder"
classes = ["coding"]

[models.frontier]
provider = "fake"
id = "fake-frontier"
classes = ["frontier", "coding"]

[routes]
coding = ["coder"]
refactor = ["frontier"]

[[actions]]
name = "shout"
title = "Shout the selection"
prompt = "Rewrite this {language} in upper case:\n{selection}"
output = "replace"
`, url) + extra
}

// vscodeCaps are the capabilities VS Code 1.9x sends that matter here.
func vscodeCaps(showDocument bool) map[string]any {
	return map[string]any{
		"textDocument": map[string]any{
			"synchronization": map[string]any{"didSave": true},
			"codeAction": map[string]any{
				"codeActionLiteralSupport": map[string]any{"codeActionKind": map[string]any{
					"valueSet": []string{"", "quickfix", "refactor", "refactor.extract", "refactor.inline", "refactor.rewrite", "source"},
				}},
				"isPreferredSupport": true,
				"disabledSupport":    true,
				"dataSupport":        true,
				"resolveSupport":     map[string]any{"properties": []string{"edit"}},
			},
		},
		"workspace": map[string]any{
			"applyEdit": true,
			"workspaceEdit": map[string]any{
				"documentChanges":         true,
				"resourceOperations":      []string{"create", "rename", "delete"},
				"failureHandling":         "textOnlyTransactional",
				"changeAnnotationSupport": map[string]any{"groupsOnLabel": true},
			},
		},
		"window": map[string]any{"workDoneProgress": true, "showDocument": map[string]any{"support": showDocument}},
	}
}

// actEnv is a server with a workspace folder and a fake provider.
type actEnv struct {
	*lsptest.Client
	fake *providertest.OpenAI
	dir  string
}

func startActions(t *testing.T, caps any, extraConfig string) *actEnv {
	t.Helper()
	fake := providertest.NewOpenAI(t)
	fake.SetModels("fake-coder", "fake-frontier")
	fake.SetDefault(providertest.Text("no answer was scripted for this request"))
	dir := t.TempDir()
	// Resolve symlinks (macOS /var -> /private/var): the server compares
	// real paths with the workspace folder.
	dir, err := filepath.EvalSymlinks(dir)
	must(t, err)
	c := lsptest.Start(t, lsptest.Options{Config: writeConfig(t, actConfig(fake.URL, extraConfig))})
	if caps == nil {
		caps = vscodeCaps(true)
	}
	if _, err := c.Initialize(timeout(t, 20*time.Second), lsptest.InitOptions{RootURI: fileURI(dir), Capabilities: caps}); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return &actEnv{Client: c, fake: fake, dir: dir}
}

// file writes name in the workspace and returns its path and URI.
func (e *actEnv) file(t *testing.T, name, text string) (string, string) {
	t.Helper()
	path := filepath.Join(e.dir, name)
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, os.WriteFile(path, []byte(text), 0o644))
	return path, fileURI(path)
}

// openFile writes name and opens it in the editor.
func (e *actEnv) openFile(t *testing.T, name, text string) string {
	t.Helper()
	_, uri := e.file(t, name, text)
	must(t, e.Open(uri, "go", text))
	return uri
}

// chats returns the chat requests the fake received.
func (e *actEnv) chats() []providertest.Request {
	var out []providertest.Request
	for _, r := range e.fake.Requests() {
		if r.Endpoint == "chat" {
			out = append(out, r)
		}
	}
	return out
}

// prompt is the text of every message of the last chat request.
func (e *actEnv) prompt(t *testing.T) string {
	t.Helper()
	chats := e.chats()
	if len(chats) == 0 {
		t.Fatal("the fake received no chat request")
	}
	var b strings.Builder
	msgs, _ := chats[len(chats)-1].Body["messages"].([]any)
	for _, m := range msgs {
		if m, ok := m.(map[string]any); ok {
			fmt.Fprintf(&b, "%v\n", m["content"])
		}
	}
	return b.String()
}

// wireAction is a code action as the editor receives it.
type wireAction struct {
	Title       string          `json:"title"`
	Kind        string          `json:"kind"`
	IsPreferred bool            `json:"isPreferred"`
	Diagnostics json.RawMessage `json:"diagnostics"`
	Edit        json.RawMessage `json:"edit"`
	Command     *struct {
		Title     string            `json:"title"`
		Command   string            `json:"command"`
		Arguments []json.RawMessage `json:"arguments"`
	} `json:"command"`
	Data json.RawMessage `json:"data"`
	raw  json.RawMessage
}

// action is the action id the server put in the data or the command.
func (a wireAction) action() string {
	raw := a.Data
	if a.Command != nil && len(a.Command.Arguments) > 0 {
		raw = a.Command.Arguments[0]
	}
	var d struct {
		Action string `json:"action"`
	}
	_ = json.Unmarshal(raw, &d)
	return d.Action
}

// diagnostic is an LSP diagnostic on one line of text.
func diagnostic(text, marker, message string) map[string]any {
	line, col := cursorAt(text, marker)
	return map[string]any{
		"range": map[string]any{
			"start": map[string]any{"line": line - 1, "character": col - len(marker)},
			"end":   map[string]any{"line": line - 1, "character": col},
		},
		"severity": 1,
		"source":   "compiler",
		"code":     "UndeclaredName",
		"message":  message,
	}
}

// rangeOf is the range of the first occurrence of marker in text (UTF-16
// and UTF-8 agree on the ASCII texts used here).
func rangeOf(text, marker string) lsptest.Range {
	i := strings.Index(text, marker)
	if i < 0 {
		panic("marker not found: " + marker)
	}
	return lsptest.Range{Start: lsptest.PositionAt(text, i, lsptest.EncodingUTF16), End: lsptest.PositionAt(text, i+len(marker), lsptest.EncodingUTF16)}
}

func (e *actEnv) list(t *testing.T, uri string, rng lsptest.Range, diags []map[string]any, only ...string) []wireAction {
	t.Helper()
	if diags == nil {
		diags = []map[string]any{}
	}
	ctx := map[string]any{"diagnostics": diags, "triggerKind": 1}
	if len(only) > 0 {
		ctx["only"] = only
	}
	var raw []json.RawMessage
	err := e.Call(timeout(t, 5*time.Second), "textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        rng,
		"context":      ctx,
	}, &raw)
	if err != nil {
		t.Fatalf("textDocument/codeAction: %v", err)
	}
	out := make([]wireAction, len(raw))
	for i, r := range raw {
		must(t, json.Unmarshal(r, &out[i]))
		out[i].raw = r
	}
	return out
}

func find(t *testing.T, actions []wireAction, id string) wireAction {
	t.Helper()
	for _, a := range actions {
		if a.action() == id {
			return a
		}
	}
	var ids []string
	for _, a := range actions {
		ids = append(ids, a.action())
	}
	t.Fatalf("no %q action among %v", id, ids)
	return wireAction{}
}

// resolve sends codeAction/resolve for a.
func (e *actEnv) resolve(t *testing.T, a wireAction) wireAction {
	t.Helper()
	if len(a.Data) == 0 {
		t.Fatalf("%q is not resolvable: %s", a.Title, a.raw)
	}
	var raw json.RawMessage
	if err := e.Call(timeout(t, 20*time.Second), "codeAction/resolve", a.raw, &raw); err != nil {
		t.Fatalf("codeAction/resolve %q: %v", a.Title, err)
	}
	var out wireAction
	must(t, json.Unmarshal(raw, &out))
	out.raw = raw
	return out
}

// execute runs a's command, with the argument changed by edit (may be
// nil), and returns the error the server answered with.
func (e *actEnv) execute(t *testing.T, a wireAction, token any, edit func(map[string]any)) error {
	t.Helper()
	if a.Command == nil {
		t.Fatalf("%q has no command: %s", a.Title, a.raw)
	}
	var arg map[string]any
	must(t, json.Unmarshal(a.Command.Arguments[0], &arg))
	if edit != nil {
		edit(arg)
	}
	params := map[string]any{"command": a.Command.Command, "arguments": []any{arg}}
	if token != nil {
		params["workDoneToken"] = token
	}
	return e.Call(timeout(t, 20*time.Second), "workspace/executeCommand", params, nil)
}

// commandFor turns a resolvable action into the command a client without
// resolve support would get, so any action can run through
// workspace/executeCommand.
func commandFor(a wireAction) wireAction {
	if a.Command == nil {
		a.Command = &struct {
			Title     string            `json:"title"`
			Command   string            `json:"command"`
			Arguments []json.RawMessage `json:"arguments"`
		}{a.Title, "switchyard.runAction", []json.RawMessage{a.Data}}
	}
	return a
}

// applied collects the workspace/applyEdit requests the client accepts.
type applied struct {
	mu    sync.Mutex
	edits []json.RawMessage
	label []string
}

func (e *actEnv) acceptEdits() *applied {
	ap := &applied{}
	e.Handle("workspace/applyEdit", func(_ context.Context, params json.RawMessage) (any, error) {
		var p struct {
			Label string          `json:"label"`
			Edit  json.RawMessage `json:"edit"`
		}
		_ = json.Unmarshal(params, &p)
		ap.mu.Lock()
		ap.edits = append(ap.edits, p.Edit)
		ap.label = append(ap.label, p.Label)
		ap.mu.Unlock()
		return map[string]any{"applied": true}, nil
	})
	return ap
}

func (ap *applied) all() []json.RawMessage {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	return append([]json.RawMessage(nil), ap.edits...)
}

// wsEdit is a WorkspaceEdit as the editor decodes it.
type wsEdit struct {
	Changes         map[string][]lsptest.TextEdit `json:"changes"`
	DocumentChanges []struct {
		Kind         string `json:"kind"`
		URI          string `json:"uri"`
		OldURI       string `json:"oldUri"`
		NewURI       string `json:"newUri"`
		AnnotationID string `json:"annotationId"`
		TextDocument *struct {
			URI     string `json:"uri"`
			Version *int32 `json:"version"`
		} `json:"textDocument"`
		Edits []struct {
			lsptest.TextEdit
			AnnotationID string `json:"annotationId"`
		} `json:"edits"`
	} `json:"documentChanges"`
	ChangeAnnotations map[string]struct {
		Label             string `json:"label"`
		NeedsConfirmation bool   `json:"needsConfirmation"`
		Description       string `json:"description"`
	} `json:"changeAnnotations"`
}

// applyTo applies the text edits for uri to text, the way an editor does:
// all ranges refer to the text before the edit.
func (w wsEdit) applyTo(uri, text string) string {
	var edits []lsptest.TextEdit
	for _, dc := range w.DocumentChanges {
		if dc.TextDocument != nil && dc.TextDocument.URI == uri {
			for _, e := range dc.Edits {
				edits = append(edits, e.TextEdit)
			}
		}
	}
	edits = append(edits, w.Changes[uri]...)
	for i := len(edits) - 1; i >= 0; i-- {
		text = lsptest.Apply(text, edits[i], lsptest.EncodingUTF16)
	}
	return text
}

func decodeEdit(t *testing.T, raw json.RawMessage) wsEdit {
	t.Helper()
	var w wsEdit
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatalf("decode WorkspaceEdit: %v: %s", err, raw)
	}
	return w
}

// block is one SEARCH/REPLACE block of a model's answer.
func block(path, search, replace string) string {
	return path + "\n<<<<<<< SEARCH\n" + search + "=======\n" + replace + ">>>>>>> REPLACE\n"
}

const calcGo = `package calc

// Sum adds the numbers.
func Sum(xs []int) int {
	total := 0
	for _, x := range xs {
		total += x
	}
	return totl
}
`

const useGo = `package calc

func Twice(xs []int) int { return 2 * Sum(xs) }
`

func TestCodeActionListMakesNoModelCall(t *testing.T) {
	e := startActions(t, nil, "")
	uri := e.openFile(t, "calc.go", calcGo)
	diag := diagnostic(calcGo, "totl", "undefined: totl")

	all := e.list(t, uri, rangeOf(calcGo, "totl"), []map[string]any{diag})
	fix := find(t, all, "fix")
	if fix.Kind != "quickfix" || !fix.IsPreferred || len(fix.Data) == 0 || fix.Command != nil || len(fix.Edit) != 0 {
		t.Errorf("Fix with AI should be a preferred quick fix resolved later: %s", fix.raw)
	}
	if !strings.Contains(string(fix.Diagnostics), "undefined: totl") {
		t.Errorf("Fix with AI does not name the diagnostic it fixes: %s", fix.raw)
	}
	for _, id := range []string{"explain", "document", "tests", "rewrite", "refactor", "user:shout"} {
		find(t, all, id)
	}
	// Explain shows a document, Rewrite and Refactor need words from the
	// user: those run as commands.
	for _, id := range []string{"explain", "rewrite", "refactor"} {
		if a := find(t, all, id); a.Command == nil || a.Command.Command != "switchyard.runAction" {
			t.Errorf("%s should run as switchyard.runAction: %s", id, a.raw)
		}
	}

	// No diagnostics, no fix; context.only filters.
	for _, a := range e.list(t, uri, rangeOf(calcGo, "total += x"), nil) {
		if a.action() == "fix" {
			t.Errorf("Fix with AI offered with no diagnostics: %s", a.raw)
		}
	}
	for _, a := range e.list(t, uri, rangeOf(calcGo, "totl"), []map[string]any{diag}, "quickfix") {
		if !strings.HasPrefix(a.Kind, "quickfix") {
			t.Errorf("context.only quickfix let through %s", a.raw)
		}
	}
	if n := len(e.chats()); n != 0 {
		t.Errorf("listing code actions made %d model calls, want none", n)
	}
}

func TestCodeActionFallbacksForOlderClients(t *testing.T) {
	// No resolve support: every action is a command. No literal support
	// (before LSP 3.8): the answer is Command[].
	noResolve := vscodeCaps(false)
	ca := noResolve["textDocument"].(map[string]any)["codeAction"].(map[string]any)
	delete(ca, "resolveSupport")
	e := startActions(t, noResolve, "")
	uri := e.openFile(t, "calc.go", calcGo)
	for _, a := range e.list(t, uri, rangeOf(calcGo, "totl"), []map[string]any{diagnostic(calcGo, "totl", "undefined: totl")}) {
		if a.Command == nil || len(a.Data) != 0 {
			t.Errorf("without resolve support %q must be a command: %s", a.Title, a.raw)
		}
	}

	old := startActions(t, map[string]any{"textDocument": map[string]any{"codeAction": map[string]any{}}}, "")
	uri = old.openFile(t, "calc.go", calcGo)
	var raw []map[string]json.RawMessage
	must(t, old.Call(timeout(t, 5*time.Second), "textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        rangeOf(calcGo, "totl"),
		"context":      map[string]any{"diagnostics": []any{}},
	}, &raw))
	if len(raw) == 0 {
		t.Fatal("no commands listed")
	}
	for _, c := range raw {
		if string(c["command"]) != `"switchyard.runAction"` || c["kind"] != nil {
			t.Errorf("a pre-3.8 client must get plain Commands: %v", c)
		}
	}
}

func TestFixWithAIResolvesToVersionedEdit(t *testing.T) {
	e := startActions(t, nil, "")
	// The diagnostic's related information points at another file, whose
	// text must reach the model.
	_, helperURI := e.file(t, "helper.go", "package calc\n\n// totalOf is the helper the diagnostic points at.\nfunc totalOf() {}\n")
	uri := e.openFile(t, "calc.go", calcGo)
	must(t, e.ChangeFull(uri, calcGo)) // version 2
	diag := diagnostic(calcGo, "totl", "undefined: totl")
	diag["relatedInformation"] = []any{map[string]any{
		"location": map[string]any{"uri": helperURI, "range": map[string]any{"start": map[string]any{"line": 3, "character": 5}, "end": map[string]any{"line": 3, "character": 12}}},
		"message":  "did you mean totalOf?",
	}}
	e.fake.Enqueue(providertest.Text("The variable is misspelled.\n\n", block("calc.go", "\treturn totl\n", "\treturn total\n")))

	fix := find(t, e.list(t, uri, rangeOf(calcGo, "totl"), []map[string]any{diag}), "fix")
	got := e.resolve(t, fix)
	w := decodeEdit(t, got.Edit)
	if len(w.DocumentChanges) != 1 || w.DocumentChanges[0].TextDocument == nil {
		t.Fatalf("want one TextDocumentEdit, got %s", got.Edit)
	}
	td := w.DocumentChanges[0].TextDocument
	if td.URI != uri || td.Version == nil || *td.Version != 2 {
		t.Errorf("textDocument = %+v, want %s at version 2", td, uri)
	}
	if after := w.applyTo(uri, calcGo); after != strings.Replace(calcGo, "totl", "total", 1) {
		t.Errorf("after the edit:\n%s", after)
	}
	if got.Title != fix.Title || string(got.Data) != string(fix.Data) {
		t.Errorf("resolve must return the action it was given, with its edit: %s", got.raw)
	}
	p := e.prompt(t)
	for _, want := range []string{"undefined: totl", "return totl", "did you mean totalOf?", "totalOf is the helper the diagnostic points at"} {
		if !strings.Contains(p, want) {
			t.Errorf("the prompt lacks %q:\n%s", want, p)
		}
	}
	if model := e.chats()[0].Body["model"]; model != "fake-coder" {
		t.Errorf("fix went to %v, want the coding route's fake-coder", model)
	}
}

func TestExplainOpensMarkdownDocument(t *testing.T) {
	e := startActions(t, nil, "")
	uri := e.openFile(t, "calc.go", calcGo)
	var mu sync.Mutex
	var shown []string
	e.Handle("window/showDocument", func(_ context.Context, params json.RawMessage) (any, error) {
		var p struct {
			URI       string `json:"uri"`
			TakeFocus bool   `json:"takeFocus"`
		}
		_ = json.Unmarshal(params, &p)
		mu.Lock()
		shown = append(shown, p.URI)
		mu.Unlock()
		return map[string]any{"success": true}, nil
	})
	e.fake.Enqueue(providertest.Text("`Sum` adds ", "every number of `xs`."))
	explain := find(t, e.list(t, uri, rangeOf(calcGo, "func Sum(xs []int) int {"), nil), "explain")
	if err := e.execute(t, explain, "explain-1", nil); err != nil {
		t.Fatalf("executeCommand: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(shown) != 1 || !strings.HasPrefix(shown[0], "file://") || !strings.HasSuffix(shown[0], ".md") {
		t.Fatalf("window/showDocument asked for %v, want one Markdown file", shown)
	}
	md, err := os.ReadFile(strings.TrimPrefix(shown[0], "file://"))
	must(t, err)
	if !strings.Contains(string(md), "`Sum` adds every number of `xs`.") {
		t.Errorf("the document shown does not hold the answer:\n%s", md)
	}
	checkProgress(t, e.Client, `"explain-1"`)
}

// checkProgress checks that token's progress began, cancellably, and
// ended, in that order.
func checkProgress(t *testing.T, c *lsptest.Client, token string) {
	t.Helper()
	var kinds []string
	for _, n := range c.Notifications("$/progress") {
		var p struct {
			Token json.RawMessage `json:"token"`
			Value struct {
				Kind        string `json:"kind"`
				Cancellable bool   `json:"cancellable"`
			} `json:"value"`
		}
		must(t, json.Unmarshal(n.Params, &p))
		if string(p.Token) != token {
			continue
		}
		if p.Value.Kind == "begin" && !p.Value.Cancellable {
			t.Errorf("progress begins without a cancel button: %s", n.Params)
		}
		kinds = append(kinds, p.Value.Kind)
	}
	if len(kinds) < 2 || kinds[0] != "begin" || kinds[len(kinds)-1] != "end" {
		t.Errorf("progress for %s went %v, want begin ... end", token, kinds)
	}
}

func TestExplainWithoutShowDocumentIsAMessage(t *testing.T) {
	e := startActions(t, vscodeCaps(false), "")
	uri := e.openFile(t, "calc.go", calcGo)
	e.fake.Enqueue(providertest.Text("It adds the numbers up."))
	explain := find(t, e.list(t, uri, rangeOf(calcGo, "total += x"), nil), "explain")
	if err := e.execute(t, explain, nil, nil); err != nil {
		t.Fatalf("executeCommand: %v", err)
	}
	found := false
	for _, m := range e.ShowMessages() {
		found = found || strings.Contains(m.Message, "It adds the numbers up.")
	}
	if !found {
		t.Errorf("the explanation was not shown: %+v", e.ShowMessages())
	}
	if n := len(e.Requests("window/showDocument")); n != 0 {
		t.Errorf("window/showDocument sent to a client without it")
	}
}

func TestWriteTestsCreatesTestFile(t *testing.T) {
	e := startActions(t, nil, "")
	uri := e.openFile(t, "calc.go", calcGo)
	const test = "package calc\n\nimport \"testing\"\n\nfunc TestSum(t *testing.T) {\n\tif Sum([]int{1, 2}) != 3 {\n\t\tt.Fatal(\"Sum\")\n\t}\n}\n"
	e.fake.Enqueue(providertest.Text(block("calc_test.go", "", test)))
	tests := find(t, e.list(t, uri, rangeOf(calcGo, "func Sum"), nil), "tests")
	got := e.resolve(t, tests)
	w := decodeEdit(t, got.Edit)
	testURI := fileURI(filepath.Join(e.dir, "calc_test.go"))
	if len(w.DocumentChanges) != 2 || w.DocumentChanges[0].Kind != "create" || w.DocumentChanges[0].URI != testURI {
		t.Fatalf("want CreateFile %s then its content, got %s", testURI, got.Edit)
	}
	if td := w.DocumentChanges[1].TextDocument; td == nil || td.URI != testURI || td.Version != nil {
		t.Fatalf("the new file's content must be a TextDocumentEdit with a null version: %s", got.Edit)
	}
	if after := w.applyTo(testURI, ""); after != test {
		t.Errorf("calc_test.go would hold:\n%s", after)
	}
}

func TestRewriteFromDirectiveComment(t *testing.T) {
	e := startActions(t, nil, "")
	const src = "package calc\n\n// switchyard: use a while-style loop\nfunc Count(n int) int {\n\tc := 0\n\tfor i := 0; i < n; i++ {\n\t\tc++\n\t}\n\treturn c\n}\n"
	uri := e.openFile(t, "count.go", src)
	const body = "func Count(n int) int {\n\tc := 0\n\tfor i := 0; i < n; i++ {\n\t\tc++\n\t}\n\treturn c\n}\n"
	const rewritten = "func Count(n int) int {\n\tc := 0\n\tfor c < n {\n\t\tc++\n\t}\n\treturn c\n}\n"
	// Rewrite asks for the code that replaces the selection, nothing else.
	e.fake.Enqueue(providertest.Text("```go\n" + rewritten + "```\n"))
	rw := find(t, e.list(t, uri, rangeOf(src, body), nil), "rewrite")
	var got wireAction
	if len(rw.Data) != 0 {
		got = e.resolve(t, rw)
	} else {
		t.Fatalf("with a directive comment, Rewrite has its instruction and resolves: %s", rw.raw)
	}
	after := decodeEdit(t, got.Edit).applyTo(uri, src)
	if want := "package calc\n\n" + rewritten; after != want {
		t.Errorf("after the rewrite:\n%s\nwant (directive removed):\n%s", after, want)
	}
	if p := e.prompt(t); !strings.Contains(p, "use a while-style loop") {
		t.Errorf("the instruction did not reach the model:\n%s", p)
	}
}

func TestRefactorAcrossFilesAppliesOneConfirmedEdit(t *testing.T) {
	e := startActions(t, nil, "")
	ap := e.acceptEdits()
	uri := e.openFile(t, "calc.go", calcGo)
	usePath, useURI := e.file(t, "use.go", useGo) // not open
	e.fake.Enqueue(providertest.Text(
		"Renaming Sum to Total in both files.\n\n",
		block("calc.go", "// Sum adds the numbers.\nfunc Sum(xs []int) int {\n", "// Total adds the numbers.\nfunc Total(xs []int) int {\n"),
		"\n",
		block("use.go", "func Twice(xs []int) int { return 2 * Sum(xs) }\n", "func Twice(xs []int) int { return 2 * Total(xs) }\n"),
	))
	refactor := find(t, e.list(t, uri, rangeOf(calcGo, "Sum"), nil), "refactor")
	err := e.execute(t, refactor, 7, func(arg map[string]any) {
		arg["instruction"] = "rename Sum to Total"
		arg["scope"] = "package"
	})
	if err != nil {
		t.Fatalf("executeCommand: %v", err)
	}
	edits := ap.all()
	if len(edits) != 1 {
		t.Fatalf("workspace/applyEdit sent %d times, want once", len(edits))
	}
	w := decodeEdit(t, edits[0])
	versions := map[string]*int32{}
	for _, dc := range w.DocumentChanges {
		if dc.TextDocument == nil {
			t.Errorf("unexpected operation %q", dc.Kind)
			continue
		}
		versions[dc.TextDocument.URI] = dc.TextDocument.Version
		for _, ed := range dc.Edits {
			if ed.AnnotationID == "" || w.ChangeAnnotations[ed.AnnotationID].Label == "" {
				t.Errorf("edit without a change annotation: %+v", ed)
			}
		}
	}
	if v := versions[uri]; v == nil || *v != 1 {
		t.Errorf("the open calc.go must be edited at version 1, got %v", v)
	}
	if v, ok := versions[useURI]; !ok || v != nil {
		t.Errorf("use.go, not open, must be edited with a null version, got %v (present %v)", v, ok)
	}
	confirm := false
	for _, a := range w.ChangeAnnotations {
		confirm = confirm || a.NeedsConfirmation
	}
	if !confirm {
		t.Errorf("a refactor must ask for confirmation: %s", edits[0])
	}
	if got := w.applyTo(uri, calcGo); !strings.Contains(got, "func Total(xs []int) int {") {
		t.Errorf("calc.go after:\n%s", got)
	}
	if got := w.applyTo(useURI, useGo); got != strings.Replace(useGo, "Sum", "Total", 1) {
		t.Errorf("use.go after:\n%s", got)
	}
	if b, _ := os.ReadFile(usePath); string(b) != useGo {
		t.Errorf("the server wrote use.go itself; only the editor may")
	}
	if model := e.chats()[0].Body["model"]; model != "fake-frontier" {
		t.Errorf("a refactor went to %v, want the refactor route's fake-frontier", model)
	}
	if p := e.prompt(t); !strings.Contains(p, "2 * Sum(xs)") {
		t.Errorf("the refactor did not gather use.go, which references Sum:\n%s", p)
	}
	checkProgress(t, e.Client, "7")
}

// A refactor that moves a function and deletes the file it came from:
// the editor gets one edit, the deletion a DeleteFile under the same
// confirmation annotation, and the file stays on disk until the editor
// applies it.
func TestRefactorDeletesAFile(t *testing.T) {
	e := startActions(t, nil, "")
	ap := e.acceptEdits()
	uri := e.openFile(t, "calc.go", calcGo)
	usePath, useURI := e.file(t, "use.go", useGo) // not open
	twice := "\nfunc Twice(xs []int) int { return 2 * Sum(xs) }\n"
	e.fake.Enqueue(providertest.Text(
		"Moving Twice next to Sum and removing use.go.\r\n\r\n",
		block("calc.go", "\treturn totl\n}\n", "\treturn totl\n}\n"+twice),
		"```\r\nDELETE use.go\r\n```\r\n",
	))
	refactor := find(t, e.list(t, uri, rangeOf(calcGo, "Sum"), nil), "refactor")
	err := e.execute(t, refactor, nil, func(arg map[string]any) {
		arg["instruction"] = "move Twice into calc.go"
		arg["scope"] = "package"
	})
	if err != nil {
		t.Fatalf("executeCommand: %v", err)
	}
	edits := ap.all()
	if len(edits) != 1 {
		t.Fatalf("workspace/applyEdit sent %d times, want once", len(edits))
	}
	newText, _ := json.Marshal("\treturn totl\n}\n" + twice)
	want := `{"documentChanges":[` +
		`{"textDocument":{"uri":"` + uri + `","version":1},"edits":[` +
		`{"range":{"start":{"line":8,"character":0},"end":{"line":10,"character":0}},"newText":` + string(newText) + `,"annotationId":"switchyard"}]},` +
		`{"kind":"delete","uri":"` + useURI + `","options":{"recursive":false,"ignoreIfNotExists":false},"annotationId":"switchyard"}],` +
		`"changeAnnotations":{"switchyard":{"label":"Refactor with AI","needsConfirmation":true,"description":"move Twice into calc.go (2 files, frontier)"}}}`
	var got bytes.Buffer
	must(t, json.Compact(&got, edits[0]))
	if got.String() != want {
		t.Errorf("WorkspaceEdit:\n got %s\nwant %s", got.String(), want)
	}
	if b, _ := os.ReadFile(usePath); string(b) != useGo {
		t.Errorf("the server deleted or changed use.go itself; only the editor may")
	}
	if p := e.prompt(t); !strings.Contains(p, "DELETE path/of/the/file") {
		t.Errorf("the refactor prompt does not say how to delete a file:\n%s", p)
	}
}

// An editor that cannot delete files gets no edit at all, and a message
// that names the capability it lacks.
func TestRefactorDeleteNeedsTheCapability(t *testing.T) {
	caps := vscodeCaps(true)
	caps["workspace"].(map[string]any)["workspaceEdit"].(map[string]any)["resourceOperations"] = []string{"create", "rename"}
	e := startActions(t, caps, "")
	ap := e.acceptEdits()
	uri := e.openFile(t, "calc.go", calcGo)
	usePath, _ := e.file(t, "use.go", useGo)
	e.fake.Enqueue(providertest.Text(
		block("calc.go", "\treturn totl\n}\n", "\treturn totl\n}\n\nfunc Twice(xs []int) int { return 2 * Sum(xs) }\n"),
		"DELETE use.go\n",
	))
	refactor := find(t, e.list(t, uri, rangeOf(calcGo, "Sum"), nil), "refactor")
	err := e.execute(t, refactor, nil, func(arg map[string]any) {
		arg["instruction"] = "move Twice into calc.go"
		arg["scope"] = "package"
	})
	var re *lsptest.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want the refactor refused", err)
	}
	for _, want := range []string{usePath, `cannot delete files`, `"delete" in workspace.workspaceEdit.resourceOperations`} {
		if !strings.Contains(re.Message, want) {
			t.Errorf("message %q does not say %q", re.Message, want)
		}
	}
	if n := len(ap.all()); n != 0 {
		t.Errorf("workspace/applyEdit was sent %d times; a part of the refactor must never be applied", n)
	}
}

func TestUserDefinedAction(t *testing.T) {
	e := startActions(t, nil, "")
	uri := e.openFile(t, "calc.go", calcGo)
	e.fake.Enqueue(providertest.Text("```go\n\tTOTAL += X\n```\n"))
	shout := find(t, e.list(t, uri, rangeOf(calcGo, "\t\ttotal += x\n"), nil), "user:shout")
	if shout.Title != "Shout the selection" {
		t.Errorf("title = %q, want the one from [[actions]]", shout.Title)
	}
	var w wsEdit
	if len(shout.Data) != 0 {
		w = decodeEdit(t, e.resolve(t, shout).Edit)
	} else {
		ap := e.acceptEdits()
		must(t, e.execute(t, shout, nil, nil))
		w = decodeEdit(t, ap.all()[0])
	}
	if got := w.applyTo(uri, calcGo); !strings.Contains(got, "TOTAL += X") || strings.Contains(got, "total += x") || strings.Contains(got, "```") {
		t.Errorf("after the user action:\n%s", got)
	}
	if p := e.prompt(t); !strings.Contains(p, "Rewrite this go in upper case:") || !strings.Contains(p, "total += x") {
		t.Errorf("the prompt template was not filled in:\n%s", p)
	}
}

func TestEditOverTypingIsDropped(t *testing.T) {
	e := startActions(t, nil, "")
	ap := e.acceptEdits()
	uri := e.openFile(t, "calc.go", calcGo)
	reply := providertest.Text(block("calc.go", "\treturn totl\n", "\treturn total\n"))
	reply.Delay = 300 * time.Millisecond
	e.fake.Enqueue(reply)
	fix := commandFor(find(t, e.list(t, uri, rangeOf(calcGo, "totl"), []map[string]any{diagnostic(calcGo, "totl", "undefined: totl")}), "fix"))

	done := make(chan error, 1)
	go func() { done <- e.execute(t, fix, nil, nil) }()
	// The user fixes the line by hand while the model thinks.
	time.Sleep(100 * time.Millisecond)
	must(t, e.Change(uri, lsptest.ContentChange{Range: ptr(rangeOf(calcGo, "totl")), Text: "totalSum"}))
	err := <-done
	var re *lsptest.ResponseError
	if !errors.As(err, &re) || re.Code != lsptest.CodeContentModified {
		t.Fatalf("err = %v, want ContentModified", err)
	}
	if n := len(ap.all()); n != 0 {
		t.Errorf("a stale edit was sent to the editor")
	}
}

func TestEditIsRebasedOverTypingElsewhere(t *testing.T) {
	e := startActions(t, nil, "")
	ap := e.acceptEdits()
	uri := e.openFile(t, "calc.go", calcGo)
	reply := providertest.Text(block("calc.go", "\treturn totl\n", "\treturn total\n"))
	reply.Delay = 300 * time.Millisecond
	e.fake.Enqueue(reply)
	fix := commandFor(find(t, e.list(t, uri, rangeOf(calcGo, "totl"), []map[string]any{diagnostic(calcGo, "totl", "undefined: totl")}), "fix"))

	done := make(chan error, 1)
	go func() { done <- e.execute(t, fix, nil, nil) }()
	time.Sleep(100 * time.Millisecond)
	// The user adds an import above, shifting every line.
	must(t, e.Change(uri, lsptest.ContentChange{Range: &lsptest.Range{Start: lsptest.Position{Line: 1}, End: lsptest.Position{Line: 1}}, Text: "\nimport \"fmt\"\n"}))
	now := e.Text(uri)
	must(t, <-done)
	edits := ap.all()
	if len(edits) != 1 {
		t.Fatalf("applyEdit sent %d times", len(edits))
	}
	w := decodeEdit(t, edits[0])
	if v := w.DocumentChanges[0].TextDocument.Version; v == nil || *v != 2 {
		t.Errorf("the rebased edit must carry version 2, got %v", v)
	}
	if got, want := w.applyTo(uri, now), strings.Replace(now, "totl", "total", 1); got != want {
		t.Errorf("rebased edit gives:\n%s\nwant:\n%s", got, want)
	}
}

func TestActionCancel(t *testing.T) {
	t.Run("$/cancelRequest", func(t *testing.T) {
		e := startActions(t, nil, "")
		uri := e.openFile(t, "calc.go", calcGo)
		e.fake.Enqueue(providertest.Reply{Pieces: []string{"thinking"}, Hang: true})
		fix := find(t, e.list(t, uri, rangeOf(calcGo, "totl"), []map[string]any{diagnostic(calcGo, "totl", "undefined: totl")}), "fix")
		p, err := e.Send("codeAction/resolve", fix.raw)
		must(t, err)
		waitChat(t, e)
		must(t, e.Cancel(p.ID))
		err = p.Wait(timeout(t, 5*time.Second), nil)
		var re *lsptest.ResponseError
		if !errors.As(err, &re) || re.Code != lsptest.CodeRequestCancelled {
			t.Fatalf("err = %v, want RequestCancelled", err)
		}
		if !e.fake.WaitClosed(2 * time.Second) {
			t.Error("the model's stream was not closed")
		}
	})
	t.Run("window/workDoneProgress/cancel", func(t *testing.T) {
		e := startActions(t, nil, "")
		ap := e.acceptEdits()
		uri := e.openFile(t, "calc.go", calcGo)
		tokens := make(chan json.RawMessage, 1)
		e.Handle("window/workDoneProgress/create", func(_ context.Context, params json.RawMessage) (any, error) {
			var p struct {
				Token json.RawMessage `json:"token"`
			}
			_ = json.Unmarshal(params, &p)
			tokens <- p.Token
			return nil, nil
		})
		e.fake.Enqueue(providertest.Reply{Pieces: []string{"thinking"}, Hang: true})
		doc := commandFor(find(t, e.list(t, uri, rangeOf(calcGo, "func Sum"), nil), "document"))
		done := make(chan error, 1)
		go func() { done <- e.execute(t, doc, nil, nil) }()
		var token json.RawMessage
		select {
		case token = <-tokens:
		case <-time.After(10 * time.Second):
			t.Fatal("the server created no progress token")
		}
		waitChat(t, e)
		must(t, e.Notify("window/workDoneProgress/cancel", map[string]any{"token": token}))
		err := <-done
		var re *lsptest.ResponseError
		if !errors.As(err, &re) || re.Code != lsptest.CodeRequestCancelled {
			t.Fatalf("err = %v, want RequestCancelled", err)
		}
		if !e.fake.WaitClosed(2 * time.Second) {
			t.Error("the model's stream was not closed")
		}
		if len(ap.all()) != 0 {
			t.Error("a cancelled action applied an edit")
		}
		checkProgress(t, e.Client, string(token))
	})
}

// waitChat waits until the fake has received a chat request.
func waitChat(t *testing.T, e *actEnv) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(e.chats()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the model was never called")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAdversarialAnswers feeds model answers that must never land: each
// is refused as a whole, with a message that says what was wrong, and
// nothing reaches the editor or the disk.
func TestAdversarialAnswers(t *testing.T) {
	outside := t.TempDir()
	must(t, os.WriteFile(filepath.Join(outside, "victim.go"), []byte("package victim\n"), 0o644))
	big := strings.Repeat("// padding padding padding padding padding padding padding\n", 5<<20/60)
	tests := []struct {
		name     string
		reply    func(e *actEnv) providertest.Reply
		config   string
		src      string // calc.go; calcGo when empty
		refactor bool   // run a workspace-wide refactor instead of Fix with AI
		want     string // in the error message
	}{
		{name: "search text not in the file", want: "calc.go",
			reply: func(*actEnv) providertest.Reply {
				return providertest.Text(block("calc.go", "\treturn nothing\n", "\treturn total\n"))
			}},
		{name: "ambiguous search text", want: "calc.go",
			src: calcGo + "\nfunc Other() int {\n\treturn totl\n}\n",
			reply: func(*actEnv) providertest.Reply {
				return providertest.Text(block("calc.go", "\treturn totl\n", "\treturn total\n"))
			}},
		{name: "malformed block", want: "malformed",
			reply: func(*actEnv) providertest.Reply {
				return providertest.Text("calc.go\n<<<<<<< SEARCH\n\treturn totl\n>>>>>>> REPLACE\n")
			}},
		{name: "an unopened file the fix has no business in", want: "use.go",
			reply: func(e *actEnv) providertest.Reply {
				e.file(t, "use.go", useGo)
				return providertest.Text(block("calc.go", "\treturn totl\n", "\treturn total\n"), block("use.go", useGo, ""))
			}},
		{name: "path escaping with ..", want: "victim.go",
			reply: func(e *actEnv) providertest.Reply {
				rel, _ := filepath.Rel(e.dir, filepath.Join(outside, "victim.go"))
				return providertest.Text(block(rel, "package victim\n", "package pwned\n"))
			}},
		{name: "absolute path elsewhere", want: "victim.go",
			reply: func(*actEnv) providertest.Reply {
				return providertest.Text(block(filepath.Join(outside, "victim.go"), "package victim\n", "package pwned\n"))
			}},
		{name: "path through a symlink", want: "link",
			reply: func(e *actEnv) providertest.Reply {
				must(t, os.Symlink(outside, filepath.Join(e.dir, "link")))
				return providertest.Text(block("link/victim.go", "package victim\n", "package pwned\n"))
			}},
		{name: "answer cut mid-stream", want: "stopped answering",
			reply: func(*actEnv) providertest.Reply {
				return providertest.Reply{Pieces: []string{"calc.go\n<<<<<<< SEARCH\n\treturn totl\n=======\n\tret"}, Cut: true}
			}},
		{name: "answer cut inside a block", want: "cut",
			reply: func(*actEnv) providertest.Reply {
				return providertest.Text("calc.go\n<<<<<<< SEARCH\n\treturn totl\n=======\n\treturn total\n")
			}},
		{name: "5 MB answer", want: "4 MiB",
			reply: func(*actEnv) providertest.Reply {
				return providertest.Text(block("calc.go", "\treturn totl\n", big))
			}},
		{name: "a local_only file for a remote model", want: "local", refactor: true,
			config: "[policy]\nlocal_only = [\"**/secret/**\"]\n",
			reply: func(e *actEnv) providertest.Reply {
				e.file(t, "secret/keys.go", "package secret\n")
				return providertest.Text(block("calc.go", "\treturn totl\n", "\treturn total\n"), block("secret/keys.go", "package secret\n", "package leaked\n"))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := startActions(t, nil, tt.config)
			ap := e.acceptEdits()
			src := tt.src
			if src == "" {
				src = calcGo
			}
			uri := e.openFile(t, "calc.go", src)
			e.fake.Enqueue(tt.reply(e))
			actions := e.list(t, uri, rangeOf(src, "totl"), []map[string]any{diagnostic(src, "totl", "undefined: totl")})
			action, arg := commandFor(find(t, actions, "fix")), func(map[string]any) {}
			if tt.refactor {
				action = find(t, actions, "refactor")
				arg = func(a map[string]any) { a["instruction"], a["scope"] = "fix totl everywhere", "workspace" }
			}
			began := time.Now()
			err := e.execute(t, action, nil, arg)
			var re *lsptest.ResponseError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want the action refused", err)
			}
			if !strings.Contains(re.Message, tt.want) {
				t.Errorf("message %q does not mention %q", re.Message, tt.want)
			}
			t.Logf("refused in %v: %s", time.Since(began).Round(time.Millisecond), re.Message)
			if n := len(ap.all()); n != 0 {
				t.Errorf("workspace/applyEdit was sent for a refused answer")
			}
			if b, _ := os.ReadFile(filepath.Join(outside, "victim.go")); string(b) != "package victim\n" {
				t.Errorf("a file outside the workspace changed")
			}
		})
	}
}

// Neovim 0.7 to 0.9 send codeAction/resolve for every action without an
// edit, commands included: the server must hand those back unchanged so
// the client runs the command, and must not call a model.
func TestResolveOfCommandActionReturnsItUnchanged(t *testing.T) {
	e := startActions(t, nil, "")
	uri := e.openFile(t, "calc.go", calcGo)
	rw := find(t, e.list(t, uri, rangeOf(calcGo, "totl"), nil), "rewrite")
	if rw.Command == nil || len(rw.Data) != 0 {
		t.Fatalf("rewrite without an instruction should be listed as a command: %s", rw.raw)
	}
	var raw json.RawMessage
	must(t, e.Call(timeout(t, 5*time.Second), "codeAction/resolve", rw.raw, &raw))
	var got wireAction
	must(t, json.Unmarshal(raw, &got))
	if got.Command == nil || got.Command.Command != rw.Command.Command || got.Title != rw.Title {
		t.Errorf("resolve changed the command action:\nsent %s\ngot  %s", rw.raw, raw)
	}
	if n := len(e.chats()); n != 0 {
		t.Errorf("resolving a command action made %d model calls, want none", n)
	}
}
