package lsp

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// blockingRouter blocks each call until its request is cancelled and
// reports when calls start and stop.
func blockingRouter() *fakeRouter {
	return &fakeRouter{block: true, started: make(chan struct{}, 8), stopped: make(chan error, 8)}
}

func waitSignal[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

func TestServerCancelRequest(t *testing.T) {
	tests := []struct {
		name string
		id   json.RawMessage
	}{
		{"numeric id, as VS Code and Neovim send", json.RawMessage(`41`)},
		{"string id", json.RawMessage(`"req-41"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := blockingRouter()
			h := startServer(t, fixed(r))
			h.initialize(map[string]any{}, nil)
			h.open("file:///a.go", "package a\n")

			ch := h.send(tt.id, "textDocument/inlineCompletion", inlineParams("file:///a.go", 1, 0))
			waitSignal(t, r.started, "the model call to start")

			// The server must keep reading while the model call runs.
			h.notify("textDocument/didChange", map[string]any{
				"textDocument":   map[string]any{"uri": "file:///a.go", "version": 2},
				"contentChanges": []map[string]any{{"text": "package b\n"}},
			})

			h.notify("$/cancelRequest", map[string]any{"id": tt.id})
			if err := waitSignal(t, r.stopped, "the model call to be cancelled"); err != context.Canceled {
				t.Errorf("model call ended with %v, want context.Canceled", err)
			}
			m := h.wait(ch)
			if m.Error == nil || m.Error.Code != codeRequestCancelled {
				t.Fatalf("reply = %+v, want error RequestCancelled (-32800)", m)
			}
			if len(h.showMessages(1)) != 0 {
				t.Errorf("a cancelled request showed an error: %q", h.showMessages(1))
			}
		})
	}
}

func TestServerSupersedesOlderCompletion(t *testing.T) {
	for _, method := range []string{"textDocument/inlineCompletion", "textDocument/completion"} {
		t.Run(method, func(t *testing.T) {
			r := blockingRouter()
			h := startServer(t, fixed(r))
			h.initialize(map[string]any{}, nil)
			h.open("file:///a.go", "package a\n")
			h.open("file:///b.go", "package b\n")

			_, first := h.start(method, inlineParams("file:///a.go", 1, 0))
			waitSignal(t, r.started, "the first call")
			// Another document does not supersede it.
			_, other := h.start(method, inlineParams("file:///b.go", 1, 0))
			waitSignal(t, r.started, "the call for the other document")
			select {
			case m := <-first:
				t.Fatalf("a request for another document ended the first one: %+v", m)
			case <-time.After(50 * time.Millisecond):
			}

			// No $/cancelRequest: a newer request for the same document is enough.
			_, second := h.start(method, inlineParams("file:///a.go", 1, 0))
			m := h.wait(first)
			if m.Error == nil || m.Error.Code != codeRequestCancelled {
				t.Fatalf("superseded reply = %+v, want RequestCancelled", m)
			}
			waitSignal(t, r.started, "the second call")
			select {
			case m := <-second:
				t.Fatalf("the newer request ended early: %+v", m)
			default:
			}
			// Shutdown stops what is left.
			if err := h.call("shutdown", nil, nil); err != nil {
				t.Fatal(err)
			}
			for _, ch := range []<-chan wire{second, other} {
				if m := h.wait(ch); m.Error == nil || m.Error.Code != codeRequestCancelled {
					t.Errorf("reply after shutdown = %+v, want RequestCancelled", m)
				}
			}
		})
	}
}
