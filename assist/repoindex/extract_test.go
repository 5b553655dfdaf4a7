package repoindex

import (
	"context"
	"path/filepath"
	"testing"
)

// An Extractor's definitions replace the index's own for the files it
// takes, with their headers filled in from the line; a file it declines
// keeps the index's own, and Go is never asked.
func TestExtractorReplacesDefinitions(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.py"), "import os\n\ndef own():\n    pass\n\ndef other(x,\n          y):\n    return x\n")
	write(t, filepath.Join(dir, "b.py"), "def kept():\n    pass\n")
	write(t, filepath.Join(dir, "c.go"), "package c\nfunc Go() {}\n")
	asked := map[string]bool{}
	ext := func(p string, lang Lang, src string) ([]Def, bool) {
		asked[filepath.Base(p)] = true
		if filepath.Base(p) != "a.py" {
			return nil, false
		}
		return []Def{{Name: "other", Kind: KindFunc, Line: 5}}, true
	}
	ix := New(Options{Folders: []string{dir}, Workers: 1, Extract: ext})
	ix.Build(context.Background())
	if asked["c.go"] || !asked["a.py"] || !asked["b.py"] {
		t.Errorf("asked %v, want a.py and b.py, not c.go", asked)
	}
	if got := ix.Lookup("own"); len(got) != 0 {
		t.Errorf("own: %d definitions, want none: the extractor's replace the index's", len(got))
	}
	got := ix.Lookup("other")
	if len(got) != 1 {
		t.Fatalf("other: %d definitions, want 1", len(got))
	}
	if got[0].Text != "def other(x,\n          y):" || got[0].Lang != LangPython {
		t.Fatalf("other: %q, want its two header lines", got[0].Text)
	}
	if len(ix.Lookup("kept")) != 1 || len(ix.Lookup("Go")) != 1 {
		t.Errorf("kept %d, Go %d: a declined file and Go keep the index's own", len(ix.Lookup("kept")), len(ix.Lookup("Go")))
	}
	if imps, _ := ix.Imports(filepath.Join(dir, "a.py")); len(imps) != 1 || imps[0] != "os" {
		t.Errorf("imports %q, want os: still read by the index", imps)
	}
}
