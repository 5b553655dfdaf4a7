package lsp

import (
	"testing"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"switchyard/assist"
)

func rng(sl, sc, el, ec uint32) protocol.Range {
	return protocol.Range{Start: pos(sl, sc), End: pos(el, ec)}
}

func TestInlineItem(t *testing.T) {
	s := &server{log: zap.NewNop()}
	tests := []struct {
		name      string
		text      string
		off       int
		sg        assist.Suggestion
		sel       *selection
		wantOK    bool
		wantText  string
		wantRange protocol.Range
	}{
		{
			name: "insertion at the cursor", text: "foo(", off: 4,
			sg:     assist.Suggestion{Text: "x)", Start: 4, End: 4},
			wantOK: true, wantText: "x)", wantRange: rng(0, 4, 0, 4),
		},
		{
			name: "replaces the closing bracket after the cursor", text: "foo()", off: 4,
			sg:     assist.Suggestion{Text: "x)", Start: 4, End: 5},
			wantOK: true, wantText: "x)", wantRange: rng(0, 4, 0, 5),
		},
		{
			// console.| with ".log" selected over the ".": the item must
			// replace the "." and start with ".log".
			name: "extends the selected completion item", text: "console.", off: 8,
			sg:     assist.Suggestion{Text: "(msg)", Start: 8, End: 8},
			sel:    &selection{start: 7, end: 8, text: ".log"},
			wantOK: true, wantText: ".log(msg)", wantRange: rng(0, 7, 0, 8),
		},
		{
			name: "already starts with the selected text", text: "console.", off: 8,
			sg:     assist.Suggestion{Text: ".log(msg)", Start: 7, End: 8},
			sel:    &selection{start: 7, end: 8, text: ".log"},
			wantOK: true, wantText: ".log(msg)", wantRange: rng(0, 7, 0, 8),
		},
		{
			name: "a range over two lines cannot be shown", text: "a\nb", off: 1,
			sg:     assist.Suggestion{Text: "x", Start: 1, End: 3},
			wantOK: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := newSnapshot("file:///a.js", "javascript", 1, tt.text)
			item, ok := s.inlineItem(snap, tt.off, tt.sg, tt.sel)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.wantOK, item)
			}
			if !ok {
				return
			}
			if item.InsertText != tt.wantText || *item.Range != tt.wantRange {
				t.Errorf("item = %q over %v, want %q over %v", item.InsertText, *item.Range, tt.wantText, tt.wantRange)
			}
		})
	}
}

func TestCompletionItemRange(t *testing.T) {
	s := &server{log: zap.NewNop()}
	tests := []struct {
		name       string
		text       string
		off        int
		sg         assist.Suggestion
		wantOK     bool
		wantText   string
		wantFilter string
		wantRange  protocol.Range
		wantLabel  string
	}{
		{
			name: "continues the typed word", text: "\tret", off: 4,
			sg:     assist.Suggestion{Text: "urn nil", Start: 4, End: 4},
			wantOK: true, wantText: "return nil", wantFilter: "return nil", wantRange: rng(0, 1, 0, 4), wantLabel: "return nil",
		},
		{
			name: "the engine replaces the typed word itself", text: "x := fmt.Spri", off: 13,
			sg:     assist.Suggestion{Text: "Sprintf(\"%d\", n)", Start: 9, End: 13},
			wantOK: true, wantText: "Sprintf(\"%d\", n)", wantFilter: "Sprintf(\"%d\", n)", wantRange: rng(0, 9, 0, 13), wantLabel: "Sprintf(\"%d\", n)",
		},
		{
			name: "after punctuation the edit starts at the cursor", text: "f(", off: 2,
			sg:     assist.Suggestion{Text: "a, b)", Start: 2, End: 2},
			wantOK: true, wantText: "a, b)", wantFilter: "a, b)", wantRange: rng(0, 2, 0, 2), wantLabel: "a, b)",
		},
		{
			name: "replacing text on an earlier line is not a completion edit", text: "a\nb", off: 3,
			sg:     assist.Suggestion{Text: "x", Start: 1, End: 3},
			wantOK: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := newSnapshot("file:///a.go", "go", 1, tt.text)
			item, ok := s.completionItem(snap, tt.off, tt.sg, 0)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.wantOK, item)
			}
			if !ok {
				return
			}
			if item.TextEdit.NewText != tt.wantText || item.TextEdit.Range != tt.wantRange {
				t.Errorf("edit = %q over %v, want %q over %v", item.TextEdit.NewText, item.TextEdit.Range, tt.wantText, tt.wantRange)
			}
			if item.FilterText != tt.wantFilter || item.Label != tt.wantLabel {
				t.Errorf("filterText %q label %q, want %q and %q", item.FilterText, item.Label, tt.wantFilter, tt.wantLabel)
			}
		})
	}
}

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{
		"x":                     "x",
		"\n\n  foo()\nbar":      "foo()…",
		"a\n   \n":              "a",
		string(make([]byte, 0)): "",
		"0123456789012345678901234567890123456789012345678901234567890123": "012345678901234567890123456789012345678901234567890123456789…",
	} {
		if got := label(in); got != want {
			t.Errorf("label(%q) = %q, want %q", in, got, want)
		}
	}
}
