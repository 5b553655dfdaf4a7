package assist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"

	"switchyard/providers"
)

// rebase moves the edits across the user's typing. The snapshot and the
// current text are compared only where they differ: their common prefix
// and suffix are cut off first, so a 1 MB document costs a byte scan plus
// a diff of the stretch between the first and the last change. The diff
// splits that stretch into hunks (runs of deleted and inserted text
// between unchanged text); an edit that lies wholly in unchanged text
// moves by the length changes of the hunks before it, and one that
// touches a hunk makes the whole edit stale.
//
// A hunk could sometimes have been made at several places ("aa" became
// "aaa", or "xaay" became "xay"). Each hunk's span therefore covers every
// place it could have been made with its neighbours held fixed, so an
// edit is moved only when every reading of the change agrees on where it
// lands. An insertion
// exactly at a span's edge is refused too: whether it goes before or
// after the user's text cannot be known. Where text repeats so that two
// equally short diffs pair the same text differently, the diff's pairing
// is taken, as any diff or merge tool does: each edit still lands on the
// very text it replaces.
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
	hunks := changedSpans(c.Base, cur.Text)
	out.Edits = make([]TextEdit, len(c.Edits))
	for i, e := range c.Edits {
		// Spans are in order and both their ends only grow, so the
		// hunks an edit comes after are a prefix of the list.
		k := sort.Search(len(hunks), func(j int) bool {
			h := hunks[j]
			return !(e.Start > h.hi || e.Start == h.hi && e.Start < e.End)
		})
		if k < len(hunks) {
			if h := hunks[k]; !(e.End < h.lo || e.End == h.lo && e.Start < e.End) {
				return c, fmt.Errorf("%s: the text the edit changes was edited since the request began (bytes %d to %d): %w", c.Path, h.lo, h.hi, ErrStale)
			}
		}
		delta := 0
		if k > 0 {
			delta = hunks[k-1].shift
		}
		out.Edits[i] = TextEdit{Start: e.Start + delta, End: e.End + delta, NewText: e.NewText}
	}
	out.Base = cur.Text
	return out, nil
}

// hunk is one stretch of the snapshot that the user changed: [lo, hi) in
// the snapshot's bytes, widened to every place the change could have
// been made, and shift, how far text after it has moved (the length
// changes of this hunk and all before it).
type hunk struct{ lo, hi, shift int }

// rebaseDiffTimeout bounds the diff of one rebase. A diff cut short is
// still a correct one, only coarser: it may call an edit stale that a
// full diff would have moved, never the reverse. A variable so that
// tests which assert the exact diff can lift it (0: no bound): on a busy
// machine even a short diff can run out of time.
var rebaseDiffTimeout = 200 * time.Millisecond

