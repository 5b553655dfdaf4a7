package assist

import (
	"cmp"
	"slices"
	"strings"

	"switchyard/assist/repoindex"
)

// When the line being written uses a name that appears nowhere else near
// the cursor ("sum := sha256.Sum256(data)" in a file that calls nothing
// else of sha256), no reading of the surroundings can name it. What is
// known is which modules the file imports, how much the code near the
// cursor uses each, and which of each module's names the workspace's
// other files use through it (repoindex's usage counts). The likeliest
// of those go in as one line each, the signature, after the definitions
// the code near the cursor names.

// maxLikely bounds the guesses ranked.
const maxLikely = 64

// likelyDefinitions ranks the top-level names of the modules the current
// file imports, and in Go of its own package, by how likely the code at
// the cursor is to use them, leaving out those already chosen. ownNames
// is how many names near the cursor are of the current folder's files.
func likelyDefinitions(req *CompletionRequest, cands []candidate, hints []importHint, lang repoindex.Lang, chosen []scored, ownNames int) []scored {
	ix := req.Index
	taken := make(map[*repoindex.Def]bool, len(chosen))
	for _, c := range chosen {
		taken[c.def] = true
	}
	// How often each module is used near the cursor (distinct names): a
	// file that calls syscall thirty times and fmt once will call
	// syscall again. The same for the package's own names.
	near := map[string]int{}
	for _, c := range cands {
		if c.qual != "" {
			near[c.qual]++
		}
	}
	var out []scored
	platform := ""
	if lang == repoindex.LangGo {
		platform = strings.Join(nameParts(req.Doc.Path), "_")
	}
	// add weighs a module's names by their share of the module's uses.
	add := func(key, qual string, weight float64, defs func() []*repoindex.Def) {
		used, total := ix.MostUsed(key+"\x00"+qual+"\x00"+platform, qual, func() []*repoindex.Def {
			all := defs()
			if lang != repoindex.LangGo {
				return all
			}
			if !strings.HasPrefix(qual, "dir:") {
				all = slices.DeleteFunc(all, func(d *repoindex.Def) bool { return !isExported(d.Name) })
			}
			return onePerName(all, req.Doc.Path)
		})
		for _, u := range used {
			if taken[u.Def] || u.Def.Path == req.Doc.Path {
				continue
			}
			taken[u.Def] = true
			out = append(out, scored{def: u.Def, score: weight * float64(u.Uses) / float64(total), brief: true})
		}
	}
	var items []*repoindex.Def
	itemQual := map[*repoindex.Def]string{}
	// A JavaScript module whose names the file imports one by one
	// ("import { a, b } from './m'") is not at hand under a name: its
	// other names are not guesses for this file.
	byItem := map[string]bool{}
	if lang == repoindex.LangJS {
		for _, h := range hints {
			if h.item != "" {
				byItem[h.suffix] = true
			}
		}
	}
	for _, h := range hints {
		if byItem[h.suffix] && h.item == "" {
			continue
		}
		if h.item != "" {
			for _, d := range ix.Lookup(h.item) {
				if d.Lang == lang && d.Container == "" && !d.Kind.Member() && h.matches(d.Path, req.Folders) {
					items = append(items, d)
					itemQual[d] = h.name
				}
			}
			continue
		}
		key := h.suffix
		if lang == repoindex.LangPython {
			key += "\x00" + dirOf(req.Doc.Path) // moduleDefs looks there too
		}
		add(key, h.name, float64(1+near[h.name]), func() []*repoindex.Def { return moduleDefs(req, h, "") })
	}
	// Names imported one by one: weighed among themselves by their use.
	if len(items) > 0 {
		total := 0
		counts := make([]int, len(items))
		for i, d := range items {
			counts[i] = 1 + ix.Used(itemQual[d], d.Name)
			total += counts[i]
		}
		for i, d := range items {
			if !taken[d] && d.Path != req.Doc.Path {
				taken[d] = true
				out = append(out, scored{def: d, score: float64(counts[i]) / float64(total), brief: true})
			}
		}
	}
	if lang == repoindex.LangGo {
		dir := dirOf(req.Doc.Path)
		add(dir, repoindex.PackageQual(dir), float64(1+ownNames), func() []*repoindex.Def { return ix.TopLevelIn(dir, "") })
	}
	slices.SortStableFunc(out, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return strings.Compare(a.def.Name, b.def.Name)
	})
	return out[:min(len(out), maxLikely)]
}

// onePerName keeps one definition of each name of a Go package, which
// defines Syscall or Close once for each platform, and one of them says
// what the others do. The kept one is the file whose name shares the most parts
// with the current file's ("_linux", "_unix"), else the one with fewest.
func onePerName(defs []*repoindex.Def, cur string) []*repoindex.Def {
	if len(defs) < 2 {
		return defs
	}
	curParts := nameParts(cur)
	fit := func(d *repoindex.Def) int {
		parts := nameParts(d.Path)
		common := 0
		for _, p := range parts {
			if slices.Contains(curParts, p) {
				common++
			}
		}
		return 8*common - len(parts)
	}
	best := make(map[string]int, len(defs))
	out := defs[:0:0]
	for _, d := range defs {
		i, ok := best[d.Name]
		if !ok {
			best[d.Name] = len(out)
			out = append(out, d)
		} else if fit(d) > fit(out[i]) {
			out[i] = d
		}
	}
	return out
}

// nameParts are the parts of a file's base name after the first, split
// at "_": a Go file's platform suffixes.
func nameParts(p string) []string {
	base := p[strings.LastIndexAny(p, `/\`)+1:]
	base = strings.TrimSuffix(base, ".go")
	parts := strings.Split(base, "_")
	return parts[1:]
}

// withLikely orders the definitions for the budget: those the code near
// the cursor names until they fill half of it, then the guesses, then
// the rest of the named ones.
func withLikely(named, likely []scored, budget int) []scored {
	if len(likely) == 0 {
		return named
	}
	out := make([]scored, 0, len(named)+len(likely))
	used, k := 0, 0
	for ; k < len(named) && used < budget/2; k++ {
		s := named[k]
		s.brief = s.brief || k >= fullNamed
		text := s.def.Text
		if s.brief {
			text, _, _ = strings.Cut(text, "\n")
		}
		used += len(text) + 1
		out = append(out, s)
	}
	out = append(out, likely...)
	for _, s := range named[k:] {
		s.brief = true
		out = append(out, s)
	}
	return out
}

// fullNamed is how many of the named definitions, nearest first, come
// in whole (a struct's fields, a signature over several lines); the
// others as their first line, so that more of them fit.
const fullNamed = 6
