package lsp_test

import (
	"encoding/json"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

// The next-edit fidelity benchmark: multi-site edits replayed from real
// files. In real Go functions of the standard library a parameter is
// renamed in the signature, or a local variable where := defines it,
// keystroke by keystroke as an editor sends it; the true next edit is the
// same rename at the name's first use after that.
// A fake model answers the true region (the window it is shown, with that
// use renamed when it lies in the window), so what is measured is the
// pipeline: history, window, prompt, answer parsing, diff, drop rules and
// LSP positions. A case counts when applying the returned edits gives
// exactly the truth.

// renameCase is one replayed rename.
type renameCase struct {
	name     string // file:function:parameter
	text     string // the file as it is
	decl     int    // offset of the parameter's name in the signature
	use      int    // offset of its first use
	old, new string
}

// stdlibRenameCases builds up to n cases of each kind from the Go files
// of a few standard library packages: in each function, its first named
// parameter that the body uses, and its first local variable (defined
// with :=) used after its definition.
func stdlibRenameCases(t testing.TB, n int) []renameCase {
	t.Helper()
	root := filepath.Join(build.Default.GOROOT, "src")
	var params, locals []renameCase
	for _, pkg := range []string{"strings", "bytes", "strconv", "sort", "bufio", "net/url", "text/tabwriter", "path", "encoding/csv", "go/scanner"} {
		files, _ := filepath.Glob(filepath.Join(root, pkg, "*.go"))
		slices.Sort(files)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			p, l := renameCasesOf(filepath.Join(pkg, filepath.Base(f)), string(src))
			params, locals = append(params, p...), append(locals, l...)
		}
	}
	if len(params) == 0 {
		t.Skip("no Go standard library sources under", root)
	}
	return append(params[:min(n, len(params))], locals[:min(n, len(locals))]...)
}

func renameCasesOf(name, src string) (params, locals []renameCase) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		return nil, nil
	}
	// firstUse is the offset of the first identifier in n after id that
	// refers to what id declares; -1 when there is none. The parser's
	// resolution within the file is enough for parameters and locals.
	firstUse := func(n ast.Node, id *ast.Ident) int {
		first := -1
		ast.Inspect(n, func(n ast.Node) bool {
			if u, ok := n.(*ast.Ident); ok && u.Obj == id.Obj && u.Pos() > id.Pos() && first < 0 {
				first = fset.Position(u.Pos()).Offset
			}
			return first < 0
		})
		return first
	}
	rename := func(fn *ast.FuncDecl, id *ast.Ident, use int) renameCase {
		r, size := utf8.DecodeRuneInString(id.Name)
		return renameCase{
			name: name + ":" + fn.Name.Name + ":" + id.Name,
			text: src,
			decl: fset.Position(id.Pos()).Offset,
			use:  use,
			old:  id.Name,
			new:  "the" + string(unicode.ToUpper(r)) + id.Name[size:],
		}
	}
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
	param:
		for _, field := range fn.Type.Params.List {
			for _, id := range field.Names {
				if id.Name == "_" || id.Obj == nil {
					continue
				}
				if use := firstUse(fn.Body, id); use >= 0 {
					params = append(params, rename(fn, id, use))
					break param
				}
			}
		}
		var local *renameCase
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || as.Tok != token.DEFINE || local != nil {
				return local == nil
			}
			for _, e := range as.Lhs {
				id, ok := e.(*ast.Ident)
				if !ok || id.Name == "_" || id.Obj == nil || id.Obj.Decl != as {
					continue
				}
				if use := firstUse(fn.Body, id); use >= 0 {
					c := rename(fn, id, use)
					local = &c
					return false
				}
			}
			return true
		})
		if local != nil {
			locals = append(locals, *local)
		}
	}
	return params, locals
}

// regionOf takes the editable region out of a chat prompt, without the
// cursor marker.
func regionOf(prompt string) (string, bool) {
	const start, end = "<|editable_region_start|>\n", "<|editable_region_end|>"
	i := strings.LastIndex(prompt, start)
	if i < 0 {
		return "", false
	}
	rest := prompt[i+len(start):]
	j := strings.Index(rest, end)
	if j < 0 {
		return "", false
	}
	return strings.Replace(rest[:j], "<|user_cursor_is_here|>", "", 1), true
}

// hunkRegion is what the fake answers for the current case: the region
// it is shown, with the true next change made when all of it is there.
type hunkRegion struct {
	mu       sync.Mutex
	text     string // the document as the server holds it
	next     historyHunk
	inWindow bool // the next change was in the window the model was shown
	at       int  // offset of that window
	window   int  // its bytes
}

