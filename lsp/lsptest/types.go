package lsptest

import (
	"encoding/json"
	"fmt"
)

// The wire types below are written out from the LSP 3.17/3.18
// specification rather than taken from go.lsp.dev/protocol v0.12.0, whose
// TextDocumentContentChangeEvent cannot express a whole-document change
// (its Range is not optional) and which has no inline-completion types.
// A test client must be able to say exactly what an editor says.

// Position is a zero-based line and character offset; what a character is
// depends on the negotiated position encoding (UTF-16 code units unless
// the server chose otherwise).
type Position struct {
	Line      uint32 `json:"line"`
	Character uint32 `json:"character"`
}

func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Character) }

// Range is a half-open range of positions.
type Range struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// TextEdit replaces Range with NewText.
type TextEdit struct {
	Range   Range  `json:"range"`
	NewText string `json:"newText"`
}

// TextDocumentIdentifier names a document.
type TextDocumentIdentifier struct {
	URI string `json:"uri"`
}

// ContentChange is one entry of didChange's contentChanges. A nil Range
// replaces the whole document.
type ContentChange struct {
	Range *Range `json:"range,omitempty"`
	Text  string `json:"text"`
}

// CompletionItem is the subset of the specification's item that a
// completion server fills in; Raw keeps the item exactly as it came.
type CompletionItem struct {
	Label            string          `json:"label"`
	Kind             int             `json:"kind,omitempty"`
	Detail           string          `json:"detail,omitempty"`
	Documentation    json.RawMessage `json:"documentation,omitempty"`
	SortText         string          `json:"sortText,omitempty"`
	FilterText       string          `json:"filterText,omitempty"`
	InsertText       string          `json:"insertText,omitempty"`
	InsertTextFormat int             `json:"insertTextFormat,omitempty"`
	TextEdit         *TextEdit       `json:"textEdit,omitempty"`
	Preselect        bool            `json:"preselect,omitempty"`
	Data             json.RawMessage `json:"data,omitempty"`
}

// CompletionList is the answer to textDocument/completion. A server may
// also answer with a bare array of items or null; Client.Completion turns
// both into a list, and Raw keeps what the server actually sent.
type CompletionList struct {
	IsIncomplete bool             `json:"isIncomplete"`
	Items        []CompletionItem `json:"items"`
	Raw          json.RawMessage  `json:"-"`
}

// Inline completion trigger kinds (LSP 3.18).
const (
	InlineInvoked   = 1 // the user asked for a suggestion
	InlineAutomatic = 2 // the editor asked while the user typed
)

// SelectedCompletionInfo is what the editor's completion widget has
// selected while an inline completion is requested.
type SelectedCompletionInfo struct {
	Range Range  `json:"range"`
	Text  string `json:"text"`
}

// InlineCompletionContext says why an inline completion was requested.
type InlineCompletionContext struct {
	TriggerKind            int                     `json:"triggerKind"`
	SelectedCompletionInfo *SelectedCompletionInfo `json:"selectedCompletionInfo,omitempty"`
}

// InlineCompletionParams are the params of textDocument/inlineCompletion.
type InlineCompletionParams struct {
	TextDocument TextDocumentIdentifier  `json:"textDocument"`
	Position     Position                `json:"position"`
	Context      InlineCompletionContext `json:"context"`
}

// InlineCompletionItem is one ghost-text suggestion. The specification
// lets insertText be a string or a StringValue snippet; Snippet says which
// one came, and InsertText holds the text either way.
type InlineCompletionItem struct {
	InsertText string          `json:"-"`
	Snippet    bool            `json:"-"`
	FilterText string          `json:"filterText,omitempty"`
	Range      *Range          `json:"range,omitempty"`
	Command    json.RawMessage `json:"command,omitempty"`
}

// UnmarshalJSON reads insertText in either of its two shapes.
func (it *InlineCompletionItem) UnmarshalJSON(b []byte) error {
	type plain InlineCompletionItem
	var wire struct {
		plain
		InsertText json.RawMessage `json:"insertText"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		return err
	}
	*it = InlineCompletionItem(wire.plain)
	if len(wire.InsertText) == 0 || string(wire.InsertText) == "null" {
		return fmt.Errorf("inline completion item without insertText: %s", b)
	}
	if wire.InsertText[0] == '"' {
		return json.Unmarshal(wire.InsertText, &it.InsertText)
	}
	var sv struct {
		Kind  string `json:"kind"`
		Value string `json:"value"`
	}
	if err := json.Unmarshal(wire.InsertText, &sv); err != nil {
		return fmt.Errorf("insertText is neither a string nor a StringValue: %w", err)
	}
	it.InsertText, it.Snippet = sv.Value, true
	return nil
}

// MarshalJSON writes insertText as a plain string or a snippet.
func (it InlineCompletionItem) MarshalJSON() ([]byte, error) {
	type plain InlineCompletionItem
	var insert any = it.InsertText
	if it.Snippet {
		insert = map[string]string{"kind": "snippet", "value": it.InsertText}
	}
	return json.Marshal(struct {
		InsertText any `json:"insertText"`
		plain
	}{insert, plain(it)})
}

// InlineCompletionList is the answer to textDocument/inlineCompletion,
// normalised the same way as CompletionList.
type InlineCompletionList struct {
	Items []InlineCompletionItem `json:"items"`
	Raw   json.RawMessage        `json:"-"`
}

// Message types of window/showMessage and window/logMessage.
const (
	MessageError   = 1
	MessageWarning = 2
	MessageInfo    = 3
	MessageLog     = 4
)

// ShowMessageParams are the params of window/showMessage and
// window/logMessage.
type ShowMessageParams struct {
	Type    int    `json:"type"`
	Message string `json:"message"`
}

// InitializeResult is the server's answer to initialize. Capabilities are
// kept as raw JSON so that a test can check fields of any LSP version.
type InitializeResult struct {
	Capabilities map[string]json.RawMessage `json:"capabilities"`
	ServerInfo   *struct {
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
	} `json:"serverInfo,omitempty"`
}

// PositionEncoding is the encoding the server chose, "utf-16" when it
// said nothing (the specification's default).
func (r *InitializeResult) PositionEncoding() string {
	var enc string
	if raw, ok := r.Capabilities["positionEncoding"]; ok {
		_ = json.Unmarshal(raw, &enc)
	}
	if enc == "" {
		return EncodingUTF16
	}
	return enc
}

// Has reports whether the server announced capability name with a value
// other than false or null.
func (r *InitializeResult) Has(name string) bool {
	raw, ok := r.Capabilities[name]
	return ok && string(raw) != "false" && string(raw) != "null"
}
