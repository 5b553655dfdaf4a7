package providertest

import (
	"context"
	"errors"
	"io"
	"strings"
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

// CheckCloseUnblocksNext checks that Close, called while another
// goroutine waits in Next on a stream that sends nothing more, makes that
// Next return an error (not io.EOF, which would read as a finished
// answer) within a second.
func CheckCloseUnblocksNext(tb testing.TB, s providers.Stream) {
	tb.Helper()
	done := make(chan error, 1)
	go func() { _, err := s.Next(); done <- err }()
	time.Sleep(20 * time.Millisecond)
	s.Close()
	select {
	case err := <-done:
		if err == nil || err == io.EOF {
			tb.Errorf("blocked Next returned %v after Close, want an error", err)
		}
	case <-time.After(time.Second):
		tb.Fatal("Close did not unblock Next")
	}
}

// ReadPieces reads s to its end and closes it, returning the pieces as
// Next gave them and the error that ended the stream (nil for io.EOF).
func ReadPieces(s providers.Stream) ([]string, error) {
	defer s.Close()
	var out []string
	for {
		p, err := s.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
}

// AsError returns err as a *providers.Error, failing the test when it is
// not one (the router could not tell what to do next) or when its message
// holds secret (it would reach the editor and the logs).
func AsError(tb testing.TB, err error, secret string) *providers.Error {
	tb.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		tb.Fatalf("error %v (%T) is not a *providers.Error", err, err)
	}
	if strings.Contains(pe.Error(), secret) {
		tb.Errorf("error message leaks the credential: %s", pe.Error())
	}
	return pe
}

// CheckAnyAnswer is what a fuzz target asserts of a stream decoder fed
// arbitrary bytes by a Raw fake: open (the real provider's call, under
// ctx) and draining its stream end within ten seconds, without a panic,
// in io.EOF or in a *providers.Error of provider whose kind the router
// knows what to do with, and no message holds secret.
func CheckAnyAnswer(tb testing.TB, provider, secret string, open func(ctx context.Context) (providers.Stream, error)) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := open(ctx)
	if err == nil {
		_, err = providers.ReadAll(s)
	}
	if ctx.Err() != nil {
		tb.Fatalf("the stream did not end within 10s (%v)", err)
	}
	if err == nil {
		return
	}
	pe := AsError(tb, err, secret)
	if pe.Provider != provider {
		tb.Errorf("error names provider %q, want %q: %v", pe.Provider, provider, err)
	}
	switch pe.Kind {
	case providers.KindUnknown, providers.KindCanceled, providers.KindUnsupported:
		tb.Errorf("an answer ended in kind %s, which no server answer should: %v", pe.Kind, err)
	}
}
