//go:build race

package lsptest

// raceEnabled builds the server with the race detector when the tests
// themselves run with it, so that protocol tests also find the server's
// data races.
const raceEnabled = true
