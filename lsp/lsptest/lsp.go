package lsptest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
)

// InitOptions shape the initialize request.
type InitOptions struct {
	// PositionEncodings is sent as general.positionEncodings; nil sends
	// nothing, which means UTF-16 only.
	PositionEncodings []string
	// InitializationOptions is sent as initializationOptions.
	InitializationOptions any
	// RootURI is the workspace root; none when empty.
	RootURI string
	// ClientName is clientInfo.name; "lsptest" when empty.
	ClientName string
	// Capabilities replaces the default client capabilities, which are
	// those of an editor with completion, inline completion, work-done
	// progress and workspace/configuration.
	Capabilities any
	// NoInitialized skips the initialized notification.
	NoInitialized bool
}

func defaultCapabilities(encodings []string) map[string]any {
	caps := map[string]any{
		"textDocument": map[string]any{
			"synchronization": map[string]any{"dynamicRegistration": false, "didSave": true},
			"completion": map[string]any{
				"completionItem": map[string]any{"snippetSupport": false},
				"contextSupport": true,
			},
			"inlineCompletion": map[string]any{"dynamicRegistration": false},
		},
		"workspace": map[string]any{
			"configuration":          true,
			"didChangeConfiguration": map[string]any{"dynamicRegistration": true},
			"applyEdit":              true,
			"workspaceEdit":          map[string]any{"documentChanges": true},
		},
		"window": map[string]any{"workDoneProgress": true, "showMessage": map[string]any{}},
	}
	if encodings != nil {
		caps["general"] = map[string]any{"positionEncodings": encodings}
	}
	return caps
}

// Initialize sends initialize and then the initialized notification, and
// remembers the negotiated position encoding for Pos and Change.
func (c *Client) Initialize(ctx context.Context, opts InitOptions) (*InitializeResult, error) {
	name := opts.ClientName
	if name == "" {
		name = "lsptest"
	}
	caps := opts.Capabilities
	if caps == nil {
		caps = defaultCapabilities(opts.PositionEncodings)
	}
	params := map[string]any{
		"processId":    os.Getpid(),
		"clientInfo":   map[string]any{"name": name, "version": "0"},
		"capabilities": caps,
		"rootUri":      nil,
	}
	if opts.RootURI != "" {
		params["rootUri"] = opts.RootURI
		params["workspaceFolders"] = []map[string]string{{"uri": opts.RootURI, "name": "root"}}
	}
	if opts.InitializationOptions != nil {
		params["initializationOptions"] = opts.InitializationOptions
	}
	var res InitializeResult
	if err := c.Call(ctx, "initialize", params, &res); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.encoding = res.PositionEncoding()
	c.mu.Unlock()
	if !opts.NoInitialized {
		if err := c.Notify("initialized", map[string]any{}); err != nil {
			return nil, err
		}
	}
	return &res, nil
}

// Encoding is the negotiated position encoding.
func (c *Client) Encoding() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.encoding
}

// Open sends textDocument/didOpen at version 1.
func (c *Client) Open(uri, languageID, text string) error {
	c.mu.Lock()
	c.docs[uri] = &document{version: 1, text: text}
	c.mu.Unlock()
	return c.Notify("textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": languageID, "version": 1, "text": text},
	})
}

// ChangeFull replaces the whole text of an open document.
func (c *Client) ChangeFull(uri, text string) error {
	return c.Change(uri, ContentChange{Text: text})
}

// Change sends textDocument/didChange with the next version. The client
// applies the changes to its own copy of the text, so Text and Pos follow
// along. Changing a document the client never opened sends version 1.
func (c *Client) Change(uri string, changes ...ContentChange) error {
	c.mu.Lock()
	d := c.docs[uri]
	if d == nil {
		d = &document{}
		c.docs[uri] = d
	}
	d.version++
	for _, ch := range changes {
		if ch.Range == nil {
			d.text = ch.Text
		} else {
			d.text = Apply(d.text, TextEdit{Range: *ch.Range, NewText: ch.Text}, c.encoding)
		}
	}
	version := d.version
	c.mu.Unlock()
	return c.Notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": changes,
	})
}

// CloseDocument sends textDocument/didClose.
func (c *Client) CloseDocument(uri string) error {
	c.mu.Lock()
	delete(c.docs, uri)
	c.mu.Unlock()
	return c.Notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
}

