package repoindex

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func write(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func defPaths(ix *Index, name string) []string {
	var out []string
	for _, d := range ix.Lookup(name) {
		out = append(out, filepath.Base(d.Path))
	}
	slices.Sort(out)
	return out
}

// The build skips what .gitignore ignores, dependency and hidden
// folders, files past the size bound and languages it does not read.
func TestBuildSkips(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".gitignore"), "gen/\n*_gen.go\n")
	write(t, filepath.Join(dir, "a.go"), "package a\nfunc Kept() {}\n")
	write(t, filepath.Join(dir, "b_gen.go"), "package a\nfunc Generated() {}\n")
	write(t, filepath.Join(dir, "gen", "c.go"), "package gen\nfunc InGen() {}\n")
	write(t, filepath.Join(dir, "node_modules", "x", "i.js"), "function dep() {}\n")
	write(t, filepath.Join(dir, ".hidden", "h.py"), "def hidden(): pass\n")
	write(t, filepath.Join(dir, "sub", ".gitignore"), "local.py\n")
	write(t, filepath.Join(dir, "sub", "local.py"), "def local(): pass\n")
	write(t, filepath.Join(dir, "sub", "kept.py"), "def kept_py(): pass\n")
	write(t, filepath.Join(dir, "big.go"), "package a\nfunc Big() {}\n"+string(make([]byte, 2048)))
	write(t, filepath.Join(dir, "notes.txt"), "func Text() {}\n")
	ix := New(Options{Folders: []string{dir}, MaxFileBytes: 1024})
	ix.Build(context.Background())
	for _, name := range []string{"Kept", "kept_py"} {
		if len(ix.Lookup(name)) != 1 {
			t.Errorf("%s not indexed", name)
		}
	}
	for _, name := range []string{"Generated", "InGen", "dep", "hidden", "local", "Big", "Text"} {
		if got := defPaths(ix, name); len(got) > 0 {
			t.Errorf("%s indexed from %q, want it skipped", name, got)
		}
	}
}

// Changes are applied after the debounce: an open document's text
// replaces its file's definitions, a saved file is read again, a
// deleted one leaves, and the references follow.
func TestIncrementalUpdates(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.go")
	b := filepath.Join(dir, "b.go")
	write(t, a, "package a\nfunc Old() {}\n")
	write(t, b, "package a\nfunc B() { Old() }\n")
	ix := New(Options{Folders: []string{dir}})
	ix.Build(context.Background())
	if got := ix.Referencing("Old"); !slices.Equal(got, []string{a, b}) {
		t.Fatalf("Referencing(Old) = %q, want a.go and b.go", got)
	}

	ix.Changed(a, "package a\nfunc New() {}\n")
	if len(ix.Lookup("New")) != 0 {
		t.Errorf("a change was applied before the debounce")
	}
	if next := ix.Flush(false); next <= 0 {
		t.Errorf("Flush = %v, want the time until the change is due", next)
	}
	ix.Flush(true)
	if got := defPaths(ix, "New"); !slices.Equal(got, []string{"a.go"}) {
		t.Errorf("New defined in %q, want a.go", got)
	}
	if got := defPaths(ix, "Old"); len(got) != 0 {
		t.Errorf("Old still defined in %q after the edit", got)
	}
	if got := ix.Referencing("Old"); !slices.Equal(got, []string{b}) {
		t.Errorf("Referencing(Old) = %q, want only b.go", got)
	}

	// Saved on disk with other content: read again.
	write(t, a, "package a\nfunc Saved() {}\n")
	ix.Refresh(a)
	ix.Flush(true)
	if got := defPaths(ix, "Saved"); !slices.Equal(got, []string{"a.go"}) {
		t.Errorf("Saved defined in %q, want a.go", got)
	}

	// A new file, then a deletion.
	c := filepath.Join(dir, "c.go")
	write(t, c, "package a\nfunc C() {}\n")
	ix.Refresh(c)
	os.Remove(b)
	ix.Remove(b)
	ix.Flush(true)
	if len(ix.Lookup("C")) != 1 || len(ix.Lookup("B")) != 0 {
		t.Errorf("after creating c.go and deleting b.go: C %d, B %d definitions", len(ix.Lookup("C")), len(ix.Lookup("B")))
	}
	if st := ix.Stats(); st.Files != 2 {
		t.Errorf("Stats().Files = %d, want 2", st.Files)
	}
}

