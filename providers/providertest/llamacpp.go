package providertest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// LlamaCppReply scripts one answer of /infill or /v1/chat/completions,
// taken in order by the requests that generate text. Its fields mean what
// they mean in Reply.
type LlamaCppReply struct {
	Pieces []string      // text, one event each
	Delay  time.Duration // waited before each piece

	// Status, when 400 or more, answers {"error":{"code","message","type"}}
	// with that status before any text. Type defaults from the status as
	// llama-server chooses it.
	Status  int
	Message string
	Type    string
	Header  http.Header

	StreamError bool // a data: {"error":{...}} event after Pieces
	NoDone      bool // end after Pieces without the last ("stop": true / [DONE]) event
	Cut         bool // drop the connection after Pieces
	Hang        bool // after Pieces, keep the stream open until the client leaves
}

// LlamaCppProps is what the fake reports in /props.
type LlamaCppProps struct {
	ContextSize  int    // default_generation_settings.n_ctx
	ModelPath    string // model_path
	ChatTemplate string
	// Vision is modalities.vision; NoModalities leaves the field out, as
	// builds before multimodal support do.
	Vision       bool
	NoModalities bool
}

// LlamaCppRequest is one request the fake received.
type LlamaCppRequest struct {
	Method string
	Path   string
	Header http.Header
	Raw    []byte
	Body   map[string]any // nil when the body was not a JSON object
}

// LlamaCpp is a fake llama-server on 127.0.0.1: /health (503 while
// "loading"), /props, /infill streaming Server-Sent Events of
// {"content","stop"} objects, and the OpenAI-compatible
// /v1/chat/completions and /v1/models, with errors in llama-server's
// {"error":{"code","message","type"}} shape.
//
// Every request is recorded; the requests that generate text take the
// enqueued answers in order, and get a 500 when none is left.
type LlamaCpp struct {
	URL string

	live
	script[LlamaCppRequest, LlamaCppReply]

	mu      sync.Mutex
	loading bool
	props   LlamaCppProps
}

// NewLlamaCpp starts a fake llama-server with its model loaded; it stops
// when the test ends.
func NewLlamaCpp(t testing.TB) *LlamaCpp {
	t.Helper()
	f := &LlamaCpp{
		props: LlamaCppProps{ContextSize: 8192, ModelPath: "/models/qwen2.5-coder-7b-q8_0.gguf",
			ChatTemplate: "{% for message in messages %}{{ message.content }}{% endfor %}"},
	}
	f.fallback = LlamaCppReply{Status: http.StatusInternalServerError, Message: "fake llama-server: no reply scripted"}
	f.start(t, httptest.NewServer(http.HandlerFunc(f.serve)))
	f.URL = f.srv.URL
	return f
}

// SetLoading makes every endpoint answer 503 "Loading model", as
// llama-server does until its model is in memory.
func (f *LlamaCpp) SetLoading(loading bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loading = loading
}

// SetProps sets what /props reports.
func (f *LlamaCpp) SetProps(p LlamaCppProps) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.props = p
}

// Count returns how many requests were made to path.
func (f *LlamaCpp) Count(path string) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

func (f *LlamaCpp) serve(w http.ResponseWriter, r *http.Request) {
	raw, body := readBody(r)
	rec := LlamaCppRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Raw: raw, Body: body}
	f.record(rec)
	f.mu.Lock()
	loading, props := f.loading, f.props
	f.mu.Unlock()

	if loading {
		llamaError(w, http.StatusServiceUnavailable, "unavailable_error", "Loading model")
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/health":
		llamaJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case r.Method == http.MethodGet && r.URL.Path == "/props":
		out := map[string]any{
			"default_generation_settings": map[string]any{"n_ctx": props.ContextSize, "params": map[string]any{"n_predict": -1}},
			"total_slots":                 1,
			"model_path":                  props.ModelPath,
			"chat_template":               props.ChatTemplate,
			"build_info":                  "b5000-fake",
		}
		if !props.NoModalities {
			out["modalities"] = map[string]bool{"vision": props.Vision, "audio": false}
		}
		llamaJSON(w, http.StatusOK, out)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/models":
		llamaJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []any{
			map[string]any{"id": props.ModelPath, "object": "model", "created": 1735689600, "owned_by": "llamacpp"},
		}})
	case r.Method == http.MethodPost && r.URL.Path == "/infill":
		f.stream(w, r, f.take(rec), "infill", rec.Body)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/chat/completions":
		f.stream(w, r, f.take(rec), "chat", rec.Body)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/completions":
		f.stream(w, r, f.take(rec), "completions", rec.Body)
	default:
		llamaError(w, http.StatusNotFound, "not_found_error", "File Not Found")
	}
}

