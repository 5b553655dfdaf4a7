package repoindex

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
)

// goDefs reads a Go file's declarations with go/parser: exact where the
// tags scanner would guess, and fast enough (see BENCHMARKS.md). A file
// with syntax errors still gives whatever declarations parsed. local is
// the names the file uses but does not declare, other than Go's own: the
// package-level names of its package's other files (usage.go).
// goImports lists the import paths of a Go file. It parses only up to
// the end of the import declarations: this runs for a completion in a
// file the index has not read yet, on the keystroke path.
func goImports(src string) []string {
	f, _ := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly|parser.SkipObjectResolution)
	if f == nil {
		return nil
	}
	imports := make([]string, 0, len(f.Imports))
	for _, im := range f.Imports {
		if p, err := strconv.Unquote(im.Path.Value); err == nil {
			imports = append(imports, p)
		}
	}
	return imports
}

func goDefs(path, src string) (defs []Def, imports []string, local []string) {
	fset := token.NewFileSet()
	f, _ := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if f == nil {
		return nil, nil, nil
	}
	tf := fset.File(f.Pos())
	if tf == nil {
		return nil, nil, nil
	}
	local = undeclared(f)
	off := func(p token.Pos) int { return tf.Offset(p) }
	line := func(p token.Pos) int { return tf.Line(p) - 1 }
	for _, im := range f.Imports {
		if p, err := strconv.Unquote(im.Path.Value); err == nil {
			imports = append(imports, p)
		}
	}
	add := func(name string, kind Kind, container string, from, to token.Pos, limit int) {
		if name == "_" || name == "" {
			return
		}
		defs = append(defs, Def{Name: name, Kind: kind, Container: container, Line: line(from),
			Text: wholeLines(src, off(from), off(to), limit)})
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			end := d.End()
			if d.Body != nil {
				end = d.Body.Lbrace
			}
			kind, recv := KindFunc, ""
			if d.Recv != nil && len(d.Recv.List) > 0 {
				kind, recv = KindMethod, receiverName(d.Recv.List[0].Type)
			}
			add(d.Name.Name, kind, recv, d.Pos(), end, maxHeaderBytes)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					from := s.Pos()
					if !d.Lparen.IsValid() {
						from = d.Pos() // "type T struct", not just "T struct"
					}
					add(s.Name.Name, KindType, "", from, s.End(), maxTypeBytes)
					defs = goMembers(defs, s, src, off, line)
				case *ast.ValueSpec:
					kind := KindVar
					if d.Tok == token.CONST {
						kind = KindConst
					}
					from := s.Pos()
					if !d.Lparen.IsValid() {
						from = d.Pos()
					}
					for _, n := range s.Names {
						add(n.Name, kind, "", from, s.End(), maxHeaderBytes)
					}
				}
			}
		}
	}
	return defs, imports, local
}

// undeclared lists the distinct names f uses that it declares nowhere,
// Go's own and imported packages' aside: what the parser's object
// resolution would leave unresolved, found without the scopes and
// objects it allocates for every declaration, and a little wider (a
// name declared in one function and used in another is not counted).
func undeclared(f *ast.File) []string {
	declared := map[string]bool{}
	for _, im := range f.Imports {
		if im.Name != nil {
			declared[im.Name.Name] = true
		} else if p, err := strconv.Unquote(im.Path.Value); err == nil {
			declared[p[strings.LastIndexByte(p, '/')+1:]] = true
		}
	}
	declare := func(ids ...*ast.Ident) {
		for _, id := range ids {
			if id != nil {
				declared[id.Name] = true
			}
		}
	}
	var used []*ast.Ident
	// Idents that are not uses: x.Sel's Sel, a struct literal's field
	// name.
	notUse := map[*ast.Ident]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec, *ast.BranchStmt:
			return false
		case *ast.FuncDecl:
			declare(n.Name)
		case *ast.Field:
			declare(n.Names...)
		case *ast.ValueSpec:
			declare(n.Names...)
		case *ast.TypeSpec:
			declare(n.Name)
		case *ast.LabeledStmt:
			declare(n.Label)
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, e := range n.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						declare(id)
					}
				}
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						declare(id)
					}
				}
			}
		case *ast.SelectorExpr:
			notUse[n.Sel] = true
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok {
				notUse[id] = true
			}
		case *ast.Ident:
			if !notUse[n] {
				used = append(used, n)
			}
		}
		return true
	})
	var out []string
	seen := make(map[string]bool, len(used))
	for _, id := range used {
		if n := id.Name; !seen[n] && !declared[n] && !predeclared[n] && n != "_" {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// predeclared are Go's universe names, which every file uses unresolved.
var predeclared = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`any bool byte comparable complex64 complex128 error float32 float64
		int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr
		true false iota nil append cap clear close complex copy delete imag len make max min
		new panic print println real recover`) {
		m[n] = true
	}
	return m
}()

// goMembers adds a struct's fields and an interface's methods, each with
// its own line, so "x.Field" finds the field's type.
func goMembers(defs []Def, s *ast.TypeSpec, src string, off func(token.Pos) int, line func(token.Pos) int) []Def {
	var fields *ast.FieldList
	kind := KindField
	switch t := s.Type.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields, kind = t.Methods, KindMethod
	}
	if fields == nil {
		return defs
	}
	for _, fl := range fields.List {
		for _, n := range fl.Names {
			defs = append(defs, Def{Name: n.Name, Kind: kind, Container: s.Name.Name, Line: line(fl.Pos()),
				Text: wholeLines(src, off(fl.Pos()), off(fl.End()), maxHeaderBytes)})
		}
	}
	return defs
}

// receiverName is T for receivers T, *T, T[K] and *T[K].
func receiverName(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// wholeLines is src[from:to] widened to whole lines, cut after at most
// limit bytes at a line end (the first line is kept whole up to limit),
// without a trailing newline.
func wholeLines(src string, from, to, limit int) string {
	from = max(0, min(from, len(src)))
	to = max(from, min(to, len(src)))
	from = strings.LastIndexByte(src[:from], '\n') + 1
	if i := strings.IndexByte(src[to:], '\n'); i >= 0 {
		to += i
	} else {
		to = len(src)
	}
	if to-from > limit {
		cut := from + limit
		if i := strings.LastIndexByte(src[from:cut], '\n'); i > 0 {
			cut = from + i
		}
		to = cut
	}
	return strings.TrimRight(src[from:to], " \t\r\n")
}
