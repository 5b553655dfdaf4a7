package lsp

import (
	"testing"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// refDoc is the reference model of a document for FuzzIncrementalSync:
// runes and a naive walk, written apart from position.go's line index.
type refDoc []rune

// offset is the rune index of p, with the clamping the specification
// leaves to the server and position.go documents: a line past the end is
// the end, a character past its line is the line's end, a character inside
// a rune (a surrogate pair in UTF-16, a byte sequence in UTF-8) rounds down.
func (d refDoc) offset(p protocol.Position, enc encoding) int {
	i, line := 0, uint32(0)
	for line < p.Line {
		for i < len(d) && d[i] != '\n' && d[i] != '\r' {
			i++
		}
		if i == len(d) {
			return len(d)
		}
		if d[i] == '\r' && i+1 < len(d) && d[i+1] == '\n' {
			i++
		}
		i++
		line++
	}
	units := 0
	for i < len(d) && d[i] != '\n' && d[i] != '\r' {
		n := utf8.RuneLen(d[i])
		if enc == utf16 {
			n = 1
			if d[i] >= 0x10000 {
				n = 2
			}
		}
		if units+n > int(p.Character) {
			break
		}
		units += n
		i++
	}
	return i
}

// FuzzIncrementalSync applies a sequence of changes made from script to
// text, in both position encodings, and compares each result with the
// reference model: same text, a line index equal to a rebuilt one, and
// no panic whatever the ranges say.
func FuzzIncrementalSync(f *testing.F) {
	f.Add("hello\nworld\n", []byte{0, 1, 0, 3, 2, 1, 0, 1, 9, 0}, "xy\n", false)
	f.Add("a😀b\r\nc\rd\n", []byte{0, 2, 0, 3, 1, 2, 0, 0, 5, 3}, "😀\r", false)
	f.Add("é€\n\n\r\r\n", []byte{1, 0, 3, 9, 4, 255, 0, 0, 0, 1}, "\r\n", true)
	f.Add("", []byte{9, 9, 9, 9, 9}, "z", true)
	f.Fuzz(func(t *testing.T, text string, script []byte, inserts string, utf8Mode bool) {
		if len(text) > 256 || len(script) > 200 {
			return
		}
		text = string([]rune(text)) // the reference model holds runes
		inserts = string([]rune(inserts))
		enc := utf16
		if utf8Mode {
			enc = utf8Enc
		}
		snap := newSnapshot("file:///f.go", "go", 1, text)
		ref := refDoc(text)
		ins := []rune(inserts)
		for i := 0; i+5 <= len(script); i += 5 {
			b := script[i : i+5]
			start := protocol.Position{Line: uint32(b[0] % 8), Character: uint32(b[1] % 16)}
			end := protocol.Position{Line: uint32(b[2] % 8), Character: uint32(b[3] % 16)}
			var piece []rune
			if len(ins) > 0 {
				from := int(b[4]) % len(ins)
				piece = ins[from:min(len(ins), from+int(b[4]%5))]
			}
			change := contentChange{Range: &protocol.Range{Start: start, End: end}, Text: string(piece)}
			if b[4] == 255 {
				change.Range = nil // a full replacement
			}
			snap = snap.applyChange(change, int32(i+2), enc)
			if change.Range == nil {
				ref = refDoc(string(piece))
			} else {
				s, e := ref.offset(start, enc), ref.offset(end, enc)
				if s > e {
					s, e = e, s
				}
				ref = append(append(append(refDoc{}, ref[:s]...), piece...), ref[e:]...)
			}
			if snap.text != string(ref) {
				t.Fatalf("after change %d (%v %q, %v): text %q, want %q", i/5, change.Range, change.Text, enc, snap.text, string(ref))
			}
			if !slicesEqual(snap.lines, buildLineIndex(snap.text)) {
				t.Fatalf("after change %d: line index %v, rebuilt %v", i/5, snap.lines, buildLineIndex(snap.text))
			}
		}
	})
}
