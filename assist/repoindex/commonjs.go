package repoindex

import (
	"regexp"
	"strings"
	"sync"
)

// CommonJS: what a Node module defines through module.exports, which the
// line rules of tags.go do not see, and what "require" brings in, read
// like an ES import.

type cjsRes struct {
	// module.exports = function name(...) / class Name
	namedExport *regexp.Regexp
	// var app = exports = module.exports = ...; module.exports = app;
	alias, exportsName *regexp.Regexp
	// app.name = ... at the top level, app an alias of module.exports
	aliasMember *regexp.Regexp
	// a key of the object literal module.exports = { ... } holds:
	// "name: value", "name(args) {", "async name(", "name," or "name }"
	key *regexp.Regexp
	// const x = require('m'); const { a, b: c } = require('m');
	// const x = require('m').y
	require *regexp.Regexp
}

var cjs = sync.OnceValue(func() *cjsRes {
	return &cjsRes{
		namedExport: regexp.MustCompile(`^(?:[\w$]+\s*=\s*)*module\.exports\s*=\s*(?:(?:async\s+)?function\s*\*?\s*(?P<f>[A-Za-z_$][\w$]*)|class\s+(?P<c>[A-Za-z_$][\w$]*))`),
		alias:       regexp.MustCompile(`^(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:exports\s*=\s*)?module\.exports\s*=`),
		exportsName: regexp.MustCompile(`^(?:exports\s*=\s*)?module\.exports\s*=\s*([A-Za-z_$][\w$]*)\s*;?\s*$`),
		aliasMember: regexp.MustCompile(`^([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)\s*=[^=]\s*(function\b|async\b|class\b)?`),
		key:         regexp.MustCompile(`^(?:async\s+|get\s+|set\s+|\*\s*)?(?:([A-Za-z_$][\w$]*)|['"]([A-Za-z_$][\w$]*)['"])\s*(:\s*(?:async\s+)?(function\b|class\b|\([^)]*\)\s*=>|[\w$]+\s*=>)?|\(|,|$|\})`),
		require:     regexp.MustCompile(`^\s*(?:var|let|const)\s+(?:([A-Za-z_$][\w$]*)|\{([^}]*)\})\s*=\s*require\s*\(\s*['"]([^'"]+)['"]\s*\)(?:\.([A-Za-z_$][\w$]*))?`),
	}
})

// cjsDefs adds to defs what a JavaScript file defines through
// module.exports: the name of a function or class assigned to it, the
// keys of an object literal assigned to it, and the members assigned to
// a variable that is module.exports under another name (express's
// "var app = exports = module.exports = {}; app.init = function ...").
// A variable bound to require(...) is an import, not a definition, and
// is dropped, so that its name resolves to the module's definition as an
// ES import's does. Lines are read as written at the top level, comments
// skipped; an object literal's keys are those one level in.
func cjsDefs(src string, defs []Def) []Def {
	if !strings.Contains(src, "exports") && !strings.Contains(src, "require") {
		return defs
	}
	re := cjs()
	lines := strings.Split(src, "\n")
	starts := make([]int, len(lines))
	for i, off := 0, 0; i < len(lines); i++ {
		starts[i] = off
		off += len(lines[i]) + 1
	}
	have := map[string]bool{}
	out := defs[:0]
	for _, d := range defs {
		if d.Kind == KindVar && d.Container == "" && d.Line < len(lines) && re.require.MatchString(lines[d.Line]) {
			continue
		}
		out = append(out, d)
		if d.Container == "" {
			have[d.Name] = true
		}
	}
	defs = out
	add := func(name string, kind Kind, line int, opens bool) {
		if name == "" || have[name] || notNames[name] {
			return
		}
		have[name] = true
		defs = append(defs, Def{Name: name, Kind: kind, Line: line, Text: header(src, starts[line], LangJS, opens)})
	}
	aliases := map[string]bool{}
	for _, l := range lines {
		if m := re.alias.FindStringSubmatch(l); m != nil {
			aliases[m[1]] = true
		} else if m := re.exportsName.FindStringSubmatch(l); m != nil {
			aliases[m[1]] = true
		}
	}
	inComment := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if inComment {
			inComment = !strings.Contains(t, "*/")
			continue
		}
		if strings.HasPrefix(t, "/*") {
			inComment = !strings.Contains(t, "*/")
			continue
		}
		if !ind0(l) || strings.HasPrefix(t, "//") {
			continue
		}
		if m := re.namedExport.FindStringSubmatch(t); m != nil {
			if f := m[re.namedExport.SubexpIndex("f")]; f != "" {
				add(f, KindFunc, i, false)
			} else {
				add(m[re.namedExport.SubexpIndex("c")], KindClass, i, true)
			}
			continue
		}
		if strings.HasPrefix(t, "module.exports") && strings.HasSuffix(strings.TrimRight(t, " "), "{") && strings.Contains(t, "= {") {
			i = cjsObject(lines, i+1, add)
			continue
		}
		if m := re.aliasMember.FindStringSubmatch(t); m != nil && aliases[m[1]] {
			switch m[3] {
			case "function", "async":
				add(m[2], KindFunc, i, false)
			case "class":
				add(m[2], KindClass, i, true)
			default:
				add(m[2], KindVar, i, false)
			}
		}
	}
	return defs
}

// cjsObject reads the keys of an object literal from line i, one level
// in, up to the line that closes it; it returns that line.
func cjsObject(lines []string, i int, add func(string, Kind, int, bool)) int {
	re := cjs()
	indent := -1
	for ; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "//") || strings.HasPrefix(t, "*") || strings.HasPrefix(t, "/*") {
			continue
		}
		if ind0(l) {
			return i // "};" or the next statement: the literal ended
		}
		in := indentOf(l)
		if indent < 0 {
			indent = in
		}
		if in != indent {
			continue
		}
		m := re.key.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		name := m[1]
		if name == "" {
			name = m[2]
		}
		kind := KindVar
		switch {
		case m[4] == "class":
			kind = KindClass
		case m[4] != "" || strings.HasPrefix(m[3], "("):
			kind = KindFunc
		}
		add(name, kind, i, kind == KindClass)
	}
	return i
}

// cjsImportedNames appends the names a require brings in one by one, as
// "MODULE:NAME", the way importedNames does for an ES import: a
// destructured "const { a, b: c } = require('m')" imports a and b,
// "const x = require('m').y" y, and "const x = require('m')" x, as
// "import x from 'm'" does.
func cjsImportedNames(raw, mod string, dst []string) []string {
	if !strings.Contains(raw, "require") {
		return dst
	}
	m := cjs().require.FindStringSubmatch(raw)
	if m == nil || m[3] != mod {
		return dst
	}
	if m[4] != "" {
		return append(dst, mod+":"+m[4]) // require('m').y imports y
	}
	if m[1] != "" {
		return append(dst, mod+":"+m[1])
	}
	for _, it := range strings.Split(m[2], ",") {
		n, _, _ := strings.Cut(it, ":")
		n = strings.TrimSpace(n)
		if n != "" && !strings.ContainsAny(n, " .=") {
			dst = append(dst, mod+":"+n)
		}
	}
	return dst
}
