package assist

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"switchyard/assist/repoindex"
	"switchyard/providers/providertest"
)

// The C and C++ corpus of the recall benchmark: part of the GNU C
// library from Debian 12's glibc-source, and the header-only C++
// libraries of nlohmann-json3-dev, libfmt-dev and libglm-dev, unpacked by
// .ci/recall-corpus-c.

// cCorpus is a folder of the unpacked corpus ("glibc/glibc-2.36",
// "nlohmann/usr/include"), "" when .ci/recall-corpus-c has not run.
func cCorpus(rel string) string {
	dir := providertest.CICache("SWITCHYARD_RECALL_C", "recall-c")
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		return ""
	}
	return p
}

var (
	// #include "a/b.h" or #include <a/b.h>.
	cInclude = regexp.MustCompile(`^\s*#\s*include\s*(?:"([^"]+)"|<([^>]+)>)`)
	// A name, or a C++ qualified one (a::b::c), with what follows it.
	cName = regexp.MustCompile(`[A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*`)
	// Test files of the corpora: glibc's tst-*.c, bug-*.c, test-*.c,
	// nss_test1.c.
	cTest = regexp.MustCompile(`^(?:tst|bug|test|tester)[-_.]|[-_]test\d*\.`)
)

// cUses finds lines of a C file that use a name defined in a file the
// file includes with #include "...", resolved as the C compiler does:
// first the including file's folder, then the project's include/ folder
// and its root ("../locale/localeinfo.h" from libio/ is the first). Only
// the included file itself is read, not what it includes in turn, and
// conditional compilation (#ifdef) is not followed. The name is used
// as a call, name(, for a function, anywhere on the line for a macro or
// a type. A definition is a #define, a struct, union, enum or typedef,
// or a function with its body; a header that only declares a function
// (a prototype) leads to the function's body: in a file the header
// itself includes, else in the project's other files (the linker's
// view), any of them when several define it. Names the file defines
// itself shadow the header's.
func cUses(ix *repoindex.Index, root, p, src string) []useSite {
	return cfamUses(ix, root, p, src, false)
}

// cppUses is cUses for C++: #include <...> of the project's headers
// counts as well (header-only libraries include each other that way),
// and so does a qualified use, ns::name, of a top-level name.
func cppUses(ix *repoindex.Index, root, p, src string) []useSite {
	return cfamUses(ix, root, p, src, true)
}

func cfamUses(ix *repoindex.Index, root, p, src string, cpp bool) []useSite {
	base := filepath.Base(p)
	if cTest.MatchString(base) || strings.Contains(p, "/tests/") || strings.Contains(p, "/test/") {
		return nil
	}
	cx := cIndex(ix)
	lines := strings.Split(src, "\n")
	code := strings.Split(cBlank(src), "\n")
	// Definitions of the directly included files, first include first.
	type target struct {
		path, first string
		also        map[string]string
		call        bool // a function: only name( uses it
	}
	reach := map[string]target{}
	skip := make([]bool, len(lines))
	for i, l := range lines {
		m := cInclude.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		skip[i] = true
		inc, quoted := m[1], true
		if inc == "" {
			inc, quoted = m[2], false
		}
		if !quoted && !cpp {
			continue
		}
		f := cx.resolve(root, p, inc, quoted)
		if f == "" || f == p {
			continue
		}
		for _, d := range ix.DefsIn(f) {
			if d.Container != "" || d.Kind.Member() {
				continue
			}
			if _, ok := reach[d.Name]; ok {
				continue
			}
			call := d.Kind == repoindex.KindFunc
			if first := cx.defFirst(f, d.Name); first != "" {
				reach[d.Name] = target{path: f, first: first, call: call}
				continue
			}
			if !call {
				continue
			}
			// A prototype: the body is where the header's own
			// includes put it (glm's .hpp includes its .inl), else
			// in any file of the project.
			var bodies []string
			for _, g := range cx.includes(root, f, cpp) {
				if cx.defFirst(g, d.Name) != "" {
					bodies = append(bodies, g)
				}
			}
			if len(bodies) == 0 {
				bodies = cx.bodies()[d.Name]
			}
			if len(bodies) == 0 {
				continue
			}
			t := target{path: bodies[0], first: cx.defFirst(bodies[0], d.Name), call: true, also: map[string]string{}}
			for _, b := range bodies[1:] {
				t.also[b] = cx.defFirst(b, d.Name)
			}
			reach[d.Name] = t
		}
	}
	own := map[string]bool{}
	for _, d := range ix.DefsIn(p) {
		own[d.Name] = true
		// The lines that define rather than use, as pyUses skips def
		// and class.
		for k := d.Line; k < min(len(skip), d.Line+1+strings.Count(d.Text, "\n")); k++ {
			skip[k] = true
		}
	}
	var out []useSite
	for i, t := range code {
		t = strings.TrimSpace(t)
		// A template's parameter list heads the definition below it.
		if skip[i] || t == "" || strings.HasPrefix(t, "#") || cpp && strings.HasPrefix(t, "template") {
			continue
		}
		for _, loc := range cName.FindAllStringIndex(t, -1) {
			// Not a member: x.name, p->name, and not the tail of a
			// path the match did not start at.
			if loc[0] > 0 && (t[loc[0]-1] == '.' || t[loc[0]-1] == '>' || t[loc[0]-1] == ':') {
				continue
			}
			segs := rustSegs(t[loc[0]:loc[1]])
			if len(segs) > 1 && !cpp {
				continue
			}
			name := segs[len(segs)-1]
			if segs[0] == "std" {
				continue
			}
			if len(segs) == 1 && own[name] {
				continue
			}
			tg, ok := reach[name]
			if !ok || tg.path == p {
				continue
			}
			if tg.call && !strings.HasPrefix(strings.TrimLeft(t[loc[1]:], " \t"), "(") {
				continue
			}
			out = append(out, useSite{line: i, name: name, defPath: tg.path, defFirst: tg.first, also: tg.also})
			break
		}
	}
	return out
}

