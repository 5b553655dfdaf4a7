package assist

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"switchyard/assist/repoindex"
	"switchyard/config"
)

// The recall benchmark: in real code, remove a line that uses a symbol
// defined in another file, ask for context at that place with the
// default budget, and count how often the symbol's definition is in it.
// Which definition a line uses is decided by the language's own rules
// (Go: the package, or the package imported under the qualifier;
// Python: the module a "from ... import" or "import" names), not by the
// ranking under test. The three nearest files of the same folder stand
// for the files the editor has open; the definition's own file may be
// one of them, as it would be.
//
// It reads the whole Go and Python standard libraries and, when
// .ci/recall-corpus has installed them, TypeScript and JavaScript npm
// packages (zod, rxjs, lodash-es), so it runs only when asked:
//
//	SWITCHYARD_RECALL=1 go test -run TestRecall -v ./assist/
func TestRecall(t *testing.T) {
	only := os.Getenv("SWITCHYARD_RECALL_LANG")
	if os.Getenv("SWITCHYARD_RECALL") == "" {
		t.Skip("set SWITCHYARD_RECALL=1 to measure recall over the Go and Python standard libraries")
	}
	corpora := []struct {
		lang  string
		root  string
		truth func(ix *repoindex.Index, root, path, src string) []useSite
		// floor is the recall last measured (BENCHMARKS.md), less a
		// little: a change that loses recall fails here. The goal is
		// 80%.
		floor float64
	}{
		{"go", goSource(t), goUses, 0.78},
		{"python", pythonLib(), pyUses, 0.88},
		// TypeScript and JavaScript: .ci/recall-corpus installs them.
		{"typescript/zod", jsCorpus("zod", "src"), jsUses, 0.90},
		{"typescript/rxjs", jsCorpus("rxjs", "src"), jsUses, 0.86},
		{"javascript/lodash-es", jsCorpus("lodash-es", ""), jsUses, 0.95},
		// CommonJS: module.exports and require.
		{"javascript/express", jsCorpus("express", "lib"), jsUses, 0.9},
		{"javascript/lodash", jsCorpus("lodash", ""), jsUses, 0.95},
		// Java: .ci/recall-corpus-java unpacks part of the JDK's java.base.
		{"java/jdk", javaCorpus(), javaUses, 0.57},
		// Rust: .ci/recall-corpus-rust unpacks Debian's crate sources.
		{"rust/regex-syntax", rustCorpus("regex-syntax-0.6.27"), rustUses, 0.85},
		{"rust/serde", rustCorpus("serde-1.0.152"), rustUses, 0.6},
		{"rust/syn", rustCorpus("syn-1.0.107"), rustUses, 0.7},
		{"rust/clap", rustCorpus("clap-4.0.32"), rustUses, 0.55},
		{"rust/tokio", rustCorpus("tokio-1.24.2"), rustUses, 0.75},
		// C and C++: .ci/recall-corpus-c unpacks glibc's sources and
		// header-only C++ libraries.
		{"c/glibc", cCorpus("glibc/glibc-2.36"), cUses, 0.47},
		{"cpp/nlohmann", cCorpus("nlohmann/usr/include"), cppUses, 0.62},
		{"cpp/fmt", cCorpus("fmt/usr/include"), cppUses, 0.6},
		{"cpp/glm", cCorpus("glm/usr/include"), cppUses, 0.58},
	}
	for _, c := range corpora {
		t.Run(c.lang, func(t *testing.T) {
			if only != "" && only != c.lang && !strings.HasPrefix(c.lang, only+"/") {
				t.Skip("SWITCHYARD_RECALL_LANG=" + only)
			}
			if c.root == "" {
				if strings.Contains(c.lang, "script") {
					t.Skip("no corpus: run .ci/recall-corpus to install the npm packages it reads")
				}
				if strings.HasPrefix(c.lang, "java/") {
					t.Skip("no corpus: run .ci/recall-corpus-java to unpack the JDK sources it reads")
				}
				if strings.HasPrefix(c.lang, "rust/") {
					t.Skip("no corpus: run .ci/recall-corpus-rust to unpack the Debian crate sources it reads")
				}
				if strings.HasPrefix(c.lang, "c/") || strings.HasPrefix(c.lang, "cpp/") {
					t.Skip("no corpus: run .ci/recall-corpus-c to unpack the Debian C and C++ sources it reads")
				}
				t.Skip("no corpus")
			}
			ix := repoindex.New(repoindex.Options{Folders: []string{c.root}})
			ix.Build(context.Background())
			truth := c.truth
			if ext := recallExtractor(t, c.root); ext != nil {
				// The same samples, found with the index's own
				// definitions; the context comes from the other's.
				other := repoindex.New(repoindex.Options{Folders: []string{c.root}, Extract: ext})
				other.Build(context.Background())
				own := ix
				truth = func(_ *repoindex.Index, root, p, src string) []useSite { return c.truth(own, root, p, src) }
				ix = other
			}
			r := measureRecall(t, ix, c.root, truth, 400)
			t.Logf("%s: %d files indexed; %d samples: definitions %.1f%%, similar %.1f%%, open files %.1f%%, together %.1f%%; %.0f context tokens a prompt on average (budget %d)",
				c.lang, ix.Stats().Files, r.n, r.pct(r.defs), r.pct(r.similar), r.pct(r.open), r.pct(r.any), float64(r.tokens)/float64(max(1, r.n)), config.DefaultMaxContextTokens)
			if got := float64(r.any) / float64(max(1, r.n)); got < c.floor && os.Getenv("SWITCHYARD_RECALL_DEFS") == "" {
				t.Errorf("recall %.1f%%, below the %.0f%% measured before", 100*got, 100*c.floor)
			}
		})
	}
}

