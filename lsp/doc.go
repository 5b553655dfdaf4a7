// Package lsp is the language server: the JSON-RPC connection, the LSP
// lifecycle, the store of open documents and their position conversions,
// and one thin handler per LSP feature that converts between protocol
// shapes and the assist package's snapshots and byte offsets.
//
// It must not build prompts, pick models or talk to providers: a request
// becomes an assist.CompletionRequest on an immutable snapshot, and the
// answer becomes LSP items. Routers and zero-configuration detection come
// from the Backend the server is given (backend.go); the switchyard
// command gives the one over providers/router and providers/detect. It must never write anything but LSP to the
// connection; logs go to zap, and what the user should see goes out as
// window/showMessage or window/logMessage.
//
// The server dispatches by method name (requestFor, jobFor,
// notificationFor in server.go) instead of implementing go.lsp.dev's
// protocol.Server: that interface has some seventy methods of which the
// server serves a handful, it has no inline completion (LSP 3.18), and
// its dispatcher comes with the handler chain that DESIGN.md decision 1
// rules out. Dispatching by name keeps unsupported methods to a single
// MethodNotFound answer instead of a file of stubs.
package lsp
