package providertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Reply scripts the answer to one request. The zero Reply streams no text
// and ends the stream properly.
type Reply struct {
	// Pieces are streamed one chunk each, in order.
	Pieces []string
	// Delay is waited before each piece; the wait ends early when the
	// client goes away.
	Delay time.Duration
	// Finish is the finish_reason of the last chunk; "" means "stop".
	Finish string

	// Status, when 400 or more, answers with an error body in the
	// vendor's shape instead of a stream.
	Status int
	// Type, Code, Param and Message fill the error body (and the error
	// event of StreamError).
	Type, Code, Param, Message string
	// Body, when set, is sent as the error body verbatim.
	Body string
	// Header holds extra response headers, e.g. Retry-After.
	Header http.Header

	// StreamError sends the error as a data: {"error":...} event after
	// Pieces, the way OpenAI reports failures that happen mid-stream.
	StreamError bool
	// Malformed sends a data line that is not JSON after Pieces.
	Malformed bool
	// NoDone ends the body cleanly after Pieces but without the final
	// chunk or data: [DONE].
	NoDone bool
	// Cut drops the connection after Pieces, mid-body.
	Cut bool
	// Hang keeps the stream open after Pieces until the client goes away.
	Hang bool
}

// Text is a reply that streams pieces and ends normally.
func Text(pieces ...string) Reply { return Reply{Pieces: pieces} }

// Fail is an error reply with the given status and error fields.
func Fail(status int, typ, code, message string) Reply {
	return Reply{Status: status, Type: typ, Code: code, Message: message}
}

// RateLimited is a 429 reply carrying retryAfter ("20" or an HTTP date) in
// Retry-After, as OpenAI sends it.
func RateLimited(retryAfter string) Reply {
	r := Fail(http.StatusTooManyRequests, "requests", "rate_limit_exceeded",
		"Rate limit reached for requests. Please try again later.")
	r.Header = http.Header{"Retry-After": {retryAfter}}
	return r
}

// Request is one request as the fake received it.
type Request struct {
	Method string
	Path   string // URL path, e.g. /v1/chat/completions
	Query  string // raw query, e.g. api-version=2024-10-21
	Header http.Header
	// Body is the JSON body decoded into generic values (numbers are
	// float64); nil when the body was empty or not JSON.
	Body    map[string]any
	RawBody []byte
	// Endpoint names what was asked: "chat", "completions", "fim" or
	// "models"; "" for an unknown path.
	Endpoint string
	// Deployment is the Azure deployment from the path, "" elsewhere.
	Deployment string
}

// dialect is what differs between vendors: URL layout, chunk and error
// shapes.
type dialect struct {
	name string
	// base is the path prefix that URL points at, e.g. "/v1".
	base string
	// route maps a request to an endpoint name and deployment.
	route func(r *http.Request) (endpoint, deployment string)
	// errorBody renders a Reply's error fields.
	errorBody func(r Reply) []byte
	// firstChunks are extra chunks sent before the first piece (Azure's
	// prompt_filter_results).
	firstChunks func(endpoint string) [][]byte
}

// Server is the engine every fake shares. Use it through NewOpenAI,
// NewAzure or NewMistral.
type Server struct {
	// URL is the base URL a client is configured with: for OpenAI
	// http://127.0.0.1:PORT/v1, for Azure the resource endpoint.
	URL string

	srv     *httptest.Server
	d       dialect
	quit    chan struct{}
	gone    chan struct{}
	fixed   bool // pre-rendered answers, nothing recorded
	fixedTx []string

	mu       sync.Mutex
	queue    []Reply
	handle   func(Request) Reply
	def      Reply
	models   []string
	requests []Request
}