func pythonLib() string {
	m, _ := filepath.Glob("/root/.pyenv/versions/3.12*/lib/python3.12")
	m2, _ := filepath.Glob("/usr/lib/python3.1*")
	for _, p := range append(m, m2...) {
		if fi, err := os.Stat(filepath.Join(p, "os.py")); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// useSite is a line that uses a definition of another file.
type useSite struct {
	line     int // 0-based
	name     string
	defPath  string
	defFirst string // the definition's first line, as the index holds it
	// also are other files that define the same name just as well: a
	// Go package's files for other platforms (syscall_linux.go and
	// syscall_darwin.go), path to first line.
	also map[string]string
}

// hit reports whether a context file holds the definition.
func (s useSite) hit(f contextFile) bool {
	if f.path == s.defPath && strings.Contains(f.text, s.defFirst) {
		return true
	}
	first, ok := s.also[f.path]
	return ok && strings.Contains(f.text, first)
}

type recall struct {
	n, defs, similar, open, any int
	tokens                      int
}

func (r recall) pct(k int) float64 { return 100 * float64(k) / float64(max(1, r.n)) }

func measureRecall(t *testing.T, ix *repoindex.Index, root string, truth func(*repoindex.Index, string, string, string) []useSite, want int) recall {
	paths := ix.Paths()
	var r recall
	// Files spread over the whole tree, the same ones every run.
	step := max(1, len(paths)/(want/2))
	for i := 0; i < len(paths) && r.n < want; i += step {
		p := paths[i]
		if strings.Contains(p, "/testdata/") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		src := string(b)
		sites := truth(ix, root, p, src)
		// At most two lines a file, far apart.
		if len(sites) > 2 {
			sites = []useSite{sites[len(sites)/3], sites[2*len(sites)/3]}
		}
		for _, s := range sites {
			r.n++
			files := sampleContext(ix, root, p, src, s.line, paths, typedUpTo(src, s))
			found := map[sourceKind]bool{}
			for _, f := range files {
				r.tokens += estimateTokens(len(f.name) + headerBytes + len(f.text))
				if s.hit(f) {
					found[f.source] = true
				}
			}
			if found[sourceDefinitions] {
				r.defs++
			}
			if found[sourceSimilar] {
				r.similar++
			}
			if found[sourceOpen] {
				r.open++
			}
			if len(found) > 0 {
				r.any++
			} else if os.Getenv("SWITCHYARD_RECALL") == "debug" {
				cfg := withDefaults(config.Defaults().Completion)
				start := 0
				for range s.line {
					start += strings.IndexByte(src[start:], '\n') + 1
				}
				w := cutWindow(src, start, cfg.MaxPrefixTokens, cfg.MaxSuffixTokens)
				end := start + strings.IndexByte(src[start:], '\n')
				inWin := strings.Count(w.prefix, s.name) + strings.Count(w.suffix[min(len(w.suffix), end-start):], s.name)
				t.Logf("miss %s:%d %q uses %s (%s) elsewhere-in-window=%d", filepath.Base(p), s.line+1, strings.TrimSpace(src[start:end]), s.name, filepath.Base(s.defPath), inWin)
			}
		}
	}
	return r
}

// sampleContext removes line from src and gathers context there, with
// the three nearest files of the folder open.
func sampleContext(ix *repoindex.Index, root, p, src string, line int, paths []string, typed int) []contextFile {
	start := 0
	for range line {
		start += strings.IndexByte(src[start:], '\n') + 1
	}
	end := start + strings.IndexByte(src[start:], '\n') + 1
	// The line is removed but for the first typed bytes: what the user
	// would have written before asking.
	text := src[:start+typed] + src[end:]
	start += typed
	lang := "go"
	switch filepath.Ext(p) {
	case ".py":
		lang = "python"
	case ".ts", ".tsx", ".mts", ".cts":
		lang = "typescript"
	case ".js", ".mjs", ".cjs", ".jsx":
		lang = "javascript"
	case ".rs":
		lang = "rust"
	case ".java":
		lang = "java"
	case ".c", ".h":
		lang = "c"
	case ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx", ".inl":
		lang = "cpp"
	}
	req := CompletionRequest{
		Doc:     Document{URI: FileURI(p), Path: p, LanguageID: lang, Text: text},
		Offset:  start,
		Folders: []string{root},
		Index:   ix,
	}
	i, _ := slices.BinarySearch(paths, p)
	for _, k := range []int{i - 1, i + 1, i - 2, i + 2} {
		if k < 0 || k >= len(paths) || filepath.Dir(paths[k]) != filepath.Dir(p) || len(req.Others) == 3 {
			continue
		}
		b, err := os.ReadFile(paths[k])
		if err != nil {
			continue
		}
		req.Others = append(req.Others, OtherDocument{Document: Document{URI: FileURI(paths[k]), Path: paths[k], LanguageID: lang, Text: string(b)}})
	}
	// The folder's files not open are read when the file is opened, a
	// while before the user types.
	nearbyDocs(&req, repoindex.LangOf(p, lang))
	waitNearby()
	cfg := withDefaults(config.Defaults().Completion)
	w := cutWindow(text, start, cfg.MaxPrefixTokens, cfg.MaxSuffixTokens)
	budget := cfg.MaxContextTokens
	if b, err := strconv.Atoi(os.Getenv("SWITCHYARD_RECALL_BUDGET")); err == nil {
		budget = b
	}
	return gatherContext(&req, w, budget, cfg.Context)
}

// typedUpTo is how much of the removed line counts as typed: none, or
// with SWITCHYARD_RECALL_TYPED=1 the line up to the symbol's name
// ("h := sha256." of "h := sha256.New()").
func typedUpTo(src string, s useSite) int {
	if os.Getenv("SWITCHYARD_RECALL_TYPED") == "" {
		return 0
	}
	start := 0
	for range s.line {
		start += strings.IndexByte(src[start:], '\n') + 1
	}
	line := src[start : start+strings.IndexByte(src[start:], '\n')]
	re := regexp.MustCompile(`\b` + regexp.QuoteMeta(s.name) + `\b`)
	if loc := re.FindStringIndex(line); loc != nil {
		return loc[0]
	}
	return 0
}

// defLine finds the definition of name in path among the index's.
func defLine(ix *repoindex.Index, path, name string, member bool) string {
	for _, d := range ix.DefsIn(path) {
		if d.Name == name && d.Kind.Member() == member && d.Container == "" {
			first, _, _ := strings.Cut(d.Text, "\n")
			return first
		}
	}
	return ""
}

// goUses finds lines of a Go file that use a top-level name of another
// file of its package, or of a package it imports that is in the
// workspace, by Go's scoping rules read off the syntax tree.
func goUses(ix *repoindex.Index, root, p, src string) []useSite {
	if strings.HasSuffix(p, "_test.go") {
		return nil
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, p, src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	own := map[string]bool{}
	for _, d := range ix.DefsIn(p) {
		own[d.Name] = true
	}
	// Top-level names of the package's other files.
	dir := filepath.Dir(p)
	pkgDefs := map[string]string{}
	for _, q := range ix.Paths() {
		if filepath.Dir(q) != dir || q == p || strings.HasSuffix(q, "_test.go") {
			continue
		}
		for _, d := range ix.DefsIn(q) {
			if d.Container == "" && !d.Kind.Member() {
				pkgDefs[d.Name] = q
			}
		}
	}
	imports := map[string]string{} // name -> folder
	for _, im := range f.Imports {
		ip, _ := strconv.Unquote(im.Path.Value)
		name := filepath.Base(ip)
		if im.Name != nil {
			name = im.Name.Name
		}
		for _, cand := range []string{filepath.Join(root, ip), filepath.Join(root, "vendor", ip)} {
			if fi, err := os.Stat(cand); err == nil && fi.IsDir() {
				imports[name] = cand
			}
		}
	}
	var out []useSite
	seenLine := map[int]bool{}
	add := func(pos token.Pos, name, defPath string) {
		line := fset.Position(pos).Line - 1
		if seenLine[line] {
			return
		}
		first := defLine(ix, defPath, name, false)
		if first == "" {
			return
		}
		seenLine[line] = true
		also := map[string]string{}
		for _, q := range ix.Paths() {
			if q != defPath && filepath.Dir(q) == filepath.Dir(defPath) && !strings.HasSuffix(q, "_test.go") {
				if f := defLine(ix, q, name, false); f != "" {
					also[q] = f
				}
			}
		}
		out = append(out, useSite{line: line, name: name, defPath: defPath, defFirst: first, also: also})
	}
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok {
					if dir, ok := imports[x.Name]; ok {
						for _, q := range ix.Paths() {
							if filepath.Dir(q) == dir && !strings.HasSuffix(q, "_test.go") {
								if defLine(ix, q, n.Sel.Name, false) != "" {
									add(n.Pos(), n.Sel.Name, q)
									break
								}
							}
						}
					}
				}
				return false
			case *ast.Ident:
				if q, ok := pkgDefs[n.Name]; ok && !own[n.Name] {
					add(n.Pos(), n.Name, q)
				}
			}
			return true
		})
	}
	slices.SortFunc(out, func(a, b useSite) int { return a.line - b.line })
	return out
}

