// Package repoindex keeps a symbol index of the workspace folders, so that
// a completion or a code action can show a model the definitions of what
// the code around the cursor uses, from files the editor never opened.
//
// For each source file it records the definitions of top-level and member
// symbols (functions, methods, types, classes, fields, constants, macros),
// each with the header lines a model needs to call or use it; the modules
// the file imports; and the set of identifiers it uses, which serves as an
// identifier-to-files index for references. Go is read with go/parser;
// Python, TypeScript and JavaScript, Rust, Java and C/C++ with a tags
// extractor of this package, a line scanner that skips comments and
// strings and tracks brackets (see tags.go for why not tree-sitter).
//
// The index is built in the background over the workspace folders, nearest
// files first, skipping what .gitignore ignores, version control and
// dependency folders, files larger than Options.MaxFileBytes and anything
// past Options.MaxFiles; it is then kept current from the editor's changes
// (Changed, debounced) and from the file system (Refresh, Remove).
//
// What it must not do: block the caller. Readers take a read lock for a
// few map lookups; parsing happens outside any lock, in the background
// worker, never on the editor's keystroke. It decides nothing about the
// data policy: it indexes local-only files like any other, since it never
// leaves the machine, and every caller that puts a definition into a
// prompt must ask the router whether that definition's Path may go to the
// model it calls (assist does, as for every context file). It never
// writes a file.
package repoindex
