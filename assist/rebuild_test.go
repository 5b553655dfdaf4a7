package assist

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"switchyard/config"
	"switchyard/providers"
)

// A rebuild case is a real source file with a middle cut out: the
// document the editor holds is text[:start] + text[end:], the cursor is at
// start, and a perfect suggestion puts text[start:end] back.
type rebuildCase struct {
	file, lang string
	kind       string // where the hole is, see cutKinds
	text       string
	start, end int
	doc        string // text with the hole cut out, what the editor holds
}

// cutKinds are the places a completion is asked for:
//   - mid-line: inside a line, with code after the hole on the same line;
//   - end-of-line: the rest of a line;
//   - closers: inside a line up to its trailing closing punctuation
//     (")", "'))", "\"]", ");"), which stays after the hole;
//   - block: on a line blank up to the cursor and empty after it, one to
//     three lines of the block the cursor is in, ending with the line that
//     closes that block when the hole reaches it.
var cutKinds = []string{"mid-line", "end-of-line", "closers", "block"}

// habit is one way real models write the same answer.
type habit struct {
	name string
	// must: the target is an exact rebuild for every case.
	must   bool
	answer func(c rebuildCase, rng *rand.Rand) string
}

var fenceLang = map[string]string{"go": "go", "python": "python", "javascript": "javascript"}

var habits = []habit{
	{"plain", true, func(c rebuildCase, _ *rand.Rand) string { return c.middle() }},
	{"fenced", true, func(c rebuildCase, _ *rand.Rand) string {
		return "```" + fenceLang[c.lang] + "\n" + c.middle() + "\n```\n"
	}},
	// The model restates the line up to the cursor, indentation included.
	{"echoed", true, func(c rebuildCase, _ *rand.Rand) string { return c.linePrefix() + c.middle() }},
	// The model runs on past the hole: to the end of the line, and for
	// two cases in three one or two whole lines more.
	{"run-on", true, func(c rebuildCase, rng *rand.Rand) string {
		rest := c.text[c.end:]
		eol := strings.IndexByte(rest, '\n')
		if eol < 0 {
			return c.middle() + rest
		}
		more := rng.IntN(3)
		if c.kind == "block" || c.kind == "end-of-line" {
			more = 1 + rng.IntN(2) // the line itself adds nothing
		}
		n := eol
		for ; more > 0; more-- {
			next := strings.IndexByte(rest[n+1:], '\n')
			if next < 0 {
				n = len(rest)
				break
			}
			n += 1 + next
		}
		return c.middle() + rest[:n]
	}},
	{"leading-newline", false, func(c rebuildCase, _ *rand.Rand) string { return "\n" + c.middle() }},
	{"trailing-whitespace", false, func(c rebuildCase, _ *rand.Rand) string { return c.middle() + "  \n" }},
	{"chatter-after", false, func(c rebuildCase, _ *rand.Rand) string {
		return c.middle() + "\n\nThis completes the code at the cursor."
	}},
	{"crlf", false, func(c rebuildCase, _ *rand.Rand) string {
		return strings.ReplaceAll(c.middle(), "\n", "\r\n") + "\r\n"
	}},
	{"end-token", false, func(c rebuildCase, _ *rand.Rand) string { return c.middle() + "<|endoftext|>" }},
}

func (c rebuildCase) middle() string { return c.text[c.start:c.end] }

func (c rebuildCase) linePrefix() string {
	return c.text[strings.LastIndexByte(c.text[:c.start], '\n')+1 : c.start]
}

