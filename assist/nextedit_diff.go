package assist

import (
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// windowEdits turns the model's rewrite of the window into the smallest
// edits that make it: a line diff (Myers, from go-diff, which the
// rebase of code actions uses too) finds the changed lines, then each
// run of changed lines is trimmed to the characters that differ, so a
// renamed identifier is one short edit and not two whole lines. Offsets
// are relative to the window.
func windowEdits(window, rewritten string) []TextEdit {
	if window == rewritten {
		return nil
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = rebaseDiffTimeout
	a, b, lines := dmp.DiffLinesToChars(window, rewritten)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)

	var (
		out     []TextEdit
		pos     int // offset in window
		pending *TextEdit
	)
	flush := func() {
		if pending != nil {
			out = append(out, trimEdit(window, *pending))
			pending = nil
		}
	}
	for _, d := range diffs {
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			flush()
			pos += len(d.Text)
		case diffmatchpatch.DiffDelete:
			if pending == nil {
				pending = &TextEdit{Start: pos, End: pos}
			}
			pos += len(d.Text)
			pending.End = pos
		case diffmatchpatch.DiffInsert:
			if pending == nil {
				pending = &TextEdit{Start: pos, End: pos}
			}
			pending.NewText += d.Text
		}
	}
	flush()
	kept := out[:0]
	for _, e := range out {
		if e.Start != e.End || e.NewText != "" {
			kept = append(kept, e)
		}
	}
	return kept
}

// trimEdit narrows e to the bytes that change, on rune boundaries: the
// text it shares with what it replaces at either end stays.
func trimEdit(window string, e TextEdit) TextEdit {
	old := window[e.Start:e.End]
	p := commonPrefixLen(old, e.NewText)
	for p > 0 && (p < len(old) && !utf8.RuneStart(old[p]) || p < len(e.NewText) && !utf8.RuneStart(e.NewText[p])) {
		p--
	}
	old, text := old[p:], e.NewText[p:]
	s := commonSuffixLen(old, text)
	for s > 0 && (!utf8.RuneStart(old[len(old)-s]) || !utf8.RuneStart(text[len(text)-s])) {
		s--
	}
	return TextEdit{Start: e.Start + p, End: e.End - s, NewText: text[:len(text)-s]}
}

// undoesLast reports whether edits (relative to the window starting at
// ws) would take back the user's last edit h: over the span of the hunk
// and the edits that touch it, the result reads as it did before h.
func undoesLast(window string, ws int, edits []TextEdit, h *Hunk) bool {
	if h == nil || h.Large || h.Old == h.New {
		return false
	}
	a, b := h.off-ws, h.off-ws+len(h.New)
	if a < 0 || b > len(window) {
		return false // the hunk is not all in the window
	}
	s, e := a, b
	var touching []TextEdit
	for _, ed := range edits {
		if ed.End >= a && ed.Start <= b {
			touching = append(touching, ed)
			s, e = min(s, ed.Start), max(e, ed.End)
		}
	}
	if len(touching) == 0 {
		return false
	}
	rel := make([]TextEdit, len(touching))
	for i, ed := range touching {
		rel[i] = TextEdit{Start: ed.Start - s, End: ed.End - s, NewText: ed.NewText}
	}
	after := applyEdits(window[s:e], rel)
	before := window[s:a] + h.Old + window[b:e]
	return after == before
}
