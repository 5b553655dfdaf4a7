package lsp_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

// The next-edit fidelity benchmark on real history: Go files that changed
// in two or more places between two consecutive releases of a module
// (golang.org/x/tools and golang.org/x/net, fetched by
// .ci/nextedit-history). The user makes the file's first change, line by
// line as an editor sends it; the true next edit is its second change.
// A fake model answers the true region (the window it is shown, with the
// second change made when it lies in the window), so what is measured is
// the pipeline, as in TestNextEditFidelityStdlibRenames.

// historyHunk is one change of a file between two releases: the whole
// lines text[start:end] of the old file become text.
type historyHunk struct {
	start, end int
	text       string
}

// historyCase is one multi-site change: the file before, and its first
// two changes. A rename is one too: the name where it is declared, then
// at its first use.
type historyCase struct {
	name          string // module@old..new/path
	text          string
	first, second historyHunk
}

// historyCorpus returns the folder .ci/nextedit-history fills, skipping
// the test when it is not there.
func historyCorpus(t testing.TB) string {
	t.Helper()
	dir, ok := historyCorpusDir()
	if !ok {
		t.Skipf("no next-edit history corpus in %s: run .ci/nextedit-history to fetch it (or set SWITCHYARD_NEXTEDIT_HISTORY)", dir)
	}
	return dir
}

// historyCorpusDir is where the corpus is looked for, and whether it is
// there.
func historyCorpusDir() (string, bool) {
	dir := providertest.CICache("SWITCHYARD_NEXTEDIT_HISTORY", "nextedit-history")
	_, err := os.Stat(filepath.Join(dir, "pairs"))
	return dir, err == nil
}

// historyCases builds a case from every Go file (tests included, since
// they are edited too) that differs in two or more places between the
// releases of each pair of the corpus, in the order of the pairs and of
// the paths.
func historyCases(t testing.TB, dir string) []historyCase {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "pairs"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []historyCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		oldDir, newDir, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		oldDir, newDir = filepath.Join(dir, oldDir), filepath.Join(dir, newDir)
		var paths []string
		_ = filepath.WalkDir(oldDir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
				rel, _ := filepath.Rel(oldDir, p)
				paths = append(paths, rel)
			}
			return nil
		})
		slices.Sort(paths)
		for _, rel := range paths {
			a, err1 := os.ReadFile(filepath.Join(oldDir, rel))
			b, err2 := os.ReadFile(filepath.Join(newDir, rel))
			if err1 != nil || err2 != nil || string(a) == string(b) {
				continue
			}
			hunks := lineHunks(string(a), string(b))
			if len(hunks) < 2 {
				continue
			}
			cases = append(cases, historyCase{
				name:   filepath.Base(oldDir) + ".." + filepath.Base(newDir)[strings.LastIndexByte(filepath.Base(newDir), '@')+1:] + "/" + rel,
				text:   string(a),
				first:  hunks[0],
				second: hunks[1],
			})
		}
	}
	if len(cases) == 0 {
		t.Skipf("the next-edit history corpus in %s has no multi-site changes: run .ci/nextedit-history again", dir)
	}
	return cases
}

// lineHunks is what `diff -U0 a b` shows: each run of changed lines,
// found by the line diff the server itself uses (go-diff's Myers).
func lineHunks(a, b string) []historyHunk {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	ca, cb, lines := dmp.DiffLinesToChars(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	var (
		out     []historyHunk
		pos     int
		pending *historyHunk
	)
	for _, d := range diffs {
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			if pending != nil {
				out = append(out, *pending)
				pending = nil
			}
			pos += len(d.Text)
		case diffmatchpatch.DiffDelete:
			if pending == nil {
				pending = &historyHunk{start: pos, end: pos}
			}
			pos += len(d.Text)
			pending.end = pos
		case diffmatchpatch.DiffInsert:
			if pending == nil {
				pending = &historyHunk{start: pos, end: pos}
			}
			pending.text += d.Text
		}
	}
	if pending != nil {
		out = append(out, *pending)
	}
	return out
}

// renameAsHistory is c as a multi-site change.
func renameAsHistory(c renameCase) historyCase {
	return historyCase{
		name:   c.name,
		text:   c.text,
		first:  historyHunk{start: c.decl, end: c.decl + len(c.old), text: c.new},
		second: historyHunk{start: c.use, end: c.use + len(c.old), text: c.new},
	}
}

// trimHunk narrows h to the bytes that change, as a user makes a change:
// the text it shares with what it replaces at either end stays.
func trimHunk(text string, h historyHunk) historyHunk {
	old := text[h.start:h.end]
	p := 0
	for p < len(old) && p < len(h.text) && old[p] == h.text[p] {
		p++
	}
	s := 0
	for s < len(old)-p && s < len(h.text)-p && old[len(old)-1-s] == h.text[len(h.text)-1-s] {
		s++
	}
	return historyHunk{start: h.start + p, end: h.end - s, text: h.text[p : len(h.text)-s]}
}

