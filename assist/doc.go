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
// Code actions (Actions) are listed without a model call and run on the
// snapshots the request started from. A model's answer becomes edits
// only whole: SEARCH/REPLACE blocks are matched exactly (or with the
// whitespace drift models make), and one block that does not match, is
// ambiguous, leaves the workspace folders or writes a local-only file for
// a remote model rejects the entire edit. Actions never apply an edit or
// write a project file themselves; they return it for the editor to apply
// with the user's undo. The one file they write is an answer to show,
// under Options.AnswerDir.
//
// It works on immutable document snapshots with byte offsets and never
// sees JSON-RPC or LSP positions; it reaches models only through a
// providers.Router. It must not scan or copy a whole document per
// keystroke, keep a snapshot alive in its cache, or log document text.
package assist
