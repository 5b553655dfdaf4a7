package lsp

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// This file is the one place where LSP positions (line, character) meet the
// byte offsets the rest of the server works in. Everything here clamps
// instead of failing: an editor that is one keystroke ahead of us, or a
// client with an off-by-one, must get a sensible answer, never a panic.

// encoding is the unit of Position.Character negotiated at initialize.
type encoding int

const (
	// utf16 is the LSP default: characters count UTF-16 code units, so a
	// rune above U+FFFF (an emoji) counts two.
	utf16 encoding = iota
	// utf8 counts bytes, which is what the server uses inside; offered only
	// when the client lists "utf-8" in general.positionEncodings.
	utf8Enc
)

func (e encoding) String() string {
	switch e {
	case utf16:
		return positionEncodingUTF16
	case utf8Enc:
		return positionEncodingUTF8
	}
	return "unknown"
}

// lineIndex holds the byte offset at which each line starts; lineIndex[0]
// is always 0. Line terminators are "\n", "\r\n" and a lone "\r", as the
// specification says. An index is never modified once built: snapshots
// share it.
//
// Offsets are uint32, half the memory of int: the index is a tenth of
// an open document's size (2 MB for 100 files of 5,000 lines), and a
// document is far below 4 GiB (one message is at most maxMessage).
type lineIndex []uint32

// isLineStart reports whether a line starts at byte p of t (p > 0).
func isLineStart(t string, p int) bool {
	switch t[p-1] {
	case '\n':
		return true
	case '\r':
		// "\r\n" is one terminator: the line starts after the "\n".
		return p >= len(t) || t[p] != '\n'
	}
	return false
}

// buildLineIndex scans the whole of t once.
func buildLineIndex(t string) lineIndex {
	idx := make(lineIndex, 1, strings.Count(t, "\n")+1)
	if strings.IndexByte(t, '\r') < 0 {
		// The common case: IndexByte is vectorised, a byte loop is not.
		for off := 0; ; {
			i := strings.IndexByte(t[off:], '\n')
			if i < 0 {
				return idx
			}
			off += i + 1
			idx = append(idx, uint32(off))
		}
	}
	return appendLineStarts(idx, t, 1, len(t))
}

// appendLineStarts appends every line start p with from <= p <= to.
func appendLineStarts(idx lineIndex, t string, from, to int) lineIndex {
	if from < 1 {
		from = 1
	}
	for p := from; p <= to && p <= len(t); p++ {
		if isLineStart(t, p) {
			idx = append(idx, uint32(p))
		}
	}
	return idx
}

// edit returns the index of newText, which is the old text with bytes
// [start, end) replaced by inserted (len(inserted) bytes). It costs one
// pass over the line starts and a scan of the inserted text only, so an
// edit in a 10 MB document does not rescan the document.
func (idx lineIndex) edit(newText string, start, end, inserted int) lineIndex {
	delta := inserted - (end - start)
	out := make(lineIndex, 0, len(idx)+strings.Count(newText[start:start+inserted], "\n")+1)
	// A line start p < start depends only on bytes before start: unchanged.
	i, _ := slices.BinarySearch(idx, uint32(start))
	out = append(out, idx[:i]...)
	if len(out) == 0 {
		out = append(out, 0)
	}
	// Starts in [start, start+inserted] depend on the new bytes (and on
	// the byte before, for "\r" joined to an inserted "\n").
	out = appendLineStarts(out, newText, start, start+inserted)
	// Starts after the old end depend on old bytes only; they shift.
	j, _ := slices.BinarySearch(idx, uint32(end+1))
	for _, p := range idx[j:] {
		out = append(out, uint32(int(p)+delta))
	}
	return out
}

// lineEnd is the offset where line's content ends, before its terminator.
func (idx lineIndex) lineEnd(t string, line int) int {
	end := len(t)
	if line+1 < len(idx) {
		end = int(idx[line+1])
		// Step back over the terminator: "\n", "\r\n" or "\r".
		if end > int(idx[line]) && t[end-1] == '\n' {
			end--
		}
		if end > int(idx[line]) && t[end-1] == '\r' {
			end--
		}
	}
	return end
}

// offset converts p to a byte offset in t. A line past the end clamps to
// the end of the document; a character past the end of its line clamps to
// the end of that line (before the terminator); a character in the middle
// of a surrogate pair or of a UTF-8 sequence rounds down to the rune.
func (idx lineIndex) offset(t string, p protocol.Position, enc encoding) int {
	line := int(p.Line)
	if line >= len(idx) {
		return len(t)
	}
	start, end := int(idx[line]), idx.lineEnd(t, line)
	want := int(p.Character)
	if enc == utf8Enc {
		off := start + want
		if want > end-start {
			off = end
		}
		for off > start && off < len(t) && !utf8.RuneStart(t[off]) {
			off--
		}
		return off
	}
	units := 0
	for off := start; off < end; {
		if units >= want {
			return off
		}
		r, size := utf8.DecodeRuneInString(t[off:end])
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > want {
			// Inside a surrogate pair: round down to the rune.
			return off
		}
		units += n
		off += size
	}
	return end
}

// position converts a byte offset in t to a position. Offsets outside
// [0, len(t)] clamp; an offset inside a line terminator or a rune rounds
// down to the end of the line or the start of the rune.
func (idx lineIndex) position(t string, off int, enc encoding) protocol.Position {
	if off < 0 {
		off = 0
	}
	if off > len(t) {
		off = len(t)
	}
	line := sort.Search(len(idx), func(i int) bool { return int(idx[i]) > off }) - 1
	start, end := int(idx[line]), idx.lineEnd(t, line)
	if off > end {
		off = end
	}
	for off > start && off < len(t) && !utf8.RuneStart(t[off]) {
		off--
	}
	if enc == utf8Enc {
		return protocol.Position{Line: uint32(line), Character: uint32(off - start)}
	}
	return protocol.Position{Line: uint32(line), Character: uint32(utf16Len(t[start:off]))}
}

// utf16Len counts the UTF-16 code units of s. Invalid UTF-8 bytes count
// one each, as the U+FFFD an editor would show for them.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}

// lineStart returns the offset of the start of the line holding off.
func (idx lineIndex) lineStart(off int) int {
	line := sort.Search(len(idx), func(i int) bool { return int(idx[i]) > off }) - 1
	if line < 0 {
		return 0
	}
	return int(idx[line])
}