func newServer(tb testing.TB, d dialect) *Server {
	s := &Server{
		d:      d,
		quit:   make(chan struct{}),
		gone:   make(chan struct{}, 1024),
		def:    Text("Hello", " from", " the fake"),
		models: []string{"fake-model"},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + d.base
	if tb != nil {
		tb.Cleanup(s.Close)
	}
	return s
}

// Close stops the server, first releasing any hanging streams.
func (s *Server) Close() {
	select {
	case <-s.quit:
		return
	default:
	}
	close(s.quit)
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Enqueue adds replies for the next requests, one each, in order. When
// the queue is empty, the handler set by Handle answers, else the default.
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Handle sets a function that scripts every request the queue does not
// answer. It runs on the server's goroutine.
func (s *Server) Handle(f func(Request) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handle = f
}

// SetDefault sets the reply used when neither the queue nor a handler
// answers.
func (s *Server) SetDefault(r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.def = r
}

// SetModels sets the ids listed by the models endpoint.
func (s *Server) SetModels(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models = append([]string(nil), ids...)
}

// Requests returns a copy of the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Last returns the most recent request; it fails the test if there is
// none.
func (s *Server) Last(tb testing.TB) Request {
	tb.Helper()
	reqs := s.Requests()
	if len(reqs) == 0 {
		tb.Fatalf("the fake %s server received no request", s.d.name)
	}
	return reqs[len(reqs)-1]
}

// WaitClosed waits until a client went away while its stream was still
// open (it closed the body, cancelled, or timed out), and reports whether
// that happened within timeout. Each disconnect is counted once.
func (s *Server) WaitClosed(timeout time.Duration) bool {
	select {
	case <-s.gone:
		return true
	case <-time.After(timeout):
		return false
	}
}

func (s *Server) next(req Request) Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	if len(s.queue) > 0 {
		r := s.queue[0]
		s.queue = s.queue[1:]
		return r
	}
	if s.handle != nil {
		h := s.handle
		s.mu.Unlock()
		r := h(req)
		s.mu.Lock()
		return r
	}
	return s.def
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	endpoint, deployment := s.d.route(r)
	if s.fixed {
		s.serveFixed(w, endpoint)
		return
	}
	req := Request{
		Method:     r.Method,
		Path:       r.URL.Path,
		Query:      r.URL.RawQuery,
		Header:     r.Header.Clone(),
		RawBody:    raw,
		Endpoint:   endpoint,
		Deployment: deployment,
	}
	if len(raw) > 0 {
		var body map[string]any
		if json.Unmarshal(raw, &body) == nil {
			req.Body = body
		}
	}
	reply := s.next(req)
	for k, vs := range reply.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	switch {
	case endpoint == "":
		s.writeError(w, Reply{Status: http.StatusNotFound, Type: "invalid_request_error",
			Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)})
	case reply.Status >= 400:
		s.writeError(w, reply)
	case endpoint == "models":
		s.writeModels(w)
	default:
		s.stream(w, r, endpoint, req, reply)
	}
}

func (s *Server) writeError(w http.ResponseWriter, reply Reply) {
	body := []byte(reply.Body)
	if reply.Body == "" {
		body = s.d.errorBody(reply)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(reply.Status)
	_, _ = w.Write(body)
}

func (s *Server) writeModels(w http.ResponseWriter) {
	s.mu.Lock()
	ids := append([]string(nil), s.models...)
	s.mu.Unlock()
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	list := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	for _, id := range ids {
		list.Data = append(list.Data, model{ID: id, Object: "model", Created: 1715367049, OwnedBy: "system"})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(list)
}

// stream writes the reply as Server-Sent Events.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, endpoint string, req Request, reply Reply) {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	c := newChunker(endpoint, req)
	send := func(data []byte) bool {
		if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
			s.clientGone()
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	if s.d.firstChunks != nil {
		for _, ch := range s.d.firstChunks(endpoint) {
			if !send(ch) {
				return
			}
		}
	}
	if endpoint != "completions" && !send(c.roleChunk()) {
		return
	}
	for _, piece := range reply.Pieces {
		if reply.Delay > 0 && !s.wait(r, reply.Delay) {
			return
		}
		if !send(c.piece(piece)) {
			return
		}
	}
	switch {
	case reply.Hang:
		s.wait(r, 0)
		return
	case reply.Cut:
		// Dropping the connection mid-body is what a crashed server or a
		// proxy timeout looks like to the client.
		panic(http.ErrAbortHandler)
	case reply.NoDone:
		return
	case reply.Malformed:
		if !send([]byte(`{"id":"chatcmpl-broken","choices":[{"delta":{"content":`)) {
			return
		}
	case reply.StreamError:
		// OpenAI's mid-stream error event; the vendors that copy its
		// streams copy this too.
		ev, _ := json.Marshal(map[string]any{"error": errorFields(reply)})
		if !send(ev) {
			return
		}
	}
	finish := reply.Finish
	if finish == "" {
		finish = "stop"
	}
	if !send(c.finish(finish)) {
		return
	}
	send([]byte("[DONE]"))
}

// wait sleeps for d (forever when d is 0) and reports false, having
// counted the disconnect, when the client went away first.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	var timer <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
		return true
	case <-r.Context().Done():
		s.clientGone()
		return false
	case <-s.quit:
		return false
	}
}

func (s *Server) clientGone() {
	select {
	case s.gone <- struct{}{}:
	default:
	}
}

// errorFields is OpenAI's error object; param and code are null when
// empty, as the API sends them.
func errorFields(r Reply) map[string]any {
	nullable := func(v string) any {
		if v == "" {
			return nil
		}
		return v
	}
	msg := r.Message
	if msg == "" {
		msg = http.StatusText(r.Status)
	}
	return map[string]any{
		"message": msg,
		"type":    r.Type,
		"param":   nullable(r.Param),
		"code":    nullable(r.Code),
	}
}

// trimBase strips the dialect's base path, reporting whether it was there.
func trimBase(path, base string) (string, bool) {
	if !strings.HasPrefix(path, base) {
		return "", false
	}
	return strings.TrimPrefix(path, base), true
}

var errNoFixed = errors.New("fixed server has no answer for this endpoint")