// rebuildCorpus cuts perKind holes of each kind out of every file in
// testdata/rebuild, at places chosen by a fixed seed.
func rebuildCorpus(t testing.TB, perKind int) []rebuildCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "rebuild", "*"))
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]string{".go": "go", ".py": "python", ".js": "javascript"}
	var out []rebuildCase
	for i, f := range files {
		lang, ok := langs[filepath.Ext(f)]
		if !ok {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(11, uint64(i)))
		lines := splitSourceLines(string(b))
		for _, kind := range cutKinds {
			seen := map[[2]int]bool{}
			for tries := 0; len(seen) < perKind && tries < 5000; tries++ {
				start, end, ok := cutHole(string(b), lines, kind, rng)
				if !ok || seen[[2]int{start, end}] {
					continue
				}
				seen[[2]int{start, end}] = true
				out = append(out, rebuildCase{file: filepath.Base(f), lang: lang, kind: kind, text: string(b), start: start, end: end,
					doc: string(b[:start]) + string(b[end:])})
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no source files in testdata/rebuild")
	}
	return out
}

// sourceLine is a line's byte range without its newline, and where its
// indentation ends.
type sourceLine struct{ start, text, end int }

func splitSourceLines(s string) []sourceLine {
	var out []sourceLine
	for off := 0; off < len(s); {
		end := strings.IndexByte(s[off:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += off
		}
		text := off + len(s[off:end]) - len(strings.TrimLeft(s[off:end], " \t"))
		out = append(out, sourceLine{off, text, end})
		off = end + 1
	}
	return out
}

// cutHole picks one hole of the given kind, or reports that the line it
// tried has none.
func cutHole(s string, lines []sourceLine, kind string, rng *rand.Rand) (start, end int, ok bool) {
	li := rng.IntN(len(lines))
	l := lines[li]
	if l.end-l.text < 4 {
		return 0, 0, false
	}
	// A hole inside a line starts after at least one character of code,
	// not inside an operator such as "//" or ":=" (the one place where a
	// plain answer and one restating the line cannot be told apart), and
	// ends after a token of code: the model stops after a token.
	switch kind {
	case "mid-line":
		start = l.text + 1 + rng.IntN(l.end-l.text-2)
		end = start + 1 + rng.IntN(l.end-start-1)
		if !midLine(s[end:l.end]) || !tokenEnds(s, end) {
			return 0, 0, false
		}
	case "end-of-line":
		start, end = l.text+1+rng.IntN(l.end-l.text-1), l.end
	case "closers":
		body := strings.TrimRight(s[l.text:l.end], ")]}\"'`;,")
		run := s[l.text+len(body) : l.end]
		if !strings.ContainsAny(run, ")]}\"'`") || len(strings.TrimSpace(body)) < 2 {
			return 0, 0, false
		}
		end = l.text + len(body)
		start = l.text + 1 + rng.IntN(end-l.text-1)
	case "block":
		start = l.text
		if rng.IntN(4) == 0 {
			start = l.start // the cursor at the start of the line
		}
		end = l.end
		base := blockIndent(s[:l.start], width(s[l.start:l.end]))
		for k, j := 1+rng.IntN(3), li+1; k > 1 && j < len(lines); k, j = k-1, j+1 {
			n := lines[j]
			if isBlank(s[n.start:n.end]) {
				break
			}
			if width(s[n.start:n.end]) < base {
				if closerOnly(s[n.start:n.end]) {
					end = n.end
				}
				break
			}
			end = n.end
		}
	}
	if kind != "block" && !isIdentByte(s[start-1]) && !isIdentByte(s[start]) && !tokenEnds(s, start) {
		return 0, 0, false
	}
	if isBlank(s[start:end]) || strings.TrimRight(s[start:end], " \t") != s[start:end] {
		return 0, 0, false
	}
	return start, end, true
}

// tokenEnds reports whether a token of code ends at s[i]: a model stops
// after a token, so a hole inside a line does not end inside "append",
// "||" or ":=".
func tokenEnds(s string, i int) bool {
	a, b := s[i-1], s[i]
	switch {
	case a == ' ' || a == '\t' || b == ' ' || b == '\t':
		return true
	case isIdentByte(a) && isIdentByte(b):
		return false
	case !isIdentByte(a) && !isIdentByte(b):
		const single = "()[]{}\"'`,;"
		return strings.IndexByte(single, a) >= 0 || strings.IndexByte(single+":", b) >= 0
	}
	return true
}

// blockIndent is the indentation of the block a line of the given width
// starts in, after prefix: the previous non-blank line's, one deeper when
// that line opens a block, and never more than the line's own.
func blockIndent(prefix string, lineWidth int) int {
	prev := strings.TrimRight(prefix, " \t\n")
	prev = prev[strings.LastIndexByte(prev, '\n')+1:]
	b := width(prev)
	if endsWithOpener(prev) {
		b++
	}
	return min(b, lineWidth)
}

// rebuildEngine answers every request with the answer set last, through
// the native fill-in-the-middle path the server uses for code models. The
// answer comes in pieces of one to eight bytes, as tokens do.
type rebuildEngine struct {
	e      *Engine
	answer string
	rng    *rand.Rand
}

func newRebuildEngine() *rebuildEngine {
	re := &rebuildEngine{rng: rand.New(rand.NewPCG(5, 5))}
	p := fimProvider{&fakeProvider{name: "local", answer: func() *fakeStream {
		var pieces []string
		for s := re.answer; s != ""; {
			n := min(len(s), 1+re.rng.IntN(8))
			pieces, s = append(pieces, s[:n]), s[n:]
		}
		return newStream(pieces...)
	}}}
	r := &fakeRouter{targets: []providers.Target{target("qwen", "qwen2.5-coder:1.5b", "", p)}}
	re.e = NewEngine(r, config.Completion{MultiLine: "auto"}, nil)
	return re
}

// accept asks for a completion with answer as the model's and reports
// whether accepting it, the suggestion's text replacing its range,
// rebuilds the file; got builds the document it leaves.
func (re *rebuildEngine) accept(t testing.TB, c rebuildCase, answer string) (exact bool, got func() string) {
	re.answer = answer
	doc := c.doc
	sugs, err := re.e.Complete(context.Background(), CompletionRequest{
		Doc:     Document{URI: "file:///src/" + c.file, Path: "/src/" + c.file, LanguageID: c.lang, Text: doc},
		Offset:  c.start,
		Invoked: true,
	})
	if err != nil {
		t.Fatalf("%s: %v", c.file, err)
	}
	if len(sugs) == 0 {
		return false, func() string { return doc }
	}
	s := sugs[0]
	// Compared piece by piece: the files are copied no more per answer.
	mid := s.Start + len(s.Text)
	exact = len(doc)-(s.End-s.Start)+len(s.Text) == len(c.text) &&
		c.text[:s.Start] == doc[:s.Start] && c.text[s.Start:mid] == s.Text && c.text[mid:] == doc[s.End:]
	return exact, func() string { return doc[:s.Start] + s.Text + doc[s.End:] }
}

type rebuildRate struct{ cases, exact int }

func (r rebuildRate) percent() float64 { return 100 * float64(r.exact) / float64(max(r.cases, 1)) }

// TestRebuildCorpus measures how often accepting the suggestion rebuilds
// the file exactly, per model habit, over holes cut from real Go, Python
// and JavaScript files; plain, fenced, echoed and run-on answers must
// always rebuild it. -v prints the table that BENCHMARKS.md records.
func TestRebuildCorpus(t *testing.T) {
	corpus := rebuildCorpus(t, 10)
	re := newRebuildEngine()
	rates := map[string]*rebuildRate{}
	byKind := map[string]*rebuildRate{}
	for _, h := range habits {
		rng := rand.New(rand.NewPCG(7, uint64(len(h.name))))
		r := &rebuildRate{}
		rates[h.name] = r
		misses := 0
		for _, c := range corpus {
			exact, got := re.accept(t, c, h.answer(c, rng))
			r.cases++
			k := byKind[h.name+" "+c.kind]
			if k == nil {
				k = &rebuildRate{}
				byKind[h.name+" "+c.kind] = k
			}
			k.cases++
			if exact {
				r.exact++
				k.exact++
				continue
			}
			if (h.must || testing.Verbose()) && misses < 10 {
				misses++
				line := strings.Count(c.text[:c.start], "\n") + 1
				report := t.Errorf
				if !h.must {
					report = t.Logf
				}
				report("%s, %s:%d (%s): the accepted line is\n\t%q\nwant\n\t%q", h.name, c.file, line, c.kind,
					lineAt(got(), c.start), lineAt(c.text, c.start))
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d holes (%s) in the files of testdata/rebuild\n", len(corpus), strings.Join(cutKinds, ", "))
	fmt.Fprintf(&b, "| habit | cases | exact rebuild |\n|---|---|---|\n")
	for _, h := range habits {
		r := rates[h.name]
		fmt.Fprintf(&b, "| %s | %d | %.1f %% |\n", h.name, r.cases, r.percent())
	}
	keys := make([]string, 0, len(byKind))
	for k := range byKind {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if r := byKind[k]; r.exact < r.cases {
			fmt.Fprintf(&b, "  %s: %d of %d\n", k, r.exact, r.cases)
		}
	}
	t.Log("\n" + b.String())
}

// lineAt is the line of s that holds offset off, and the next one.
func lineAt(s string, off int) string {
	off = min(off, len(s))
	from := strings.LastIndexByte(s[:off], '\n') + 1
	to := len(s)
	if i := strings.IndexByte(s[off:], '\n'); i >= 0 {
		to = off + i
		if j := strings.IndexByte(s[to+1:], '\n'); j >= 0 {
			to += 1 + j
		} else {
			to = len(s)
		}
	}
	return s[from:to]
}
