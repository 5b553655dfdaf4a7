// Package typescript binds tree-sitter's typescript grammar, from the C sources of its
// npm package that fetch-grammars unpacks into npm/ (not committed).
package typescript

// #cgo CFLAGS: -std=c11 -fPIC -I${SRCDIR}/../../npm/typescript/src
// #include "parser.c"
// #include "scanner.c"
import "C"

import "unsafe"

// Language is the grammar, for tree_sitter.NewLanguage.
func Language() unsafe.Pointer { return unsafe.Pointer(C.tree_sitter_typescript()) }
