package lsptest

import (
	"fmt"
	"unicode/utf8"
)

// Position encodings (LSP 3.17 PositionEncodingKind).
const (
	EncodingUTF8  = "utf-8"
	EncodingUTF16 = "utf-16"
	EncodingUTF32 = "utf-32"
)

// These conversions are written independently of the server's own, on
// purpose: a black-box test that borrowed the server's arithmetic would
// agree with the server's bugs.

// PositionAt returns the position of byte offset off in text, counting
// characters in enc. off must lie on a rune boundary.
func PositionAt(text string, off int, enc string) Position {
	if off > len(text) {
		panic(fmt.Sprintf("lsptest.PositionAt: offset %d past the end (%d bytes)", off, len(text)))
	}
	var p Position
	lineStart := 0
	for i := 0; i < off; i++ {
		if text[i] == '\n' {
			p.Line++
			lineStart = i + 1
		}
	}
	p.Character = uint32(unitsIn(text[lineStart:off], enc))
	return p
}

// OffsetAt returns the byte offset of p in text, counting characters in
// enc. A position past the end of its line (or of the text) is clamped,
// as the specification asks of servers.
func OffsetAt(text string, p Position, enc string) int {
	off := 0
	for line := uint32(0); line < p.Line; line++ {
		i := indexByteFrom(text, off, '\n')
		if i < 0 {
			return len(text)
		}
		off = i + 1
	}
	end := indexByteFrom(text, off, '\n')
	if end < 0 {
		end = len(text)
	}
	units := 0
	for off < end && units < int(p.Character) {
		r, size := utf8.DecodeRuneInString(text[off:])
		if enc == EncodingUTF8 {
			units += size // invalid bytes count one each, as they were sent
		} else {
			units += runeUnits(r, enc)
		}
		off += size
	}
	return off
}

// Apply returns text with edit applied, positions counted in enc.
func Apply(text string, edit TextEdit, enc string) string {
	start := OffsetAt(text, edit.Range.Start, enc)
	end := OffsetAt(text, edit.Range.End, enc)
	return text[:start] + edit.NewText + text[end:]
}

func indexByteFrom(s string, from int, b byte) int {
	for i := from; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}

func unitsIn(s, enc string) int {
	if enc == EncodingUTF8 {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n += runeUnits(r, enc)
	}
	return n
}

func runeUnits(r rune, enc string) int {
	switch enc {
	case EncodingUTF32:
		return 1
	default:
		if r >= 0x10000 {
			return 2
		}
		return 1
	}
}
