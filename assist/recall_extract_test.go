package assist

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/assist/repoindex"
)

// recallExtractor is the index's extractor for the recall benchmark:
// nil (its own) unless SWITCHYARD_RECALL_DEFS names a file of
// definitions found by another extractor, as
// assist/repoindex/internal/tscompare writes them (tree-sitter's tags
// queries), which then stand for the index's own in Python, JavaScript
// and TypeScript files; nil too when it holds none of root's files (a
// corpus it was not written for).
func recallExtractor(t *testing.T, root string) repoindex.Extractor {
	name := os.Getenv("SWITCHYARD_RECALL_DEFS")
	if name == "" {
		return nil
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatalf("SWITCHYARD_RECALL_DEFS: %v", err)
	}
	defer f.Close()
	byPath := map[string][]repoindex.Def{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r struct {
			Path, Name, Container string
			Kind, Line            int
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("SWITCHYARD_RECALL_DEFS %s: %v", name, err)
		}
		byPath[r.Path] = append(byPath[r.Path], repoindex.Def{Name: r.Name, Container: r.Container, Kind: repoindex.Kind(r.Kind), Line: r.Line})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	covered := false
	for p := range byPath {
		if strings.HasPrefix(p, root+string(filepath.Separator)) {
			covered = true
			break
		}
	}
	if !covered {
		t.Logf("%s holds no definitions of %s: the index's own are used", name, root)
		return nil
	}
	t.Logf("definitions of %d files from %s", len(byPath), name)
	return func(p string, lang repoindex.Lang, _ string) ([]repoindex.Def, bool) {
		if lang != repoindex.LangPython && (lang != repoindex.LangJS || strings.EqualFold(filepath.Ext(p), ".tsx")) {
			return nil, false
		}
		// A copy: the index fills in the header.
		return append([]repoindex.Def(nil), byPath[p]...), true
	}
}
