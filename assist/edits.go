package assist

import "fmt"

// rebase finds where Base and cur.Text differ, bounded by their longest
// common prefix and suffix, and shifts the edits after that span. Where
// prefix and suffix overlap ("aa" became "aaa") the change could have
// been made at several places; the span then covers all of them, so an
// edit is moved only when every reading of the change agrees on where it
// lands. An insertion exactly at the span's edge is refused too: whether
// it goes before or after the user's text cannot be known.
func (c FileChange) rebase(cur Document) (FileChange, error) {
	if c.Op != OpEdit {
		return c, nil
	}
	out := c
	out.Version = versionPtr(cur.Version)
	if cur.URI != "" {
		out.URI = cur.URI
	}
	if cur.Text == c.Base {
		return out, nil
	}
	old, now := c.Base, cur.Text
	n := min(len(old), len(now))
	pre := 0
	for pre < n && old[pre] == now[pre] {
		pre++
	}
	suf := 0
	for suf < n && old[len(old)-1-suf] == now[len(now)-1-suf] {
		suf++
	}
	lo, hi := pre, len(old)-suf
	if hi < lo {
		lo, hi = hi, lo
	}
	delta := len(now) - len(old)
	out.Edits = make([]TextEdit, len(c.Edits))
	for i, e := range c.Edits {
		switch {
		case e.End < lo || e.End == lo && e.Start < e.End:
			out.Edits[i] = e
		case e.Start > hi || e.Start == hi && e.Start < e.End:
			out.Edits[i] = TextEdit{Start: e.Start + delta, End: e.End + delta, NewText: e.NewText}
		default:
			return c, fmt.Errorf("%s: the text the edit changes was edited since the request began (bytes %d to %d): %w", c.Path, lo, hi, ErrStale)
		}
	}
	out.Base = now
	return out, nil
}

func versionPtr(v int32) *int32 { return &v }