// llamaErrorType is the type llama-server gives each status
// (server-common.cpp format_error_response).
func llamaErrorType(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid_request_error"
	case http.StatusUnauthorized:
		return "authentication_error"
	case http.StatusForbidden:
		return "permission_error"
	case http.StatusNotFound:
		return "not_found_error"
	case http.StatusNotImplemented:
		return "not_supported_error"
	case http.StatusServiceUnavailable:
		return "unavailable_error"
	}
	return "server_error"
}

func llamaErrorObject(status int, typ, msg string) map[string]any {
	if typ == "" {
		typ = llamaErrorType(status)
	}
	return map[string]any{"code": status, "message": msg, "type": typ}
}

func llamaError(w http.ResponseWriter, status int, typ, msg string) {
	llamaJSON(w, status, map[string]any{"error": llamaErrorObject(status, typ, msg)})
}

func llamaJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// stream writes a reply as llama-server's Server-Sent Events: native
// {"content","stop"} objects for /infill, OpenAI chunks ending in
// data: [DONE] for the /v1 endpoints.
func (f *LlamaCpp) stream(w http.ResponseWriter, r *http.Request, rep LlamaCppReply, endpoint string, body map[string]any) {
	addHeader(w, rep.Header)
	if rep.Status >= 400 {
		llamaError(w, rep.Status, rep.Type, rep.Message)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	e := f.events(w, r)
	send := func(v any) bool {
		var b []byte
		if s, ok := v.(string); ok {
			b = []byte(s)
		} else {
			b, _ = json.Marshal(v)
		}
		return e.send("data: " + string(b) + "\n\n")
	}
	model, _ := body["model"].(string)
	created := time.Now().Unix()
	chat := endpoint == "chat"
	chunk := func(text string, stop bool) any {
		if endpoint == "completions" {
			var finish any
			if stop {
				finish = "stop"
			}
			return map[string]any{"id": "cmpl-fake", "object": "text_completion", "created": created, "model": model,
				"choices": []any{map[string]any{"index": 0, "text": text, "logprobs": nil, "finish_reason": finish}}}
		}
		if chat {
			var finish any
			delta := map[string]any{"content": text}
			if stop {
				finish, delta = "stop", map[string]any{}
			}
			return map[string]any{"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created,
				"model": model, "system_fingerprint": "b5000-fake",
				"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
		}
		c := map[string]any{"index": 0, "content": text, "tokens": []int{}, "stop": stop, "id_slot": 0,
			"tokens_predicted": len(rep.Pieces), "tokens_evaluated": 42}
		if stop {
			c["stop_type"] = "eos"
			c["stopping_word"] = ""
			c["timings"] = map[string]any{"prompt_n": 42, "predicted_n": len(rep.Pieces)}
		}
		return c
	}
	if chat && !send(map[string]any{"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created, "model": model,
		"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"role": "assistant", "content": nil}, "finish_reason": nil}}}) {
		return
	}
	if !e.pieces(rep.Pieces, rep.Delay, func(p string) bool { return send(chunk(p, false)) }) {
		return
	}
	switch {
	case rep.Hang:
		e.wait(0)
	case rep.Cut:
		panic(http.ErrAbortHandler)
	case rep.StreamError:
		send(map[string]any{"error": llamaErrorObject(http.StatusInternalServerError, rep.Type, rep.Message)})
	case rep.NoDone:
	default:
		if send(chunk("", true)) && endpoint != "infill" {
			send("[DONE]")
		}
	}
}
