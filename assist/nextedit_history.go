package assist

import (
	"strings"
	"sync"
)

// The edit history is what a next-edit model reads to guess what the
// user is doing: their recent edits, as whole-line hunks, across the
// open documents of the workspace. Every keystroke lands here, so
// recording one costs a scan of the edited line and nothing that grows
// with the document; consecutive keystrokes in one place are coalesced
// into one hunk, so "renamed a parameter" is one hunk and not twelve.

// Bounds of the history, whatever the user does.
const (
	// maxHistoryHunks is how many hunks are kept, from all documents;
	// [next_edit] max_hunks of them go into a prompt.
	maxHistoryHunks = 64
	// maxHunkBytes is the most text one hunk holds (before and after
	// together). A larger edit, a paste of a whole file say, is kept as
	// the last edit but its text is not, and it never goes to a model.
	maxHunkBytes = 16 << 10
)

// Hunk is one coalesced edit of whole lines: Old became New at line Line
// (0-based) of the document as it was just after the edit.
type Hunk struct {
	URI  string
	Path string
	Line int
	Old  string // whole lines, each with its terminator but maybe the last
	New  string
	// Large marks an edit too big to keep: Old and New are empty.
	Large bool
	// off is the byte offset of New in the document as it is now; valid
	// for the newest hunk only, which is the only one that coalesces.
	off int
}

// EditHistory is the bounded history of the user's recent edits. It is
// safe for concurrent use; the zero value is ready.
type EditHistory struct {
	mu    sync.Mutex
	hunks []Hunk // oldest first
}

// Record adds one change: before[start:end] was replaced by inserted
// bytes, giving after. It coalesces the change into the newest hunk when
// both are in the same document and touch the same or adjacent lines.
func (h *EditHistory) Record(uri, path, before, after string, start, end, inserted int) {
	if start < 0 || end < start || end > len(before) || start+inserted > len(after) {
		return
	}
	// The change's whole lines, before and after.
	ls := lineStartAt(before, start)
	le := lineEndAt(before, end)
	delta := inserted - (end - start)
	ne := le + delta

	h.mu.Lock()
	defer h.mu.Unlock()
	if n := len(h.hunks); n > 0 {
		last := &h.hunks[n-1]
		if last.URI == uri && !last.Large && ls <= last.off+len(last.New) && le >= last.off {
			us, ue := min(ls, last.off), max(le, last.off+len(last.New))
			if (last.off-us)+(ue-last.off-len(last.New))+len(last.Old)+(ue+delta-us) <= maxHunkBytes {
				line := last.Line
				if us < last.off {
					line -= strings.Count(before[us:last.off], "\n")
				}
				old := before[us:last.off] + last.Old + before[last.off+len(last.New):ue]
				now := after[us : ue+delta]
				if old == now {
					// Typed and taken back: nothing happened here.
					h.hunks = h.hunks[:n-1]
					return
				}
				// Cloned: a slice of the document would keep its whole
				// text alive as long as the hunk.
				*last = Hunk{URI: uri, Path: path, Line: line, Old: strings.Clone(old), New: strings.Clone(now), off: us}
				return
			}
		}
	}
	hk := Hunk{URI: uri, Path: path, Line: strings.Count(before[:ls], "\n"), off: ls}
	if (le-ls)+(ne-ls) > maxHunkBytes {
		hk.Large = true
	} else {
		hk.Old, hk.New = strings.Clone(before[ls:le]), strings.Clone(after[ls:ne])
		if hk.Old == hk.New {
			return
		}
	}
	if len(h.hunks) == maxHistoryHunks {
		copy(h.hunks, h.hunks[1:])
		h.hunks = h.hunks[:len(h.hunks)-1]
	}
	h.hunks = append(h.hunks, hk)
}

// RecordFull adds a change that replaced the whole text (full sync): the
// changed region is what lies between the common prefix and suffix.
func (h *EditHistory) RecordFull(uri, path, before, after string) {
	p := commonPrefixLen(before, after)
	s := commonSuffixLen(before[p:], after[p:])
	h.Record(uri, path, before, after, p, len(before)-s, len(after)-s-p)
}

// Recent returns up to n of the newest hunks, oldest first.
func (h *EditHistory) Recent(n int) []Hunk {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n > len(h.hunks) {
		n = len(h.hunks)
	}
	if n <= 0 {
		return nil
	}
	out := make([]Hunk, n)
	copy(out, h.hunks[len(h.hunks)-n:])
	return out
}

// Forget drops the hunks of a closed document.
func (h *EditHistory) Forget(uri string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	kept := h.hunks[:0]
	for _, hk := range h.hunks {
		if hk.URI != uri {
			kept = append(kept, hk)
		}
	}
	clear(h.hunks[len(kept):])
	h.hunks = kept
}

// lineStartAt is the offset of the start of the line holding off.
func lineStartAt(t string, off int) int {
	return strings.LastIndexByte(t[:off], '\n') + 1
}

// lineEndAt is the offset just past the terminator of the line holding
// off, or len(t) on the last line. An offset at a line's start belongs
// to that line.
func lineEndAt(t string, off int) int {
	i := strings.IndexByte(t[off:], '\n')
	if i < 0 {
		return len(t)
	}
	return off + i + 1
}

func commonPrefixLen(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

func commonSuffixLen(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[len(a)-1-i] != b[len(b)-1-i] {
			return i
		}
	}
	return n
}
