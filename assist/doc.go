// Package assist is the editor-agnostic feature layer: the completion
// engine (prompt windows, fill-in-the-middle templates, post-processing,
// cache, debounce), code actions and output-to-edit parsing.
//
// It works on immutable document snapshots with byte offsets and never
// sees JSON-RPC or LSP positions; it reaches models only through a
// providers.Router.
package assist
