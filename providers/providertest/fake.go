package providertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// live is the plumbing every fake shares: its test server, and counting
// the clients that go away while their stream is still open.
type live struct {
	srv       *httptest.Server
	quit      chan struct{} // closed by Close, to release hanging streams
	gone      chan struct{} // one token per client that left mid-stream
	closeOnce sync.Once
}

// start takes over srv, which serves the fake's handler, and closes it
// when the test ends (tb may be nil for a fake run outside a test). No
// request can reach the handler before the caller hands out srv.URL.
func (l *live) start(tb testing.TB, srv *httptest.Server) {
	l.srv = srv
	l.quit = make(chan struct{})
	l.gone = make(chan struct{}, 1024)
	if tb != nil {
		tb.Cleanup(l.Close)
	}
}

// Close stops the server, first releasing any hanging streams. It is
// safe to call more than once.
func (l *live) Close() {
	l.closeOnce.Do(func() {
		close(l.quit)
		l.srv.CloseClientConnections()
		l.srv.Close()
	})
}

// WaitClosed waits until a client went away while its stream was still
// open (it closed the body, cancelled, or timed out), and reports whether
// that happened within timeout. Each disconnect is counted once.
func (l *live) WaitClosed(timeout time.Duration) bool {
	select {
	case <-l.gone:
		return true
	case <-time.After(timeout):
		return false
	}
}

func (l *live) clientGone() {
	select {
	case l.gone <- struct{}{}:
	default:
	}
}

// events starts writing a streamed answer to w.
func (l *live) events(w http.ResponseWriter, r *http.Request) *eventWriter {
	flusher, _ := w.(http.Flusher)
	return &eventWriter{l: l, w: w, f: flusher, r: r}
}

// eventWriter sends the pieces of a streamed answer, each flushed at
// once, and notices the client going away.
type eventWriter struct {
	l *live
	w http.ResponseWriter
	f http.Flusher
	r *http.Request
}

// send writes text and flushes it, reporting false (having counted the
// disconnect) when the client is gone.
func (e *eventWriter) send(text string) bool {
	return e.write([]byte(text))
}

// write is send for bytes.
func (e *eventWriter) write(b []byte) bool {
	if _, err := e.w.Write(b); err != nil {
		e.l.clientGone()
		return false
	}
	if e.f != nil {
		e.f.Flush()
	}
	return true
}

// pieces sends each piece through send, waiting delay before each, and
// reports false as soon as the client has gone or a send failed.
func (e *eventWriter) pieces(pieces []string, delay time.Duration, send func(string) bool) bool {
	for _, p := range pieces {
		if delay > 0 && !e.wait(delay) {
			return false
		}
		if !send(p) {
			return false
		}
	}
	return true
}

// wait sleeps for d (until the client goes away when d is 0) and reports
// false, having counted the disconnect, when the client went away first.
func (e *eventWriter) wait(d time.Duration) bool {
	var timer <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
		return true
	case <-e.r.Context().Done():
		e.l.clientGone()
		return false
	case <-e.l.quit:
		return false
	}
}

// script records the requests a fake receives and hands out the replies
// a test scripted for them, one each, in order.
type script[Q, R any] struct {
	mu       sync.Mutex
	requests []Q
	queue    []R
	handle   func(Q) R // answers when the queue is empty, if set
	fallback R         // answers when neither the queue nor handle does
}

// Enqueue adds replies for the next requests, one each, in order. When
// none is left, the fake answers as its type's comment says.
func (s *script[Q, R]) Enqueue(replies ...R) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Requests returns a copy of the requests received so far, in order.
func (s *script[Q, R]) Requests() []Q {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Q(nil), s.requests...)
}

// record keeps a request that takes no scripted reply.
func (s *script[Q, R]) record(req Q) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
}

// next records req and returns its reply, in one step, so that the n-th
// request recorded is the one that got the n-th reply.
func (s *script[Q, R]) next(req Q) R {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	return s.takeLocked(req)
}

// take returns the reply for a request already recorded.
func (s *script[Q, R]) take(req Q) R {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.takeLocked(req)
}

func (s *script[Q, R]) takeLocked(req Q) R {
	if len(s.queue) > 0 {
		r := s.queue[0]
		s.queue = s.queue[1:]
		return r
	}
	if s.handle != nil {
		// The handler may block or call back into the fake.
		h := s.handle
		s.mu.Unlock()
		defer s.mu.Lock()
		return h(req)
	}
	return s.fallback
}

// replies is the script of the fakes that answer with Reply: a test may
// also answer by function or change the default answer.
type replies struct {
	script[Request, Reply]
	name string // the vendor, for failure messages
}

func newReplies(name string) replies {
	return replies{name: name, script: script[Request, Reply]{fallback: Text("Hello", " from", " the fake")}}
}

// Handle sets a function that scripts every request the queue does not
// answer. It runs on the server's goroutine.
func (s *replies) Handle(f func(Request) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handle = f
}

// SetDefault sets the reply used when neither the queue nor a handler
// answers.
func (s *replies) SetDefault(r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = r
}

// Last returns the most recent request; it fails the test if there is
// none.
func (s *replies) Last(tb testing.TB) Request {
	tb.Helper()
	reqs := s.Requests()
	if len(reqs) == 0 {
		tb.Fatalf("the fake %s server received no request", s.name)
	}
	return reqs[len(reqs)-1]
}

// readBody reads a request's body, and decodes it when it is a JSON
// object (nil otherwise; numbers are float64).
func readBody(r *http.Request) (raw []byte, body map[string]any) {
	raw, _ = io.ReadAll(r.Body)
	if len(raw) > 0 && json.Unmarshal(raw, &body) != nil {
		body = nil
	}
	return raw, body
}

// addHeader adds a reply's extra headers (Retry-After, say) to w.
func addHeader(w http.ResponseWriter, h http.Header) {
	for k, vs := range h {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
}