// changedSpans returns the hunks that turn old into now, in order.
func changedSpans(old, now string) []hunk {
	n := min(len(old), len(now))
	pre := 0
	for pre < n && old[pre] == now[pre] {
		pre++
	}
	// The diff works on runes, so both cuts fall on rune starts.
	for pre > 0 && !(runeStartAt(old, pre) && runeStartAt(now, pre)) {
		pre--
	}
	suf := 0
	for suf < n-pre && old[len(old)-1-suf] == now[len(now)-1-suf] {
		suf++
	}
	for suf > 0 && !runeStartAt(old, len(old)-suf) {
		suf--
	}
	a, b := old[pre:len(old)-suf], now[pre:len(now)-suf]

	// Raw hunks in old and now coordinates, from the diff of the middle.
	type raw struct{ oLo, oHi, nLo, nHi int }
	var raws []raw
	if utf8.ValidString(a) && utf8.ValidString(b) {
		dmp := diffmatchpatch.New()
		dmp.DiffTimeout = rebaseDiffTimeout
		o, m := pre, pre
		open := false
		for _, d := range dmp.DiffMain(a, b, true) {
			switch d.Type {
			case diffmatchpatch.DiffEqual:
				o += len(d.Text)
				m += len(d.Text)
				open = false
				continue
			case diffmatchpatch.DiffDelete:
				if !open {
					raws = append(raws, raw{o, o, m, m})
				}
				o += len(d.Text)
			case diffmatchpatch.DiffInsert:
				if !open {
					raws = append(raws, raw{o, o, m, m})
				}
				m += len(d.Text)
			}
			open = true
			raws[len(raws)-1].oHi, raws[len(raws)-1].nHi = o, m
		}
		if o != len(old)-suf || m != len(now)-suf {
			raws = nil // the diff did not add up: fall back to one hunk
		}
	}
	if raws == nil {
		// Text that is not UTF-8 is taken as one change from the first
		// difference to the last.
		raws = []raw{{pre, len(old) - suf, pre, len(now) - suf}}
	}

	// Widen each hunk over the unchanged text on either side of it, up to
	// the next hunks: inside that window old and now differ by this hunk
	// alone. With p bytes of common prefix and s of common suffix there,
	// a smallest change keeps P <= p bytes in front and S <= s behind,
	// P+S = m; the union of what those readings replace runs from the
	// fewest bytes kept in front to the fewest kept behind.
	out := make([]hunk, len(raws))
	for i, r := range raws {
		oA, nA, oB, nB := 0, 0, len(old), len(now)
		if i > 0 {
			oA, nA = raws[i-1].oHi, raws[i-1].nHi
		}
		if i+1 < len(raws) {
			oB, nB = raws[i+1].oLo, raws[i+1].nLo
		}
		wo, wn := old[oA:oB], now[nA:nB]
		// The unchanged text on either side is known to match; only
		// what lies beyond it is compared.
		k := min(len(wo), len(wn))
		// A reading never splits a rune, so both stop on rune starts.
		p0 := r.oLo - oA
		p := p0
		for p < k && wo[p] == wn[p] {
			p++
		}
		for p > p0 && !(runeStartAt(wo, p) && runeStartAt(wn, p)) {
			p--
		}
		s0 := oB - r.oHi
		s := s0
		for s < k && wo[len(wo)-1-s] == wn[len(wn)-1-s] {
			s++
		}
		for s > s0 && !runeStartAt(wo, len(wo)-s) {
			s--
		}
		m := min(p+s, k)
		lo, hi := oA+m-s, oB-(m-p)
		out[i] = hunk{lo: min(lo, r.oLo), hi: max(hi, r.oHi), shift: r.nHi - r.oHi}
	}
	return out
}

// runeStartAt reports whether i is a place a rune may begin in s: its
// end, or a byte that is not a UTF-8 continuation byte.
func runeStartAt(s string, i int) bool { return i >= len(s) || utf8.RuneStart(s[i]) }

func versionPtr(v int32) *int32 { return &v }

// The edit format asked of models is the SEARCH/REPLACE block that
// coding models are trained on and that applies exactly:
//
//	path/to/file.go
//	<<<<<<< SEARCH
//	lines copied from the file
//	=======
//	lines to put in their place
//	>>>>>>> REPLACE
//
// plus one line "RENAME old/path -> new/path" for a rename and, for a
// refactor, one line "DELETE path" for a file to remove. A unified
// diff was the other choice; its line numbers and hunk counts are what
// models get wrong most often, while a search text either matches the
// file or is plainly rejected.

// block is one parsed part of an answer.
type block struct {
	n       int    // 1-based, in answer order, for messages
	path    string // as the model wrote it
	search  string // whole lines, each ending in "\n"; "" for a new file or an append
	replace string
	newPath string // a RENAME line: path -> newPath
	delete  bool   // a DELETE line: path
}

var (
	searchRE  = lazyRegexp(`^\s*<{5,9}\s*SEARCH\s*$`)
	dividerRE = lazyRegexp(`^\s*={5,9}\s*$`)
	replaceRE = lazyRegexp(`^\s*>{5,9}\s*REPLACE\s*$`)
	renameRE  = lazyRegexp(`^\W{0,4}RENAME:?\s+(\S+)\s*(?:->|→|to)\s*(\S+?)\W{0,4}$`)
	// deleteRE takes the path as one token, so a line of prose or SQL
	// ("DELETE FROM users;") is never read as a deletion.
	deleteRE = lazyRegexp(`^\s*\W{0,4}DELETE[:*_]*\s+(\S+?)\W{0,4}\s*$`)
	fenceRE  = lazyRegexp("^\\s*(`{3,}|~{3,})")
)