var (
	pyFrom   = regexp.MustCompile(`^from\s+(\.*[\w.]*)\s+import\s+([\w, ]+)$`)
	pyImport = regexp.MustCompile(`^import\s+([\w.]+)(?:\s+as\s+(\w+))?$`)
)

// pyModule is the file of a module in the workspace: mod.py or
// mod/__init__.py, relative imports from the current package.
func pyModule(root, p, mod string) string {
	base := root
	dots := len(mod) - len(strings.TrimLeft(mod, "."))
	if dots > 0 {
		base = filepath.Dir(p)
		for range dots - 1 {
			base = filepath.Dir(base)
		}
	}
	rel := strings.ReplaceAll(mod[dots:], ".", "/")
	for _, c := range []string{filepath.Join(base, rel+".py"), filepath.Join(base, rel, "__init__.py")} {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			return c
		}
	}
	return ""
}

// pyUses finds lines of a Python module that use a name imported from,
// or an attribute of, another module of the workspace.
func pyUses(ix *repoindex.Index, root, p, src string) []useSite {
	if strings.Contains(p, "/test/") || strings.Contains(p, "/tests/") || strings.Contains(p, "/idle_test/") {
		return nil
	}
	lines := strings.Split(src, "\n")
	names := map[string]string{}   // imported name -> module file
	modules := map[string]string{} // module alias -> module file
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if m := pyFrom.FindStringSubmatch(l); m != nil {
			if file := pyModule(root, p, m[1]); file != "" {
				for _, n := range strings.Split(m[2], ",") {
					n = strings.TrimSpace(n)
					if n != "" && !strings.Contains(n, " ") {
						names[n] = file
					}
				}
			}
		} else if m := pyImport.FindStringSubmatch(l); m != nil {
			if file := pyModule(root, p, m[1]); file != "" {
				alias := m[2]
				if alias == "" {
					alias = m[1]
				}
				modules[alias] = file
			}
		}
	}
	own := map[string]bool{}
	for _, d := range ix.DefsIn(p) {
		own[d.Name] = true
	}
	word := regexp.MustCompile(`[A-Za-z_][\w.]*`)
	var out []useSite
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "import ") || strings.HasPrefix(t, "from ") || strings.HasPrefix(t, "def ") || strings.HasPrefix(t, "class ") || strings.HasPrefix(t, "@") {
			continue
		}
		for _, w := range word.FindAllString(t, -1) {
			var file, name string
			if f, ok := names[w]; ok && !own[w] {
				file, name = f, w
			} else if k := strings.LastIndexByte(w, '.'); k > 0 {
				if f, ok := modules[w[:k]]; ok {
					file, name = f, w[k+1:]
				}
			}
			if file == "" || file == p {
				continue
			}
			if first := defLine(ix, file, name, false); first != "" {
				out = append(out, useSite{line: i, name: name, defPath: file, defFirst: first})
				break
			}
		}
	}
	return out
}
