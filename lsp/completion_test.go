package lsp

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

func change(uri string, version int, changes ...map[string]any) map[string]any {
	return map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": changes,
	}
}

func edit(sl, sc, el, ec int, text string) map[string]any {
	return map[string]any{
		"range": map[string]any{
			"start": map[string]any{"line": sl, "character": sc},
			"end":   map[string]any{"line": el, "character": ec},
		},
		"text": text,
	}
}

// TestIncrementalSync checks what the engine is asked after edits: the
// text and the cursor offset it sees are what the editor shows.
func TestServerIncrementalSync(t *testing.T) {
	tests := []struct {
		name      string
		utf8      bool
		open      string
		changes   []map[string]any
		line, col int
		wantText  string
		wantAt    string // the text after the cursor offset
	}{
		{
			name: "surrogate pair before the edit (utf-16)",
			open: "x := \"😀\"\n",
			// 😀 is two UTF-16 units: the closing quote is at character 8.
			changes: []map[string]any{edit(0, 8, 0, 8, "+y")},
			line:    0, col: 10,
			wantText: "x := \"😀+y\"\n",
			wantAt:   "\"\n",
		},
		{
			name:    "surrogate pair before the edit (utf-8 negotiated)",
			utf8:    true,
			open:    "x := \"😀\"\n",
			changes: []map[string]any{edit(0, 10, 0, 10, "+y")},
			line:    0, col: 12,
			wantText: "x := \"😀+y\"\n",
			wantAt:   "\"\n",
		},
		{
			name:    "CRLF lines",
			open:    "a\r\nb\r\nc",
			changes: []map[string]any{edit(1, 0, 1, 1, "BB"), edit(2, 1, 2, 1, "\r\nd")},
			line:    3, col: 1,
			wantText: "a\r\nBB\r\nc\r\nd",
			wantAt:   "",
		},
		{
			name:    "several changes apply in order",
			open:    "abc",
			changes: []map[string]any{edit(0, 3, 0, 3, "\n"), edit(1, 0, 1, 0, "def"), edit(0, 0, 0, 1, "")},
			line:    1, col: 1,
			wantText: "bc\ndef",
			wantAt:   "ef",
		},
		{
			name:    "full text change",
			open:    "old",
			changes: []map[string]any{{"text": "new\ntext"}},
			line:    1, col: 0,
			wantText: "new\ntext",
			wantAt:   "text",
		},
		{
			name:    "positions past the end clamp",
			open:    "ab\ncd",
			changes: []map[string]any{edit(0, 40, 0, 99, "!")},
			line:    9, col: 9,
			wantText: "ab!\ncd",
			wantAt:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startServer(t, fixed(&fakeRouter{text: "Z"}))
			caps := map[string]any{}
			if tt.utf8 {
				caps["general"] = map[string]any{"positionEncodings": []string{"utf-8", "utf-16"}}
			}
			h.initialize(caps, nil)
			h.open("file:///a.go", tt.open)
			h.notify("textDocument/didChange", change("file:///a.go", 2, tt.changes...))
			if err := h.call("textDocument/inlineCompletion", inlineParams("file:///a.go", tt.line, tt.col), nil); err != nil {
				t.Fatal(err)
			}
			req := h.engine.last()
			if req.Doc.Text != tt.wantText {
				t.Errorf("text = %q, want %q", req.Doc.Text, tt.wantText)
			}
			if got := req.Doc.Text[req.Offset:]; got != tt.wantAt {
				t.Errorf("text after the cursor = %q, want %q", got, tt.wantAt)
			}
			if req.Doc.Version != 2 {
				t.Errorf("version = %d, want 2", req.Doc.Version)
			}
		})
	}
}

func TestServerInlineCompletion(t *testing.T) {
	tests := []struct {
		name     string
		utf8     bool
		text     string
		line     int
		col      int
		wantChar uint32
	}{
		{"utf-16 after non-ASCII", false, "s := \"é😀\" + ", 0, 13, 13},
		{"utf-8 after non-ASCII", true, "s := \"é😀\" + ", 0, 16, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startServer(t, fixed(&fakeRouter{text: "name()", model: "coder", provider: "local"}))
			caps := map[string]any{}
			if tt.utf8 {
				caps["general"] = map[string]any{"positionEncodings": []string{"utf-16", "utf-8"}}
			}
			res := h.initialize(caps, nil)
			if want := map[bool]string{true: "utf-8", false: "utf-16"}[tt.utf8]; res.Capabilities.PositionEncoding != want {
				t.Fatalf("positionEncoding = %q, want %q", res.Capabilities.PositionEncoding, want)
			}
			h.open("file:///a.go", tt.text)
			var list inlineCompletionList
			if err := h.call("textDocument/inlineCompletion", inlineParams("file:///a.go", tt.line, tt.col), &list); err != nil {
				t.Fatal(err)
			}
			if len(list.Items) != 1 {
				t.Fatalf("items = %+v, want one", list.Items)
			}
			it := list.Items[0]
			want := protocol.Range{Start: pos(0, tt.wantChar), End: pos(0, tt.wantChar)}
			if it.InsertText != "name()" || it.Range == nil || *it.Range != want {
				t.Errorf("item = %+v (range %v), want insertText name() at %v", it, it.Range, want)
			}
			if got := h.engine.last(); got.Doc.Text[got.Offset:] != "" {
				t.Errorf("cursor offset %d is not the end of %q", got.Offset, got.Doc.Text)
			}
		})
	}
}