// parseBlocks reads every block of an answer. Text outside blocks
// (chatter, fences, headings) is skipped; a file name is the last line
// before a block that looks like a path, and a block with none belongs
// to the previous block's file. A block the answer leaves unfinished is a
// problem: it was cut off, and half an edit is never applied.
func parseBlocks(answer string) ([]block, []Problem) {
	answer = strings.ReplaceAll(answer, "\r\n", "\n")
	lines := strings.Split(answer, "\n")
	var (
		blocks   []block
		problems []Problem
		path     string // candidate file name for the next block
		lastPath string
		cur      *block
		section  int // 0 outside, 1 search, 2 replace
		body     []string
	)
	flush := func() string {
		if len(body) == 0 {
			return ""
		}
		s := strings.Join(body, "\n") + "\n"
		body = body[:0]
		return s
	}
	for _, line := range lines {
		switch section {
		case 0:
			if searchRE().MatchString(line) {
				n := len(blocks) + 1
				p := path
				if p == "" {
					p = lastPath
				}
				if p == "" {
					problems = append(problems, Problem{Block: n, Reason: "it names no file: write the file's path on the line before <<<<<<< SEARCH"})
				}
				cur = &block{n: n, path: p}
				blocks = append(blocks, *cur) // placeholder keeps numbering stable
				section = 1
				continue
			}
			if m := renameRE().FindStringSubmatch(line); m != nil {
				blocks = append(blocks, block{n: len(blocks) + 1, path: cleanPathToken(m[1]), newPath: cleanPathToken(m[2])})
				path = ""
				continue
			}
			if m := deleteRE().FindStringSubmatch(line); m != nil {
				if p := cleanPathToken(m[1]); p != "" {
					blocks = append(blocks, block{n: len(blocks) + 1, path: p, delete: true})
					path = ""
					continue
				}
			}
			if fenceRE().MatchString(line) {
				// "```go" may carry a file name after the language.
				if p := pathToken(strings.TrimLeft(strings.TrimSpace(line), "`~")); p != "" && strings.ContainsAny(p, "./") {
					if _, name, ok := strings.Cut(p, ":"); ok && name != "" {
						p = name
					}
					if strings.ContainsAny(p, "./") {
						path = p
					}
				}
				continue
			}
			if p := pathToken(line); p != "" {
				path = p
			}
		case 1:
			switch {
			case dividerRE().MatchString(line):
				cur.search = flush()
				section = 2
			case searchRE().MatchString(line) || replaceRE().MatchString(line):
				problems = append(problems, Problem{Path: cur.path, Block: cur.n, Reason: "its SEARCH part has no ======= line before the next marker: the block is malformed"})
				body = body[:0]
				section = 0
				blocks[cur.n-1].path = "" // dropped
			default:
				body = append(body, line)
			}
		case 2:
			switch {
			case replaceRE().MatchString(line):
				cur.replace = flush()
				blocks[cur.n-1] = *cur
				if cur.path != "" {
					lastPath = cur.path
				}
				path = ""
				section = 0
			case searchRE().MatchString(line):
				problems = append(problems, Problem{Path: cur.path, Block: cur.n, Reason: "a new SEARCH began before >>>>>>> REPLACE: the block is malformed"})
				blocks[cur.n-1].path = ""
				body = body[:0]
				section = 0
			default:
				body = append(body, line)
			}
		}
	}
	if section != 0 {
		problems = append(problems, Problem{Path: cur.path, Block: cur.n, Reason: "the answer ended inside this block, before >>>>>>> REPLACE: it was cut off"})
		blocks[cur.n-1].path = ""
	}
	kept := blocks[:0]
	for _, b := range blocks {
		if b.path != "" {
			kept = append(kept, b)
		}
	}
	return kept, problems
}

