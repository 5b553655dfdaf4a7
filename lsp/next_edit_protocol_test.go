package lsp_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

// chatModel is an instruct model: next edits go to it through a chat
// prompt.
const chatModel = "gpt-4o-mini"

// nextEditConfig is a configuration with one chat model on the fake,
// routed for next_edit, and [next_edit] as given.
func nextEditConfig(url, nextEdit string) string {
	return fmt.Sprintf(`[providers.fake]
type = "openai"
base_url = %q
timeout = "5s"

[models.editor]
provider = "fake"
id = %q
classes = ["next-edit"]

[routes]
next_edit = ["editor"]

[next_edit]
%s
`, url, chatModel, nextEdit)
}

// nextEditReply is the switchyard/nextEdit result.
type nextEditReply struct {
	URI     string             `json:"uri"`
	Version int32              `json:"version"`
	Edits   []lsptest.TextEdit `json:"edits"`
}

func (s *session) nextEdit(t *testing.T, uri string, off int) (*nextEditReply, json.RawMessage) {
	t.Helper()
	return s.nextEditWithin(t, uri, off, 10*time.Second)
}

// nextEditWithin is nextEdit waiting up to d for the answer.
func (s *session) nextEditWithin(t *testing.T, uri string, off int, d time.Duration) (*nextEditReply, json.RawMessage) {
	t.Helper()
	var raw json.RawMessage
	params := map[string]any{
		"textDocument": map[string]any{"uri": uri, "version": s.Version(uri)},
		"position":     s.Pos(uri, off),
	}
	if err := s.Call(timeout(t, d), "switchyard/nextEdit", params, &raw); err != nil {
		t.Fatalf("switchyard/nextEdit: %v", err)
	}
	if string(raw) == "null" {
		return nil, raw
	}
	var r nextEditReply
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("switchyard/nextEdit result %s: %v", raw, err)
	}
	return &r, raw
}

// applyAll applies non-overlapping edits as one step, the last first so
// the earlier ranges stay valid.
func applyAll(text string, edits []lsptest.TextEdit, enc string) string {
	for i := len(edits) - 1; i >= 0; i-- {
		text = lsptest.Apply(text, edits[i], enc)
	}
	return text
}

// chatAsks returns the chat requests the fake got.
func chatAsks(fake *providertest.OpenAI) []providertest.Request {
	var out []providertest.Request
	for _, r := range fake.Requests() {
		if r.Endpoint != "models" {
			out = append(out, r)
		}
	}
	return out
}

const scaleBefore = `package geo

// scale multiplies v by factor, leaving v alone for a zero factor.
func scale(v float64, factor float64) float64 {
	if factor == 0 {
		return v
	}
	return v * factor
}
`

// renameParam renames scale's parameter factor to k on the signature's
// line, keystroke by keystroke as an editor sends it: the old name
// deleted, then the new one typed.
func renameParam(t *testing.T, s *session, uri string) int {
	t.Helper()
	text := s.Text(uri)
	at := strings.Index(text, "factor float64")
	rng := lsptest.Range{Start: s.Pos(uri, at), End: s.Pos(uri, at+len("factor"))}
	if err := s.Change(uri, lsptest.ContentChange{Range: &rng, Text: ""}); err != nil {
		t.Fatal(err)
	}
	p := s.Pos(uri, at)
	if err := s.Change(uri, lsptest.ContentChange{Range: &lsptest.Range{Start: p, End: p}, Text: "k"}); err != nil {
		t.Fatal(err)
	}
	return at + 1
}

