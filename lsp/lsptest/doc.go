// Package lsptest is an editor-like Language Server Protocol client for
// tests, in the manner of net/http/httptest.
//
// It starts the switchyard binary (built once per test binary with
// go build) and talks to it over stdio, or talks to any
// io.ReadWriteCloser. It frames messages with Content-Length, sends
// numeric request ids as VS Code and Neovim do, records what the server
// says on its own (window/showMessage, window/logMessage,
// switchyard/status...), and answers the server's requests
// (workspace/configuration, workspace/applyEdit,
// window/workDoneProgress/create, client/registerCapability) through
// handlers a test can replace.
//
// The client knows nothing of the server's insides: it speaks only the
// wire protocol, so the tests written with it are black-box tests. It
// must not import the lsp package or anything below it, and it must never
// reach the network.
package lsptest
