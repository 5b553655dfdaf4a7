package providertest

import (
	"encoding/json"
	"errors"
	"fmt"
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

// Server is the engine of the OpenAI-shaped fakes. Use it through
// NewOpenAI, NewAzure or NewMistral. When the queue of replies is empty,
// the handler set by Handle answers, else the default (SetDefault).
type Server struct {
	// URL is the base URL a client is configured with: for OpenAI
	// http://127.0.0.1:PORT/v1, for Azure the resource endpoint.
	URL string

	live
	replies
	d       dialect
	fixed   bool // pre-rendered answers, nothing recorded
	fixedTx []string

	modelsMu sync.Mutex
	models   []string
}

func newServer(tb testing.TB, d dialect) *Server {
	s := &Server{d: d, replies: newReplies(d.name), models: []string{"fake-model"}}
	s.start(tb, httptest.NewServer(http.HandlerFunc(s.serve)))
	s.URL = s.srv.URL + d.base
	return s
}

// SetModels sets the ids listed by the models endpoint.
func (s *Server) SetModels(ids ...string) {
	s.modelsMu.Lock()
	defer s.modelsMu.Unlock()
	s.models = append([]string(nil), ids...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, body := readBody(r)
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
		Body:       body,
		RawBody:    raw,
		Endpoint:   endpoint,
		Deployment: deployment,
	}
	reply := s.next(req)
	addHeader(w, reply.Header)
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
	s.modelsMu.Lock()
	ids := append([]string(nil), s.models...)
	s.modelsMu.Unlock()
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
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	c := newChunker(endpoint, req)
	e := s.events(w, r)
	send := func(data []byte) bool { return e.send("data: " + string(data) + "\n\n") }
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
	if !e.pieces(reply.Pieces, reply.Delay, func(piece string) bool { return send(c.piece(piece)) }) {
		return
	}
	switch {
	case reply.Hang:
		e.wait(0)
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