// After a parameter is renamed on one line, the uses on the next lines
// come back as the suggested edit, for the version the server predicted
// against, and applying them gives exactly the renamed function.
func TestNextEditAfterParameterRename(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	s := start(t, nextEditConfig(fake.URL, "enabled = true"), lsptest.InitOptions{})
	uri := fileURI(filepath.Join(s.dir, "geo.go"))
	if err := s.Open(uri, "go", scaleBefore); err != nil {
		t.Fatal(err)
	}
	cursor := renameParam(t, s, uri)
	want := strings.ReplaceAll(scaleBefore, "factor float64", "k float64")
	want = strings.ReplaceAll(want, "if factor == 0", "if k == 0")
	want = strings.ReplaceAll(want, "v * factor", "v * k")
	// The window is the whole of this short file. The model answers it
	// rewritten, in the chat habit of wrapping it in a fence after a
	// word of chatter.
	script(fake, providertest.Text("Here is the region:\n```go\n<|editable_region_start|>\n", want, "<|editable_region_end|>\n```\n"))

	got, raw := s.nextEdit(t, uri, cursor)
	if got == nil {
		t.Fatalf("no next edit: %s", raw)
	}
	if got.URI != uri || got.Version != s.Version(uri) || s.Version(uri) != 3 {
		t.Errorf("uri %s version %d, want %s version %d (open, then two changes)", got.URI, got.Version, uri, s.Version(uri))
	}
	if len(got.Edits) != 2 {
		t.Fatalf("got %d edits, want the two uses renamed: %s", len(got.Edits), raw)
	}
	for _, e := range got.Edits {
		if e.NewText != "k" || e.Range.Start.Line != e.Range.End.Line || e.Range.End.Character-e.Range.Start.Character != uint32(len("factor")) {
			t.Errorf("edit %+v, want factor replaced by k", e)
		}
	}
	if got.Edits[0].Range.Start.Line != 4 || got.Edits[1].Range.Start.Line != 7 {
		t.Errorf("edits on lines %d and %d, want 4 and 7", got.Edits[0].Range.Start.Line, got.Edits[1].Range.Start.Line)
	}
	if after := applyAll(s.Text(uri), got.Edits, s.Encoding()); after != want {
		t.Errorf("the file after the edits:\n%s\nwant:\n%s", after, want)
	}

	// The prompt holds the rename as a diff and the window with the
	// cursor marked, and the request was routed as next_edit.
	asks := chatAsks(fake)
	if len(asks) != 1 || asks[0].Path != "/v1/chat/completions" {
		t.Fatalf("the fake got %d requests, want one chat completion: %+v", len(asks), asks)
	}
	body, _ := json.Marshal(asks[0].Body["messages"])
	for _, part := range []string{`-func scale(v float64, factor float64) float64 {`, `+func scale(v float64, k float64) float64 {`, `k\u003c|user_cursor_is_here|\u003e float64`, `\u003c|editable_region_start|\u003e`} {
		if !strings.Contains(string(body), part) {
			t.Errorf("the prompt lacks %s:\n%s", part, body)
		}
	}
}

// The capability is announced whether or not the feature is on; off, the
// answer is null at once and no model is asked.
func TestNextEditDisabled(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Text("never asked"))
	s := start(t, nextEditConfig(fake.URL, ""), lsptest.InitOptions{})
	var exp struct {
		Switchyard struct {
			NextEdit bool `json:"nextEdit"`
		} `json:"switchyard"`
	}
	if err := json.Unmarshal(s.init.Capabilities["experimental"], &exp); err != nil || !exp.Switchyard.NextEdit {
		t.Errorf("capabilities.experimental = %s, want {\"switchyard\":{\"nextEdit\":true}}", s.init.Capabilities["experimental"])
	}
	uri := fileURI(filepath.Join(s.dir, "geo.go"))
	if err := s.Open(uri, "go", scaleBefore); err != nil {
		t.Fatal(err)
	}
	cursor := renameParam(t, s, uri)
	if got, raw := s.nextEdit(t, uri, cursor); got != nil {
		t.Errorf("disabled, got %s, want null", raw)
	}
	if asks := chatAsks(fake); len(asks) != 0 {
		t.Errorf("disabled, the model was asked %d times", len(asks))
	}
}

// A request for a version the server does not hold answers null: an edit
// for either text would be applied to the other.
func TestNextEditStaleVersion(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Text("never asked"))
	s := start(t, nextEditConfig(fake.URL, "enabled = true"), lsptest.InitOptions{})
	uri := fileURI(filepath.Join(s.dir, "geo.go"))
	if err := s.Open(uri, "go", scaleBefore); err != nil {
		t.Fatal(err)
	}
	var raw json.RawMessage
	params := map[string]any{"textDocument": map[string]any{"uri": uri, "version": 7}, "position": s.Pos(uri, 10)}
	if err := s.Call(timeout(t, 10*time.Second), "switchyard/nextEdit", params, &raw); err != nil {
		t.Fatal(err)
	}
	if string(raw) != "null" {
		t.Errorf("for version 7 of a document at version 1: %s, want null", raw)
	}
	if asks := chatAsks(fake); len(asks) != 0 {
		t.Errorf("the model was asked %d times for a stale version", len(asks))
	}
}

// The window of a local_only file never reaches a remote model: with
// only a remote one routed, nothing is sent and nothing is suggested.
func TestNextEditLocalOnlyStaysLocal(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Text("<|editable_region_start|>\nleaked\n<|editable_region_end|>\n"))
	cfg := nextEditConfig(fake.URL, "enabled = true") + `
[providers.fake.data]
local = false

[policy]
local_only = ["**/secret/**"]
`
	s := start(t, cfg, lsptest.InitOptions{})
	uri := fileURI(filepath.Join(s.dir, "secret", "geo.go"))
	if err := s.Open(uri, "go", scaleBefore); err != nil {
		t.Fatal(err)
	}
	cursor := renameParam(t, s, uri)
	if got, raw := s.nextEdit(t, uri, cursor); got != nil {
		t.Errorf("a local-only file with only a remote model: %s, want null", raw)
	}
	if asks := chatAsks(fake); len(asks) != 0 {
		body, _ := json.Marshal(asks[0].Body)
		t.Fatalf("the remote model was sent a local-only file's window: %s", body)
	}
}

