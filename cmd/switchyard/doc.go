// Command switchyard is the Switchyard binary: `switchyard serve` (the
// default) speaks LSP over stdio for an editor, `switchyard version`
// prints the version.
//
// It parses flags, sets up logging and hands the connection to the lsp
// package, and it is the one place where the parts are put together: the
// server reaches the providers' router and zero-configuration detection
// through the lsp.Backend in backend.go. When serving over stdio, stdout
// carries LSP and nothing else: the real stdout goes to the connection
// and os.Stdout is pointed at stderr, so a stray print anywhere in the
// process cannot corrupt the protocol stream.
package main
