package repoindex

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is what sort of symbol a definition names.
type Kind uint8

const (
	KindFunc Kind = iota + 1
	KindMethod
	KindType
	KindClass
	KindVar
	KindConst
	KindField
	KindMacro
)

// Member reports whether the kind is defined inside a type: a method or
// a field, which "x.Name" uses rather than "Name" alone.
func (k Kind) Member() bool { return k == KindMethod || k == KindField }

// Bounds on what a definition's text holds: a function's signature, a
// type's first lines. A whole body would cost the prompt more than the
// name and arguments the model needs.
const (
	maxHeaderBytes = 400
	maxTypeBytes   = 400
)

// Defaults of Options.
const (
	// DefaultMaxFiles bounds the files indexed. A workspace with more is
	// indexed nearest the folder roots first (breadth-first) up to it;
	// the rest stay out until one of them is opened or saved, and Stats
	// says the bound was reached. 20,000 files cost about 100 MB at the
	// measured rate of BENCHMARKS.md.
	DefaultMaxFiles = 20000
	// DefaultMaxFileBytes: a larger file is generated or data, not code
	// a definition is worth taking from.
	DefaultMaxFileBytes = 512 << 10
	// DefaultDebounce is how long after the last change of an open
	// document it is read again, so typing costs no parsing.
	DefaultDebounce = 300 * time.Millisecond
)

// Def is one definition. It is never changed once indexed: a file read
// again gets new Defs, so a caller may keep one.
type Def struct {
	Name string
	// Container is the type, class or impl block a member belongs to;
	// "" at the top level.
	Container string
	Kind      Kind
	Lang      Lang
	Path      string // absolute path of the file that holds it
	Line      int    // 0-based line of its first line
	// Text is the definition's header: whole lines from its first, a
	// function's signature or a type's first lines, without a body.
	Text string
}

// Options configure an index.
type Options struct {
	Folders      []string // workspace folders, absolute
	MaxFiles     int      // 0: DefaultMaxFiles
	MaxFileBytes int64    // 0: DefaultMaxFileBytes
	Debounce     time.Duration
	// Workers parse files in parallel while building; 0 leaves one core
	// of two (or half of more) to the editor's requests.
	Workers int
	// Logf, when set, receives what the build found, once.
	Logf func(format string, args ...any)
	// Extract, when set, finds the definitions of files other than Go
	// instead of the index's own tags extractor (extract.go).
	Extract Extractor
}

// file is what the index holds of one file.
type file struct {
	path    string
	dir     string
	lang    Lang
	defs    []*Def
	imports []string
	// uses holds the identifiers the file uses, as a Bloom filter: the
	// references index costs about a bit per identifier occurrence's
	// worth of memory instead of a posting list entry, and a false
	// positive only makes a caller read one file more.
	uses bloom
	// qualUses are the keys of its uses of imported modules' names
	// (usage.go), sorted.
	qualUses []uint64
	size     int
}

// Index is the workspace's symbol index. Its methods are safe for
// concurrent use; readers never wait for parsing.
type Index struct {
	opts Options

	mu    sync.RWMutex
	files map[string]*file
	// names maps a name to its definitions. A slice stored here is never
	// changed in place once published (removal builds a new one, append
	// only adds past the length readers hold), so a reader may use it
	// unlocked.
	names map[string][]*Def
	// dirs maps a folder to the files in it, for a module's definitions.
	dirs map[string][]*file
	full bool // MaxFiles was reached
	// uses counts the files that use each key of usage.go.
	uses map[uint64]uint32
	gen  atomic.Uint64

	cacheMu  sync.Mutex
	cache    map[string]mostUsed // MostUsed's answers for generation cacheGen
	cacheGen uint64

	pendMu  sync.Mutex
	pending map[string]change
	wake    chan struct{}

	built atomic.Bool
	done  chan struct{} // closed when the first build ends
	stats atomic.Pointer[Stats]
}

// change is a queued update: text of an open document, or a re-read or
// removal of a file on disk.
type change struct {
	text    string
	fromDoc bool
	remove  bool
	at      time.Time
}

// Stats describe the index.
type Stats struct {
	Files, Defs, Names int
	Bytes              int64 // source bytes read
	Full               bool  // MaxFiles was reached; more files were left out
	Took               time.Duration
}

