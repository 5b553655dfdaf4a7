package providertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Anthropic is a fake Anthropic Messages API: POST /v1/messages streaming
// Server-Sent Events (message_start, content_block_start, ping,
// content_block_delta with text_delta, content_block_stop, message_delta,
// message_stop, and error), errors as
// {"type":"error","error":{"type","message"},"request_id"} with the HTTP
// status. It also answers Claude on Vertex AI
// (POST /v1/projects/P/locations/R/publishers/anthropic/models/M:streamRawPredict),
// which streams the same events.
//
// A Reply scripts it: Pieces become text deltas, Finish the stop_reason
// ("" is "end_turn"), Type and Message the error body, StreamError an
// `event: error` after Pieces, NoDone a body that ends without
// message_stop.
type Anthropic struct{ *vendorServer }

// NewAnthropic starts a fake Anthropic server that is closed when the test
// ends. Point base_url at URL.
func NewAnthropic(tb testing.TB) *Anthropic {
	return &Anthropic{newVendorServer(tb, vendor{
		name:       "Anthropic",
		route:      anthropicRoute,
		errorBody:  anthropicErrorBody,
		writeEvent: anthropicStream,
	})}
}

// AnthropicFail is an error reply as the Messages API sends it, e.g.
// AnthropicFail(404, "not_found_error", "model: claude-nope").
func AnthropicFail(status int, typ, message string) Reply {
	return Reply{Status: status, Type: typ, Message: message}
}

// AnthropicRateLimited is a 429 rate_limit_error carrying retryAfter
// (seconds) in retry-after, as Anthropic sends it.
func AnthropicRateLimited(retryAfter string) Reply {
	r := AnthropicFail(http.StatusTooManyRequests, "rate_limit_error",
		"This request would exceed the rate limit for your organization of 50 requests per minute.")
	r.Header = http.Header{"Retry-After": {retryAfter}}
	return r
}

// AnthropicOverloaded is the 529 overloaded_error Anthropic answers when
// it is short of capacity.
func AnthropicOverloaded() Reply {
	return AnthropicFail(529, "overloaded_error", "Overloaded")
}

func anthropicRoute(r *http.Request) string {
	switch {
	case r.Method != http.MethodPost:
		return ""
	case r.URL.Path == "/v1/messages":
		return "messages"
	case strings.HasPrefix(r.URL.Path, "/v1/projects/") &&
		strings.Contains(r.URL.Path, "/publishers/anthropic/models/") &&
		strings.HasSuffix(r.URL.Path, ":streamRawPredict"):
		return "vertex"
	}
	return ""
}

func anthropicErrorBody(r Reply) []byte {
	msg := r.Message
	if msg == "" {
		msg = http.StatusText(r.Status)
	}
	typ := r.Type
	if typ == "" {
		typ = anthropicErrorTypes[r.Status]
	}
	if typ == "" {
		typ = "api_error"
	}
	b, _ := json.Marshal(map[string]any{
		"type":       "error",
		"error":      map[string]any{"type": typ, "message": msg},
		"request_id": "req_011CFakeFakeFakeFakeFake",
	})
	return b
}

// anthropicErrorTypes are the documented error types of each status.
var anthropicErrorTypes = map[int]string{
	400: "invalid_request_error",
	401: "authentication_error",
	403: "permission_error",
	404: "not_found_error",
	413: "request_too_large",
	429: "rate_limit_error",
	500: "api_error",
	529: "overloaded_error",
}

// anthropicStream writes one answer as the Messages API streams it.
func anthropicStream(e *eventWriter, req Request, reply Reply) {
	model, _ := req.Body["model"].(string)
	if model == "" {
		// Claude on Vertex carries the model in the path, not the body.
		if i := strings.Index(req.Path, "/models/"); i >= 0 {
			model = strings.TrimSuffix(req.Path[i+len("/models/"):], ":streamRawPredict")
		}
	}
	send := func(event string, v any) bool {
		b, _ := json.Marshal(v)
		return e.send("event: " + event + "\ndata: " + string(b) + "\n\n")
	}
	if !send("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": "msg_01FakeFakeFakeFakeFakeFake", "type": "message", "role": "assistant",
		"content": []any{}, "model": model, "stop_reason": nil, "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": 25, "output_tokens": 1},
	}}) {
		return
	}
	if !send("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
		"content_block": map[string]any{"type": "text", "text": ""}}) {
		return
	}
	if !send("ping", map[string]any{"type": "ping"}) {
		return
	}
	if !e.pieces(reply.Pieces, reply.Delay, func(piece string) bool {
		return send("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
			"delta": map[string]any{"type": "text_delta", "text": piece}})
	}) {
		return
	}
	switch {
	case reply.Hang:
		e.wait(0)
		return
	case reply.Cut:
		panic(http.ErrAbortHandler)
	case reply.NoDone:
		return
	case reply.Malformed:
		e.send("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_de\n\n")
		return
	case reply.StreamError:
		// After an error event the API sends nothing more.
		e.send("event: error\ndata: " + string(anthropicErrorBody(reply)) + "\n\n")
		return
	}
	stop := reply.Finish
	if stop == "" {
		stop = "end_turn"
	}
	if !send("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0}) {
		return
	}
	if !send("message_delta", map[string]any{"type": "message_delta",
		"delta": map[string]any{"stop_reason": stop, "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": len(reply.Pieces)}}) {
		return
	}
	send("message_stop", map[string]any{"type": "message_stop"})
}

// vendor is what differs between the fakes built on vendorServer.
type vendor struct {
	name string
	// route names the endpoint of a request, "" when there is none.
	route func(r *http.Request) string
	// errorBody renders a Reply's error fields in the vendor's shape.
	errorBody func(r Reply) []byte
	// writeEvent streams a successful (Status < 400) reply.
	writeEvent func(e *eventWriter, req Request, reply Reply)
}

// vendorServer is the engine of the Anthropic and Gemini fakes. It has the
// same methods as Server, so every fake reads alike in tests: Enqueue,
// Handle, SetDefault, Requests, Last, WaitClosed, Close.
type vendorServer struct {
	// URL is the base URL a client is configured with:
	// http://127.0.0.1:PORT.
	URL string

	live
	replies
	v vendor
}

func newVendorServer(tb testing.TB, v vendor) *vendorServer {
	s := &vendorServer{v: v, replies: newReplies(v.name)}
	s.start(tb, httptest.NewServer(http.HandlerFunc(s.serve)))
	s.URL = s.srv.URL
	return s
}

func (s *vendorServer) serve(w http.ResponseWriter, r *http.Request) {
	raw, body := readBody(r)
	req := Request{
		Method:   r.Method,
		Path:     r.URL.Path,
		Query:    r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     body,
		RawBody:  raw,
		Endpoint: s.v.route(r),
	}
	var reply Reply
	if req.Endpoint == "" {
		// Recorded, so a test can see the wrong path, but the scripted
		// replies are kept for the requests they were meant for.
		s.record(req)
		reply = Reply{Status: http.StatusNotFound, Message: fmt.Sprintf("%s %s: no such endpoint", r.Method, r.URL.Path)}
	} else {
		reply = s.next(req)
	}
	addHeader(w, reply.Header)
	if reply.Status >= 400 {
		body := []byte(reply.Body)
		if reply.Body == "" {
			body = s.v.errorBody(reply)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(reply.Status)
		_, _ = w.Write(body)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	s.v.writeEvent(s.events(w, r), req, reply)
}
