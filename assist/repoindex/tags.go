package repoindex

import (
	"regexp"
	"strings"
	"sync"
)

// The tags extractor for languages other than Go: a line scanner that
// blanks comments and string contents, tracks brackets and the enclosing
// class (or impl, struct, interface), and matches each line against a
// few patterns per language. It was chosen over tree-sitter grammars run
// as WebAssembly through wazero because it needs no grammar files to
// ship and check, reads a 2,000-file workspace in well under a second on
// one core, and what the prompt needs is a definition's name, container
// and header lines, which these patterns find for the way code is
// written in practice; the recall benchmark (BENCHMARKS.md) measures how
// well. Measured against tree-sitter's grammars with their own tags
// queries (internal/tscompare), it gave the same recall on Python and
// better on TypeScript and JavaScript, in a seventeenth to a quarter of
// the build time tree-sitter takes through wazero. It misses definitions made by unusual means (a C function whose
// name comes from a macro, Python names bound by a loop at module level).

// rule is one pattern of a language; the submatch named "n" is the name.
type rule struct {
	re   *regexp.Regexp
	kind Kind
	// opens: the definition is a container whose body holds members
	// (a class, struct, trait, impl block, namespace).
	opens bool
	// member: the rule only applies directly inside a container;
	// top: only outside any container (at module level).
	member, top bool
	// transparent containers (namespaces, modules) hold top-level
	// definitions rather than members.
	transparent bool
	// head is a plain substring the line must hold before the pattern
	// is tried, which keeps the scan cheap.
	head string
}