// typeHunk sends h as an editor sends a user's change: the old text
// selected and deleted, then the new text typed a line at a time.
func typeHunk(t *testing.T, s *session, uri string, h historyHunk) {
	t.Helper()
	if h.end > h.start {
		rng := lsptest.Range{Start: s.Pos(uri, h.start), End: s.Pos(uri, h.end)}
		if err := s.Change(uri, lsptest.ContentChange{Range: &rng, Text: ""}); err != nil {
			t.Fatal(err)
		}
	}
	at, rest := h.start, h.text
	for rest != "" {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		p := s.Pos(uri, at)
		if err := s.Change(uri, lsptest.ContentChange{Range: &lsptest.Range{Start: p, End: p}, Text: line}); err != nil {
			t.Fatal(err)
		}
		at, rest = at+len(line), rest[len(line):]
	}
}

// makeFirstChange types c's first change into the open document uri and
// returns the text after it, the second change against that text as the
// user would make it, and where the user is: where the first ended.
func makeFirstChange(t *testing.T, s *session, uri string, c historyCase) (now string, next historyHunk, cursor int) {
	t.Helper()
	first := trimHunk(c.text, c.first)
	typeHunk(t, s, uri, first)
	now = s.Text(uri)
	if want := c.text[:c.first.start] + c.first.text + c.text[c.first.end:]; now != want {
		t.Fatalf("%s: the client's text after the first change is not the file with it made", c.name)
	}
	shift := len(c.first.text) - (c.first.end - c.first.start)
	next = trimHunk(now, historyHunk{start: c.second.start + shift, end: c.second.end + shift, text: c.second.text})
	return now, next, first.start + len(first.text)
}

func TestNextEditFidelityHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("replays hundreds of edits")
	}
	cases := historyCases(t, historyCorpus(t))
	fake := providertest.NewOpenAI(t)
	hr := &hunkRegion{}
	fake.Handle(hr.answer)
	s := start(t, nextEditConfig(fake.URL, "enabled = true"), lsptest.InitOptions{})

	var matched, above, below, straddling, most int
	var lat []time.Duration
	for i, c := range cases {
		uri := fileURI(filepath.Join(s.dir, "history", strings.NewReplacer("/", "_", "@", "_").Replace(c.name)))
		if err := s.Open(uri, "go", c.text); err != nil {
			t.Fatal(err)
		}
		now, next, cursor := makeFirstChange(t, s, uri, c)
		first := trimHunk(c.text, c.first)
		truth := now[:next.start] + next.text + now[next.end:]
		hr.mu.Lock()
		hr.text, hr.next, hr.inWindow, hr.at, hr.window = now, next, false, -1, 0
		hr.mu.Unlock()

		began := time.Now()
		got, raw := s.nextEdit(t, uri, cursor)
		lat = append(lat, time.Since(began))
		hr.mu.Lock()
		in, at, window := hr.inWindow, hr.at, hr.window
		hr.mu.Unlock()
		if at < 0 {
			t.Fatalf("case %d %s: the fake was not asked, or was shown a window that is not in the document", i, c.name)
		}
		ok := got != nil && got.Version == s.Version(uri) && applyAll(now, got.Edits, s.Encoding()) == truth
		switch {
		case ok:
			matched++
		case !in:
			// By design: the model is shown only the window, and the
			// fake, like a model, changes nothing it is not shown.
			switch {
			case next.end <= at:
				above++
			case next.start >= at+window:
				below++
			default:
				straddling++
				t.Logf("case %d %s: excluded, its next change (bytes %d to %d) runs across the edge of the window (bytes %d to %d)", i, c.name, next.start, next.end, at, at+window)
			}
			if got != nil {
				t.Errorf("case %d %s: the model changed nothing, yet a suggestion came back: %s", i, c.name, raw)
			}
		case 2*(next.end-next.start) > window:
			most++ // by design: a rewrite of most of the window is dropped
			t.Logf("case %d %s: excluded, its next change replaces %d of the window's %d bytes", i, c.name, next.end-next.start, window)
		default:
			b, _ := json.Marshal(c.name)
			t.Errorf("case %d %s: the true next edit, in the window, did not come back exactly:\nfirst %+v\nnext %+v\ngot %s", i, b, first, next, raw)
		}
		if err := s.CloseDocument(uri); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(lat)
	kept := len(cases) - above - below - straddling - most
	if kept == 0 {
		t.Errorf("no case had its next change in the window: nothing was measured")
	}
	t.Logf("next-edit fidelity on real history: %d multi-site changes; exact match %d of %d (%.1f%%); excluded by design: next change outside the window %d (%d above it, %d below, %d across its edge), rewriting most of the window %d; exact %d of %d not excluded (%.1f%%); request p50 %.2f ms, p99 %.2f ms with the fake",
		len(cases), matched, len(cases), 100*float64(matched)/float64(len(cases)),
		above+below+straddling, above, below, straddling, most, matched, kept, 100*float64(matched)/float64(max(kept, 1)),
		ms(percentile(lat, 50)), ms(percentile(lat, 99)))
}