// Text is the client's copy of an open document.
func (c *Client) Text(uri string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.docs[uri]; d != nil {
		return d.text
	}
	return ""
}

// Version is the last version sent for a document.
func (c *Client) Version(uri string) int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.docs[uri]; d != nil {
		return d.version
	}
	return 0
}

// Pos is the position of byte offset off in the client's copy of uri, in
// the negotiated encoding.
func (c *Client) Pos(uri string, off int) Position {
	return PositionAt(c.Text(uri), off, c.Encoding())
}

// Completion sends textDocument/completion (invoked by the user) and
// returns the answer as a list, whichever of the three allowed shapes the
// server chose.
func (c *Client) Completion(ctx context.Context, uri string, pos Position) (*CompletionList, error) {
	var raw json.RawMessage
	err := c.Call(ctx, "textDocument/completion", CompletionParams(uri, pos), &raw)
	if err != nil {
		return nil, err
	}
	return DecodeCompletion(raw)
}

// CompletionParams are the params an editor sends when the user asks for
// completion.
func CompletionParams(uri string, pos Position) map[string]any {
	return map[string]any{
		"textDocument": TextDocumentIdentifier{URI: uri},
		"position":     pos,
		"context":      map[string]any{"triggerKind": 1},
	}
}

// DecodeCompletion reads a textDocument/completion result: a
// CompletionList, an array of items, or null.
func DecodeCompletion(raw json.RawMessage) (*CompletionList, error) {
	list := &CompletionList{Raw: raw}
	switch {
	case len(raw) == 0 || string(raw) == "null":
	case raw[0] == '[':
		if err := json.Unmarshal(raw, &list.Items); err != nil {
			return nil, fmt.Errorf("lsptest: decode completion items: %w", err)
		}
	default:
		if err := json.Unmarshal(raw, list); err != nil {
			return nil, fmt.Errorf("lsptest: decode completion list: %w", err)
		}
	}
	list.Raw = raw
	return list, nil
}

// InlineCompletion sends textDocument/inlineCompletion as an explicit
// request from the user and returns the items.
func (c *Client) InlineCompletion(ctx context.Context, uri string, pos Position) (*InlineCompletionList, error) {
	var raw json.RawMessage
	err := c.Call(ctx, "textDocument/inlineCompletion", InlineParams(uri, pos, InlineInvoked), &raw)
	if err != nil {
		return nil, err
	}
	return DecodeInlineCompletion(raw)
}

// InlineParams are the params of an inline completion request.
func InlineParams(uri string, pos Position, trigger int) InlineCompletionParams {
	return InlineCompletionParams{
		TextDocument: TextDocumentIdentifier{URI: uri},
		Position:     pos,
		Context:      InlineCompletionContext{TriggerKind: trigger},
	}
}

// DecodeInlineCompletion reads a textDocument/inlineCompletion result: an
// InlineCompletionList, an array of items, or null.
func DecodeInlineCompletion(raw json.RawMessage) (*InlineCompletionList, error) {
	list := &InlineCompletionList{}
	switch {
	case len(raw) == 0 || string(raw) == "null":
	case raw[0] == '[':
		if err := json.Unmarshal(raw, &list.Items); err != nil {
			return nil, fmt.Errorf("lsptest: decode inline completion items: %w", err)
		}
	default:
		if err := json.Unmarshal(raw, list); err != nil {
			return nil, fmt.Errorf("lsptest: decode inline completion list: %w", err)
		}
	}
	list.Raw = raw
	return list, nil
}

// ChangeConfiguration sends workspace/didChangeConfiguration with
// settings.
func (c *Client) ChangeConfiguration(settings any) error {
	return c.Notify("workspace/didChangeConfiguration", map[string]any{"settings": settings})
}

// Shutdown sends the shutdown request.
func (c *Client) Shutdown(ctx context.Context) error {
	return c.Call(ctx, "shutdown", nil, nil)
}

// Exit sends the exit notification and returns the server's exit code:
// 0 after shutdown, 1 without, as the specification asks.
func (c *Client) Exit(ctx context.Context) (int, error) {
	if err := c.Notify("exit", nil); err != nil {
		return -1, err
	}
	return c.WaitExit(ctx)
}
