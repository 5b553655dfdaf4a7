// Package python binds tree-sitter's python grammar, from the C sources of its
// npm package that fetch-grammars unpacks into npm/ (not committed).
package python

// #cgo CFLAGS: -std=c11 -fPIC -I${SRCDIR}/../../npm/python/src
// #include "parser.c"
// #include "scanner.c"
import "C"

import "unsafe"

// Language is the grammar, for tree_sitter.NewLanguage.
func Language() unsafe.Pointer { return unsafe.Pointer(C.tree_sitter_python()) }
