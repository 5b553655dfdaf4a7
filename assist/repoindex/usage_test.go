package repoindex

import (
	"context"
	"path/filepath"
	"testing"
)

// The usage counts follow the files: a module's names used through it,
// names imported one by one, a Go package's own names used by its other
// files; and they drop when a file changes or goes.
func TestUsageCounts(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "hash", "sum.go"), "package hash\n\nfunc Sum256(b []byte) [32]byte { return [32]byte{} }\nfunc New() int { return 0 }\n")
	write(t, filepath.Join(dir, "app", "a.go"), "package app\n\nimport \"hash\"\n\nfunc a() { _ = hash.Sum256(nil); helper() }\n")
	write(t, filepath.Join(dir, "app", "b.go"), "package app\n\nimport \"hash\"\n\nfunc b() { _ = hash.Sum256(nil); _ = hash.New() }\n")
	write(t, filepath.Join(dir, "app", "c.go"), "package app\n\nfunc helper() { var local int; _ = local }\n")
	write(t, filepath.Join(dir, "py", "m.py"), "from util import parse, dump\nimport codecs\n\nx = codecs.lookup('a')\n")
	ix := New(Options{Folders: []string{dir}})
	ix.Build(context.Background())
	appDir := filepath.Join(dir, "app")
	for _, c := range []struct {
		qual, name string
		want       int
	}{
		{"hash", "Sum256", 2},
		{"hash", "New", 1},
		{"hash", "Missing", 0},
		{PackageQual(appDir), "helper", 1},
		{PackageQual(appDir), "local", 0}, // declared where it is used
		{PackageQual(appDir), "len", 0},
		{"util", "parse", 1},
		{"codecs", "lookup", 1},
	} {
		if got := ix.Used(c.qual, c.name); got != c.want {
			t.Errorf("Used(%q, %q) = %d, want %d", c.qual, c.name, got, c.want)
		}
	}
	if !ix.UsedBy(filepath.Join(appDir, "b.go"), "hash", "New") || ix.UsedBy(filepath.Join(appDir, "a.go"), "hash", "New") {
		t.Error("UsedBy does not tell which file uses hash.New")
	}
	hashDir := filepath.Join(dir, "hash")
	used, total := ix.MostUsed("hash", "hash", func() []*Def { return ix.TopLevelIn(hashDir, "") })
	if len(used) != 2 || used[0].Def.Name != "Sum256" || used[0].Uses != 2 || total != 3 {
		t.Errorf("MostUsed = %+v, %d; want Sum256 (2) first of 3 uses", used, total)
	}

	// b.go stops using hash, a.go goes: the counts follow.
	gen := ix.Generation()
	ix.Changed(filepath.Join(appDir, "b.go"), "package app\n\nfunc b() {}\n")
	ix.Remove(filepath.Join(appDir, "a.go"))
	ix.Flush(true)
	if got := ix.Used("hash", "Sum256"); got != 0 {
		t.Errorf("after the change Used(hash, Sum256) = %d, want 0", got)
	}
	if got := ix.Used(PackageQual(appDir), "helper"); got != 0 {
		t.Errorf("after the removal Used(app, helper) = %d, want 0", got)
	}
	if ix.Generation() == gen {
		t.Error("the generation did not change with the index")
	}
	if used, _ := ix.MostUsed("hash", "hash", func() []*Def { return ix.TopLevelIn(hashDir, "") }); len(used) != 0 {
		t.Errorf("MostUsed kept its answer past a change: %+v", used)
	}
}

// The name code calls an imported module by: a JavaScript specifier's
// file without its extension, or the folder of its index file.
func TestModuleName(t *testing.T) {
	for imp, want := range map[string]string{
		"net/http":          "http",
		"os.path":           "path",
		"std::collections":  "collections",
		"../core/util.js":   "util",
		"./schemas":         "schemas",
		"../core/index.js":  "core",
		"lodash-es":         "lodash-es",
		"math/rand/v2":      "v2",
		"@scope/pkg/sub.ts": "sub",
	} {
		if got := ModuleName(imp); got != want {
			t.Errorf("ModuleName(%q) = %q, want %q", imp, got, want)
		}
	}
}