// pathToken returns the file name a line names, if the line is nothing
// but a file name with Markdown around it ("**a/b.go**", "`a/b.go`",
// "### File: a/b.go", "a/b.go:"); "" for any other line.
func pathToken(line string) string {
	s := strings.TrimSpace(line)
	s = strings.TrimLeft(s, "#>-*+ \t")
	for _, prefix := range []string{"File:", "file:", "Filename:", "filename:", "Path:", "path:"} {
		if strings.HasPrefix(s, prefix) {
			s = strings.TrimSpace(s[len(prefix):])
			break
		}
	}
	s = cleanPathToken(s)
	if s == "" || strings.ContainsAny(s, " \t<>|\"'(){};=,") || !strings.ContainsAny(s, "./") {
		return ""
	}
	return s
}

func cleanPathToken(s string) string {
	s = strings.Trim(strings.TrimSpace(s), "*`_")
	return strings.TrimSuffix(s, ":")
}

// fileEdit is the blocks for one file, resolved and matched.
type fileEdit struct {
	path    string // absolute
	shown   string // as the model wrote it, for messages
	exists  bool
	base    string
	doc     *Document // the open snapshot, nil for a file on disk or a new one
	edits   []TextEdit
	blockOf []int // block number of each edit
	create  bool
}

// match finds where search sits in text: exactly first, then line by
// line ignoring trailing whitespace and a consistent change of
// indentation (the drift models make when they copy code), then with the
// search's blank edge lines dropped. It returns every place it matches
// at the first level that matches at all, and for each the replacement
// re-indented the way the match was.
func match(text, search, replace string) []TextEdit {
	if m := exactMatches(text, search, replace); len(m) > 0 {
		return m
	}
	if m := looseMatches(text, search, replace); len(m) > 0 {
		return m
	}
	s, r := trimBlankEdges(search), trimBlankEdges(replace)
	if s != search && s != "" {
		if m := exactMatches(text, s, r); len(m) > 0 {
			return m
		}
		return looseMatches(text, s, r)
	}
	return nil
}

// exactMatches finds search at the start of lines. A search whose last
// line ends in "\n" also matches the file's last line when the file has
// no final newline.
func exactMatches(text, search, replace string) []TextEdit {
	var out []TextEdit
	for from := 0; from <= len(text); {
		i := strings.Index(text[from:], search)
		if i < 0 {
			break
		}
		at := from + i
		if at == 0 || text[at-1] == '\n' {
			out = append(out, TextEdit{Start: at, End: at + len(search), NewText: replace})
			from = at + len(search)
		} else {
			from = at + 1
		}
	}
	if len(out) == 0 && strings.HasSuffix(search, "\n") && !strings.HasSuffix(text, "\n") {
		s := strings.TrimSuffix(search, "\n")
		if strings.HasSuffix(text, s) && (len(text) == len(s) || text[len(text)-len(s)-1] == '\n') {
			out = append(out, TextEdit{Start: len(text) - len(s), End: len(text), NewText: strings.TrimSuffix(replace, "\n")})
		}
	}
	return out
}

type lineSpan struct{ start, end int } // end includes the "\n"

func splitLines(text string) []lineSpan {
	var out []lineSpan
	for start := 0; start < len(text); {
		i := strings.IndexByte(text[start:], '\n')
		end := len(text)
		if i >= 0 {
			end = start + i + 1
		}
		out = append(out, lineSpan{start, end})
		start = end
	}
	return out
}

func lineText(text string, l lineSpan) string {
	return strings.TrimRight(text[l.start:l.end], " \t\r\n")
}

func leading(s string) string { return s[:len(s)-len(strings.TrimLeft(s, " \t"))] }

