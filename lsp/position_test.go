package lsp

import (
	"strings"
	"testing"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

func pos(line, char uint32) protocol.Position { return protocol.Position{Line: line, Character: char} }

func TestOffset(t *testing.T) {
	const emoji = "a😀b" // 😀 is 4 bytes, 2 UTF-16 units
	tests := []struct {
		name string
		text string
		p    protocol.Position
		enc  encoding
		want int
	}{
		{"start", "abc", pos(0, 0), utf16, 0},
		{"middle", "abc", pos(0, 2), utf16, 2},
		{"past end of line clamps to the line end", "ab\ncd", pos(0, 9), utf16, 2},
		{"past end of document clamps to its end", "ab\ncd", pos(7, 0), utf16, 5},
		{"after a surrogate pair", emoji, pos(0, 3), utf16, 5},
		{"inside a surrogate pair rounds down", emoji, pos(0, 2), utf16, 1},
		{"utf-8 after the emoji", emoji, pos(0, 5), utf8Enc, 5},
		{"utf-8 inside a rune rounds down", emoji, pos(0, 3), utf8Enc, 1},
		{"crlf: end of line is before \\r", "ab\r\ncd", pos(0, 5), utf16, 2},
		{"crlf: second line", "ab\r\ncd", pos(1, 1), utf16, 5},
		{"lone cr ends a line", "ab\rcd", pos(1, 1), utf16, 4},
		{"trailing newline makes an empty last line", "ab\n", pos(1, 0), utf16, 3},
		{"non-ascii before the cursor", "é€x", pos(0, 2), utf16, 5},
		{"invalid utf-8 counts one unit a byte", "a\xffb", pos(0, 2), utf16, 2},
		{"empty document", "", pos(3, 3), utf16, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx := buildLineIndex(tt.text)
			if got := idx.offset(tt.text, tt.p, tt.enc); got != tt.want {
				t.Errorf("offset(%q, %v, %v) = %d, want %d", tt.text, tt.p, tt.enc, got, tt.want)
			}
		})
	}
}

func TestPosition(t *testing.T) {
	tests := []struct {
		name string
		text string
		off  int
		enc  encoding
		want protocol.Position
	}{
		{"after an emoji in utf-16", "a😀b", 5, utf16, pos(0, 3)},
		{"after an emoji in utf-8", "a😀b", 5, utf8Enc, pos(0, 5)},
		{"inside a rune rounds down", "a😀b", 3, utf16, pos(0, 1)},
		{"between \\r and \\n is the end of the line", "ab\r\ncd", 3, utf16, pos(0, 2)},
		{"second line", "ab\r\ncd", 5, utf16, pos(1, 1)},
		{"negative clamps", "ab", -4, utf16, pos(0, 0)},
		{"past the end clamps", "ab\nc", 99, utf16, pos(1, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx := buildLineIndex(tt.text)
			if got := idx.position(tt.text, tt.off, tt.enc); got != tt.want {
				t.Errorf("position(%q, %d) = %v, want %v", tt.text, tt.off, got, tt.want)
			}
		})
	}
}

func TestLineIndexEdit(t *testing.T) {
	tests := []struct {
		name       string
		text       string
		start, end int
		insert     string
	}{
		{"insert a line", "a\nb\nc", 2, 2, "x\n"},
		{"delete a line break", "a\nb\nc", 1, 2, ""},
		{"join \\r to an inserted \\n", "a\rb", 2, 2, "\nz"},
		{"split \\r\\n", "a\r\nb", 2, 2, "x"},
		{"replace everything", "a\nb", 0, 3, "\n\n"},
		{"insert at the end", "a\n", 2, 2, "b\r\nc"},
		{"insert at the start", "a\nb", 0, 0, "\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := tt.text[:tt.start] + tt.insert + tt.text[tt.end:]
			got := buildLineIndex(tt.text).edit(next, tt.start, tt.end, len(tt.insert))
			want := buildLineIndex(next)
			if !slicesEqual(got, want) {
				t.Errorf("edit: index %v, want %v for %q", got, want, next)
			}
		})
	}
}