func TestServerCompletionItem(t *testing.T) {
	h := startServer(t, fixed(&fakeRouter{text: "intln(msg)\n\treturn", model: "coder", provider: "local"}))
	h.initialize(map[string]any{"textDocument": map[string]any{"completion": map[string]any{
		"completionItem": map[string]any{"documentationFormat": []string{"markdown", "plaintext"}},
	}}}, nil)
	// "fmt.Pr|" with a non-ASCII comment before it on the line.
	h.open("file:///a.go", "/* é😀 */ fmt.Pr")
	var raw json.RawMessage
	if err := h.call("textDocument/completion", posParams("file:///a.go", 0, 16), &raw); err != nil {
		t.Fatal(err)
	}
	var list struct {
		IsIncomplete bool `json:"isIncomplete"`
		Items        []struct {
			Label            string            `json:"label"`
			Kind             int               `json:"kind"`
			Detail           string            `json:"detail"`
			FilterText       string            `json:"filterText"`
			InsertTextFormat int               `json:"insertTextFormat"`
			TextEdit         protocol.TextEdit `json:"textEdit"`
			Documentation    struct {
				Kind  string `json:"kind"`
				Value string `json:"value"`
			} `json:"documentation"`
		} `json:"items"`
	}
	mustJSON(t, raw, &list)
	if !list.IsIncomplete || len(list.Items) != 1 {
		t.Fatalf("list = %s, want isIncomplete with one item", raw)
	}
	it := list.Items[0]
	// The edit starts at the word being typed ("Pr", character 14) and
	// ends at the cursor, so clients filtering by "Pr" keep the item.
	wantRange := protocol.Range{Start: pos(0, 14), End: pos(0, 16)}
	if it.TextEdit.Range != wantRange || it.TextEdit.NewText != "Println(msg)\n\treturn" {
		t.Errorf("textEdit = %+v, want %q over %v", it.TextEdit, "Println(msg)\n\treturn", wantRange)
	}
	if it.FilterText != "Println(msg)\n\treturn" {
		t.Errorf("filterText = %q, want the typed word plus the suggestion", it.FilterText)
	}
	if it.Label != "Println(msg)…" {
		t.Errorf("label = %q, want the first line", it.Label)
	}
	if it.Detail != "coder · local" {
		t.Errorf("detail = %q, want model · provider", it.Detail)
	}
	if it.Kind != int(protocol.CompletionItemKindSnippet) || it.InsertTextFormat != int(protocol.InsertTextFormatPlainText) {
		t.Errorf("kind %d, insertTextFormat %d; want Snippet for multi-line, PlainText", it.Kind, it.InsertTextFormat)
	}
	if it.Documentation.Kind != "markdown" || !strings.Contains(it.Documentation.Value, "Println(msg)\n\treturn") {
		t.Errorf("documentation = %+v, want the whole suggestion in markdown", it.Documentation)
	}
}

func TestServerLargeDocument(t *testing.T) {
	h := startServer(t, fixed(&fakeRouter{text: "ok"}))
	h.initialize(map[string]any{}, nil)
	line := strings.Repeat("x", 99) + "\n"
	text := strings.Repeat(line, 110_000) // 11 MB
	h.open("file:///big.go", text)
	// An edit near the end and a completion right after it.
	h.notify("textDocument/didChange", change("file:///big.go", 2, edit(109_999, 5, 109_999, 5, "é")))
	var list inlineCompletionList
	start := time.Now()
	if err := h.call("textDocument/inlineCompletion", inlineParams("file:///big.go", 109_999, 6), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Range.Start != pos(109_999, 6) {
		t.Fatalf("items = %+v, want one at 109999:6", list.Items)
	}
	req := h.engine.last()
	if len(req.Doc.Text) != len(text)+len("é") || req.Doc.Text[req.Offset-len("é"):req.Offset] != "é" {
		t.Errorf("the engine did not see the edit at the cursor (len %d, offset %d)", len(req.Doc.Text), req.Offset)
	}
	t.Logf("edit and completion on an 11 MB document: %v", time.Since(start))
}

// BenchmarkServerInlineCompletion measures the server's own time per inline
// completion on a 10,000-line document with a router that answers at once:
// decode, snapshot, position conversion, the goroutine, encode and write.
func BenchmarkServerInlineCompletion(b *testing.B) {
	var sb strings.Builder
	for i := range 10_000 {
		sb.WriteString("\tfmt.Println(\"line ")
		sb.WriteString(strings.Repeat("é", i%7))
		sb.WriteString("\")\n")
	}
	h := startBenchServer(b, sb.String())
	b.ResetTimer()
	for i := range b.N {
		if err := h.call("textDocument/inlineCompletion", inlineParams("file:///bench.go", 5_000+i%1000, 10), nil); err != nil {
			b.Fatal(err)
		}
	}
}
