package assist

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"switchyard/assist/repoindex"
	"switchyard/providers/providertest"
)

// The Rust corpus of the recall benchmark: crate sources from Debian 12's
// librust-*-dev packages, unpacked by .ci/recall-corpus-rust.

// rustCorpus is the src folder of an unpacked crate ("syn-1.0.107"), ""
// when .ci/recall-corpus-rust has not run.
func rustCorpus(crate string) string {
	dir := providertest.CICache("SWITCHYARD_RECALL_RUST", "recall-rust")
	p := filepath.Join(dir, "usr", "share", "cargo", "registry", crate, "src")
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		return ""
	}
	return p
}

var (
	// use a::b::{C, d::E as F}; pub(crate) use self::x::*; over lines.
	rustUseStart = regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?use\s+`)
	// mod a; (the file's child module, src/.../a.rs or a/mod.rs)
	rustModDecl = regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?mod\s+([A-Za-z_]\w*)\s*;`)
	// A path or a bare name: a::b::C, super::f, Name.
	rustPath = regexp.MustCompile(`[A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*`)
	// The lines that define rather than use, as pyUses skips def and class.
	rustDefHead = regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?(?:(?:const|async|unsafe|extern(?:\s+"[^"]*")?|default)\s+)*(?:fn|struct|enum|union|trait|type|impl|mod|macro_rules!)\b`)
	rustString  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)'`)
)

// rustModPath is the module path of a file of the crate rooted at root
// (its src folder): lib.rs and main.rs are the crate, a/b.rs and
// a/b/mod.rs are a::b. ok is false for files outside the module tree
// (src/bin/).
func rustModPath(root, p string) (mod []string, ok bool) {
	rel, err := filepath.Rel(root, p)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, false
	}
	segs := strings.Split(strings.TrimSuffix(filepath.ToSlash(rel), ".rs"), "/")
	if segs[0] == "bin" {
		return nil, false
	}
	switch last := segs[len(segs)-1]; {
	case len(segs) == 1 && (last == "lib" || last == "main"):
		return nil, true
	case last == "mod":
		return segs[:len(segs)-1], true
	}
	return segs, true
}

// rustModFile is the file of module mod of the crate: src/a/b.rs or
// src/a/b/mod.rs, src/lib.rs for the crate itself.
func rustModFile(root string, mod []string) string {
	var cands []string
	if len(mod) == 0 {
		cands = []string{filepath.Join(root, "lib.rs"), filepath.Join(root, "main.rs")}
	} else {
		rel := filepath.Join(mod...)
		cands = []string{filepath.Join(root, rel+".rs"), filepath.Join(root, rel, "mod.rs")}
	}
	for _, c := range cands {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			return c
		}
	}
	return ""
}

// rustUseTree expands a use tree ("crate::a::{B, c::D as E, self}") into
// local name -> path, with "*" names for globs.
func rustUseTree(prefix []string, tree string, out map[string][]string, globs *[][]string) {
	tree = strings.TrimSpace(tree)
	if tree == "" {
		return
	}
	// Split off the first "{...}" group, if any.
	if i := strings.IndexByte(tree, '{'); i >= 0 {
		head := strings.TrimSuffix(strings.TrimSpace(tree[:i]), "::")
		p := append(slices.Clone(prefix), rustSegs(head)...)
		body := tree[i+1 : strings.LastIndexByte(tree, '}')]
		for _, part := range splitTop(body) {
			rustUseTree(p, part, out, globs)
		}
		return
	}
	alias := ""
	if i := strings.Index(tree, " as "); i >= 0 {
		alias = strings.TrimSpace(tree[i+4:])
		tree = strings.TrimSpace(tree[:i])
	}
	segs := append(slices.Clone(prefix), rustSegs(tree)...)
	if len(segs) == 0 {
		return
	}
	last := segs[len(segs)-1]
	switch last {
	case "*":
		*globs = append(*globs, segs[:len(segs)-1])
		return
	case "self":
		segs = segs[:len(segs)-1]
		if len(segs) == 0 {
			return
		}
		last = segs[len(segs)-1]
	}
	if alias == "" {
		alias = last
	}
	if alias != "_" {
		out[alias] = segs
	}
}

