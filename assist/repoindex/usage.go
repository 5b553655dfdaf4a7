package repoindex

import (
	"hash/maphash"
	"path"
	"slices"
	"strings"
)

// Usage counts answer "which names of a module does code that imports
// it use?": how many indexed files use a module's name through the
// module ("sha256.Sum256", "re.compile", a name of "from m import name")
// and, in Go, how many files of a package use a package-level name of
// another file. When the line being written names something that appears
// nowhere else near the cursor, the names that code importing the same
// modules uses most are the best guess of what it will call; the recall
// benchmark (BENCHMARKS.md) measures how often that guess is right.
//
// A file keeps its uses as sorted 64-bit hashes and the index a count a
// hash, not the names: a few bytes a use instead of a string, and a
// collision only lifts one name's count.

var useSeed = maphash.MakeSeed()

// UseKey is the key of a use of name through qual: the module's name as
// the file calls it ("sha256", "re"), or for a Go package's own names
// PackageQual of its folder.
func UseKey(qual, name string) uint64 {
	var h maphash.Hash
	h.SetSeed(useSeed)
	h.WriteString(qual)
	h.WriteByte('.')
	h.WriteString(name)
	return h.Sum64()
}

// PackageQual is the qualifier under which a Go package's files count
// the uses of the package's own names: its folder.
func PackageQual(dir string) string { return "dir:" + dir }

// ModuleName is the name code calls an imported module by, from the
// import as the index records it: the last element of a Go import path,
// a Python module path, a JavaScript specifier or a Rust path.
func ModuleName(imp string) string {
	imp = strings.TrimSuffix(imp, "/")
	if strings.Contains(imp, "/") {
		// A path: "../core/util.js" is util, "../core/index.js" core.
		base := path.Base(imp)
		switch path.Ext(base) {
		case ".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", ".mts", ".cts":
			base = strings.TrimSuffix(base, path.Ext(base))
		}
		if base == "index" {
			base = path.Base(path.Dir(imp))
		}
		return base
	}
	if i := strings.LastIndexAny(imp, "/.:"); i >= 0 {
		return imp[i+1:]
	}
	return imp
}

// qualifiedUses returns the sorted distinct keys of the uses in src of
// names through the modules imports names, and of the names imported
// one by one ("MODULE:NAME"). The words are read with the same scanner
// the prompt's candidates are.
func qualifiedUses(src string, imports []string, extra []uint64) []uint64 {
	mods := make(map[string]bool, len(imports))
	keys := extra
	for _, im := range imports {
		if i := strings.LastIndexByte(im, ':'); i > 0 && im[i-1] != ':' {
			keys = append(keys, UseKey(ModuleName(im[:i]), im[i+1:]))
			continue
		}
		if n := ModuleName(path.Clean(im)); n != "" {
			mods[n] = true
		}
	}
	if len(mods) > 0 {
		Words(src, func(i, j int) {
			if q := Qualifier(src, i); q != "" && mods[q] {
				keys = append(keys, UseKey(q, src[i:j]))
			}
		})
	}
	slices.Sort(keys)
	return slices.Clip(slices.Compact(keys))
}

// Qualifier is the identifier before a ".", "::" or "->" that ends just
// before s[i:], "" when there is none: "pkg" of "pkg.Name".
func Qualifier(s string, i int) string {
	j := i
	switch {
	case j >= 1 && s[j-1] == '.':
		j--
	case j >= 2 && (s[j-2:j] == "::" || s[j-2:j] == "->"):
		j -= 2
	default:
		return ""
	}
	k := j
	for k > 0 && (identPart(s[k-1]) || s[k-1] >= 0x80) {
		k--
	}
	return s[k:j]
}

// Used returns how many indexed files use name through qual (see
// UseKey).
func (ix *Index) Used(qual, name string) int {
	k := UseKey(qual, name)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return int(ix.uses[k])
}

// UsedBy reports whether the indexed file at path uses name through qual.
func (ix *Index) UsedBy(p, qual, name string) bool {
	ix.mu.RLock()
	f := ix.files[p]
	ix.mu.RUnlock()
	if f == nil {
		return false
	}
	_, ok := slices.BinarySearch(f.qualUses, UseKey(qual, name))
	return ok
}

// Generation changes whenever the index's contents do: a caller may
// keep what it derived from the index until then.
func (ix *Index) Generation() uint64 { return ix.gen.Load() }

// countUsesLocked adds (d = 1) or removes (d = -1) f's uses.
func (ix *Index) countUsesLocked(f *file, d int32) {
	for _, k := range f.qualUses {
		n := int32(ix.uses[k]) + d
		if n <= 0 {
			delete(ix.uses, k)
		} else {
			ix.uses[k] = uint32(n)
		}
	}
}

// UsedDef is a definition and how many indexed files use it through a
// qualifier.
type UsedDef struct {
	Def  *Def
	Uses int
}

// maxMostUsed bounds the definitions MostUsed keeps of one module.
const maxMostUsed = 32

// MostUsed returns the definitions defs gives, ordered by how many files
// use each through qual, those no file uses left out, at most 32, and
// the uses of all of them together. The answer is kept under key until
// the index changes: defs is called only then, so a module of thousands
// of names costs one pass after each change, not one a keystroke.
func (ix *Index) MostUsed(key, qual string, defs func() []*Def) ([]UsedDef, int) {
	gen := ix.gen.Load()
	ix.cacheMu.Lock()
	if ix.cacheGen != gen {
		clear(ix.cache)
		ix.cacheGen = gen
	}
	c, ok := ix.cache[key]
	ix.cacheMu.Unlock()
	if ok {
		return c.defs, c.total
	}
	all := defs()
	keys := make([]uint64, len(all))
	for i, d := range all {
		keys[i] = UseKey(qual, d.Name)
	}
	var out []UsedDef
	total := 0
	ix.mu.RLock()
	for i, d := range all {
		if n := int(ix.uses[keys[i]]); n > 0 {
			out = append(out, UsedDef{Def: d, Uses: n})
			total += n
		}
	}
	ix.mu.RUnlock()
	slices.SortStableFunc(out, func(a, b UsedDef) int { return b.Uses - a.Uses })
	out = slices.Clip(out[:min(len(out), maxMostUsed)])
	ix.cacheMu.Lock()
	if ix.cacheGen == gen {
		if len(ix.cache) >= maxCached {
			clear(ix.cache)
		}
		ix.cache[key] = mostUsed{defs: out, total: total}
	}
	ix.cacheMu.Unlock()
	return out, total
}

// maxCached bounds the modules MostUsed remembers.
const maxCached = 512

type mostUsed struct {
	defs  []UsedDef
	total int
}
