// Command tscompare measures tree-sitter's tags queries against the
// workspace index's own tags extractor (assist/repoindex/tags.go) over a
// corpus: which definitions each finds, and what each costs to build the
// index. It is a separate module because go-tree-sitter needs cgo and the
// product is built with CGO_ENABLED=0; nothing of the product imports it.
//
//	./fetch-grammars
//	./build-wasm   # for -wasm: the same grammars as one WASI module
//	go run . -wasm npm/tags.wasm -defs /tmp/ts-defs.jsonl ROOT...
//
// With -wasm it also runs the grammars as WebAssembly through wazero, as
// a pure-Go binary would have to, and measures that build too.
// With -defs it writes tree-sitter's definitions, one JSON object a line,
// for the recall benchmark (SWITCHYARD_RECALL_DEFS, assist/recall_test.go).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"switchyard/assist/repoindex"
	"switchyard/assist/repoindex/internal/tscompare/grammar/javascript"
	"switchyard/assist/repoindex/internal/tscompare/grammar/python"
	"switchyard/assist/repoindex/internal/tscompare/grammar/typescript"
)

// grammar is one language's parser and its tags query as shipped in the
// grammar's package (what Tabby and tree-sitter's CLI use). TypeScript's
// query adds to JavaScript's, as its grammar does.
type grammar struct {
	lang  *sitter.Language
	query *sitter.Query
	src   string // the query's text
}

func load(ptr unsafe.Pointer, tags ...string) *grammar {
	l := sitter.NewLanguage(ptr)
	var src strings.Builder
	for _, t := range tags {
		b, err := os.ReadFile(filepath.Join("npm", t, "queries", "tags.scm"))
		if err != nil {
			log.Fatalf("%v: run ./fetch-grammars first", err)
		}
		src.Write(b)
		src.WriteByte('\n')
	}
	q, qerr := sitter.NewQuery(l, src.String())
	if qerr != nil {
		log.Fatalf("tags query of %v: %v", tags, qerr)
	}
	return &grammar{lang: l, query: q, src: src.String()}
}

// Record is one definition as -defs writes it.
type Record struct {
	Path      string `json:"path"`
	Name      string `json:"name"`
	Container string `json:"container,omitempty"`
	Kind      int    `json:"kind"`
	Line      int    `json:"line"`
}

var kinds = map[string]repoindex.Kind{
	"definition.function":  repoindex.KindFunc,
	"definition.method":    repoindex.KindMethod,
	"definition.class":     repoindex.KindClass,
	"definition.interface": repoindex.KindType,
	"definition.module":    repoindex.KindType,
	// Python's module-level assignments; the index calls them variables.
	"definition.constant": repoindex.KindVar,
}

// classes are the node kinds whose name is the container of a member.
var classes = map[string]bool{
	"class_definition": true, "class_declaration": true, "class": true,
	"abstract_class_declaration": true, "interface_declaration": true,
}

var functions = map[string]bool{
	"function_definition": true, "function_declaration": true, "function_expression": true,
	"arrow_function": true, "method_definition": true, "generator_function_declaration": true,
}

// tsState is one worker's parser and cursor per grammar.
type tsState struct {
	parsers map[string]*sitter.Parser
	cursor  *sitter.QueryCursor
}

type extractor struct {
	grammars map[string]*grammar // by grammar name: python, javascript, typescript
	pool     sync.Pool
	mu       sync.Mutex
	parse    []time.Duration // per file: parse and query
	parsing  time.Duration   // of which parsing alone, all files
}

