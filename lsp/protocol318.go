package lsp

import (
	"encoding/json"

	"go.lsp.dev/protocol"
)

// The LSP 3.17/3.18 shapes that go.lsp.dev/protocol v0.12.0 lacks or gets
// in the way of, defined from the specification
// (https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/).
// The go.lsp.dev types are used wherever they fit.

// Position encodings, PositionEncodingKind (3.17).
const (
	positionEncodingUTF8  = "utf-8"
	positionEncodingUTF16 = "utf-16"
)

// JSON-RPC and LSP error codes that jsonrpc2 v0.10.0 does not name.
const (
	codeRequestCancelled = -32800 // LSP 3.17 ErrorCodes.RequestCancelled
)

// initializeParams is the part of InitializeParams the server reads. It is
// decoded on its own rather than into protocol.InitializeParams because
// v0.12.0 has no general.positionEncodings, and because its 3.16
// capability structs would reject some fields a 3.17 client sends with
// another shape: a client's initialize must never fail on a capability
// the server does not even read.
type initializeParams struct {
	ProcessID             *int32                     `json:"processId"`
	ClientInfo            *protocol.ClientInfo       `json:"clientInfo,omitempty"`
	RootURI               string                     `json:"rootUri,omitempty"`
	RootPath              string                     `json:"rootPath,omitempty"`
	InitializationOptions json.RawMessage            `json:"initializationOptions,omitempty"`
	Capabilities          clientCapabilities         `json:"capabilities"`
	WorkspaceFolders      []protocol.WorkspaceFolder `json:"workspaceFolders,omitempty"`
}

// clientCapabilities is the subset of ClientCapabilities the server acts on.
type clientCapabilities struct {
	General struct {
		// PositionEncodings (3.17), in the client's order of preference.
		PositionEncodings []string `json:"positionEncodings,omitempty"`
	} `json:"general"`
	Workspace struct {
		// Configuration: the client answers workspace/configuration.
		Configuration          bool `json:"configuration,omitempty"`
		DidChangeConfiguration struct {
			DynamicRegistration bool `json:"dynamicRegistration,omitempty"`
		} `json:"didChangeConfiguration"`
		// DidChangeWatchedFiles.DynamicRegistration: the client watches
		// the files a server registers for.
		DidChangeWatchedFiles struct {
			DynamicRegistration bool `json:"dynamicRegistration,omitempty"`
		} `json:"didChangeWatchedFiles"`
		WorkspaceFolders bool `json:"workspaceFolders,omitempty"`
		// ApplyEdit: the client takes workspace/applyEdit.
		ApplyEdit     bool                            `json:"applyEdit,omitempty"`
		WorkspaceEdit workspaceEditClientCapabilities `json:"workspaceEdit"`
	} `json:"workspace"`
	TextDocument struct {
		Completion struct {
			CompletionItem struct {
				DocumentationFormat []string `json:"documentationFormat,omitempty"`
			} `json:"completionItem"`
		} `json:"completion"`
		// InlineCompletion (3.18) is present when the client can show
		// ghost text.
		InlineCompletion *struct {
			DynamicRegistration bool `json:"dynamicRegistration,omitempty"`
		} `json:"inlineCompletion,omitempty"`
		CodeAction codeActionClientCapabilities `json:"codeAction"`
	} `json:"textDocument"`
	Window windowClientCapabilities `json:"window"`
}

// initializeResult carries the 3.17/3.18 server capabilities.
type initializeResult struct {
	Capabilities serverCapabilities   `json:"capabilities"`
	ServerInfo   *protocol.ServerInfo `json:"serverInfo,omitempty"`
}

type serverCapabilities struct {
	// PositionEncoding (3.17) is the encoding the server picked from the
	// client's list; utf-16 when the client offered none.
	PositionEncoding         string                           `json:"positionEncoding"`
	TextDocumentSync         protocol.TextDocumentSyncOptions `json:"textDocumentSync"`
	CompletionProvider       *protocol.CompletionOptions      `json:"completionProvider,omitempty"`
	InlineCompletionProvider bool                             `json:"inlineCompletionProvider"`
	Workspace                *workspaceServerCapabilities     `json:"workspace,omitempty"`
	CodeActionProvider       any                              `json:"codeActionProvider,omitempty"`
	ExecuteCommandProvider   any                              `json:"executeCommandProvider,omitempty"`
	// Experimental carries the server's own extensions:
	// {"switchyard": {"nextEdit": true}} for switchyard/nextEdit.
	Experimental any `json:"experimental,omitempty"`
}

type workspaceServerCapabilities struct {
	WorkspaceFolders struct {
		Supported           bool `json:"supported"`
		ChangeNotifications bool `json:"changeNotifications"`
	} `json:"workspaceFolders"`
}

// contentChange is TextDocumentContentChangeEvent with the range optional:
// v0.12.0 makes Range a value, so a full-text change (no range) would
// decode as an edit of the empty range at 0:0 and prepend the whole text.
type contentChange struct {
	Range *protocol.Range `json:"range,omitempty"`
	Text  string          `json:"text"`
}

type didChangeParams struct {
	TextDocument protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	Changes      []contentChange                          `json:"contentChanges"`
}

// cancelParams holds the id as raw JSON: it is a number or a string, and
// protocol.CancelParams decodes it into interface{}, where a number
// becomes float64.
type cancelParams struct {
	ID json.RawMessage `json:"id"`
}

// InlineCompletionTriggerKind (3.18).
const (
	inlineTriggerInvoked   = 1 // a user gesture: the user waits for it
	inlineTriggerAutomatic = 2 // while typing
)

// inlineCompletionParams is InlineCompletionParams (3.18).
type inlineCompletionParams struct {
	TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`
	Position     protocol.Position               `json:"position"`
	Context      inlineCompletionContext         `json:"context"`
}

type inlineCompletionContext struct {
	TriggerKind            int                     `json:"triggerKind"`
	SelectedCompletionInfo *selectedCompletionInfo `json:"selectedCompletionInfo,omitempty"`
}

// selectedCompletionInfo is the item selected in the editor's completion
// widget; an inline suggestion must extend its text over its range.
type selectedCompletionInfo struct {
	Range protocol.Range `json:"range"`
	Text  string         `json:"text"`
}

// inlineCompletionList is InlineCompletionList (3.18).
type inlineCompletionList struct {
	Items []inlineCompletionItem `json:"items"`
}

// inlineCompletionItem is InlineCompletionItem (3.18). InsertText may also
// be a snippet StringValue in the specification; the server only sends
// plain text.
type inlineCompletionItem struct {
	InsertText string            `json:"insertText"`
	FilterText string            `json:"filterText,omitempty"`
	Range      *protocol.Range   `json:"range,omitempty"`
	Command    *protocol.Command `json:"command,omitempty"`
}

// completionParams is CompletionParams without the v0.12.0 partial-result
// and work-done tokens the server does not use.
type completionParams struct {
	TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`
	Position     protocol.Position               `json:"position"`
	Context      *struct {
		TriggerKind      int    `json:"triggerKind"`
		TriggerCharacter string `json:"triggerCharacter,omitempty"`
	} `json:"context,omitempty"`
}
