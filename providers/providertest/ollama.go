package providertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// OllamaModel is a model the fake Ollama has installed.
type OllamaModel struct {
	Name          string   // "qwen2.5-coder:7b"
	Capabilities  []string // as /api/show lists them; nil: an old server that lists none
	ContextLength int      // reported as "<family>.context_length" in model_info
	Family        string   // "qwen2"; defaults to "llama"
}

// OllamaReply scripts one answer of /api/generate or /api/chat, taken in
// order by the requests that generate text. Its fields mean what they mean
// in Reply.
type OllamaReply struct {
	Pieces []string      // text, one NDJSON line each
	Delay  time.Duration // waited before each piece

	// Status, when 400 or more, answers {"error": Message} with that
	// status before any text, as Ollama does.
	Status  int
	Message string
	Header  http.Header // extra response headers, e.g. Retry-After

	StreamError bool // an {"error": Message} line after Pieces, as a runner crash mid-answer
	NoDone      bool // end after Pieces without the "done":true line
	Cut         bool // drop the connection after Pieces
	Hang        bool // after Pieces, keep the stream open until the client leaves
}

// OllamaRequest is one request the fake received.
type OllamaRequest struct {
	Method string
	Path   string
	Header http.Header
	Raw    []byte         // the body as sent
	Body   map[string]any // the body decoded, nil when it was not a JSON object
}

// Ollama is a fake Ollama server on 127.0.0.1 speaking the native API:
// NDJSON streams from /api/generate and /api/chat (one JSON object when
// the request says "stream": false), /api/tags, /api/show,
// and {"error":"..."} bodies, as github.com/ollama/ollama/server sends them.
//
// Every request is recorded; the requests that generate text take the
// enqueued answers in order, and get a 500 when none is left.
type Ollama struct {
	URL string

	live
	script[OllamaRequest, OllamaReply]

	mu     sync.Mutex
	models []OllamaModel
}

// NewOllama starts a fake Ollama with the given models installed; it stops
// when the test ends.
func NewOllama(t testing.TB, models ...OllamaModel) *Ollama {
	t.Helper()
	f := &Ollama{models: models}
	f.fallback = OllamaReply{Status: http.StatusInternalServerError, Message: "fake ollama: no reply scripted"}
	f.start(t, httptest.NewServer(http.HandlerFunc(f.serve)))
	f.URL = f.srv.URL
	return f
}

// Count returns how many requests were made to path.
func (f *Ollama) Count(path string) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// AddModel installs another model.
func (f *Ollama) AddModel(m OllamaModel) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.models = append(f.models, m)
}

func (f *Ollama) serve(w http.ResponseWriter, r *http.Request) {
	raw, body := readBody(r)
	rec := OllamaRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Raw: raw, Body: body}
	f.record(rec)

	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/tags":
		f.tags(w)
	case r.Method == http.MethodPost && r.URL.Path == "/api/show":
		f.show(w, rec.Body)
	case r.Method == http.MethodPost && (r.URL.Path == "/api/generate" || r.URL.Path == "/api/chat"):
		f.generate(w, r, rec)
	default:
		// Ollama's router (gin) answers unknown routes with a plain 404.
		http.Error(w, "404 page not found", http.StatusNotFound)
	}
}

func (f *Ollama) model(name string) (OllamaModel, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.models {
		if m.Name == name {
			return m, true
		}
	}
	return OllamaModel{}, false
}

func (f *Ollama) tags(w http.ResponseWriter) {
	f.mu.Lock()
	type details struct {
		Format            string `json:"format"`
		Family            string `json:"family"`
		ParameterSize     string `json:"parameter_size"`
		QuantizationLevel string `json:"quantization_level"`
	}
	type entry struct {
		Name       string  `json:"name"`
		Model      string  `json:"model"`
		ModifiedAt string  `json:"modified_at"`
		Size       int64   `json:"size"`
		Digest     string  `json:"digest"`
		Details    details `json:"details"`
	}
	out := struct {
		Models []entry `json:"models"`
	}{Models: []entry{}}
	for i, m := range f.models {
		out.Models = append(out.Models, entry{
			Name: m.Name, Model: m.Name, ModifiedAt: "2025-01-02T15:04:05.000000000Z",
			Size: int64(4_683_087_332 + i), Digest: fmt.Sprintf("%064x", i+1),
			Details: details{Format: "gguf", Family: ollamaFamily(m), ParameterSize: "7.6B", QuantizationLevel: "Q4_K_M"},
		})
	}
	f.mu.Unlock()
	ollamaJSON(w, http.StatusOK, out)
}

