package assist

import (
	"cmp"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"switchyard/assist/repoindex"
	"switchyard/config"
)

// Repository context for a completion comes from three sources, by value:
// the definitions of what the code around the cursor uses, found through
// the workspace index whether or not their files are open; windows of
// open files that resemble the code before the cursor; and the other open
// files around their last edit (pickContext). Each takes its share of
// completion.max_context_tokens first, and what one leaves goes to the
// next. The definitions go last in the prompt, nearest the current file.

// Bounds that keep gathering within a keystroke's budget whatever the
// sizes of the file and the workspace.
const (
	// nearBefore and nearAfter are the bytes around the cursor whose
	// identifiers are resolved: the prompt's window and as much again.
	nearBefore = 16 << 10
	nearAfter  = 4 << 10
	// maxCandidates bounds the distinct identifiers looked up.
	maxCandidates = 128
	// maxDefsPerName is how many definitions of one name may come in:
	// a method name defined on several types of the package.
	maxDefsPerName = 2
	// ambiguousDefs: a name without a qualifier that resolves to more
	// definitions than this, none in the current folder or an imported
	// module, is too common to guess from.
	ambiguousDefs = 4
	// similarWindow and similarStep are the lines of a similar-code
	// window and how far apart windows start.
	similarWindow = 16
	similarStep   = 8
	// similarSpan bounds the bytes of one open file scanned for similar
	// code, around its last edit: some 200 lines.
	similarSpan = 8 << 10
	// minSimilarity is the least Jaccard overlap worth sending.
	minSimilarity = 0.12
)

// sourceKind names where a context file came from.
type sourceKind uint8

const (
	sourceOpen sourceKind = iota
	sourceSimilar
	sourceDefinitions
)

func (k sourceKind) String() string {
	return [...]string{"open_files", "similar", "definitions"}[k]
}

// shares are the context shares with the documented defaults filled in.
func shares(c config.ContextShares) config.ContextShares {
	if c == (config.ContextShares{}) {
		return config.ContextShares{Definitions: config.DefaultContextDefinitions, Similar: config.DefaultContextSimilar, OpenFiles: config.DefaultContextOpenFiles}
	}
	return c
}

// gatherContext picks the context files for a completion within the
// budget. Without an index it is pickContext alone, as it always was.
func gatherContext(req *CompletionRequest, w window, budgetTokens int, sh config.ContextShares) []contextFile {
	if req.Index == nil || budgetTokens <= 0 || req.Doc.Path == "" {
		return pickContext(req, budgetTokens)
	}
	sh = shares(sh)
	total := budgetTokens * bytesPerToken
	ranked, likely := rankWithLikely(req, w)
	ranked = withLikely(ranked, likely, int(sh.Definitions*float64(total)))
	defs, used := groupDefinitions(req, ranked, int(sh.Definitions*float64(total)))
	left := total - used
	similar, usedSim := pickSimilar(req, w, min(left, int((sh.Definitions+sh.Similar)*float64(total))-used), defs)
	left -= usedSim
	open := pickContext(req, left/bytesPerToken)
	for _, o := range open {
		left -= len(o.name) + headerBytes + len(o.text)
	}
	// Definitions that did not fit their share take what the others
	// left.
	if left >= minExcerptBytes {
		more, _ := groupDefinitions(req, ranked, used+left)
		if len(more) > 0 {
			defs = more
		}
	}
	// Open files first, definitions last: nearest the hole is what
	// matters most.
	out := make([]contextFile, 0, len(open)+len(similar)+len(defs))
	out = append(out, open...)
	out = append(out, similar...)
	return append(out, defs...)
}

// candidate is an identifier near the cursor: its qualifier ("pkg" in
// pkg.Name), and how near it is, 0 nearest.
type candidate struct {
	name, qual string
	rank       int
}

