package lsp

import (
	"encoding/json"
	"strconv"
	"sync"
	"testing"

	"switchyard/config"
	"switchyard/providers"
)

// The answer to initialize does not wait for the first router, and a
// request sent right behind initialized is served by that router once
// it is built: neither dropped nor answered without a model.
func TestInitializeAnswersBeforeTheRouterIsReady(t *testing.T) {
	release := make(chan struct{})
	var first sync.Once
	h := startServer(t, func(*config.Config) (providers.Router, error) {
		first.Do(func() { <-release })
		return &fakeRouter{text: "name()", model: "coder", provider: "local"}, nil
	})
	_, initAnswer := h.start("initialize", map[string]any{"processId": nil, "capabilities": map[string]any{}})
	if m := h.wait(initAnswer); m.Error != nil {
		t.Fatalf("initialize: %v", m.Error)
	}

	// The server reads nothing more until the router is built, and the
	// pipe does not buffer: write from another goroutine.
	id := json.RawMessage(strconv.FormatInt(h.seq.Add(1), 10))
	answer := h.expect(id)
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		h.notify("initialized", map[string]any{})
		h.open("file:///a.go", "func f() { ")
		h.write(map[string]any{"jsonrpc": "2.0", "id": id, "method": "textDocument/inlineCompletion",
			"params": inlineParams("file:///a.go", 0, 11)})
	}()
	close(release)
	<-wrote
	m := h.wait(answer)
	if m.Error != nil {
		t.Fatalf("inlineCompletion: %v", m.Error)
	}
	var list inlineCompletionList
	if err := json.Unmarshal(m.Result, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].InsertText != "name()" {
		t.Errorf("items = %+v, want the router's name()", list.Items)
	}
}
