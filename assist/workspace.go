package assist

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Limits on what one action reads, so a refactor over a large workspace
// stays within a frontier model's window and a stray binary is not sent.
const (
	maxFileBytes    = 1 << 20   // a larger file is not read as context
	gatherBudget    = 400 << 10 // bytes of gathered files, about 100k tokens
	maxWalkedFiles  = 20000     // stop walking a huge tree
	binarySniffSize = 8000      // bytes looked at for a NUL, as git does
)

// FileURI returns the file: URI of an absolute path, the inverse of the
// handler's URI-to-path conversion.
func FileURI(p string) string {
	p = filepath.ToSlash(p)
	if len(p) >= 2 && p[1] == ':' { // c:/src: a drive letter needs a leading slash
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// files is one request's view of the workspace: the folders edits may
// touch, the open documents' snapshots, and a record of what was read.
type files struct {
	folders []string // cleaned, as the editor named them
	real    []string // the same with symbolic links resolved
	root    string   // the folder holding the current document: paths are shown relative to it
	open    map[string]Document
	reads   map[string]Snapshot
	order   []string // read order, for Result.Read
}

func newFiles(req ActionRequest) *files {
	w := &files{open: map[string]Document{}, reads: map[string]Snapshot{}}
	for _, f := range req.Folders {
		if f == "" || !filepath.IsAbs(f) {
			continue
		}
		f = filepath.Clean(f)
		w.folders = append(w.folders, f)
		if r, err := filepath.EvalSymlinks(f); err == nil {
			w.real = append(w.real, r)
		} else {
			w.real = append(w.real, f)
		}
	}
	cur := ""
	if req.Doc.Path != "" {
		cur = filepath.Clean(req.Doc.Path)
	}
	if len(w.folders) == 0 && cur != "" {
		// A single file opened without a folder: its own folder is the
		// workspace, so an action can still write a test beside it.
		dir := filepath.Dir(cur)
		w.folders = []string{dir}
		r, err := filepath.EvalSymlinks(dir)
		if err != nil {
			r = dir
		}
		w.real = []string{r}
	}
	for _, f := range w.folders {
		if cur != "" && within(cur, f) && len(f) > len(w.root) {
			w.root = f
		}
	}
	if w.root == "" && len(w.folders) > 0 {
		w.root = w.folders[0]
	}
	for _, d := range append([]Document{req.Doc}, req.Open...) {
		if d.Path == "" {
			continue
		}
		p := filepath.Clean(d.Path)
		if _, ok := w.open[p]; !ok {
			w.open[p] = d
		}
	}
	return w
}

// within reports whether p is dir or lies under it, lexically.
func within(p, dir string) bool {
	if p == dir {
		return true
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(p, dir)
}

func (w *files) inside(p string) bool {
	for _, f := range w.folders {
		if within(p, f) {
			return true
		}
	}
	return false
}

// show writes an absolute path the way prompts show it: relative to the
// current document's folder, with forward slashes. The user's home
// layout is not sent to a remote model.
func (w *files) show(p string) string {
	if w.root != "" {
		if rel, err := filepath.Rel(w.root, p); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(p)
}

// resolve turns a path the model wrote into an absolute path inside the
// workspace folders, or says why it may not be written: outside the
// folders after resolving "..", an absolute path elsewhere, a symbolic
// link that leads out, or version control's own files.
func (w *files) resolve(name string) (string, error) {
	if name == "" {
		return "", errors.New("the path is empty")
	}
	if strings.ContainsRune(name, 0) {
		return "", errors.New("the path holds a NUL byte")
	}
	native := filepath.FromSlash(name)
	var p string
	switch {
	case filepath.IsAbs(native):
		p = filepath.Clean(native)
		if !w.inside(p) {
			return "", errors.New("it is an absolute path outside the workspace folders")
		}
	case w.root == "":
		return "", errors.New("there is no workspace folder to resolve it in: open a folder")
	default:
		p = filepath.Join(w.root, native)
		if !w.inside(p) {
			return "", errors.New("it leads outside the workspace folders")
		}
	}
	for _, seg := range strings.Split(filepath.ToSlash(p), "/") {
		if seg == ".git" || seg == ".hg" || seg == ".svn" {
			return "", errors.New("it is inside version control's own folder")
		}
	}
	real, err := realPath(p)
	if err != nil {
		return "", fmt.Errorf("it cannot be checked: %v", err)
	}
	ok := false
	for _, f := range w.real {
		if within(real, f) {
			ok = true
			break
		}
	}
	if !ok {
		return "", errors.New("it leads outside the workspace folders through a symbolic link")
	}
	return p, nil
}

// realPath resolves the symbolic links of the longest part of p that
// exists; the rest (a file to create) is joined on unchanged.
func realPath(p string) (string, error) {
	rest := ""
	for cur := p; ; {
		r, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(r, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// errNotExist is returned by read for a file that is neither open nor on
// disk.
var errNotExist = errors.New("the file does not exist")

// read returns the text of the file at p: the open document's snapshot
// when the editor has it open (so the edit matches what the user sees),
// else the file on disk. Every read is recorded for Result.Read.
func (w *files) read(p string) (string, *Document, error) {
	if d, ok := w.open[p]; ok {
		w.record(p, Snapshot{URI: d.URI, Path: p, Version: d.Version, Open: true})
		return d.Text, &d, nil
	}
	info, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, errNotExist
	}
	if err != nil {
		return "", nil, err
	}
	if info.IsDir() {
		return "", nil, errors.New("it is a folder")
	}
	if info.Size() > maxFileBytes {
		return "", nil, fmt.Errorf("it is larger than %d MiB", maxFileBytes>>20)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", nil, err
	}
	if isBinary(b) {
		return "", nil, errors.New("it is a binary file")
	}
	w.record(p, Snapshot{Path: p})
	return string(b), nil, nil
}

func (w *files) record(p string, s Snapshot) {
	if _, ok := w.reads[p]; !ok {
		w.order = append(w.order, p)
	}
	w.reads[p] = s
}

func (w *files) snapshots() []Snapshot {
	out := make([]Snapshot, 0, len(w.order))
	for _, p := range w.order {
		out = append(out, w.reads[p])
	}
	return out
}

func isBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), binarySniffSize)], 0) >= 0
}

// exists reports whether p is open or on disk.
func (w *files) exists(p string) bool {
	if _, ok := w.open[p]; ok {
		return true
	}
	_, err := os.Stat(p)
	return err == nil
}

// ignorer answers whether a path is ignored by the .gitignore files met
// on the way down from a workspace folder. No gitignore package is in
// the module set; the subset here (globs, "**", anchoring, "!", trailing
// "/", one file per folder) is what repositories use.
type ignorer struct {
	rules []ignoreRule
}

type ignoreRule struct {
	base     string // folder of the .gitignore, absolute
	segs     []string
	anchored bool
	dirOnly  bool
	negate   bool
}

// load reads dir's .gitignore, if any.
func (ig *ignorer) load(dir string) {
	f, err := os.Open(filepath.Join(dir, ".gitignore"))
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := ignoreRule{base: dir}
		if strings.HasPrefix(line, "!") {
			r.negate, line = true, line[1:]
		}
		line = strings.TrimPrefix(line, `\`)
		if strings.HasSuffix(line, "/") {
			r.dirOnly, line = true, strings.TrimRight(line, "/")
		}
		r.anchored = strings.Contains(line, "/")
		line = strings.TrimPrefix(line, "/")
		if line == "" {
			continue
		}
		r.segs = strings.Split(line, "/")
		ig.rules = append(ig.rules, r)
	}
}

// ignored applies the rules in order; the last that matches decides, as
// in git.
func (ig *ignorer) ignored(p string, dir bool) bool {
	hit := false
	for _, r := range ig.rules {
		if !within(p, r.base) || p == r.base || (r.dirOnly && !dir) {
			continue
		}
		rel, err := filepath.Rel(r.base, p)
		if err != nil {
			continue
		}
		segs := strings.Split(filepath.ToSlash(rel), "/")
		var m bool
		if r.anchored {
			m = globSegs(r.segs, segs)
		} else {
			m, _ = path.Match(r.segs[0], segs[len(segs)-1])
		}
		if m {
			hit = !r.negate
		}
	}
	return hit
}

func globSegs(pat, segs []string) bool {
	if len(pat) == 0 {
		return len(segs) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(segs); i++ {
			if globSegs(pat[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	if ok, err := path.Match(pat[0], segs[0]); err != nil || !ok {
		return false
	}
	return globSegs(pat[1:], segs[1:])
}

// walk lists the files under dir (only dir itself unless deep), skipping
// what .gitignore ignores and version control's folders.
func walk(ctx context.Context, dir string, deep bool, ig *ignorer) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // an unreadable corner does not stop a refactor
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() {
			if p != dir {
				name := d.Name()
				if !deep || name == ".git" || name == ".hg" || name == ".svn" || ig.ignored(p, true) {
					return filepath.SkipDir
				}
			}
			ig.load(p)
			return nil
		}
		if !d.Type().IsRegular() || ig.ignored(p, false) {
			return nil
		}
		out = append(out, p)
		if len(out) >= maxWalkedFiles {
			return fs.SkipAll
		}
		return nil
	})
	return out, err
}

// identRE finds identifiers; namesRE finds the ones an instruction
// names in code style: camelCase, snake_case, or in backquotes.
var (
	identRE  = lazyRegexp(`[A-Za-z_][A-Za-z0-9_]*`)
	quotedRE = lazyRegexp("`([^`]+)`")
)

var keywords = map[string]bool{
	"func": true, "def": true, "class": true, "fn": true, "function": true, "type": true,
	"const": true, "var": true, "let": true, "pub": true, "public": true, "private": true,
	"protected": true, "static": true, "async": true, "export": true, "default": true,
	"interface": true, "struct": true, "impl": true, "package": true, "import": true,
	"return": true, "enum": true, "trait": true, "module": true, "final": true, "override": true,
}

// symbolAt is the name a refactor is about: the selection when it is one
// identifier, else the first identifier in it that is not a keyword
// (the name a selected declaration declares), else the one under the
// cursor.
func symbolAt(text string, start, end int) string {
	sel := strings.TrimSpace(text[start:end])
	if sel != "" {
		for _, id := range identRE().FindAllString(sel, 8) {
			if !keywords[id] {
				return id
			}
		}
		return ""
	}
	s, e := start, start
	for s > 0 && isIdentByte(text[s-1]) {
		s--
	}
	for e < len(text) && isIdentByte(text[e]) {
		e++
	}
	if id := text[s:e]; id != "" && !keywords[id] && identRE().MatchString(id) {
		return id
	}
	return ""
}

// instructionNames are the code names an instruction mentions.
func instructionNames(instruction string) []string {
	var out []string
	add := func(n string) {
		if len(n) > 1 && !keywords[n] && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, m := range quotedRE().FindAllStringSubmatch(instruction, -1) {
		for _, id := range identRE().FindAllString(m[1], -1) {
			add(id)
		}
	}
	for _, id := range identRE().FindAllString(instruction, -1) {
		if strings.Contains(id, "_") || strings.ToLower(id[1:]) != id[1:] {
			add(id)
		}
	}
	return out
}

// gathered is one file chosen as refactor context.
type gathered struct {
	path string
	text string
	hits int
}

// rank orders gathered files: the current one first, then those that
// mention the names most, then those nearest the current file.
func rank(list []gathered, current string) {
	dir := filepath.Dir(current)
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if (a.path == current) != (b.path == current) {
			return a.path == current
		}
		if a.hits != b.hits {
			return a.hits > b.hits
		}
		if (filepath.Dir(a.path) == dir) != (filepath.Dir(b.path) == dir) {
			return filepath.Dir(a.path) == dir
		}
		return a.path < b.path
	})
}

// testFileFor names the conventional test file of a source file, and
// says whether that convention keeps tests in the file itself (Rust).
// An existing file that fits another common convention is preferred, so
// tests land where the project already keeps them.
func testFileFor(p, language string, exists func(string) bool) (string, bool) {
	dir, base := filepath.Split(p)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	lang := strings.ToLower(language)
	if lang == "" {
		lang = languageOfExt(ext)
	}
	var cands []string
	switch lang {
	case "go":
		cands = []string{stem + "_test.go"}
	case "python":
		cands = []string{"test_" + stem + ".py", stem + "_test.py", filepath.Join("tests", "test_"+stem+".py")}
	case "typescript", "typescriptreact", "javascript", "javascriptreact":
		cands = []string{stem + ".test" + ext, stem + ".spec" + ext, filepath.Join("__tests__", stem+".test"+ext)}
	case "rust":
		return p, true
	case "java", "kotlin", "scala", "groovy":
		name := stem + "Test" + ext
		if i := strings.Index(filepath.ToSlash(dir), "/src/main/"); i >= 0 {
			d := filepath.ToSlash(dir)
			return filepath.FromSlash(d[:i]+"/src/test/"+d[i+len("/src/main/"):]) + name, false
		}
		cands = []string{name}
	case "csharp":
		cands = []string{stem + "Tests" + ext}
	case "swift":
		cands = []string{stem + "Tests" + ext}
	case "php":
		cands = []string{stem + "Test" + ext}
	case "ruby":
		cands = []string{stem + "_spec.rb", stem + "_test.rb"}
	case "elixir":
		cands = []string{stem + "_test.exs"}
		d := filepath.ToSlash(dir)
		if i := strings.LastIndex(d, "/lib/"); i >= 0 {
			return filepath.FromSlash(d[:i]+"/test/"+d[i+len("/lib/"):]) + stem + "_test.exs", false
		}
	case "c", "cpp":
		cands = []string{"test_" + stem + ext, stem + "_test" + ext}
	case "lua":
		cands = []string{stem + "_spec.lua"}
	case "shellscript":
		cands = []string{stem + ".bats"}
	default:
		cands = []string{stem + "_test" + ext}
	}
	for _, c := range cands {
		if exists(filepath.Join(dir, c)) {
			return filepath.Join(dir, c), false
		}
	}
	return filepath.Join(dir, cands[0]), false
}

// languageOfExt guesses an LSP language id from a file extension, for
// documents whose editor sent none and for files read from disk.
func languageOfExt(ext string) string {
	switch strings.ToLower(ext) {
	case ".go":
		return "go"
	case ".py":
		return "python"
	case ".ts":
		return "typescript"
	case ".tsx":
		return "typescriptreact"
	case ".js", ".mjs", ".cjs":
		return "javascript"
	case ".jsx":
		return "javascriptreact"
	case ".rs":
		return "rust"
	case ".java":
		return "java"
	case ".kt", ".kts":
		return "kotlin"
	case ".scala":
		return "scala"
	case ".cs":
		return "csharp"
	case ".swift":
		return "swift"
	case ".php":
		return "php"
	case ".rb":
		return "ruby"
	case ".ex", ".exs":
		return "elixir"
	case ".c", ".h":
		return "c"
	case ".cc", ".cpp", ".cxx", ".hpp", ".hh":
		return "cpp"
	case ".lua":
		return "lua"
	case ".sh", ".bash":
		return "shellscript"
	case ".md":
		return "markdown"
	}
	return ""
}
