package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"switchyard/assist"
)

// completion answers textDocument/completion for clients with no inline
// completion (Helix, older Neovim): the same engine, shown as items of the
// completion menu.
func completion(s *server, _ context.Context, raw json.RawMessage) (*job, error) {
	const method = "textDocument/completion"
	var p completionParams
	if err := decodeParams(method, raw, &p); err != nil {
		return nil, err
	}
	uri := string(p.TextDocument.URI)
	snap, err := s.docs.need(uri)
	if err != nil {
		return nil, err
	}
	off := snap.offset(p.Position, s.enc)
	// Not Invoked even for CompletionTriggerKind.Invoked: clients send that
	// kind for every identifier keystroke too, so it does not mean the
	// user is waiting; the engine's debounce must apply.
	req := assist.CompletionRequest{Doc: snap.document(), Offset: off, Others: s.docs.others(snap)}
	return &job{supersedes: uri, run: func(ctx context.Context) (any, error) {
		items, err := suggestItems(ctx, s, req, func(i int, sg assist.Suggestion) (protocol.CompletionItem, bool) {
			return s.completionItem(snap, off, sg, i)
		})
		if err != nil {
			return nil, err
		}
		// Incomplete: the next keystroke must ask again rather than let
		// the client filter a stale answer.
		return &protocol.CompletionList{IsIncomplete: true, Items: items}, nil
	}}, nil
}

// completionItem converts a suggestion to a menu item. The edit starts at
// the start of the word being typed, so clients that filter by that word
// keep the item, and its filterText is exactly what the edit leaves on the
// line: the typed part plus the suggestion.
func (s *server) completionItem(snap *snapshot, off int, sg assist.Suggestion, i int) (protocol.CompletionItem, bool) {
	start, end := clampRange(snap, off, sg.Start, sg.End)
	from := min(start, wordStart(snap.text, snap.lines.lineStart(off), off))
	newText := snap.text[from:start] + sg.Text
	rng := protocol.Range{Start: snap.position(from, s.enc), End: snap.position(end, s.enc)}
	cur := snap.position(off, s.enc)
	// A completion edit must be on one line and contain the cursor.
	if rng.Start.Line != cur.Line || rng.End.Line != cur.Line {
		return protocol.CompletionItem{}, false
	}
	kind := protocol.CompletionItemKindText
	if strings.Contains(newText, "\n") {
		kind = protocol.CompletionItemKindSnippet
	}
	detail := sg.Model
	if sg.Provider != "" {
		detail += " · " + sg.Provider
	}
	return protocol.CompletionItem{
		Label:            label(newText),
		Kind:             kind,
		Detail:           detail,
		Documentation:    s.documentation(snap.languageID, newText),
		FilterText:       newText,
		SortText:         fmt.Sprintf("%04d", i),
		InsertTextFormat: protocol.InsertTextFormatPlainText,
		TextEdit:         &protocol.TextEdit{Range: rng, NewText: newText},
	}, true
}

// wordStart is the start of the identifier that ends at off, not before
// lineStart.
func wordStart(text string, lineStart, off int) int {
	for off > lineStart {
		r, size := utf8.DecodeLastRuneInString(text[lineStart:off])
		if r != '_' && r != '$' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		off -= size
	}
	return off
}

// label is the first non-blank line of text, short enough for a menu.
func label(text string) string {
	const maxRunes = 60
	first, rest, _ := strings.Cut(strings.TrimLeft(text, " \t\r\n"), "\n")
	first = strings.TrimRight(first, " \t\r")
	more := strings.TrimSpace(rest) != ""
	if utf8.RuneCountInString(first) > maxRunes {
		first = string([]rune(first)[:maxRunes])
		more = true
	}
	if more {
		first += "…"
	}
	return first
}

// documentation shows the whole suggestion, as a code block where the
// client renders markdown.
func (s *server) documentation(languageID, text string) *protocol.MarkupContent {
	if !s.markdown {
		return &protocol.MarkupContent{Kind: protocol.PlainText, Value: text}
	}
	// A fence longer than any run of backticks in the text cannot be
	// closed by it.
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	return &protocol.MarkupContent{Kind: protocol.Markdown, Value: fence + languageID + "\n" + text + "\n" + fence}
}