// New returns an empty index; Start builds it.
func New(opts Options) *Index {
	if opts.MaxFiles <= 0 {
		opts.MaxFiles = DefaultMaxFiles
	}
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Workers <= 0 {
		opts.Workers = max(1, runtime.NumCPU()/2)
	}
	return &Index{
		opts:    opts,
		files:   map[string]*file{},
		names:   map[string][]*Def{},
		dirs:    map[string][]*file{},
		uses:    map[uint64]uint32{},
		cache:   map[string]mostUsed{},
		pending: map[string]change{},
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
}

// Start builds the index in the background, then applies queued changes
// until ctx ends.
func (ix *Index) Start(ctx context.Context) {
	go func() {
		ix.Build(ctx)
		ix.apply(ctx)
	}()
}

// Built is closed when the first build has finished.
func (ix *Index) Built() <-chan struct{} { return ix.done }

// Build walks the folders and indexes what it finds, nearest first.
// Start calls it; tests and benchmarks may call it directly.
func (ix *Index) Build(ctx context.Context) {
	defer func() {
		if ix.built.CompareAndSwap(false, true) {
			close(ix.done)
		}
	}()
	began := time.Now()
	paths := make(chan string, 256)
	go func() {
		defer close(paths)
		walk(ctx, ix.opts.Folders, ix.opts.MaxFiles, ix.opts.MaxFileBytes, func(full bool) {
			ix.mu.Lock()
			ix.full = full
			ix.mu.Unlock()
		}, paths)
	}()
	results := make(chan *file, 64)
	var wg sync.WaitGroup
	for range ix.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range paths {
				if f := readFile(p, ix.opts.MaxFileBytes, ix.opts.Extract); f != nil {
					results <- f
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	for f := range results {
		ix.put(f, false)
	}
	st := ix.Stats()
	st.Took = time.Since(began)
	ix.stats.Store(&st)
	if ix.opts.Logf != nil {
		ix.opts.Logf("workspace index: %d files, %d definitions in %s (file bound reached: %v)", st.Files, st.Defs, st.Took.Round(time.Millisecond), st.Full)
	}
}

// readFile reads and indexes one file from disk; nil when it is not a
// source file the index reads, too large, or unreadable.
func readFile(p string, maxBytes int64, ext Extractor) *file {
	lang := LangOf(p, "")
	if lang == LangNone {
		return nil
	}
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxBytes {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil || looksBinary(b) {
		return nil
	}
	return parse(p, lang, string(b), true, ext)
}

func looksBinary(b []byte) bool {
	n := min(len(b), 8000)
	for _, c := range b[:n] {
		if c == 0 {
			return true
		}
	}
	return false
}

// parse indexes one file's text. With own, the definitions' strings are
// copies: substrings would keep a file read from disk alive whole. An
// open document's text is held by the editor's document store anyway, so
// its definitions point into it instead of copying it once more; when the
// document is closed the file is read again from disk.
func parse(p string, lang Lang, src string, own bool, ext Extractor) *file {
	var (
		defs    []Def
		imports []string
		extra   []uint64
	)
	if lang == LangGo {
		var local []string
		defs, imports, local = goDefs(p, src)
		if len(local) > 0 {
			q := PackageQual(filepath.Dir(p))
			extra = make([]uint64, 0, len(local)+8)
			for _, n := range local {
				extra = append(extra, UseKey(q, n))
			}
		}
	} else {
		defs, imports = tagDefs(lang, src)
		if ext != nil {
			defs = extracted(ext, p, lang, src, defs)
		}
	}
	f := &file{path: p, dir: filepath.Dir(p), lang: lang, imports: imports, size: len(src)}
	f.defs = make([]*Def, len(defs))
	for i := range defs {
		d := &defs[i]
		if own {
			d.Name, d.Text, d.Container = strings.Clone(d.Name), strings.Clone(d.Text), strings.Clone(d.Container)
		}
		d.Path, d.Lang = p, lang
		f.defs[i] = d
	}
	f.uses = newBloom(Identifiers(src, nil))
	f.qualUses = qualifiedUses(src, imports, extra)
	return f
}

// Identifiers appends the distinct identifiers of src to dst, in order
// of first appearance.
func Identifiers(src string, dst []string) []string {
	seen := make(map[string]struct{}, 256)
	Words(src, func(i, j int) {
		w := src[i:j]
		if _, ok := seen[w]; !ok {
			seen[w] = struct{}{}
			dst = append(dst, w)
		}
	})
	return dst
}

// Words calls fn with the bounds of each identifier of s, in order.
// Words of one letter are left out: they name loop variables, not
// anything worth finding; so is what follows a digit ("0x1f").
func Words(s string, fn func(start, end int)) {
	for i, j := NextWord(s, 0); i >= 0; i, j = NextWord(s, j) {
		fn(i, j)
	}
}

// NextWord returns the bounds of the first word of s at or after from,
// as Words sees them, or -1, -1.
func NextWord(s string, from int) (int, int) {
	for i := from; i < len(s); {
		if !identPart(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && identPart(s[j]) {
			j++
		}
		// A run of name bytes is a word when it starts as a name does:
		// "x9" is one, "9x" none.
		if j-i > 1 && identStart(s[i]) {
			return i, j
		}
		i = j
	}
	return -1, -1
}

// LastWord returns the bounds of the last word of s[:end], as Words sees
// them, or -1, -1.
func LastWord(s string, end int) (int, int) {
	for j := end; j > 0; {
		if !identPart(s[j-1]) {
			j--
			continue
		}
		i := j - 1
		for i > 0 && identPart(s[i-1]) {
			i--
		}
		if j-i > 1 && identStart(s[i]) {
			return i, j
		}
		j = i
	}
	return -1, -1
}

func identStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
func identPart(c byte) bool { return identStart(c) || isDigit(c) }
func isDigit(c byte) bool   { return c >= '0' && c <= '9' }

// put replaces what the index holds of f.path with f. Past MaxFiles a
// new file comes in only when open is set: a document the user opened
// is worth more than the bound's last file.
func (ix *Index) put(f *file, open bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if old := ix.files[f.path]; old != nil {
		ix.dropLocked(old)
	} else if len(ix.files) >= ix.opts.MaxFiles && !open {
		ix.full = true
		return
	}
	ix.files[f.path] = f
	ix.gen.Add(1)
	ix.countUsesLocked(f, 1)
	ix.dirs[f.dir] = append(ix.dirs[f.dir], f)
	for _, d := range f.defs {
		ix.names[d.Name] = append(ix.names[d.Name], d)
	}
}

// dropLocked removes what the index holds of f. The lists it changes
// are rebuilt, never edited in place, for readers holding them.
func (ix *Index) dropLocked(f *file) {
	delete(ix.files, f.path)
	ix.gen.Add(1)
	ix.countUsesLocked(f, -1)
	kept := make([]*file, 0, len(ix.dirs[f.dir]))
	for _, o := range ix.dirs[f.dir] {
		if o != f {
			kept = append(kept, o)
		}
	}
	if len(kept) == 0 {
		delete(ix.dirs, f.dir)
	} else {
		ix.dirs[f.dir] = kept
	}
	for _, d := range f.defs {
		list := ix.names[d.Name]
		kept := make([]*Def, 0, len(list))
		for _, o := range list {
			if o.Path != f.path {
				kept = append(kept, o)
			}
		}
		if len(kept) == 0 {
			delete(ix.names, d.Name)
		} else {
			ix.names[d.Name] = kept
		}
	}
}

// Lookup returns the definitions named name. The slice is shared: the
// caller must not change it.
func (ix *Index) Lookup(name string) []*Def {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.names[name]
}

// Imports returns what the indexed file at path imports, as written:
// Go import paths, Python modules, JavaScript specifiers, Rust use
// paths, Java packages, C includes. ok is false for a file not indexed.
func (ix *Index) Imports(path string) (imports []string, ok bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	f := ix.files[path]
	if f == nil {
		return nil, false
	}
	return f.imports, true
}

// Referencing returns the indexed files that use the identifier name,
// sorted by path. A few may not (see file.uses): a caller that needs
// certainty searches the files it gets.
func (ix *Index) Referencing(name string) []string {
	h1, h2 := bloomHash(name)
	var out []string
	ix.mu.RLock()
	for _, f := range ix.files {
		if f.uses.has(h1, h2) {
			out = append(out, f.path)
		}
	}
	ix.mu.RUnlock()
	slices.Sort(out)
	return out
}

// DefsIn returns the definitions of the indexed file at path.
func (ix *Index) DefsIn(path string) []*Def {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if f := ix.files[path]; f != nil {
		return f.defs
	}
	return nil
}

// Stats counts what the index holds now.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := Stats{Files: len(ix.files), Names: len(ix.names), Full: ix.full}
	for _, f := range ix.files {
		st.Defs += len(f.defs)
		st.Bytes += int64(f.size)
	}
	if b := ix.stats.Load(); b != nil {
		st.Took = b.Took
	}
	return st
}

// Changed queues the text of an open document to be indexed once the
// user pauses. It returns at once.
func (ix *Index) Changed(path, text string) {
	if path == "" || LangOf(path, "") == LangNone || int64(len(text)) > ix.opts.MaxFileBytes {
		return
	}
	ix.queue(path, change{text: text, fromDoc: true, at: time.Now()})
}

// Refresh queues a file to be read again from disk: saved, or changed
// outside the editor.
func (ix *Index) Refresh(path string) {
	if path == "" || LangOf(path, "") == LangNone {
		return
	}
	ix.queue(path, change{at: time.Now()})
}

// Remove queues a deleted file's removal.
func (ix *Index) Remove(path string) {
	if path == "" {
		return
	}
	ix.queue(path, change{remove: true, at: time.Now()})
}

func (ix *Index) queue(path string, c change) {
	ix.pendMu.Lock()
	ix.pending[filepath.Clean(path)] = c
	ix.pendMu.Unlock()
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// apply indexes queued changes once each has been quiet for the
// debounce, until ctx ends.
func (ix *Index) apply(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ix.wake:
		case <-t.C:
		}
		if next := ix.Flush(false); next > 0 {
			t.Reset(next)
		}
	}
}

// Flush applies the queued changes that have been quiet for the debounce
// (all of them when now is true) and returns how long until the next one
// is due, 0 when none is left.
func (ix *Index) Flush(now bool) time.Duration {
	ix.pendMu.Lock()
	due := map[string]change{}
	var next time.Duration
	for p, c := range ix.pending {
		wait := ix.opts.Debounce - time.Since(c.at)
		if now || wait <= 0 {
			due[p] = c
			delete(ix.pending, p)
		} else if next == 0 || wait < next {
			next = wait
		}
	}
	ix.pendMu.Unlock()
	for p, c := range due {
		switch {
		case c.remove:
			ix.mu.Lock()
			if f := ix.files[p]; f != nil {
				ix.dropLocked(f)
			}
			ix.mu.Unlock()
		case c.fromDoc:
			ix.put(parse(p, LangOf(p, ""), c.text, false, ix.opts.Extract), true)
		default:
			if f := readFile(p, ix.opts.MaxFileBytes, ix.opts.Extract); f != nil {
				ix.put(f, false)
			} else {
				ix.mu.Lock()
				if f := ix.files[p]; f != nil {
					ix.dropLocked(f)
				}
				ix.mu.Unlock()
			}
		}
	}
	return next
}

// Paths returns the paths of the indexed files, sorted.
func (ix *Index) Paths() []string {
	ix.mu.RLock()
	out := make([]string, 0, len(ix.files))
	for p := range ix.files {
		out = append(out, p)
	}
	ix.mu.RUnlock()
	slices.Sort(out)
	return out
}

// TopLevelIn returns the top-level definitions (no members) of the
// indexed files in folder dir whose names start with prefix.
func (ix *Index) TopLevelIn(dir, prefix string) []*Def {
	ix.mu.RLock()
	files := ix.dirs[filepath.Clean(dir)]
	ix.mu.RUnlock()
	var out []*Def
	for _, f := range files {
		for _, d := range f.defs {
			if d.Container == "" && !d.Kind.Member() && strings.HasPrefix(d.Name, prefix) {
				out = append(out, d)
			}
		}
	}
	return out
}

// FilesIn returns the indexed files of folder dir, sorted.
func (ix *Index) FilesIn(dir string) []string {
	ix.mu.RLock()
	files := ix.dirs[filepath.Clean(dir)]
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, f.path)
	}
	ix.mu.RUnlock()
	slices.Sort(out)
	return out
}