// nearIdentifiers lists the distinct identifiers around the cursor,
// nearest first: read back from the cursor over nearBefore bytes, and
// on from it over nearAfter bytes, where a distance counts double, since
// what follows the cursor says less about what comes next. Beyond the
// prompt's window this reaches uses of the same names elsewhere in the
// file, which a removed or not yet written line often repeats.
func nearIdentifiers(text string, off int) []candidate {
	from := max(0, off-nearBefore)
	from = strings.LastIndexByte(text[:from], '\n') + 1
	to := min(len(text), off+nearAfter)
	before, after := text[from:off], text[off:to]
	// Walk outwards from the cursor, a word at a time on each side, and
	// stop at maxCandidates: this runs on every keystroke, and the words
	// far from the cursor are rarely reached.
	bi, bj := repoindex.LastWord(before, len(before))
	ai, aj := repoindex.NextWord(after, 0)
	type key struct{ qual, name string }
	seen := make(map[key]struct{}, maxCandidates)
	out := make([]candidate, 0, maxCandidates)
	for bi >= 0 || ai >= 0 {
		var c candidate
		if ai < 0 || bi >= 0 && len(before)-bi <= 2*ai {
			c = candidate{name: before[bi:bj], qual: repoindex.Qualifier(before, bi)}
			bi, bj = repoindex.LastWord(before, bi)
		} else {
			c = candidate{name: after[ai:aj], qual: repoindex.Qualifier(after, ai)}
			ai, aj = repoindex.NextWord(after, aj)
		}
		if _, dup := seen[key{c.qual, c.name}]; dup {
			continue
		}
		seen[key{c.qual, c.name}] = struct{}{}
		c.rank = len(out)
		if out = append(out, c); len(out) == maxCandidates {
			break
		}
	}
	return out
}

// scored is a definition chosen for the prompt.
type scored struct {
	def   *repoindex.Def
	score float64
	// brief: only the definition's first line goes in, for a guess
	// (likelyDefinitions) rather than a name the code near the cursor
	// uses.
	brief bool
}

// importHint is one import of the current file as a path suffix that
// the file or folder of a definition it brings in ends with, and the name
// the file's code calls it by.
type importHint struct {
	suffix string // "net/http", "os/path", "util"
	name   string // "http", "path", "util"
	item   string // a name imported from it one by one, "" for the module
}

// imports of the current document: from the index when it holds the
// file, else read from the text's first lines.
func importsOf(req *CompletionRequest, lang repoindex.Lang) []importHint {
	imps, ok := req.Index.Imports(req.Doc.Path)
	if !ok {
		imps = repoindex.ImportsOf(lang, req.Doc.Text[:min(len(req.Doc.Text), 8<<10)])
	}
	dir := filepath.ToSlash(filepath.Dir(req.Doc.Path))
	out := make([]importHint, 0, len(imps))
	for _, im := range imps {
		item := ""
		if i := strings.LastIndexByte(im, ':'); i > 0 && im[i-1] != ':' {
			im, item = im[:i], im[i+1:]
		}
		var s string
		switch lang {
		case repoindex.LangPython:
			dots := len(im) - len(strings.TrimLeft(im, "."))
			s = strings.ReplaceAll(im[dots:], ".", "/")
			if dots > 0 {
				base := dir
				for range dots - 1 {
					base = path.Dir(base)
				}
				s = strings.TrimSuffix(base+"/"+s, "/")
			}
		case repoindex.LangJS:
			if strings.HasPrefix(im, ".") {
				s = path.Join(dir, im)
				s = strings.TrimSuffix(s, path.Ext(s))
			} else {
				s = im
			}
		case repoindex.LangRust:
			s = strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(im, "crate::"), "self::"), "::", "/")
		case repoindex.LangJava:
			s = strings.ReplaceAll(im, ".", "/")
		case repoindex.LangC:
			s = strings.TrimSuffix(im, path.Ext(im))
		default:
			s = im
		}
		if lang == repoindex.LangJS && strings.HasPrefix(im, ".") {
			// A relative import stays a whole path: moduleDefs reads
			// the module's file from it.
			s = strings.TrimSuffix(s, "/")
		} else {
			s = strings.Trim(s, "/")
		}
		if s == "" {
			continue
		}
		name := path.Base(s)
		if lang == repoindex.LangJS && name == "index" {
			// "../core/index.js" is the folder's module: its code calls
			// it core.
			s = path.Dir(s)
			name = path.Base(s)
		}
		out = append(out, importHint{suffix: s, name: name, item: item})
	}
	return out
}