// A newer switchyard/nextEdit for the same document cancels the older one,
// whose model call is closed at once; $/cancelRequest cancels one too.
func TestNextEditSupersededAndCancelled(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Reply{Pieces: []string{"<|editable_region_start|>\n", "x\n"}, Delay: 3 * time.Second})
	s := start(t, nextEditConfig(fake.URL, "enabled = true"), lsptest.InitOptions{})
	uri := fileURI(filepath.Join(s.dir, "geo.go"))
	if err := s.Open(uri, "go", scaleBefore); err != nil {
		t.Fatal(err)
	}
	params := map[string]any{"textDocument": map[string]any{"uri": uri, "version": s.Version(uri)}, "position": s.Pos(uri, 10)}
	first, err := s.Send("switchyard/nextEdit", params)
	if err != nil {
		t.Fatal(err)
	}
	// The first must have reached the model before it is superseded.
	if err := s.WaitFor(timeout(t, 5*time.Second), func() bool { return len(chatAsks(fake)) == 1 }); err != nil {
		t.Fatal("the first request never reached the model")
	}
	second, err := s.Send("switchyard/nextEdit", params)
	if err != nil {
		t.Fatal(err)
	}
	var re *lsptest.ResponseError
	if err := first.Wait(timeout(t, 2*time.Second), nil); !errors.As(err, &re) || re.Code != lsptest.CodeRequestCancelled {
		t.Errorf("the superseded request got %v, want RequestCancelled", err)
	}
	if !fake.WaitClosed(time.Second) {
		t.Error("the superseded request's model stream was not closed")
	}
	if err := s.Cancel(second.ID); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(timeout(t, 2*time.Second), nil); !errors.As(err, &re) || re.Code != lsptest.CodeRequestCancelled {
		t.Errorf("the cancelled request got %v, want RequestCancelled", err)
	}
}

// A next edit and an inline completion of the same document do not
// supersede each other: the editor asks for both after a pause.
func TestNextEditLeavesInlineCompletionAlone(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Reply{Pieces: []string{"Println()"}, Delay: 500 * time.Millisecond})
	cfg := fmt.Sprintf(`[providers.fake]
type = "openai"
base_url = %q
timeout = "5s"

[models.coder]
provider = "fake"
id = %q
classes = ["completion"]

[models.editor]
provider = "fake"
id = %q
classes = ["next-edit"]

[routes]
completion = ["coder"]
next_edit = ["editor"]

[completion]
debounce = "0ms"
cache_size = 0
timeout = "5s"

[next_edit]
enabled = true
`, fake.URL, fimModel, chatModel)
	s := start(t, cfg, lsptest.InitOptions{})
	d := s.open(t, "main.go", "package main\n\nfunc main() {\n\tfmt.‸\n}\n")
	inline, err := s.Send("textDocument/inlineCompletion", lsptest.InlineParams(d.uri, s.Pos(d.uri, d.cursor), lsptest.InlineInvoked))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitFor(timeout(t, 5*time.Second), func() bool { return len(chatAsks(fake)) == 1 }); err != nil {
		t.Fatal("the inline completion never reached the model")
	}
	next, err := s.Send("switchyard/nextEdit", map[string]any{"textDocument": map[string]any{"uri": d.uri, "version": s.Version(d.uri)}, "position": s.Pos(d.uri, d.cursor)})
	if err != nil {
		t.Fatal(err)
	}
	var raw json.RawMessage
	if err := inline.Wait(timeout(t, 5*time.Second), &raw); err != nil {
		t.Fatalf("the inline completion, with a next edit asked after it: %v", err)
	}
	if list, err := lsptest.DecodeInlineCompletion(raw); err != nil || len(list.Items) != 1 {
		t.Errorf("inline completion %s (%v), want its suggestion", raw, err)
	}
	if err := next.Wait(timeout(t, 5*time.Second), nil); err != nil {
		t.Errorf("the next edit, asked after an inline completion: %v", err)
	}
}

