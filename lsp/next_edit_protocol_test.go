package lsp_test

import (
	"encoding/json"
	"fmt"
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
	var raw json.RawMessage
	params := map[string]any{
		"textDocument": map[string]any{"uri": uri, "version": s.Version(uri)},
		"position":     s.Pos(uri, off),
	}
	if err := s.Call(timeout(t, 10*time.Second), "switchyard/nextEdit", params, &raw); err != nil {
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