func looseMatches(text, search, replace string) []TextEdit {
	want := strings.Split(strings.TrimSuffix(search, "\n"), "\n")
	if len(want) == 0 || (len(want) == 1 && strings.TrimSpace(want[0]) == "") {
		return nil
	}
	for i := range want {
		want[i] = strings.TrimRight(want[i], " \t\r")
	}
	lines := splitLines(text)
	var out []TextEdit
	for i := 0; i+len(want) <= len(lines); i++ {
		add, cut, ok := "", "", true
		first := true
		for j, w := range want {
			got := lineText(text, lines[i+j])
			if strings.TrimSpace(w) == "" || strings.TrimSpace(got) == "" {
				if strings.TrimSpace(w) != strings.TrimSpace(got) {
					ok = false
					break
				}
				continue
			}
			gi, wi := leading(got), leading(w)
			if first {
				first = false
				switch {
				case strings.HasPrefix(gi, wi):
					add = gi[len(wi):]
				case strings.HasPrefix(wi, gi):
					cut = wi[len(gi):]
				default:
					ok = false
				}
			}
			if !ok || got != add+strings.TrimPrefix(w, cut) || (cut != "" && !strings.HasPrefix(w, cut)) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		start, end := lines[i].start, lines[i+len(want)-1].end
		out = append(out, TextEdit{Start: start, End: end, NewText: reindent(replace, add, cut, strings.HasSuffix(text[start:end], "\n"))})
		i += len(want) - 1
	}
	return out
}

// reindent shifts every non-blank line of s by the indentation the
// search text was off by.
func reindent(s, add, cut string, finalNewline bool) string {
	if add == "" && cut == "" {
		if !finalNewline {
			return strings.TrimSuffix(s, "\n")
		}
		return s
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		lines[i] = add + strings.TrimPrefix(l, cut)
	}
	out := strings.Join(lines, "\n")
	if finalNewline && s != "" {
		out += "\n"
	}
	return out
}

func trimBlankEdges(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// toCRLF writes a block's text with the file's line endings, so that it
// matches a CRLF file and the replacement keeps its endings.
func toCRLF(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// applyEdits returns text with sorted, non-overlapping edits applied.
func applyEdits(text string, edits []TextEdit) string {
	var b strings.Builder
	b.Grow(len(text))
	at := 0
	for _, e := range edits {
		b.WriteString(text[at:e.Start])
		b.WriteString(e.NewText)
		at = e.End
	}
	b.WriteString(text[at:])
	return b.String()
}

// ApplyTo returns Base with c's edits applied: what the file will hold.
func (c FileChange) ApplyTo() string { return applyEdits(c.Base, c.Edits) }

// sortEdits orders edits by position and reports the first pair that
// overlaps, by index into the input.
func sortEdits(edits []TextEdit, blocks []int) (overlapA, overlapB int, ok bool) {
	idx := make([]int, len(edits))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ea, eb := edits[idx[a]], edits[idx[b]]
		if ea.Start != eb.Start {
			return ea.Start < eb.Start
		}
		return ea.End < eb.End
	})
	sorted := make([]TextEdit, len(edits))
	sortedBlocks := make([]int, len(edits))
	for i, j := range idx {
		sorted[i], sortedBlocks[i] = edits[j], blocks[j]
	}
	copy(edits, sorted)
	copy(blocks, sortedBlocks)
	for i := 1; i < len(edits); i++ {
		p, e := edits[i-1], edits[i]
		if e.Start < p.End || (e.Start == p.End && e.Start == e.End && p.Start == p.End) {
			return blocks[i-1], blocks[i], false
		}
	}
	return 0, 0, true
}

// toEdit turns an answer of SEARCH/REPLACE blocks into one Edit against
// the snapshots this request read, or rejects it whole with every
// problem named. allowed, when set, says why an action may not write a
// path ("" when it may). mayDelete admits DELETE lines; an action that
// may not delete rejects an answer that asks to.
func (j *job) toEdit(answer string, t providers.Target, allowed func(p string) string, mayDelete bool) (*Edit, error) {
	blocks, problems := parseBlocks(answer)
	if len(blocks) == 0 && len(problems) == 0 {
		return nil, &EditError{Problems: []Problem{{Reason: "the answer held no SEARCH/REPLACE block, so there is nothing to apply: " + quoteAnswer(answer)}}}
	}
	w := j.w
	reject := func(b block, format string, args ...any) {
		problems = append(problems, Problem{Path: b.path, Block: b.n, Reason: fmt.Sprintf(format, args...)})
	}
	check := func(b block, name string) (string, bool) {
		p, err := w.resolve(name)
		if err != nil {
			reject(b, "rejected: %v", err)
			return "", false
		}
		if allowed != nil {
			if why := allowed(p); why != "" {
				reject(b, "rejected: %s", why)
				return "", false
			}
		}
		if why := j.remoteMayNotWrite(p, t); why != "" {
			reject(b, "rejected: %s", why)
			return "", false
		}
		return p, true
	}

	// Renames first, so blocks may name a file by its new path.
	type rename struct {
		n        int
		from, to string
	}
	var renames []rename
	renamedTo := map[string]string{} // new path -> old path
	renamedFrom := map[string]bool{}
	for _, b := range blocks {
		if b.newPath == "" {
			continue
		}
		from, ok1 := check(b, b.path)
		to, ok2 := check(block{n: b.n, path: b.newPath}, b.newPath)
		if !ok1 || !ok2 {
			continue
		}
		switch {
		case !w.exists(from):
			reject(b, "it renames a file that does not exist")
		case w.exists(to):
			reject(b, "it renames onto %s, which exists", b.newPath)
		default:
			renames = append(renames, rename{b.n, from, to})
			renamedTo[to] = from
			renamedFrom[from] = true
		}
	}

	// Deletions next, so that a block editing a file the answer also
	// deletes is caught whichever comes first: an answer that does both
	// contradicts itself, and neither reading is safe to apply.
	var deletes []FileChange
	deletedBy := map[string]int{} // path -> block number of its DELETE
	for _, b := range blocks {
		if !b.delete {
			continue
		}
		if !mayDelete {
			reject(b, "rejected: %s may not delete files; only Refactor across files with AI may", j.title)
			continue
		}
		p, ok := check(b, b.path)
		if !ok {
			continue
		}
		if _, dup := deletedBy[p]; dup {
			continue // the same deletion twice is still one
		}
		info, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			reject(b, "it deletes %s, which does not exist", b.path)
			continue
		case err != nil:
			reject(b, "%s cannot be deleted: %v", b.path, err)
			continue
		case info.IsDir():
			reject(b, "%s is a folder: only files are deleted, one DELETE line each", b.path)
			continue
		case renamedFrom[p] || renamedTo[p] != "":
			reject(b, "it deletes %s, which the answer also renames: do one or the other", b.path)
			continue
		}
		c := FileChange{Op: OpDelete, Path: p}
		if d, ok := w.open[p]; ok {
			c.URI = d.URI
		}
		deletedBy[p] = b.n
		deletes = append(deletes, c)
	}

	files := map[string]*fileEdit{}
	var order []string
	type pending struct {
		b       block
		s, r    string
		matches []TextEdit
	}
	var all []*pending
	for _, b := range blocks {
		if b.newPath != "" || b.delete {
			continue
		}
		p, ok := check(b, b.path)
		if !ok {
			continue
		}
		if n, ok := deletedBy[p]; ok {
			reject(b, "it edits %s, which block %d deletes: an answer may edit a file or delete it, not both", b.path, n)
			continue
		}
		if old, ok := renamedTo[p]; ok {
			p = old
		}
		fe := files[p]
		if fe == nil {
			fe = &fileEdit{path: p, shown: b.path}
			text, doc, err := w.read(p)
			switch {
			case errors.Is(err, errNotExist):
				fe.create = true
			case err != nil:
				reject(b, "%s cannot be edited: %v", b.path, err)
				continue
			default:
				fe.exists, fe.base, fe.doc = true, text, doc
			}
			files[p] = fe
			order = append(order, p)
		}
		if fe.create {
			if b.search != "" {
				reject(b, "%s does not exist, so its SEARCH text cannot match; to create it, leave SEARCH empty", b.path)
				continue
			}
			fe.edits = append(fe.edits, TextEdit{NewText: b.replace})
			fe.blockOf = append(fe.blockOf, b.n)
			continue
		}
		s, r := b.search, b.replace
		if strings.Contains(fe.base, "\r\n") {
			s, r = toCRLF(s), toCRLF(r)
		}
		if s == r {
			continue // the model repeated the text: nothing to change
		}
		pd := &pending{b: b, s: s, r: r}
		if s == "" {
			// Append to the end of an existing file.
			text := r
			if fe.base != "" && !strings.HasSuffix(fe.base, "\n") {
				text = "\n" + text
			}
			pd.matches = []TextEdit{{Start: len(fe.base), End: len(fe.base), NewText: text}}
		} else {
			pd.matches = match(fe.base, s, r)
		}
		all = append(all, pd)
	}

	// A search text that matches k places is ambiguous, unless exactly k
	// blocks carry that same text for that file: then they are the k
	// places in order, which is how a model edits repeated lines.
	type key struct{ path, search string }
	groups := map[key][]*pending{}
	for _, pd := range all {
		p, _ := w.resolve(pd.b.path)
		if old, ok := renamedTo[p]; ok {
			p = old
		}
		k := key{p, pd.s}
		groups[k] = append(groups[k], pd)
	}
	for _, pd := range all {
		p, _ := w.resolve(pd.b.path)
		if old, ok := renamedTo[p]; ok {
			p = old
		}
		fe := files[p]
		g := groups[key{p, pd.s}]
		switch n := len(pd.matches); {
		case n == 0:
			reject(pd.b, "its SEARCH text does not match %s: the model quoted lines the file does not hold (or the file changed); nothing was applied", pd.b.path)
		case n == 1:
			fe.edits = append(fe.edits, pd.matches[0])
			fe.blockOf = append(fe.blockOf, pd.b.n)
		case len(g) == n:
			i := slices.Index(g, pd)
			fe.edits = append(fe.edits, pd.matches[i])
			fe.blockOf = append(fe.blockOf, pd.b.n)
		default:
			reject(pd.b, "its SEARCH text matches %d places in %s, so where to apply it is ambiguous: it must match exactly one", n, pd.b.path)
		}
	}
	for _, p := range order {
		fe := files[p]
		if fe.create || len(fe.edits) < 2 {
			continue
		}
		if a, b, ok := sortEdits(fe.edits, fe.blockOf); !ok {
			problems = append(problems, Problem{Path: fe.shown, Block: b, Reason: fmt.Sprintf("it changes the same text as block %d", a)})
		}
	}
	if len(problems) > 0 {
		return nil, &EditError{Problems: problems}
	}

	edit := &Edit{}
	var creates []FileChange
	for _, p := range order {
		fe := files[p]
		if len(fe.edits) == 0 {
			continue
		}
		if fe.create {
			var content strings.Builder
			for _, e := range fe.edits {
				content.WriteString(e.NewText)
			}
			creates = append(creates,
				FileChange{Op: OpCreate, Path: p},
				FileChange{Op: OpEdit, Path: p, Edits: []TextEdit{{NewText: content.String()}}})
			continue
		}
		c := FileChange{Op: OpEdit, Path: p, Base: fe.base, Edits: fe.edits}
		if fe.doc != nil {
			c.URI, c.Version = fe.doc.URI, versionPtr(fe.doc.Version)
		}
		edit.Changes = append(edit.Changes, c)
	}
	// Edits to a file come before its rename, since they name the old
	// path and version; deletions follow, and new files come last, after
	// any rename that frees their name.
	for _, r := range renames {
		edit.Changes = append(edit.Changes, FileChange{Op: OpRename, Path: r.from, NewPath: r.to})
	}
	edit.Changes = append(edit.Changes, deletes...)
	edit.Changes = append(edit.Changes, creates...)
	if len(edit.Changes) == 0 {
		return nil, &EditError{Problems: []Problem{{Reason: "every block left its file as it was, so there is nothing to apply"}}}
	}
	return edit, nil
}

// quoteAnswer shows the start of an answer in an error, so the user sees
// what the model said instead of an edit.
func quoteAnswer(answer string) string {
	answer = strings.TrimSpace(answer)
	if answer == "" {
		return "the answer was empty"
	}
	return fmt.Sprintf("%q", shorten(answer, 200))
}
