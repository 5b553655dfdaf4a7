// Package javascript binds tree-sitter's javascript grammar, from the C sources of its
// npm package that fetch-grammars unpacks into npm/ (not committed).
package javascript

// #cgo CFLAGS: -std=c11 -fPIC -I${SRCDIR}/../../npm/javascript/src
// #include "parser.c"
// #include "scanner.c"
import "C"

import "unsafe"

// Language is the grammar, for tree_sitter.NewLanguage.
func Language() unsafe.Pointer { return unsafe.Pointer(C.tree_sitter_javascript()) }