// A key in the window reaches a remote model as a placeholder; the
// model's rewrite, which echoes the placeholder, comes back with the key
// in place, so the suggestion is the rename alone.
func TestNextEditRedactsSecretsForRemoteModels(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	key := "AK" + "IA" + "Q3EGRN7XK4WZ5T2M" // joined so no literal looks like a key
	before := "package geo\n\nvar awsKey = \"" + key + "\"\n\n" + strings.TrimPrefix(scaleBefore, "package geo\n\n")
	after := strings.NewReplacer("factor float64", "k float64", "if factor == 0", "if k == 0", "v * factor", "v * k").Replace(before)
	echoed := strings.Replace(after, key, "<SECRET_1>", 1)
	script(fake, providertest.Text("<|editable_region_start|>\n", echoed, "<|editable_region_end|>\n"))
	s := start(t, nextEditConfig(fake.URL, "enabled = true")+"\n[providers.fake.data]\nlocal = false\n", lsptest.InitOptions{})
	uri := fileURI(filepath.Join(s.dir, "geo.go"))
	if err := s.Open(uri, "go", before); err != nil {
		t.Fatal(err)
	}
	cursor := renameParam(t, s, uri)
	got, raw := s.nextEdit(t, uri, cursor)
	asks := chatAsks(fake)
	if len(asks) != 1 {
		t.Fatalf("the remote fake got %d requests, want 1", len(asks))
	}
	var prompt strings.Builder
	msgs, _ := asks[0].Body["messages"].([]any)
	for _, m := range msgs {
		if mm, ok := m.(map[string]any); ok {
			c, _ := mm["content"].(string)
			prompt.WriteString(c)
		}
	}
	if strings.Contains(prompt.String(), key) || !strings.Contains(prompt.String(), `var awsKey = "<SECRET_1>"`) {
		t.Errorf("the prompt sent to the remote model:\n%s", prompt.String())
	}
	if got == nil {
		t.Fatalf("no next edit: %s", raw)
	}
	if text := applyAll(s.Text(uri), got.Edits, s.Encoding()); text != after {
		t.Errorf("the file after the edits:\n%s\nwant:\n%s", text, after)
	}
}

// The plugins cannot read config.toml: switchyard/status tells them that
// next edits are on, and the debounce to use, whichever layer turned them
// on, and tells them again when a change of configuration turns them off.
func TestStatusSaysWhenNextEditsAreOn(t *testing.T) {
	fake := providertest.NewOpenAIFixed(t, "x")
	s := start(t, nextEditConfig(fake.URL, "enabled = true\ndebounce = \"250ms\""), lsptest.InitOptions{Capabilities: watchingCaps(true)})
	d := s.open(t, "main.go", "package main\n\nfunc main() {‸\n}\n")
	s.nextEdit(t, d.uri, d.cursor)
	nextEdits := func() []string {
		var out []string
		for _, n := range s.Notifications("switchyard/status") {
			var st struct {
				NextEdit *struct {
					DebounceMS int64 `json:"debounceMs"`
				} `json:"nextEdit"`
			}
			if err := json.Unmarshal(n.Params, &st); err != nil {
				t.Fatal(err)
			}
			if st.NextEdit == nil {
				out = append(out, "off")
			} else {
				out = append(out, fmt.Sprintf("on %dms", st.NextEdit.DebounceMS))
			}
		}
		return out
	}
	wait := func(want string) {
		t.Helper()
		err := s.WaitFor(timeout(t, 10*time.Second), func() bool {
			got := nextEdits()
			return len(got) > 0 && got[len(got)-1] == want
		})
		if err != nil {
			t.Fatalf("statuses say %v; want the last to say %q", nextEdits(), want)
		}
	}
	wait("on 250ms")

	file := filepath.Join(s.dir, ".switchyard.toml")
	if err := os.WriteFile(file, []byte("[next_edit]\nenabled = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Notify("workspace/didChangeWatchedFiles", map[string]any{
		"changes": []map[string]any{{"uri": fileURI(file), "type": 1}},
	}); err != nil {
		t.Fatal(err)
	}
	wait("off")
}

// With next edits on in config.toml, the status says so as soon as the
// client is initialized, before any request: the plugins follow it.
func TestStatusSaysNextEditsAreOnAtStart(t *testing.T) {
	fake := providertest.NewOpenAIFixed(t, "x")
	s := start(t, nextEditConfig(fake.URL, "enabled = true\ndebounce = \"250ms\""), lsptest.InitOptions{})
	err := s.WaitFor(timeout(t, 10*time.Second), func() bool {
		for _, n := range s.Notifications("switchyard/status") {
			var st struct {
				Online   bool `json:"online"`
				NextEdit *struct {
					DebounceMS int64 `json:"debounceMs"`
				} `json:"nextEdit"`
			}
			if json.Unmarshal(n.Params, &st) == nil && st.NextEdit != nil && st.NextEdit.DebounceMS == 250 && st.Online {
				return true
			}
		}
		return false
	})
	if err != nil {
		var got []string
		for _, n := range s.Notifications("switchyard/status") {
			got = append(got, string(n.Params))
		}
		t.Fatalf("no status saying next edits are on before any request; got %v", got)
	}
}