// cfamIndex holds what cUses reads again and again of one index: the
// files' texts, which functions have a body where, the includes.
type cfamIndex struct {
	ix    *repoindex.Index
	mu    sync.Mutex
	paths map[string]bool
	texts map[string][]string // blanked lines
	body  map[string][]string // function name -> files defining it with a body
}

var cfamIndexes sync.Map // *repoindex.Index -> *cfamIndex

func cIndex(ix *repoindex.Index) *cfamIndex {
	if c, ok := cfamIndexes.Load(ix); ok {
		return c.(*cfamIndex)
	}
	c := &cfamIndex{ix: ix, paths: map[string]bool{}, texts: map[string][]string{}}
	for _, q := range ix.Paths() {
		c.paths[q] = true
	}
	got, _ := cfamIndexes.LoadOrStore(ix, c)
	return got.(*cfamIndex)
}

// resolve is the indexed file an include names, "" when it is not one of
// the project's: "..." from the including file's folder first, then
// (as <...>) from the include roots, root/include and root.
func (c *cfamIndex) resolve(root, from, inc string, quoted bool) string {
	var cands []string
	if quoted {
		cands = append(cands, filepath.Join(filepath.Dir(from), inc))
	}
	cands = append(cands, filepath.Join(root, "include", inc), filepath.Join(root, inc))
	for _, f := range cands {
		if c.paths[f] {
			return f
		}
	}
	return ""
}

// includes are the project's files that f includes directly.
func (c *cfamIndex) includes(root, f string, cpp bool) []string {
	imps, _ := c.ix.Imports(f)
	var out []string
	for _, im := range imps {
		// The index keeps the name, not how it was written: try both.
		g := c.resolve(root, f, im, true)
		if g == "" || !cpp && !c.quoted(f, im) {
			continue
		}
		out = append(out, g)
	}
	return out
}

// quoted reports whether f includes inc as #include "inc".
func (c *cfamIndex) quoted(f, inc string) bool {
	b, err := os.ReadFile(f)
	if err != nil {
		return false
	}
	return strings.Contains(string(b), `"`+inc+`"`)
}

// text is f's lines with comments and string contents blanked.
func (c *cfamIndex) text(f string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.texts[f]; ok {
		return t
	}
	b, _ := os.ReadFile(f)
	t := strings.Split(cBlank(string(b)), "\n")
	c.texts[f] = t
	return t
}

// defFirst is the first line of name's definition in f as the index
// holds it: a macro, a type, or a function with its body, not a
// prototype.
func (c *cfamIndex) defFirst(f, name string) string {
	for _, d := range c.ix.DefsIn(f) {
		if d.Name != name || d.Container != "" || d.Kind.Member() {
			continue
		}
		if d.Kind == repoindex.KindFunc && !hasBody(c.text(f), d.Line, name) {
			continue
		}
		first, _, _ := strings.Cut(d.Text, "\n")
		return first
	}
	return ""
}

// bodies maps each function name to the files that define it with a
// body, over the whole index, read once.
func (c *cfamIndex) bodies() map[string][]string {
	c.mu.Lock()
	done := c.body != nil
	c.mu.Unlock()
	if done {
		return c.body
	}
	m := map[string][]string{}
	for q := range c.paths {
		if cTest.MatchString(filepath.Base(q)) {
			continue
		}
		for _, d := range c.ix.DefsIn(q) {
			if d.Kind == repoindex.KindFunc && d.Container == "" && hasBody(c.text(q), d.Line, d.Name) {
				m[d.Name] = append(m[d.Name], q)
			}
		}
	}
	for _, fs := range m {
		slices.Sort(fs)
	}
	c.mu.Lock()
	c.body = m
	c.mu.Unlock()
	return m
}

// hasBody reports whether the function declared by name on line goes on
// to a body: after its parameter list closes, "{" comes before ";".
func hasBody(lines []string, line int, name string) bool {
	if line >= len(lines) {
		return false
	}
	i := strings.Index(lines[line], name)
	if i < 0 {
		return false
	}
	depth, opened := 0, false
	col := i + len(name)
	for l := line; l < len(lines) && l < line+40; l, col = l+1, 0 {
		s := lines[l]
		for ; col < len(s); col++ {
			switch s[col] {
			case '(':
				depth++
				opened = true
			case ')':
				depth--
			case '{':
				if opened && depth == 0 {
					return true
				}
			case ';', '=':
				if opened && depth == 0 {
					return false
				}
			}
		}
	}
	return false
}

// cBlank blanks C and C++ comments and the contents of string and
// character literals, keeping every line break, so names are read from
// code alone.
func cBlank(src string) string {
	b := []byte(src)
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '/':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '*':
			b[i], b[i+1] = ' ', ' '
			for i += 2; i < len(b) && !(b[i] == '*' && i+1 < len(b) && b[i+1] == '/'); i++ {
				if b[i] != '\n' {
					b[i] = ' '
				}
			}
			if i+1 < len(b) {
				b[i], b[i+1] = ' ', ' '
				i++
			}
		case b[i] == '"' || b[i] == '\'':
			q := b[i]
			for i++; i < len(b) && b[i] != q && b[i] != '\n'; i++ {
				if b[i] == '\\' && i+1 < len(b) && b[i+1] != '\n' {
					b[i] = ' '
					i++
				}
				b[i] = ' '
			}
		}
	}
	return string(b)
}