// tagRules are compiled on first use, not at start-up: most sessions
// index no file in these languages before the first keystroke.
var tagRules = sync.OnceValues(func() (map[Lang][]rule, map[Lang]*regexp.Regexp) {
	pyRules := []rule{
		{re: regexp.MustCompile(`^(?:async\s+)?def\s+(?P<n>[A-Za-z_]\w*)`), kind: KindFunc, head: "def"},
		{re: regexp.MustCompile(`^class\s+(?P<n>[A-Za-z_]\w*)`), kind: KindClass, opens: true, head: "class"},
		{re: regexp.MustCompile(`^(?P<n>[A-Za-z_]\w*)\s*(?::[^=]*)?=[^=]`), kind: KindVar, top: true, head: "="},
		{re: regexp.MustCompile(`^(?P<n>[A-Za-z_]\w*)\s*(?::[^=]*)?=[^=]`), kind: KindField, member: true, head: "="},
	}
	jsRules := []rule{
		{re: regexp.MustCompile(`^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:async\s+)?function\s*\*?\s*(?P<n>[A-Za-z_$][\w$]*)`), kind: KindFunc, head: "function"},
		{re: regexp.MustCompile(`^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?class\s+(?P<n>[A-Za-z_$][\w$]*)`), kind: KindClass, opens: true, head: "class"},
		{re: regexp.MustCompile(`^(?:export\s+)?(?:declare\s+)?interface\s+(?P<n>[A-Za-z_$][\w$]*)`), kind: KindType, opens: true, head: "interface"},
		{re: regexp.MustCompile(`^(?:export\s+)?(?:declare\s+)?(?:const\s+)?enum\s+(?P<n>[A-Za-z_$][\w$]*)`), kind: KindType, opens: true, head: "enum"},
		{re: regexp.MustCompile(`^(?:export\s+)?(?:declare\s+)?type\s+(?P<n>[A-Za-z_$][\w$]*)\s*(?:<[^=]*>)?\s*=`), kind: KindType, head: "type"},
		{re: regexp.MustCompile(`^(?:export\s+)?(?:declare\s+)?(?:namespace|module)\s+(?P<n>[A-Za-z_$][\w$.]*)\s*\{`), kind: KindType, opens: true, transparent: true, head: "{"},
		{re: regexp.MustCompile(`^(?:export\s+)?(?:declare\s+)?(?:const|let|var)\s+(?P<n>[A-Za-z_$][\w$]*)`), kind: KindVar, top: true},
		{re: regexp.MustCompile(`^(?:module\.)?exports\.(?P<n>[A-Za-z_$][\w$]*)\s*=`), kind: KindVar, top: true, head: "exports."},
		{re: regexp.MustCompile(`^[A-Za-z_$][\w$]*\.prototype\.(?P<n>[A-Za-z_$][\w$]*)\s*=`), kind: KindMethod, top: true, head: ".prototype."},
		{re: regexp.MustCompile(`^(?:(?:public|private|protected|static|readonly|abstract|override|declare|async|get|set|\*)\s+)*(?P<n>#?[A-Za-z_$][\w$]*)\s*[?!]?\s*(?:<[^>]*>\s*)?\(`), kind: KindMethod, member: true, head: "("},
		{re: regexp.MustCompile(`^(?:(?:public|private|protected|static|readonly|declare|override)\s+)*(?P<n>#?[A-Za-z_$][\w$]*)\s*[?!]?\s*[:=]`), kind: KindField, member: true},
	}
	rustRules := []rule{
		{re: regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?(?:(?:const|async|unsafe|extern(?:\s+"[^"]*")?)\s+)*fn\s+(?P<n>[A-Za-z_]\w*)`), kind: KindFunc, head: "fn "},
		{re: regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?(?:struct|union)\s+(?P<n>[A-Za-z_]\w*)`), kind: KindType, opens: true},
		{re: regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?enum\s+(?P<n>[A-Za-z_]\w*)`), kind: KindType, opens: true, head: "enum"},
		{re: regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?(?:unsafe\s+)?trait\s+(?P<n>[A-Za-z_]\w*)`), kind: KindType, opens: true, head: "trait"},
		{re: regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?type\s+(?P<n>[A-Za-z_]\w*)`), kind: KindType, head: "type"},
		{re: regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?(?:const|static)\s+(?:mut\s+)?(?P<n>[A-Za-z_]\w*)\s*:`), kind: KindConst},
		{re: regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?mod\s+(?P<n>[A-Za-z_]\w*)\s*\{`), kind: KindType, opens: true, transparent: true, head: "mod"},
		{re: regexp.MustCompile(`^macro_rules!\s*(?P<n>[A-Za-z_]\w*)`), kind: KindMacro, head: "macro_rules"},
		// impl blocks name their type as the container of what follows
		// but define nothing themselves (Kind 0 is not recorded).
		{re: regexp.MustCompile(`^(?:unsafe\s+)?impl\b(?:\s*<[^{]*?>)?\s+(?:[\w:<>, &']+\s+for\s+)?(?:[\w]+::)*(?P<n>[A-Za-z_]\w*)`), opens: true, head: "impl"},
		{re: regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?(?P<n>[A-Za-z_]\w*)\s*:`), kind: KindField, member: true},
	}
	javaRules := []rule{
		{re: regexp.MustCompile(`^(?:(?:public|private|protected|static|final|abstract|sealed|non-sealed|strictfp)\s+)*(?:class|interface|enum|record|@interface)\s+(?P<n>[A-Za-z_$][\w$]*)`), kind: KindClass, opens: true},
		{re: regexp.MustCompile(`^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|protected|static|final|abstract|synchronized|native|default|strictfp)\s+)*(?:<[^>]+>\s+)?(?:[\w$.]+(?:<[^()]*>)?(?:\[\])*\s+)(?P<n>[A-Za-z_$][\w$]*)\s*\(`), kind: KindMethod, member: true, head: "("},
		{re: regexp.MustCompile(`^(?:(?:public|private|protected)\s+)(?P<n>[A-Z][\w$]*)\s*\(`), kind: KindMethod, member: true, head: "("},
		{re: regexp.MustCompile(`^(?:(?:public|private|protected|static|final|volatile|transient)\s+)*(?:[\w$.]+(?:<[^()]*>)?(?:\[\])*\s+)(?P<n>[A-Za-z_$][\w$]*)\s*(?:=|;)`), kind: KindField, member: true},
	}
	cRules := []rule{
		{re: regexp.MustCompile(`^#\s*define\s+(?P<n>[A-Za-z_]\w*)`), kind: KindMacro, head: "define"},
		{re: regexp.MustCompile(`^(?:template\s*<.*>\s*)?(?:typedef\s+)?(?:struct|class|union|enum(?:\s+class)?)\s+(?:\w+\s+)*?(?P<n>[A-Za-z_]\w*)\s*(?:final\s*)?(?:[:{]|$)`), kind: KindType, opens: true},
		{re: regexp.MustCompile(`^namespace\s+(?P<n>[A-Za-z_][\w:]*)\s*\{?`), kind: 0, opens: true, transparent: true, head: "namespace"},
		{re: regexp.MustCompile(`^typedef\s+.*?\b(?P<n>[A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*;`), kind: KindType, head: "typedef"},
		// C++'s typedef: using name = type; (an alias in a class stays a
		// member, read by the field pattern).
		{re: regexp.MustCompile(`^(?:template\s*<.*>\s*)?using\s+(?P<n>[A-Za-z_]\w*)\s*(?:\[\[[^\]]*\]\]\s*)?=`), kind: KindType, top: true, head: "using"},
		{re: regexp.MustCompile(`^\}\s*(?P<n>[A-Za-z_]\w*)\s*;`), kind: KindType, head: "}"},
		{re: regexp.MustCompile(`^(?:[A-Za-z_][\w:<>,]*[\s*&]+)*?(?:[A-Za-z_]\w*::)*(?P<n>~?[A-Za-z_]\w*)\s*\(`), kind: KindFunc, top: true, head: "("},
		{re: regexp.MustCompile(`^(?:[A-Za-z_][\w:<>,]*[\s*&]+)+(?P<n>~?[A-Za-z_]\w*)\s*\(`), kind: KindMethod, member: true, head: "("},
		{re: regexp.MustCompile(`^(?:[A-Za-z_][\w:<>,]*[\s*&]+)+(?P<n>[A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*[;=]`), kind: KindField, member: true},
	}
	rulesOf := map[Lang][]rule{LangPython: pyRules, LangJS: jsRules, LangRust: rustRules, LangJava: javaRules, LangC: cRules}

	importRes := map[Lang]*regexp.Regexp{
		LangPython: regexp.MustCompile(`^\s*(?:from\s+(\.*[\w.]*)\s+import|import\s+([\w.]+))`),
		LangJS:     regexp.MustCompile(`(?:\bfrom\s*|\brequire\s*\(\s*|^\s*import\s*)['"]([^'"]+)['"]`),
		LangRust:   regexp.MustCompile(`^\s*(?:pub\s+)?use\s+([\w:]+)`),
		LangJava:   regexp.MustCompile(`^\s*import\s+(?:static\s+)?([\w.]+)`),
		LangC:      regexp.MustCompile(`^\s*#\s*include\s*["<]([^">]+)[">]`),
	}
	return rulesOf, importRes
})

// javaContinues reports whether a line at a class body's depth goes on
// with the declaration above it ("throws X;" after a method's
// parameters, "new X(...)" after a field's "="): the member patterns
// would read it as a field or a method named X, a false definition of
// the class X beside the real one.
func javaContinues(line string) bool {
	w, _, _ := strings.Cut(line, " ")
	switch w {
	case "new", "throws", "return", "throw", "extends", "implements":
		return true
	}
	return false
}

// skipCAttributes drops the attributes that lead a C or C++ line
// ("__attribute__ ((noreturn)) void die (void)", "[[nodiscard]] int f()"),
// so that the name the patterns find is the declaration's.
func skipCAttributes(line string) string {
	for {
		rest := line
		if !strings.HasPrefix(rest, "[[") {
			kw := ""
			for _, k := range cAttributeKeywords {
				if strings.HasPrefix(rest, k) {
					kw = k
					break
				}
			}
			if kw == "" {
				return line
			}
			rest = strings.TrimLeft(rest[len(kw):], " \t")
			if !strings.HasPrefix(rest, "(") {
				return line
			}
		}
		// rest starts with the attribute's brackets: skip them, nested.
		depth, i := 0, 0
		for ; i < len(rest); i++ {
			switch rest[i] {
			case '(', '[':
				depth++
			case ')', ']':
				depth--
			}
			if depth == 0 {
				break
			}
		}
		if depth != 0 {
			return line
		}
		line = strings.TrimLeft(rest[i+1:], " \t")
	}
}

// cAttributeKeywords lead a C or C++ attribute, the longest spelling of
// each first.
var cAttributeKeywords = []string{"__attribute__", "__attribute", "__declspec"}

// notNames are words the member and function patterns would otherwise
// take for a definition's name: control flow that looks like a call.
var notNames = map[string]bool{
	"if": true, "for": true, "while": true, "switch": true, "return": true, "catch": true, "sizeof": true,
	"delete": true, "else": true, "do": true, "throw": true, "typeof": true, "await": true,
	"super": true, "this": true, "function": true, "defined": true, "elif": true, "assert": true,
	"case": true, "goto": true, "yield": true, "import": true, "export": true, "print": true, "with": true,
	"static_assert": true, "alignof": true, "decltype": true, "_Pragma": true, "__attribute__": true,
}

// cNotNames are C and C++ compilers' keywords that take parentheses,
// and so look like a function's name; in other languages they are
// names like any other (pwntools' asm()).
var cNotNames = map[string]bool{
	"__attribute": true, "_Static_assert": true, "_Alignas": true, "alignas": true, "__declspec": true,
	"asm": true, "__asm": true, "__asm__": true, "__typeof__": true, "__typeof": true,
}

// container is a class, impl block or namespace being read.
type container struct {
	name        string
	depth       int // bracket depth inside its body (brace languages); indentation (Python)
	member      int // Python: indentation of the body, -1 until its first line
	transparent bool
}

// tagDefs extracts definitions and imports from a file in lang.
func tagDefs(lang Lang, src string) (defs []Def, imports []string) {
	rulesOf, importRes := tagRules()
	rules := rulesOf[lang]
	if rules == nil {
		return nil, nil
	}
	impRe := importRes[lang]
	var (
		lx      lexer
		stack   []container
		depth   int    // bracket depth at the start of the line
		pending string // a container whose "{" has not been seen yet
		pendTr  bool
		pendSet bool
		lineNo  = -1
	)
	lx.python = lang == LangPython
	lx.rust = lang == LangRust
	lx.js = lang == LangJS
	for pos := 0; pos < len(src); {
		end := strings.IndexByte(src[pos:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += pos
		}
		raw := src[pos:end]
		start := pos
		pos = end + 1
		lineNo++
		wasCode := lx.state == 0
		code := lx.line(raw)
		if impRe != nil && wasCode {
			if m := impRe.FindStringSubmatch(raw); m != nil {
				for _, g := range m[1:] {
					if g != "" {
						imports = append(imports, g)
						imports = importedNames(lang, raw, g, imports)
						break
					}
				}
			}
		}
		trimmed := strings.TrimSpace(code)
		if trimmed == "" {
			depth += lx.delta
			continue
		}
		// A line that starts by closing brackets stands where they
		// leave it: "} buf_t;" is after the struct, not in it.
		lead := 0
		for lead < len(trimmed) && (trimmed[lead] == '}' || trimmed[lead] == ')' || trimmed[lead] == ']') {
			lead++
		}
		if lx.python {
			ind := indentOf(raw)
			for len(stack) > 0 && stack[len(stack)-1].depth >= ind {
				stack = stack[:len(stack)-1]
			}
			depth = ind
		} else {
			for len(stack) > 0 && depth-lead < stack[len(stack)-1].depth {
				stack = stack[:len(stack)-1]
			}
		}
		at := depth - lead
		// Where the line stands: at module level, directly in a
		// container's body, or deeper (inside a function).
		inMember, atTop := false, false
		owner := ""
		switch {
		case lx.python:
			if len(stack) == 0 {
				atTop = ind0(raw)
			} else {
				// Members are at the indentation of the class body's
				// first line; deeper lines are inside a method.
				top := &stack[len(stack)-1]
				if top.member < 0 {
					top.member = depth
				}
				inMember, owner = depth == top.member, top.name
			}
		default:
			if len(stack) == 0 {
				atTop = at == 0
			} else {
				top := stack[len(stack)-1]
				if at == top.depth {
					if top.transparent {
						atTop = true
					} else {
						inMember, owner = true, top.name
					}
				}
			}
		}
		if (atTop || inMember) && !(lang == LangJava && javaContinues(trimmed)) {
			// The patterns read the line past its attributes; what
			// follows the rules reads the line as it is.
			trimmed := trimmed
			if lang == LangC {
				trimmed = skipCAttributes(trimmed)
			}
			for _, r := range rules {
				if r.member && !inMember || r.top && !atTop {
					continue
				}
				if r.head != "" && !strings.Contains(trimmed, r.head) {
					continue
				}
				m := r.re.FindStringSubmatchIndex(trimmed)
				if m == nil {
					continue
				}
				n := r.re.SubexpIndex("n")
				name := trimmed[m[2*n]:m[2*n+1]]
				if notNames[name] || lang == LangC && cNotNames[name] {
					continue
				}
				if r.kind != 0 {
					kind := r.kind
					if lx.python && kind == KindFunc && inMember {
						kind = KindMethod
					}
					c := ""
					if inMember {
						c = owner
					}
					defs = append(defs, Def{Name: name, Kind: kind, Container: c, Line: lineNo,
						Text: header(src, start, lang, r.opens)})
				}
				if r.opens {
					if lx.python {
						stack = append(stack, container{name: name, depth: indentOf(raw), member: -1})
					} else {
						pending, pendTr, pendSet = name, r.transparent, true
					}
				}
				break
			}
		}
		if !lx.python {
			if pendSet && lx.opened {
				stack = append(stack, container{name: pending, depth: depth + lx.firstOpen, transparent: pendTr})
				pendSet = false
			} else if pendSet && strings.HasSuffix(trimmed, ";") {
				pendSet = false // a declaration, "struct S;", with no body
			}
			depth += lx.delta
			if depth < 0 {
				depth = 0
			}
		}
	}
	if lang == LangJS {
		defs = cjsDefs(src, defs)
	}
	return defs, imports
}

func ind0(raw string) bool { return raw != "" && raw[0] != ' ' && raw[0] != '\t' }

func indentOf(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}

// header is the definition's lines from start: for a function, up to the
// line that opens its body; for a container, the body's first lines too,
// within maxTypeBytes.
func header(src string, start int, lang Lang, opens bool) string {
	limit, maxLines := maxHeaderBytes, 6
	if opens {
		limit, maxLines = maxTypeBytes, 14
	}
	end, lines, paren := start, 0, 0
	for end < len(src) && lines < maxLines {
		nl := strings.IndexByte(src[end:], '\n')
		next := len(src)
		if nl >= 0 {
			next = end + nl + 1
		}
		line := src[end:next]
		lines++
		end = next
		if end-start >= limit {
			break
		}
		paren += strings.Count(line, "(") - strings.Count(line, ")")
		t := strings.TrimRight(line, " \t\r\n")
		if opens {
			if lines > 1 && lang != LangPython && strings.HasPrefix(strings.TrimSpace(t), "}") {
				break
			}
			continue
		}
		if paren > 0 {
			continue
		}
		if lang == LangPython {
			if strings.HasSuffix(t, ":") {
				break
			}
			continue
		}
		if strings.ContainsAny(t, "{;") || strings.HasSuffix(t, "=>") || strings.HasSuffix(t, ")") && lang == LangJS {
			break
		}
	}
	return wholeLines(src, start, max(start, end-1), limit)
}

// lexer blanks comments and the contents of strings, line by line,
// carrying block comments and multi-line strings across lines, and
// counts the brackets of the code that is left.
type lexer struct {
	python, rust bool
	js           bool // a backquote opens a template literal (only JavaScript's)
	cont         bool // the open string ended its line with a backslash: it goes on
	state        byte // 0 code; '*' block comment; else the quote of an open multi-line string
	triple       bool // Python: the open string is a triple-quoted one
	delta        int  // net { ( [ opened on the last line
	opened       bool // a "{" was opened on the last line
	firstOpen    int  // depth after the first "{" of the line, relative to its start
	buf          []byte
}

func (lx *lexer) line(raw string) string {
	b := lx.buf[:0]
	lx.delta, lx.opened, lx.firstOpen, lx.cont = 0, false, 0, false
	d := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch lx.state {
		case '*':
			if c == '*' && i+1 < len(raw) && raw[i+1] == '/' {
				lx.state = 0
				i++
			}
			b = append(b, ' ')
			continue
		case 0:
		default:
			q := lx.state
			if c == '\\' {
				// Only the last byte of the line (before a CR): a
				// string full of escapes costs no more than one without.
				if i+1 == len(raw) || i+2 == len(raw) && raw[i+1] == '\r' {
					lx.cont = true
				}
				i++
				b = append(b, ' ', ' ')
				continue
			}
			if c == q {
				if lx.triple {
					if i+2 < len(raw) && raw[i+1] == q && raw[i+2] == q {
						lx.state, lx.triple = 0, false
						i += 2
						b = append(b, q, q, q)
					} else {
						b = append(b, ' ')
					}
					continue
				}
				lx.state = 0
				b = append(b, q)
				continue
			}
			b = append(b, ' ')
			continue
		}
		switch {
		case c == '#' && lx.python:
			i = len(raw)
			continue
		case c == '/' && !lx.python && i+1 < len(raw) && raw[i+1] == '/':
			i = len(raw)
			continue
		case c == '/' && !lx.python && i+1 < len(raw) && raw[i+1] == '*':
			lx.state = '*'
			i++
			b = append(b, ' ', ' ')
			continue
		case c == '"' || c == '`' && lx.js || c == '\'':
			if c == '\'' && lx.rust && !(i+2 < len(raw) && (raw[i+2] == '\'' || raw[i+1] == '\\')) {
				b = append(b, c) // a lifetime, 'a
				continue
			}
			if lx.python && i+2 < len(raw) && raw[i+1] == c && raw[i+2] == c {
				lx.state, lx.triple = c, true
				b = append(b, c, c, c)
				i += 2
				continue
			}
			lx.state = c
			b = append(b, c)
			continue
		case c == '{' || c == '(' || c == '[':
			if !lx.python {
				d++
				if c == '{' && !lx.opened {
					lx.opened, lx.firstOpen = true, d
				}
			}
		case c == '}' || c == ')' || c == ']':
			if !lx.python {
				d--
			}
		}
		b = append(b, c)
	}
	// A single-quoted string does not run on past its line, except in
	// JavaScript's template literals, Python's triple quotes, and where
	// a backslash ends the line (C's "...\ continued).
	if lx.state != 0 && lx.state != '*' && !lx.triple && lx.state != '`' && !lx.cont {
		lx.state = 0
	}
	lx.delta = d
	lx.buf = b
	return string(b)
}

// ImportsOf reads the imports of src without indexing it: for a
// document the index does not hold yet.
func ImportsOf(lang Lang, src string) []string {
	if lang == LangGo {
		return goImports(src)
	}
	_, imps := tagDefs(lang, src)
	return imps
}

// Compiled on first use, like tagRules: not at every start.
var (
	pyFromNames = lazyRegexp(`\bimport\s+\(?\s*([\w, ]+)`)
	jsNames     = lazyRegexp(`^\s*import\s+(?:type\s+)?(?:(\w+)\s*,?\s*)?(?:\{([^}]*)\})?`)
	rustNames   = lazyRegexp(`::\{([^}]*)\}`)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// importedNames appends the names an import brings in one by one, as
// "MODULE:NAME": Python's "from m import a, b", JavaScript's
// "import d, { a, b } from 'm'", Rust's "use m::{a, b}" and "use m::a",
// Java's "import p.C".
func importedNames(lang Lang, raw, mod string, dst []string) []string {
	add := func(list string) {
		for _, n := range strings.Split(list, ",") {
			n = strings.TrimSpace(n)
			if i := strings.Index(n, " as "); i >= 0 {
				n = strings.TrimSpace(n[:i])
			}
			if n != "" && n != "*" && n != "self" && !strings.ContainsAny(n, " {}()") {
				dst = append(dst, mod+":"+n)
			}
		}
	}
	switch lang {
	case LangPython:
		if strings.HasPrefix(strings.TrimSpace(raw), "from") {
			if m := pyFromNames().FindStringSubmatch(raw); m != nil {
				add(m[1])
			}
		}
	case LangJS:
		if m := jsNames().FindStringSubmatch(raw); m != nil {
			add(m[1])
			add(m[2])
		} else {
			dst = cjsImportedNames(raw, mod, dst)
		}
	case LangRust:
		if m := rustNames().FindStringSubmatch(raw); m != nil {
			add(m[1])
		} else if i := strings.LastIndex(mod, "::"); i > 0 {
			dst = append(dst, mod[:i]+":"+mod[i+2:])
		}
	case LangJava:
		if i := strings.LastIndexByte(mod, '.'); i > 0 {
			dst = append(dst, mod[:i]+":"+mod[i+1:])
		}
	}
	return dst
}
