package assist

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"switchyard/assist/repoindex"
	"switchyard/providers/providertest"
)

// The TypeScript and JavaScript corpora of the recall benchmark: npm
// packages that ship their sources, installed by .ci/recall-corpus.

// jsCorpus is the folder of an installed package of the corpus (sub is
// the sources' folder inside it), "" when .ci/recall-corpus has not run.
func jsCorpus(pkg, sub string) string {
	dir := providertest.CICache("SWITCHYARD_RECALL_JS", "recall-corpus")
	p := filepath.Join(dir, "node_modules", pkg, sub)
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		return ""
	}
	return p
}

var (
	// import { a, b as c } from "./m"; import x, { y } from './m';
	// import * as ns from './m'; export { a } from './m' is no use.
	jsImport = regexp.MustCompile(`(?s)\bimport\s+(?:type\s+)?([\w$]+\s*,?\s*)?(\{[^}]*\})?\s*(?:\*\s+as\s+([\w$]+))?\s*from\s+["']([^"']+)["']`)
	// const x = require('./m'); var { a, b } = require("./m")
	jsRequire = regexp.MustCompile(`\b(?:const|let|var)\s+([\w$]+|\{[^}]*\})\s*=\s*require\(\s*["']([^"']+)["']\s*\)`)
	jsWord    = regexp.MustCompile(`[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?`)
)

// jsModule resolves a relative import to a file of the workspace the way
// Node and TypeScript do: as written, with an extension added, a ".js"
// written for the ".ts" source, or the folder's index.
func jsModule(p, spec string) string {
	if !strings.HasPrefix(spec, ".") {
		return ""
	}
	base := filepath.Join(filepath.Dir(p), spec)
	cands := []string{base}
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	for _, ext := range []string{".ts", ".tsx", ".js", ".mjs", ".cjs"} {
		cands = append(cands, base+ext, stem+ext)
	}
	for _, ext := range []string{".ts", ".js"} {
		cands = append(cands, filepath.Join(base, "index"+ext))
	}
	for _, c := range cands {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			return c
		}
	}
	return ""
}

// jsUses finds lines of a TypeScript or JavaScript file that use a name
// imported from another file of the workspace (import or require), or a
// member of a module imported whole (ns.name, m.name after require).
func jsUses(ix *repoindex.Index, root, p, src string) []useSite {
	if strings.Contains(p, "/test/") || strings.Contains(p, "/tests/") || strings.Contains(p, "/__tests__/") ||
		strings.Contains(p, ".test.") || strings.Contains(p, ".spec.") || strings.HasSuffix(p, ".d.ts") {
		return nil
	}
	names := map[string]string{}   // imported name -> module file
	modules := map[string]string{} // namespace or require'd module -> file
	items := func(list, file string) {
		for _, it := range strings.Split(strings.Trim(list, "{} \n"), ",") {
			f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(it), "type "))
			switch {
			case len(f) == 1:
				names[f[0]] = file
			case len(f) == 3 && (f[1] == "as" || f[1] == ":") && f[0] != "default":
				// Renamed: the definition is under its own name, which the
				// line does not show; left out.
			}
		}
	}
	for _, m := range jsImport.FindAllStringSubmatch(src, -1) {
		file := jsModule(p, m[4])
		if file == "" {
			continue
		}
		if def := strings.Trim(m[1], " ,\n"); def != "" {
			names[def] = file
		}
		if m[2] != "" {
			items(m[2], file)
		}
		if m[3] != "" {
			modules[m[3]] = file
		}
	}
	for _, m := range jsRequire.FindAllStringSubmatch(src, -1) {
		file := jsModule(p, m[2])
		if file == "" {
			continue
		}
		if strings.HasPrefix(m[1], "{") {
			items(m[1], file)
		} else {
			// module.exports = function name() or a name the file defines.
			names[m[1]] = file
			modules[m[1]] = file
		}
	}
	own := map[string]bool{}
	for _, d := range ix.DefsIn(p) {
		own[d.Name] = true
	}
	var out []useSite
	inComment := false
	for i, l := range strings.Split(src, "\n") {
		t := strings.TrimSpace(l)
		if inComment {
			inComment = !strings.Contains(t, "*/")
			continue
		}
		if strings.HasPrefix(t, "/*") {
			inComment = !strings.Contains(t, "*/")
			continue
		}
		if t == "" || strings.HasPrefix(t, "//") || strings.HasPrefix(t, "*") || strings.HasPrefix(t, "import ") ||
			strings.HasPrefix(t, "export ") && strings.Contains(t, " from ") || strings.Contains(t, "require(") || strings.HasPrefix(t, "}") && strings.Contains(t, " from ") {
			continue
		}
		for _, w := range jsWord.FindAllString(t, -1) {
			var file, name string
			head, member, dotted := strings.Cut(w, ".")
			if f, ok := names[head]; ok && !own[head] {
				file, name = f, head
			} else if f, ok := modules[head]; ok && dotted {
				file, name = f, member
			}
			if file == "" || file == p {
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
