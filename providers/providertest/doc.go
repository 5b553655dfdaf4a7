// Package providertest runs fake provider servers on 127.0.0.1 for tests,
// in the manner of net/http/httptest. Each fake speaks its vendor's
// documented wire format (paths, Server-Sent Events chunks, error bodies,
// Retry-After) closely enough that the real client libraries cannot tell
// the difference, and each reply can be scripted: text pieces with delays,
// an error status, malformed or cut streams, or a stream that hangs until
// the client goes away.
//
// The fakes answer from their own goroutines, so a test may point a built
// binary at URL. They record every request for assertions.
//
// Nothing here may reach the network or be imported by non-test code.
package providertest
