package providertest

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// Raw answers every request with 200 and whatever body the test set last,
// byte for byte: for fuzzing a provider's stream decoder with the real
// client library in front of it, where a scripted fake could only send
// well-formed events.
type Raw struct {
	live
	URL  string
	body atomic.Pointer[[]byte]
}

// NewRaw starts a Raw fake whose answers carry contentType.
func NewRaw(tb testing.TB, contentType string) *Raw {
	f := &Raw{}
	f.body.Store(new([]byte))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(*f.body.Load())
	}))
	f.start(tb, srv)
	f.URL = srv.URL
	return f
}

// SetBody sets the body of every later answer.
func (f *Raw) SetBody(b []byte) { f.body.Store(&b) }

// Drip answers every request with 200, head, and then unit again every
// interval until the client goes away or the fake is closed: a server
// that sends one byte every few hundred milliseconds forever (unit is a
// byte of a line that never ends), or an answer that never ends (unit is
// a whole event, interval short).
type Drip struct {
	live
	URL string
}

// NewDrip starts a Drip fake whose answers carry contentType.
func NewDrip(tb testing.TB, contentType string, head, unit []byte, interval time.Duration) *Drip {
	f := &Drip{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusOK)
		e := f.events(w, r)
		if !e.write(head) {
			return
		}
		for e.wait(interval) && e.write(unit) {
		}
	}))
	f.start(tb, srv)
	f.URL = srv.URL
	return f
}
