package lsp

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
)

func TestServerLifecycle(t *testing.T) {
	h := startServer(t, fixed(&fakeRouter{text: "x"}))

	// Before initialize: requests get ServerNotInitialized, notifications
	// are dropped (the didOpen below must not count).
	h.open("file:///early.go", "early")
	err := h.call("textDocument/completion", posParams("file:///early.go", 0, 0), nil)
	if errCode(err) != int(jsonrpc2.ServerNotInitialized) {
		t.Fatalf("completion before initialize: %v, want code %d", err, jsonrpc2.ServerNotInitialized)
	}
	err = h.call("shutdown", nil, nil)
	if errCode(err) != int(jsonrpc2.ServerNotInitialized) {
		t.Fatalf("shutdown before initialize: %v, want code %d", err, jsonrpc2.ServerNotInitialized)
	}

	res := h.initialize(map[string]any{}, nil)
	if res.Capabilities.PositionEncoding != "utf-16" || !res.Capabilities.InlineCompletionProvider || res.Capabilities.CompletionProvider == nil {
		t.Errorf("capabilities = %+v, want utf-16, inline completion and completion", res.Capabilities)
	}
	if res.Capabilities.TextDocumentSync.Change != 2 {
		t.Errorf("textDocumentSync.change = %v, want incremental (2)", res.Capabilities.TextDocumentSync.Change)
	}

	err = h.call("textDocument/completion", posParams("file:///early.go", 0, 0), nil)
	if errCode(err) != int(jsonrpc2.InvalidParams) {
		t.Errorf("completion on a document opened before initialize: %v, want InvalidParams (it was dropped)", err)
	}

	// A second initialize is an error.
	if err := h.call("initialize", map[string]any{"capabilities": map[string]any{}}, nil); errCode(err) != int(jsonrpc2.InvalidRequest) {
		t.Errorf("second initialize: %v, want InvalidRequest", err)
	}
	// Unknown request: MethodNotFound; unknown notifications are ignored.
	h.notify("custom/unknown", map[string]any{})
	h.notify("$/setTrace", map[string]any{"value": "off"})
	if err := h.call("textDocument/hover", posParams("file:///a.go", 0, 0), nil); errCode(err) != int(jsonrpc2.MethodNotFound) {
		t.Errorf("unknown method: %v, want MethodNotFound", err)
	}

	var null json.RawMessage
	if err := h.call("shutdown", nil, &null); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if string(null) != "null" {
		t.Errorf("shutdown result = %s, want null", null)
	}
	if err := h.call("textDocument/completion", posParams("file:///a.go", 0, 0), nil); errCode(err) != int(jsonrpc2.InvalidRequest) {
		t.Errorf("request after shutdown: %v, want InvalidRequest", err)
	}
	h.notify("exit", nil)
	select {
	case err := <-h.served:
		if err != nil {
			t.Errorf("Serve after shutdown and exit = %v, want nil (exit code 0)", err)
		}
		h.served <- err // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop on exit")
	}
}

func TestServerExitWithoutShutdown(t *testing.T) {
	h := startServer(t, fixed(&fakeRouter{text: "x"}))
	h.initialize(map[string]any{}, nil)
	h.notify("exit", nil)
	select {
	case err := <-h.served:
		if !errors.Is(err, ErrExitWithoutShutdown) {
			t.Errorf("Serve after exit without shutdown = %v, want ErrExitWithoutShutdown (exit code 1)", err)
		}
		h.served <- err
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop on exit")
	}
}

func TestServerExitBeforeInitialize(t *testing.T) {
	h := startServer(t, fixed(&fakeRouter{text: "x"}))
	h.notify("exit", nil)
	select {
	case err := <-h.served:
		if !errors.Is(err, ErrExitWithoutShutdown) {
			t.Errorf("Serve = %v, want ErrExitWithoutShutdown", err)
		}
		h.served <- err
	case <-time.After(5 * time.Second):
		t.Fatal("exit before initialize did not stop the server")
	}
}

func TestServerBadInput(t *testing.T) {
	h := startServer(t, fixed(&fakeRouter{text: "x"}))
	h.initialize(map[string]any{}, nil)

	// Not JSON: ParseError with a null id, and the server reads on.
	h.writeFramed([]byte(`{"jsonrpc":"2.0","id":7,"method":`))
	h.waitNotification("", nil) // answers to no pending request land here
	parse := h.notifications("")
	if len(parse) != 1 || parse[0].Error == nil || parse[0].Error.Code != int(jsonrpc2.ParseError) || string(parse[0].ID) != "null" {
		t.Fatalf("answer to malformed JSON = %+v, want one ParseError with id null", parse)
	}
	// JSON but not JSON-RPC: InvalidRequest, echoing the id.
	ch := h.expect(json.RawMessage(`"odd"`))
	h.writeFramed([]byte(`{"jsonrpc":"1.0","id":"odd","method":"x"}`))
	if m := h.wait(ch); m.Error == nil || m.Error.Code != int(jsonrpc2.InvalidRequest) {
		t.Errorf("answer to a JSON-RPC 1.0 request = %+v, want InvalidRequest", m)
	}

	// Malformed params: InvalidParams with a message.
	err := h.call("textDocument/completion", map[string]any{"textDocument": 42}, nil)
	if errCode(err) != int(jsonrpc2.InvalidParams) || err.(*wireError).Message == "" {
		t.Errorf("malformed params: %v, want InvalidParams with a message", err)
	}
	// A notification with malformed params is logged and ignored.
	h.notify("textDocument/didOpen", map[string]any{"textDocument": "nope"})
	// didChange for a document that was never opened is ignored.
	h.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": "file:///never.go", "version": 2},
		"contentChanges": []map[string]any{{"text": "x"}},
	})

	// The server still serves.
	h.open("file:///a.go", "ab")
	var list inlineCompletionList
	if err := h.call("textDocument/inlineCompletion", inlineParams("file:///a.go", 0, 2), &list); err != nil {
		t.Fatalf("inline completion after bad input: %v", err)
	}
	if len(list.Items) != 1 || list.Items[0].InsertText != "x" {
		t.Errorf("items = %+v, want one with x", list.Items)
	}
}