// importMemo remembers, per file, the names under which the current
// file imports it: many definitions share a file, and a name such as
// String has hundreds of definitions.
type importMemo struct {
	hints   []importHint
	folders []string
	byPath  map[string][]string
}

// isName reports whether the current file imports a module as name.
func (m *importMemo) isName(name string) bool {
	for _, h := range m.hints {
		if h.name == name {
			return true
		}
	}
	return false
}

func (m *importMemo) of(p string) []string {
	if names, ok := m.byPath[p]; ok {
		return names
	}
	var names []string
	for _, h := range m.hints {
		if h.matches(p, m.folders) {
			names = append(names, h.name)
		}
	}
	m.byPath[p] = names
	return names
}

// matches reports whether the definition lives in the imported module:
// its file (without extension) or its folder ends with the import path,
// or the import path ends with its folder's path inside a workspace
// folder (a Go import path starts with the module's path).
func (h importHint) matches(p string, folders []string) bool {
	p = filepath.ToSlash(p)
	noExt := strings.TrimSuffix(p, path.Ext(p))
	dir := path.Dir(p)
	if hasPathSuffix(noExt, h.suffix) || hasPathSuffix(dir, h.suffix) {
		return true
	}
	if _, rel := folderOf(dir, folders); rel != "" && hasPathSuffix(h.suffix, rel) {
		return true
	}
	return false
}

func hasPathSuffix(p, suffix string) bool {
	return p == suffix || strings.HasSuffix(p, suffix) && p[len(p)-len(suffix)-1] == '/'
}

// rankDefinitions resolves the identifiers near the cursor through the
// index, best first.
func rankDefinitions(req *CompletionRequest, w window) []scored {
	lang := repoindex.LangOf(req.Doc.Path, req.Doc.LanguageID)
	if lang == repoindex.LangNone {
		return nil
	}
	named, _ := resolve(req, w, lang, false)
	return named
}

// rankWithLikely is rankDefinitions and, apart, the likeliest names of
// the modules the file imports (likelyDefinitions).
func rankWithLikely(req *CompletionRequest, w window) (named, likely []scored) {
	lang := repoindex.LangOf(req.Doc.Path, req.Doc.LanguageID)
	if lang == repoindex.LangNone {
		return nil, nil
	}
	return resolve(req, w, lang, true)
}