func ollamaFamily(m OllamaModel) string {
	if m.Family == "" {
		return "llama"
	}
	return m.Family
}

func (f *Ollama) show(w http.ResponseWriter, body map[string]any) {
	name, _ := body["model"].(string)
	if name == "" {
		name, _ = body["name"].(string)
	}
	m, ok := f.model(name)
	if !ok {
		ollamaJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("model '%s' not found", name)})
		return
	}
	info := map[string]any{"general.architecture": ollamaFamily(m)}
	if m.ContextLength > 0 {
		info[ollamaFamily(m)+".context_length"] = m.ContextLength
	}
	out := map[string]any{
		"modelfile":  "FROM " + m.Name,
		"template":   "{{ .Prompt }}",
		"details":    map[string]any{"format": "gguf", "family": ollamaFamily(m)},
		"model_info": info,
	}
	if m.Capabilities != nil {
		out["capabilities"] = m.Capabilities
	}
	ollamaJSON(w, http.StatusOK, out)
}

func (f *Ollama) generate(w http.ResponseWriter, r *http.Request, rec OllamaRequest) {
	body := rec.Body
	name, _ := body["model"].(string)
	if _, ok := f.model(name); !ok {
		ollamaJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("model %q not found, try pulling it first", name)})
		return
	}
	chat := r.URL.Path == "/api/chat"
	// A generate request without a prompt only loads the model.
	if prompt, _ := body["prompt"].(string); !chat && prompt == "" {
		ollamaJSON(w, http.StatusOK, map[string]any{
			"model": name, "created_at": time.Now().UTC().Format(time.RFC3339Nano),
			"response": "", "done": true, "done_reason": "load",
		})
		return
	}

	rep := f.take(rec)
	addHeader(w, rep.Header)
	if rep.Status >= 400 {
		ollamaJSON(w, rep.Status, map[string]string{"error": rep.Message})
		return
	}

	if stream, ok := body["stream"].(bool); ok && !stream {
		f.whole(w, r, name, chat, rep)
		return
	}

	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	e := f.events(w, r)
	send := func(v any) bool {
		b, _ := json.Marshal(v)
		return e.write(append(b, '\n'))
	}
	line := func(text string, done bool) bool {
		l := map[string]any{"model": name, "created_at": time.Now().UTC().Format(time.RFC3339Nano), "done": done}
		if chat {
			l["message"] = map[string]any{"role": "assistant", "content": text}
		} else {
			l["response"] = text
		}
		if done {
			l["done_reason"] = "stop"
			l["total_duration"] = 1_000_000
			l["eval_count"] = len(rep.Pieces)
		}
		return send(l)
	}
	if !e.pieces(rep.Pieces, rep.Delay, func(p string) bool { return line(p, false) }) {
		return
	}
	switch {
	case rep.Hang:
		e.wait(0)
	case rep.Cut:
		panic(http.ErrAbortHandler)
	case rep.StreamError:
		send(map[string]string{"error": rep.Message})
	case rep.NoDone:
	default:
		line("", true)
	}
}

// whole answers a request with "stream": false as Ollama's handlers do:
// nothing until generation ends, then one JSON object with all the text,
// or an {"error": ...} body with status 500 when the runner failed, the
// text so far lost. Pieces and Delay pace the generation; NoDone answers
// "done": false, as Ollama does when its runner stops an answer that
// repeats one token; Hang waits for the client to leave; Cut drops the
// connection before any answer.
func (f *Ollama) whole(w http.ResponseWriter, r *http.Request, name string, chat bool, rep OllamaReply) {
	e := f.events(w, r)
	text := ""
	if !e.pieces(rep.Pieces, rep.Delay, func(p string) bool { text += p; return true }) {
		return
	}
	switch {
	case rep.Hang:
		e.wait(0)
		return
	case rep.Cut:
		panic(http.ErrAbortHandler)
	case rep.StreamError:
		ollamaJSON(w, http.StatusInternalServerError, map[string]string{"error": rep.Message})
		return
	}
	out := map[string]any{"model": name, "created_at": time.Now().UTC().Format(time.RFC3339Nano), "done": !rep.NoDone}
	if chat {
		out["message"] = map[string]any{"role": "assistant", "content": text}
	} else {
		out["response"] = text
		out["context"] = []int{1, 2, 3}
	}
	if !rep.NoDone {
		out["done_reason"] = "stop"
		out["total_duration"] = 1_000_000
		out["eval_count"] = len(rep.Pieces)
	}
	// Ollama writes it with gin's c.JSON: compact, no newline after.
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// ollamaJSON answers with a JSON body, as the real servers do for
// single-object answers and errors.
func ollamaJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