func rustSegs(path string) []string {
	var out []string
	for _, s := range strings.Split(path, "::") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// splitTop splits a use group's body at its top-level commas.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// rustUses finds lines of a Rust file that use a name defined in another
// file of its crate, resolved as rustc does: through a use declaration
// (crate::, super::, self::, grouped, renamed, globs), a child module
// declared with "mod x;", or a path written out (crate::a::b::f(...),
// module::Name) to src/a/b.rs or src/a/b/mod.rs. Re-exports are not
// followed: a name counts only when the file the path names defines it.
func rustUses(ix *repoindex.Index, root, p, src string) []useSite {
	if strings.Contains(p, "/tests/") || strings.Contains(p, "/benches/") || strings.Contains(p, "/examples/") {
		return nil
	}
	self, ok := rustModPath(root, p)
	if !ok {
		return nil
	}
	lines := strings.Split(src, "\n")
	// abs makes a use path absolute from the crate root; nil for another
	// crate's (std::, serde::) or a path that climbs out.
	abs := func(segs []string, scope map[string][]string) []string {
		if len(segs) == 0 {
			return nil
		}
		cur := slices.Clone(self)
		i := 0
		switch segs[0] {
		case "crate":
			cur, i = nil, 1
		case "self":
			i = 1
		case "super":
			for i < len(segs) && segs[i] == "super" {
				if len(cur) == 0 {
					return nil
				}
				cur, i = cur[:len(cur)-1], i+1
			}
		default:
			// A child module of this one, or a name a use brought in.
			if m, ok := scope[segs[0]]; ok {
				cur, i = slices.Clone(m), 1
			} else {
				return nil
			}
		}
		return append(cur, segs[i:]...)
	}
	skip := make([]bool, len(lines))
	// Modules declared here, then the use declarations, in that order:
	// a use may name a child module ("use parse::Parser").
	scope := map[string][]string{}
	for _, l := range lines {
		if m := rustModDecl.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			scope[m[1]] = append(slices.Clone(self), m[1])
		}
	}
	var raw = map[string][]string{}
	var globs [][]string
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if !rustUseStart.MatchString(t) {
			continue
		}
		stmt := t
		j := i
		for !strings.Contains(stmt, ";") && j+1 < len(lines) {
			j++
			stmt += " " + strings.TrimSpace(lines[j])
		}
		for k := i; k <= j; k++ {
			skip[k] = true
		}
		i = j
		stmt = rustUseStart.ReplaceAllString(stmt, "")
		stmt, _, _ = strings.Cut(stmt, ";")
		stmt = strings.TrimPrefix(strings.TrimSpace(stmt), "::")
		rustUseTree(nil, stmt, raw, &globs)
	}
	for name, segs := range raw {
		if a := abs(segs, scope); a != nil {
			scope[name] = a
		}
	}
	var globMods [][]string
	for _, g := range globs {
		if a := abs(g, scope); a != nil {
			globMods = append(globMods, a)
		}
	}
	own := map[string]bool{}
	for _, d := range ix.DefsIn(p) {
		own[d.Name] = true
	}
	// resolve takes an absolute path to the file and name it uses:
	// the longest prefix that is a module of the crate, then the name
	// that follows it (a::b::Type::new is Type of a/b.rs).
	resolve := func(a []string) (file, name string) {
		for k := len(a) - 1; k >= 0; k-- {
			if f := rustModFile(root, a[:k]); f != "" {
				if rustModFile(root, a[:k+1]) != "" {
					return "", "" // a module, not a name
				}
				return f, a[k]
			}
		}
		return "", ""
	}
	// Tests: the #[cfg(test)] module to its closing brace.
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "#[cfg(test)]" {
			continue
		}
		depth, opened := 0, false
		for j := i; j < len(lines); j++ {
			skip[j] = true
			depth += strings.Count(lines[j], "{") - strings.Count(lines[j], "}")
			opened = opened || strings.Contains(lines[j], "{")
			if (opened && depth <= 0) || (!opened && j > i && strings.HasSuffix(strings.TrimSpace(lines[j]), ";")) {
				i = j
				break
			}
		}
	}
	var out []useSite
	inComment := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if inComment {
			if strings.Contains(t, "*/") {
				inComment = false
			}
			continue
		}
		if strings.HasPrefix(t, "/*") {
			inComment = !strings.Contains(t, "*/")
			continue
		}
		if skip[i] || t == "" || strings.HasPrefix(t, "//") || strings.HasPrefix(t, "#") || rustDefHead.MatchString(t) {
			continue
		}
		if k := strings.Index(t, "//"); k >= 0 {
			t = t[:k]
		}
		t = rustString.ReplaceAllString(t, `""`)
		for _, loc := range rustPath.FindAllStringIndex(t, -1) {
			// Not a field or method: x.name, and not a path's tail.
			if loc[0] > 0 && (t[loc[0]-1] == '.' || t[loc[0]-1] == ':') {
				continue
			}
			segs := rustSegs(t[loc[0]:loc[1]])
			var file, name string
			if len(segs) == 1 {
				if own[segs[0]] {
					continue
				}
				if a, ok := scope[segs[0]]; ok {
					file, name = resolve(a)
				} else {
					for _, g := range globMods {
						if f := rustModFile(root, g); f != "" && defLine(ix, f, segs[0], false) != "" {
							file, name = f, segs[0]
							break
						}
					}
				}
			} else if a := abs(segs, scope); a != nil {
				file, name = resolve(a)
			}
			if file == "" || file == p || (len(segs) == 1 && own[name]) {
				continue
			}
			if first := defLine(ix, file, name, false); first != "" {
				out = append(out, useSite{line: i, name: name, defPath: file, defFirst: first})
				break
			}
		}
	}
	return out
}