func (hr *hunkRegion) answer(r providertest.Request) providertest.Reply {
	if r.Endpoint == "models" {
		return providertest.Reply{}
	}
	msgs, _ := r.Body["messages"].([]any)
	var prompt string
	for _, m := range msgs {
		if mm, ok := m.(map[string]any); ok && mm["role"] == "user" {
			prompt, _ = mm["content"].(string)
		}
	}
	region, ok := regionOf(prompt)
	if !ok {
		return providertest.Text("no region")
	}
	hr.mu.Lock()
	defer hr.mu.Unlock()
	at := strings.Index(hr.text, region)
	hr.at, hr.window = at, len(region)
	hr.inWindow = at >= 0 && hr.next.start >= at && hr.next.end <= at+len(region)
	if hr.inWindow {
		region = region[:hr.next.start-at] + hr.next.text + region[hr.next.end-at:]
	}
	return providertest.Text("<|editable_region_start|>\n", region, "<|editable_region_end|>\n")
}

func TestNextEditFidelityStdlibRenames(t *testing.T) {
	if testing.Short() {
		t.Skip("replays hundreds of edits")
	}
	replayRenames(t, stdlibRenameCases(t, 150), "go", ".go", "the Go standard library")
}

// replayRenames replays each case through the built server, with a fake
// that answers the true region, and fails on any case whose next site
// was in the window and did not come back exactly.
func replayRenames(t *testing.T, cases []renameCase, languageID, ext, source string) {
	fake := providertest.NewOpenAI(t)
	hr := &hunkRegion{}
	fake.Handle(hr.answer)
	s := start(t, nextEditConfig(fake.URL, "enabled = true"), lsptest.InitOptions{})

	var matched, inWindow, matchedInWindow int
	var lat []time.Duration
	for i, c := range cases {
		uri := fileURI(filepath.Join(s.dir, "case", strings.ReplaceAll(c.name, ":", "_")+ext))
		if err := s.Open(uri, languageID, c.text); err != nil {
			t.Fatal(err)
		}
		// The user's edit: select the name in the signature and type the
		// new one over it, a keystroke at a time.
		rng := lsptest.Range{Start: s.Pos(uri, c.decl), End: s.Pos(uri, c.decl+len(c.old))}
		if err := s.Change(uri, lsptest.ContentChange{Range: &rng, Text: c.new[:1]}); err != nil {
			t.Fatal(err)
		}
		for k := 1; k < len(c.new); k++ {
			p := s.Pos(uri, c.decl+k)
			if err := s.Change(uri, lsptest.ContentChange{Range: &lsptest.Range{Start: p, End: p}, Text: c.new[k : k+1]}); err != nil {
				t.Fatal(err)
			}
		}
		now := s.Text(uri)
		use := c.use + len(c.new) - len(c.old)
		truth := now[:use] + c.new + now[use+len(c.old):]
		hr.mu.Lock()
		hr.text, hr.next, hr.inWindow = now, historyHunk{start: use, end: use + len(c.old), text: c.new}, false
		hr.mu.Unlock()

		began := time.Now()
		got, raw := s.nextEdit(t, uri, c.decl+len(c.new))
		lat = append(lat, time.Since(began))
		hr.mu.Lock()
		in := hr.inWindow
		hr.mu.Unlock()
		ok := got != nil && got.Version == s.Version(uri) && applyAll(now, got.Edits, s.Encoding()) == truth
		if in {
			inWindow++
		}
		if ok {
			matched++
			if in {
				matchedInWindow++
			}
		} else if in {
			b, _ := json.Marshal(c.name)
			t.Errorf("case %d %s: the true next edit, in the window, did not come back exactly: %s", i, b, raw)
		}
		if err := s.CloseDocument(uri); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(lat)
	if inWindow == 0 {
		t.Errorf("no case had its next site in the window: nothing was measured")
	}
	t.Logf("next-edit fidelity: %d cases from %s (parameters, then locals); next site in the window in %d; exact match %d of %d (%.1f%%), %d of %d in the window (%.1f%%); request p50 %.2f ms, p99 %.2f ms with the fake",
		len(cases), source, inWindow, matched, len(cases), 100*float64(matched)/float64(len(cases)),
		matchedInWindow, inWindow, 100*float64(matchedInWindow)/float64(max(inWindow, 1)),
		ms(percentile(lat, 50)), ms(percentile(lat, 99)))
}