func slicesEqual(a, b lineIndex) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzPosition checks the conversions on arbitrary text: never out of
// range, round trips at every rune boundary, monotonic both ways, and an
// incrementally updated index equal to a rebuilt one.
func FuzzPosition(f *testing.F) {
	f.Add("hello\nworld", uint32(1), uint32(3), 4, 2, "x\r\n")
	f.Add("a😀b\r\nc\rd", uint32(0), uint32(2), 1, 9, "")
	f.Add("", uint32(5), uint32(5), 0, 0, "\n")
	f.Add("é€\n\n\r\r\n", uint32(2), uint32(0), 3, 3, "\r")
	f.Fuzz(func(t *testing.T, text string, line, char uint32, a, b int, insert string) {
		// The checks below are quadratic in the length; short texts find
		// the same edge cases.
		if len(text) > 512 {
			text = text[:512]
		}
		idx := buildLineIndex(text)
		// The brute-force index agrees with the fast one.
		if want := appendLineStarts(lineIndex{0}, text, 1, len(text)); !slicesEqual(idx, want) {
			t.Fatalf("buildLineIndex(%q) = %v, want %v", text, idx, want)
		}
		for _, enc := range []encoding{utf16, utf8Enc} {
			off := idx.offset(text, pos(line, char), enc)
			if off < 0 || off > len(text) {
				t.Fatalf("offset out of range: %d for len %d", off, len(text))
			}
			if utf8.ValidString(text) && off < len(text) && !utf8.RuneStart(text[off]) {
				t.Fatalf("offset %d splits a rune in %q", off, text)
			}
			// Every rune boundary outside a line terminator round-trips;
			// positions never go backwards as offsets grow.
			var prev protocol.Position
			for o := 0; o <= len(text); o++ {
				p := idx.position(text, o, enc)
				if p.Line < prev.Line || (p.Line == prev.Line && p.Character < prev.Character) {
					t.Fatalf("position(%d) = %v before position(%d) = %v in %q", o, p, o-1, prev, text)
				}
				prev = p
				back := idx.offset(text, p, enc)
				if back > o {
					t.Fatalf("offset(position(%d)) = %d, past the offset", o, back)
				}
				if (o == len(text) || utf8.RuneStart(text[o])) && !inTerminator(text, o) && back != o {
					t.Fatalf("offset(position(%d) = %v) = %d in %q (%v)", o, p, back, text, enc)
				}
			}
			// Offsets never go backwards as positions grow.
			prevOff := -1
			for l := uint32(0); l <= uint32(len(idx)); l++ {
				for c := uint32(0); c <= 3; c++ {
					o := idx.offset(text, pos(l, c), enc)
					if o < prevOff {
						t.Fatalf("offset(%d:%d) = %d before %d in %q", l, c, o, prevOff, text)
					}
					prevOff = o
				}
			}
		}
		// An incremental edit gives the index a rebuild gives.
		start, end := clampInt(a, len(text)), clampInt(b, len(text))
		if start > end {
			start, end = end, start
		}
		next := text[:start] + insert + text[end:]
		if got, want := idx.edit(next, start, end, len(insert)), buildLineIndex(next); !slicesEqual(got, want) {
			t.Fatalf("edit of %q [%d,%d) with %q: %v, want %v", text, start, end, insert, got, want)
		}
	})
}

func clampInt(v, n int) int {
	if v < 0 {
		v = -v
	}
	if n == 0 {
		return 0
	}
	return v % (n + 1)
}

// inTerminator reports whether o falls between the bytes of "\r\n".
func inTerminator(t string, o int) bool {
	return o > 0 && o < len(t) && t[o-1] == '\r' && t[o] == '\n'
}

func TestUTF16Len(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "😀": 2, "a😀€": 4, strings.Repeat("x", 100): 100} {
		if got := utf16Len(s); got != want {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, want)
		}
	}
}
