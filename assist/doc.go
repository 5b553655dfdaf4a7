// Package assist is the editor-agnostic feature layer: the completion
// engine (prompt windows, fill-in-the-middle templates, post-processing,
// cache, debounce), code actions and output-to-edit parsing.
//
// A completion request is served from a window cut around the cursor,
// sized in tokens estimated at four bytes each; the prompt shape follows
// from the model that answers (a family's template, the runner's native
// fill-in-the-middle endpoint, or chat), and the answer is read only until
// it is complete.
//
// It works on immutable document snapshots with byte offsets and never
// sees JSON-RPC or LSP positions; it reaches models only through a
// providers.Router. It must not scan or copy a whole document per
// keystroke, keep a snapshot alive in its cache, or log document text.
package assist
