package providertest

import (
	"io"
	"testing"
	"time"

	"switchyard/providers"
)

// Waiter is what every fake offers to see a client leave mid-stream.
type Waiter interface {
	WaitClosed(timeout time.Duration) bool
}

// CheckClose checks what providers.Stream promises about Close, on a
// stream whose fake answers first and then hangs (Hang: true): Next gives
// first; Close returns nil and drops the connection, so the fake sees the
// client leave within 100ms (the model stops and the user stops paying);
// Next afterwards fails with an error other than io.EOF, so a caller
// cannot take a cut answer for a whole one; and a second Close is
// harmless.
func CheckClose(tb testing.TB, fake Waiter, s providers.Stream, first string) {
	tb.Helper()
	if got, err := s.Next(); got != first || err != nil {
		tb.Fatalf("Next = %q, %v; want %q", got, err, first)
	}
	if err := s.Close(); err != nil {
		tb.Errorf("Close = %v", err)
	}
	if !fake.WaitClosed(100 * time.Millisecond) {
		// Next would block on the hanging stream.
		tb.Fatal("the fake did not see the client leave within 100ms of Close")
	}
	if _, err := s.Next(); err == nil || err == io.EOF {
		tb.Errorf("Next after Close = %v, want an error", err)
	}
	if err := s.Close(); err != nil {
		tb.Errorf("second Close = %v", err)
	}
}