func (e *extractor) defs(p string, lang repoindex.Lang, src string) ([]repoindex.Def, bool) {
	gname := grammarOf(p, lang)
	g := e.grammars[gname]
	if g == nil {
		return nil, false
	}
	st, _ := e.pool.Get().(*tsState)
	if st == nil {
		st = &tsState{parsers: map[string]*sitter.Parser{}, cursor: sitter.NewQueryCursor()}
	}
	defer e.pool.Put(st)
	ps := st.parsers[gname]
	if ps == nil {
		ps = sitter.NewParser()
		if err := ps.SetLanguage(g.lang); err != nil {
			log.Fatal(err)
		}
		st.parsers[gname] = ps
	}
	began := time.Now()
	text := []byte(src)
	tree := ps.Parse(text, nil)
	defer tree.Close()
	parsed := time.Since(began)
	names := g.query.CaptureNames()
	var defs []repoindex.Def
	ms := st.cursor.Matches(g.query, tree.RootNode(), text)
	for m := ms.Next(); m != nil; m = ms.Next() {
		var name string
		var def *sitter.Node
		var kind repoindex.Kind
		for _, c := range m.Captures {
			n := names[c.Index]
			if n == "name" {
				name = c.Node.Utf8Text(text)
			} else if k, ok := kinds[n]; ok {
				kind, def = k, &c.Node
			}
		}
		if def == nil || name == "" {
			continue
		}
		d := repoindex.Def{Name: name, Kind: kind, Line: int(def.StartPosition().Row)}
		// The nearest enclosing class is the container, unless a
		// function lies between (a local definition).
		for up := def.Parent(); up != nil; up = up.Parent() {
			if functions[up.Kind()] {
				break
			}
			if classes[up.Kind()] {
				if n := up.ChildByFieldName("name"); n != nil {
					d.Container = n.Utf8Text(text)
				}
				if d.Kind == repoindex.KindFunc {
					d.Kind = repoindex.KindMethod
				}
				break
			}
		}
		defs = append(defs, d)
	}
	took := time.Since(began)
	e.mu.Lock()
	e.parse = append(e.parse, took)
	e.parsing += parsed
	e.mu.Unlock()
	return defs, true
}

// grammarOf names the grammar of a file; "" for one this measures not
// (TSX needs a grammar of its own, not loaded: the corpora have none).
func grammarOf(p string, lang repoindex.Lang) string {
	switch {
	case lang == repoindex.LangPython:
		return "python"
	case lang != repoindex.LangJS:
		return ""
	}
	switch strings.ToLower(filepath.Ext(p)) {
	case ".ts", ".mts", ".cts":
		return "typescript"
	case ".js", ".mjs", ".cjs", ".jsx":
		return "javascript"
	}
	return ""
}

type measured struct {
	took    time.Duration
	mallocs uint64
	bytes   uint64
	ix      *repoindex.Index
}

// build indexes root with one worker and measures the time and the Go
// heap allocations (C's, tree-sitter's own, are not counted).
func build(root string, ext repoindex.Extractor) measured {
	runtime.GC()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	began := time.Now()
	ix := repoindex.New(repoindex.Options{Folders: []string{root}, Workers: 1, Extract: ext})
	ix.Build(context.Background())
	took := time.Since(began)
	runtime.ReadMemStats(&b)
	return measured{took: took, mallocs: b.Mallocs - a.Mallocs, bytes: b.TotalAlloc - a.TotalAlloc, ix: ix}
}

type key struct {
	path, name string
	line       int
}

func main() {
	out := flag.String("defs", "", "write tree-sitter's definitions here (JSON lines) for the recall benchmark")
	runs := flag.Int("runs", 3, "builds of each kind; the fastest counts")
	wasmPath := flag.String("wasm", "", "also run the grammars as WebAssembly through wazero from this module (./build-wasm)")
	flag.Parse()
	e := &extractor{grammars: map[string]*grammar{
		"python":     load(python.Language(), "python"),
		"javascript": load(javascript.Language(), "javascript"),
		"typescript": load(typescript.Language(), "javascript", "typescript"),
	}}
	var wt *wasmTags
	if *wasmPath != "" {
		queries := map[string]string{}
		for g, gr := range e.grammars {
			queries[g] = gr.src
		}
		var err error
		if wt, err = newWasmTags(*wasmPath, e, queries); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("wasm module compiled and instantiated in %v\n", wt.compiled.Round(time.Millisecond))
	}
	var w *bufio.Writer
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		w = bufio.NewWriter(f)
		defer w.Flush()
	}
	for _, root := range flag.Args() {
		var own, ts measured
		for i := range *runs {
			o := build(root, nil)
			e.parse, e.parsing = e.parse[:0], 0
			t := build(root, e.defs)
			if i == 0 || o.took < own.took {
				own = o
			}
			if i == 0 || t.took < ts.took {
				ts = t
			}
		}
		compare(root, own, ts, e.parse, e.parsing)
		if wt != nil {
			var wm measured
			for i := range *runs {
				wt.parse = wt.parse[:0]
				m := build(root, wt.defs)
				if i == 0 || m.took < wm.took {
					wm = m
				}
			}
			compareWasm(ts, wm, wt.parse)
		}
		if w != nil {
			enc := json.NewEncoder(w)
			for _, p := range ts.ix.Paths() {
				for _, d := range ts.ix.DefsIn(p) {
					if err := enc.Encode(Record{Path: p, Name: d.Name, Container: d.Container, Kind: int(d.Kind), Line: d.Line}); err != nil {
						log.Fatal(err)
					}
				}
			}
		}
	}
}