// A reader keeps the definitions it looked up while the index changes.
func TestLookupIsStable(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.py")
	write(t, a, "def f(x): pass\n")
	ix := New(Options{Folders: []string{dir}})
	ix.Build(context.Background())
	defs := ix.Lookup("f")
	ix.Changed(a, "def g(): pass\n")
	ix.Flush(true)
	if len(defs) != 1 || defs[0].Text != "def f(x): pass" {
		t.Errorf("a looked-up list changed under its reader: %+v", defs)
	}
}

// Past MaxFiles the walk stops, nearest files first, and says so; a
// file outside the bound still comes in when it is opened and changed.
func TestFileBound(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "top.go"), "package a\nfunc Top() {}\n")
	for _, d := range []string{"x", "y", "z"} {
		write(t, filepath.Join(dir, d, "deep.go"), "package "+d+"\nfunc Deep"+d+"() {}\n")
	}
	ix := New(Options{Folders: []string{dir}, MaxFiles: 2})
	ix.Build(context.Background())
	st := ix.Stats()
	if st.Files != 2 || !st.Full {
		t.Errorf("Stats = %+v, want 2 files and Full", st)
	}
	if len(ix.Lookup("Top")) != 1 {
		t.Errorf("the file nearest the root was not indexed first")
	}
	opened := filepath.Join(dir, "z", "open.go")
	ix.Changed(opened, "package z\nfunc Opened() {}\n")
	ix.Refresh(filepath.Join(dir, "z", "deep.go"))
	ix.Flush(true)
	if len(ix.Lookup("Opened")) != 1 {
		t.Errorf("an opened document past the bound was not indexed")
	}
	if len(ix.Lookup("Deepz")) != 0 {
		t.Errorf("a file on disk past the bound was indexed")
	}
}

// wordsPlain is the plain definition of Words: each run of name bytes
// that starts with a name's first byte, not after a digit, of two bytes
// or more.
func wordsPlain(s string, fn func(i, j int)) {
	for i := 0; i < len(s); {
		if !identStart(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && identPart(s[j]) {
			j++
		}
		if j-i > 1 && (i == 0 || !isDigit(s[i-1])) {
			fn(i, j)
		}
		i = j
	}
}

// Words, NextWord and LastWord (backwards) list the words of the plain
// definition.
func TestWordSteps(t *testing.T) {
	texts := []string{
		"", "x", "ab", "9ab cd", "a9b _9 $x 99 é.ab", "fmt.Println(x1, y_2)\n\tif err != nil { return err }",
		"\x80ab\xffcd9 ef9g h", "a b c", "  leading and trailing  ",
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ab_$9 .\n\xc3\xa9(:"
	for range 2000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		texts = append(texts, string(b))
	}
	for _, s := range texts {
		var want, words [][2]int
		wordsPlain(s, func(i, j int) { want = append(want, [2]int{i, j}) })
		Words(s, func(i, j int) { words = append(words, [2]int{i, j}) })
		var fwd [][2]int
		for i, j := NextWord(s, 0); i >= 0; i, j = NextWord(s, j) {
			fwd = append(fwd, [2]int{i, j})
		}
		var back [][2]int
		for i, j := LastWord(s, len(s)); i >= 0; i, j = LastWord(s, i) {
			back = append([][2]int{{i, j}}, back...)
		}
		if !slices.Equal(words, want) || !slices.Equal(fwd, want) || !slices.Equal(back, want) {
			t.Fatalf("%q: want %v; Words %v, NextWord %v, LastWord %v", s, want, words, fwd, back)
		}
	}
}