// resolve ranks the definitions of the identifiers near the cursor, and
// with guess the likeliest names of the imported modules.
func resolve(req *CompletionRequest, w window, lang repoindex.Lang, guess bool) (named, likely []scored) {
	off := len(req.Doc.Text) - len(w.suffix)
	if req.Offset >= 0 && req.Offset <= len(req.Doc.Text) {
		off = req.Offset
	}
	cands := nearIdentifiers(req.Doc.Text, off)
	hints := importsOf(req, lang)
	// Names the file imports one by one come after those it uses near
	// the cursor: it imported them to use them.
	for _, h := range hints {
		if h.item != "" {
			cands = append(cands, candidate{name: h.item, rank: len(cands)})
		}
	}
	if len(cands) == 0 && !guess {
		return nil, nil
	}
	// Right after "module." (and any part of a name typed since), the
	// next word is one of that module's names: they come first.
	qualified := moduleAtCursor(req, off, hints, lang)
	curDir := dirOf(req.Doc.Path)
	// The lines of the current file the window shows: its definitions
	// there are in the prompt already.
	// (A selected completion item makes the prefix longer than the text
	// before the cursor.)
	winFirst := strings.Count(req.Doc.Text[:max(0, off-len(w.prefix))], "\n")
	winLast := winFirst + strings.Count(w.prefix, "\n") + strings.Count(w.suffix, "\n")

	memo := &importMemo{hints: hints, folders: req.Folders, byPath: map[string][]string{}}
	var out []scored
	seen := map[*repoindex.Def]bool{}
	done := map[candidate]bool{}
	ownNames := 0 // bare names near the cursor defined in its folder
	for _, c := range cands {
		// An imported name is also a candidate near the cursor when the
		// import line is near.
		if k := (candidate{name: c.name, qual: c.qual}); done[k] {
			continue
		} else {
			done[k] = true
		}
		defs := req.Index.Lookup(c.name)
		if len(defs) == 0 {
			continue
		}
		var best []scored
		for _, d := range defs {
			if d.Lang != lang {
				continue
			}
			s := matchScore(d, c, memo, curDir, req.Doc.Path, lang)
			if s <= 0 || seen[d] || d.Path == req.Doc.Path && d.Line >= winFirst && d.Line <= winLast {
				continue
			}
			best = append(best, scored{def: d, score: s})
		}
		if len(best) == 0 {
			continue
		}
		slices.SortStableFunc(best, func(a, b scored) int {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
			return strings.Compare(a.def.Path, b.def.Path)
		})
		// A bare name found in many places, none of them near, is a
		// guess: leave it out rather than spend the budget on noise.
		if best[0].score < 2 && len(best) > ambiguousDefs {
			continue
		}
		if c.qual == "" && dirOf(best[0].def.Path) == curDir {
			ownNames++
		}
		weight := 1 / float64(1+c.rank)
		for _, b := range best[:min(len(best), maxDefsPerName)] {
			if b.score < best[0].score {
				break
			}
			seen[b.def] = true
			out = append(out, scored{def: b.def, score: b.score * weight})
		}
	}
	slices.SortStableFunc(out, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	if len(qualified) > 0 {
		first := make([]scored, 0, len(qualified)+len(out))
		for _, d := range qualified {
			if !seen[d] {
				first = append(first, scored{def: d, score: 100})
			}
		}
		out = append(first, out...)
	}
	if guess {
		likely = likelyDefinitions(req, cands, hints, lang, out, ownNames)
	}
	return out, likely
}

// maxModuleDefs bounds the names of a module offered after "module.".
const maxModuleDefs = 24

// moduleAtCursor returns, when the cursor follows "name." or "name::"
// with name an imported module in the workspace, that module's
// top-level definitions that start with what was typed after the dot:
// exported ones (in Go), those the workspace uses most through the
// module first.
func moduleAtCursor(req *CompletionRequest, off int, hints []importHint, lang repoindex.Lang) []*repoindex.Def {
	text := req.Doc.Text[:off]
	i := len(text)
	for i > 0 && isIdentByte(text[i-1]) {
		i--
	}
	typed := text[i:]
	q := repoindex.Qualifier(text, i)
	if q == "" {
		return nil
	}
	var defs []*repoindex.Def
	for _, h := range hints {
		if h.name == q && h.item == "" {
			defs = append(defs, moduleDefs(req, h, typed)...)
		}
	}
	if lang == repoindex.LangGo {
		defs = slices.DeleteFunc(defs, func(d *repoindex.Def) bool { return !isExported(d.Name) })
	}
	// The names the workspace uses most through the module first, then
	// the shorter.
	uses := make(map[*repoindex.Def]int, len(defs))
	for _, d := range defs {
		uses[d] = req.Index.Used(q, d.Name)
	}
	slices.SortStableFunc(defs, func(a, b *repoindex.Def) int {
		if c := cmp.Compare(uses[b], uses[a]); c != 0 {
			return c
		}
		if len(a.Name) != len(b.Name) {
			return len(a.Name) - len(b.Name)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return defs[:min(len(defs), maxModuleDefs)]
}

// moduleDefs returns the top-level definitions of the imported module h
// in the workspace whose names start with prefix.
func moduleDefs(req *CompletionRequest, h importHint, prefix string) []*repoindex.Def {
	dir := h.suffix
	var defs []*repoindex.Def
	if filepath.IsAbs(dir) {
		// A relative JavaScript import: the module is a file named
		// without its extension ("./util.js" is util.ts in TypeScript),
		// or a folder and its index file.
		defs = req.Index.TopLevelIn(dir, prefix)
		for _, file := range []string{dir + ".ts", dir + ".tsx", dir + ".js", dir + ".mjs", dir + ".cjs", dir + ".jsx"} {
			for _, d := range req.Index.DefsIn(file) {
				if d.Container == "" && !d.Kind.Member() && strings.HasPrefix(d.Name, prefix) {
					defs = append(defs, d)
				}
			}
		}
		return defs
	}
	// The module's folder: the import path under a workspace folder, or
	// the longest tail of it that is one (a Go import path starts with
	// the module's path, which is not a folder). A Python script's own
	// folder is on its module path too.
	bases := req.Folders
	if repoindex.LangOf(req.Doc.Path, req.Doc.LanguageID) == repoindex.LangPython {
		if cur := dirOf(req.Doc.Path); !slices.Contains(bases, cur) {
			bases = append(slices.Clip(bases), cur)
		}
	}
	for _, f := range bases {
		elems := strings.Split(dir, "/")
		for k := range elems {
			if found := req.Index.TopLevelIn(filepath.Join(f, filepath.Join(elems[k:]...)), prefix); len(found) > 0 {
				defs = append(defs, found...)
				break
			}
		}
		// A module that is one file: Python's m.py, a JavaScript
		// module named without its extension.
		for _, ext := range []string{".py", ".js", ".ts"} {
			for _, d := range req.Index.DefsIn(filepath.Join(f, dir) + ext) {
				if d.Container == "" && !d.Kind.Member() && strings.HasPrefix(d.Name, prefix) {
					defs = append(defs, d)
				}
			}
		}
	}
	return defs
}

// dirOf is the folder of an indexed (clean, absolute) path, without the
// allocation filepath.Dir's cleaning costs: it runs for every definition
// of every name looked up.
func dirOf(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i > 0 {
		return p[:i]
	}
	return p
}

func isExported(name string) bool { return name != "" && name[0] >= 'A' && name[0] <= 'Z' }

// matchScore is how likely d is what the identifier c refers to: 0 when
// it cannot be, 1 for a plausible guess, more for a definition in an
// imported module, in the same folder, or in the type the qualifier
// names.
func matchScore(d *repoindex.Def, c candidate, im *importMemo, curDir, curPath string, lang repoindex.Lang) float64 {
	sameDir := dirOf(d.Path) == curDir
	if lang == repoindex.LangGo && (c.qual == "" || !im.isName(c.qual)) {
		// The common cases, decided without the imports: a bare name,
		// or a field or method of a value.
		switch {
		case c.qual == "" && sameDir && !d.Kind.Member():
			return 3
		case c.qual == "" || !d.Kind.Member():
			return 0
		case sameDir:
			return 2
		}
		return 1
	}
	names := im.of(d.Path)
	imported := len(names) > 0
	qualImport := c.qual != "" && slices.Contains(names, c.qual)
	member := d.Kind.Member()
	if lang == repoindex.LangGo {
		// Go's rules are exact: a bare name is of the same package, a
		// qualified one of the package imported under that name, or a
		// field or method of a value.
		switch {
		case c.qual == "":
			if !sameDir || member {
				return 0
			}
			return 3
		case qualImport:
			if member {
				return 0
			}
			return 4
		case member:
			if sameDir {
				return 2
			}
			if imported {
				return 1.5
			}
			return 1
		default:
			return 0
		}
	}
	s := 1.0
	switch {
	case qualImport:
		s = 4
	case c.qual != "" && c.qual == d.Container:
		s = 3.5
	case imported:
		s = 3
	case d.Path == curPath:
		s = 2.5
	case sameDir:
		s = 2
	}
	if member && c.qual == "" && lang != repoindex.LangJava && lang != repoindex.LangC {
		// A bare name is rarely a member outside Java and C++, where
		// a method calls its class's others unqualified.
		s /= 2
	}
	if c.qual != "" && !member && !qualImport && c.qual != "self" && c.qual != "this" {
		s *= 0.75
	}
	return s
}

// groupDefinitions takes the ranked definitions while the budget lasts
// and groups them by file, each file's in line order.
func groupDefinitions(req *CompletionRequest, chosen []scored, budget int) ([]contextFile, int) {
	if budget < minExcerptBytes {
		return nil, 0
	}
	type group struct {
		path  string
		defs  []*repoindex.Def
		texts []string
	}
	var groups []*group
	byPath := map[string]*group{}
	used := 0
	for _, c := range chosen {
		d := c.def
		text := d.Text
		if c.brief {
			text, _, _ = strings.Cut(text, "\n")
		}
		cost := len(text) + 1
		g := byPath[d.Path]
		if g == nil {
			cost += len(relPath(d.Path, req.Folders)) + headerBytes
		}
		if used+cost > budget {
			continue
		}
		used += cost
		if g == nil {
			g = &group{path: d.Path}
			byPath[d.Path] = g
			groups = append(groups, g)
		}
		g.defs = append(g.defs, d)
		g.texts = append(g.texts, text)
	}
	out := make([]contextFile, 0, len(groups))
	for _, g := range groups {
		order := make([]int, len(g.defs))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return g.defs[a].Line - g.defs[b].Line })
		var b strings.Builder
		sorted := make([]*repoindex.Def, len(order))
		for i, k := range order {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(g.texts[k])
			sorted[i] = g.defs[k]
		}
		g.defs = sorted
		b.WriteByte('\n')
		out = append(out, contextFile{name: relPath(g.path, req.Folders), text: b.String(), path: g.path, source: sourceDefinitions, defs: g.defs})
	}
	return out, used
}

// pickSimilar returns windows of other files of the same language, open
// or near (nearbyDocs), that share the most identifiers with the lines
// before the cursor, leaving out windows that hold a definition already
// chosen.
func pickSimilar(req *CompletionRequest, w window, budget int, defs []contextFile) ([]contextFile, int) {
	if budget < minExcerptBytes {
		return nil, 0
	}
	lang := repoindex.LangOf(req.Doc.Path, req.Doc.LanguageID)
	query := tokenSet(w.prefix[max(0, len(w.prefix)-similarWindow*48):])
	if len(query) < 3 {
		return nil, 0
	}
	type win struct {
		doc        *OtherDocument
		start, end int // bytes
		line       int
		score      float64
	}
	var wins []win
	score := func(o *OtherDocument, from int, sp *spanWindows) {
		for _, sw := range sp.wins {
			both := 0
			for _, w := range sw.words {
				if _, ok := query[w]; ok {
					both++
				}
			}
			s := float64(both) / float64(len(query)+len(sw.words)-both)
			if s >= minSimilarity {
				wins = append(wins, win{doc: o, start: from + sw.start, end: from + sw.end, line: sp.line + sw.line, score: s})
			}
		}
	}
	for i := range req.Others {
		o := &req.Others[i]
		if o.Path == "" || o.Path == req.Doc.Path || repoindex.LangOf(o.Path, o.LanguageID) != lang {
			continue
		}
		from := max(0, min(o.Focus, len(o.Text))-similarSpan/2)
		from = strings.LastIndexByte(o.Text[:from], '\n') + 1
		to := min(len(o.Text), from+similarSpan)
		score(o, from, windowsOf(o.Path, o.Text, from, to))
	}
	// Files not open: the folder's and those viewed recently, read
	// before (nearbyDocs), the windows of their first 8 KB.
	for _, d := range nearbyDocs(req, lang) {
		score(&d.doc, 0, d.wins)
	}
	slices.SortStableFunc(wins, func(a, b win) int { return cmp.Compare(b.score, a.score) })
	var out []contextFile
	used := 0
	type span struct {
		path       string
		start, end int
	}
	var taken []span
	for _, c := range wins {
		overlaps := slices.ContainsFunc(taken, func(s span) bool {
			return s.path == c.doc.Path && c.start < s.end && s.start < c.end
		})
		if overlaps || holdsDefinition(defs, c.doc.Path, c.line, c.line+similarWindow) {
			continue
		}
		name := relPath(c.doc.Path, req.Folders)
		cost := len(name) + headerBytes + (c.end - c.start)
		if used+cost > budget {
			continue
		}
		used += cost
		taken = append(taken, span{c.doc.Path, c.start, c.end})
		out = append(out, contextFile{name: name, text: c.doc.Text[c.start:c.end], path: c.doc.Path, source: sourceSimilar})
	}
	return out, used
}

// spanWindow is one similar-code window of a span: its bytes from the
// span's start, its first line from the span's, its distinct words.
type spanWindow struct {
	start, end, line int
	words            []string
}

type spanWindows struct {
	line int    // the span's first line in its file
	span string // the span's text, a copy
	wins []spanWindow
}

// The windows of the open files' spans, kept between keystrokes: while
// the user types in one file the others do not change, and reading their
// words again was half of a prompt's assembly (BENCHMARKS.md). The key is
// the path, the span's offset and its text; the text is a copy, so an
// entry holds 8 KB, not a whole old version of a document.
var (
	spanCacheMu sync.Mutex
	spanCache   = map[spanKey]*spanWindows{}
)

type spanKey struct {
	path, text string
	from       int
}

// maxSpanCache bounds the spans kept: a few open files' worth.
const maxSpanCache = 32

// windowsOf returns the windows of text[from:to] with their words,
// from the cache when the span is unchanged.
func windowsOf(p, text string, from, to int) *spanWindows {
	k := spanKey{path: p, text: text[from:to], from: from}
	spanCacheMu.Lock()
	sp := spanCache[k]
	spanCacheMu.Unlock()
	if sp != nil {
		return sp
	}
	sp = newSpanWindows(text, from, to)
	k.text = sp.span
	spanCacheMu.Lock()
	if len(spanCache) >= maxSpanCache {
		clear(spanCache)
	}
	spanCache[k] = sp
	spanCacheMu.Unlock()
	return sp
}

// newSpanWindows cuts text[from:to] into windows with their words: one
// pass over the span for the identifiers of each line, then each
// window's distinct ones collected with a stamp per word, so no set is
// built per window.
func newSpanWindows(text string, from, to int) *spanWindows {
	span := strings.Clone(text[from:to])
	sp := &spanWindows{line: strings.Count(text[:from], "\n"), span: span}
	starts := lineStarts(span, 0)
	words := make([][]string, len(starts))
	var buf []string
	for i, s := range starts {
		e := len(span)
		if i+1 < len(starts) {
			e = starts[i+1]
		}
		n := len(buf)
		buf = appendWords(buf, span[s:e])
		words[i] = buf[n:len(buf):len(buf)]
	}
	stamp := map[string]int{}
	for i := 0; i < len(starts); i += similarStep {
		last := min(len(starts), i+similarWindow)
		end := len(span)
		if last < len(starts) {
			end = starts[last]
		}
		var distinct []string
		for _, ws := range words[i:last] {
			for _, w := range ws {
				if stamp[w] != i+1 {
					stamp[w] = i + 1
					distinct = append(distinct, w)
				}
			}
		}
		if len(distinct) > 0 {
			sp.wins = append(sp.wins, spanWindow{start: starts[i], end: end, line: i, words: distinct})
		}
	}
	return sp
}

// holdsDefinition reports whether a chosen definition starts in lines
// [from, to) of path: the window would repeat it.
func holdsDefinition(defs []contextFile, p string, from, to int) bool {
	for _, f := range defs {
		if f.path != p {
			continue
		}
		for _, d := range f.defs {
			if d.Line >= from && d.Line < to {
				return true
			}
		}
	}
	return false
}

// appendWords appends the identifiers of s, repeats and all, to dst:
// cheaper than a set per line, and the windows count each once.
func appendWords(dst []string, s string) []string {
	repoindex.Words(s, func(i, j int) { dst = append(dst, s[i:j]) })
	return dst
}

func lineStarts(s string, base int) []int {
	out := []int{base}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' && i+1 < len(s) {
			out = append(out, base+i+1)
		}
	}
	return out
}

// tokenSet is the set of identifiers of s, the unit similar code is
// compared by.
func tokenSet(s string) map[string]struct{} {
	words := repoindex.Identifiers(s, nil)
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}