func compare(root string, own, ts measured, parse []time.Duration, parsing time.Duration) {
	count := func(ix *repoindex.Index) (map[key]repoindex.Kind, map[repoindex.Kind]int, map[repoindex.Lang]int) {
		all, byKind, files := map[key]repoindex.Kind{}, map[repoindex.Kind]int{}, map[repoindex.Lang]int{}
		for _, p := range ix.Paths() {
			lang := repoindex.LangOf(p, "")
			files[lang]++
			for _, d := range ix.DefsIn(p) {
				all[key{p, d.Name, d.Line}] = d.Kind
				byKind[d.Kind]++
			}
		}
		return all, byKind, files
	}
	o, ok, files := count(own.ix)
	t, tk, _ := count(ts.ix)
	both := 0
	onlyO, onlyT := map[repoindex.Kind]int{}, map[repoindex.Kind]int{}
	var exO, exT []string
	for k, kind := range o {
		if _, in := t[k]; in {
			both++
		} else {
			onlyO[kind]++
			exO = append(exO, fmt.Sprintf("%s:%d %s", rel(root, k.path), k.line+1, k.name))
		}
	}
	for k, kind := range t {
		if _, in := o[k]; !in {
			onlyT[kind]++
			exT = append(exT, fmt.Sprintf("%s:%d %s", rel(root, k.path), k.line+1, k.name))
		}
	}
	fmt.Printf("%s: files %v\n", root, files)
	fmt.Printf("  own:         %6d definitions %v, build %v, %d allocs, %.1f MB\n", len(o), ok, own.took.Round(time.Millisecond), own.mallocs, float64(own.bytes)/1e6)
	fmt.Printf("  tree-sitter: %6d definitions %v, build %v, %d Go allocs, %.1f MB (C heap not counted)\n", len(t), tk, ts.took.Round(time.Millisecond), ts.mallocs, float64(ts.bytes)/1e6)
	fmt.Printf("  same (path, name, line): %d; only own %d %v; only tree-sitter %d %v\n", both, len(o)-both, onlyO, len(t)-both, onlyT)
	if len(parse) > 0 {
		slices.Sort(parse)
		var sum time.Duration
		for _, d := range parse {
			sum += d
		}
		fmt.Printf("  tree-sitter parse+query a file: mean %v, p50 %v, p99 %v, total %v over %d files, of which parsing %v\n",
			(sum / time.Duration(len(parse))).Round(time.Microsecond), parse[len(parse)/2].Round(time.Microsecond),
			parse[len(parse)*99/100].Round(time.Microsecond), sum.Round(time.Millisecond), len(parse), parsing.Round(time.Millisecond))
	}
	sort.Strings(exO)
	sort.Strings(exT)
	fmt.Printf("  e.g. only own: %v\n  e.g. only tree-sitter: %v\n", sample(exO), sample(exT))
}

func sample(s []string) []string {
	if len(s) <= 12 {
		return s
	}
	step := len(s) / 12
	var out []string
	for i := 0; i < len(s) && len(out) < 12; i += step {
		out = append(out, s[i])
	}
	return out
}

func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return r
	}
	return p
}

func compareWasm(native, wm measured, parse []time.Duration) {
	keys := func(ix *repoindex.Index) map[key]bool {
		out := map[key]bool{}
		for _, p := range ix.Paths() {
			for _, d := range ix.DefsIn(p) {
				out[key{p, d.Name, d.Line}] = true
			}
		}
		return out
	}
	n, w := keys(native.ix), keys(wm.ix)
	same := 0
	for k := range w {
		if n[k] {
			same++
		}
	}
	var sum time.Duration
	for _, d := range parse {
		sum += d
	}
	slices.Sort(parse)
	fmt.Printf("  wasm (wazero): %6d definitions (%d as native's), build %v, %d Go allocs, %.1f MB",
		len(w), same, wm.took.Round(time.Millisecond), wm.mallocs, float64(wm.bytes)/1e6)
	if len(parse) > 0 {
		fmt.Printf("; parse+query a file: mean %v, p50 %v, p99 %v, total %v",
			(sum / time.Duration(len(parse))).Round(time.Microsecond), parse[len(parse)/2].Round(time.Microsecond),
			parse[len(parse)*99/100].Round(time.Microsecond), sum.Round(time.Millisecond))
	}
	fmt.Println()
}
