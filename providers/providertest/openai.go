package providertest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// OpenAI is a fake OpenAI-compatible server: POST /v1/chat/completions
// (chat.completion.chunk events), POST /v1/completions (text_completion
// events, prompt and suffix), GET /v1/models; errors as
// {"error":{"message","type","param","code"}}.
type OpenAI struct{ *Server }

// NewOpenAI starts a fake OpenAI server that is closed when the test ends.
func NewOpenAI(tb testing.TB) *OpenAI {
	return &OpenAI{newServer(tb, openAIDialect())}
}

// NewOpenAIFixed starts a fake OpenAI server for benchmarks: every chat or
// completions request gets the same pieces at once, rendered ahead of
// time, and nothing is recorded.
func NewOpenAIFixed(tb testing.TB, pieces ...string) *OpenAI {
	s := newServer(tb, openAIDialect())
	s.fixed = true
	s.fixedTx = []string{
		render("chat", Request{}, pieces),
		render("completions", Request{}, pieces),
	}
	return &OpenAI{s}
}

func openAIDialect() dialect {
	return dialect{
		name: "OpenAI",
		base: "/v1",
		route: func(r *http.Request) (string, string) {
			p, ok := trimBase(r.URL.Path, "/v1")
			if !ok {
				return "", ""
			}
			return openAIEndpoint(r.Method, p), ""
		},
		errorBody: func(r Reply) []byte {
			b, _ := json.Marshal(map[string]any{"error": errorFields(r)})
			return b
		},
	}
}

// openAIEndpoint names the endpoint of a path below the base URL.
func openAIEndpoint(method, p string) string {
	switch {
	case method == http.MethodPost && p == "/chat/completions":
		return "chat"
	case method == http.MethodPost && p == "/completions":
		return "completions"
	case method == http.MethodGet && p == "/models":
		return "models"
	}
	return ""
}

// chunker renders stream events shaped like the vendor's: chat and FIM
// answers as chat.completion.chunk objects, completions as
// text_completion objects.
type chunker struct {
	endpoint string
	model    string
}

const (
	fakeID      = "chatcmpl-9fake0000000000000000000000"
	fakeCreated = 1718345013
)

func newChunker(endpoint string, req Request) chunker {
	model, _ := req.Body["model"].(string)
	if model == "" {
		model = "fake-model"
	}
	return chunker{endpoint: endpoint, model: model}
}

func (c chunker) chat(delta map[string]any, finish any) []byte {
	b, _ := json.Marshal(map[string]any{
		"id":                 fakeID,
		"object":             "chat.completion.chunk",
		"created":            fakeCreated,
		"model":              c.model,
		"system_fingerprint": "fp_fake",
		"choices": []any{map[string]any{
			"index":         0,
			"delta":         delta,
			"logprobs":      nil,
			"finish_reason": finish,
		}},
	})
	return b
}

func (c chunker) text(text string, finish any) []byte {
	b, _ := json.Marshal(map[string]any{
		"id":      "cmpl-fake000000000000000000000",
		"object":  "text_completion",
		"created": fakeCreated,
		"model":   c.model,
		"choices": []any{map[string]any{
			"text":          text,
			"index":         0,
			"logprobs":      nil,
			"finish_reason": finish,
		}},
	})
	return b
}

// roleChunk is the first chat event: the role and empty content.
func (c chunker) roleChunk() []byte {
	return c.chat(map[string]any{"role": "assistant", "content": ""}, nil)
}

func (c chunker) piece(text string) []byte {
	if c.endpoint == "completions" {
		return c.text(text, nil)
	}
	return c.chat(map[string]any{"content": text}, nil)
}

func (c chunker) finish(reason string) []byte {
	if c.endpoint == "completions" {
		return c.text("", reason)
	}
	return c.chat(map[string]any{}, reason)
}

// render is a whole successful stream body.
func render(endpoint string, req Request, pieces []string) string {
	c := newChunker(endpoint, req)
	var b strings.Builder
	event := func(data []byte) {
		b.WriteString("data: ")
		b.Write(data)
		b.WriteString("\n\n")
	}
	if endpoint != "completions" {
		event(c.roleChunk())
	}
	for _, p := range pieces {
		event(c.piece(p))
	}
	event(c.finish("stop"))
	event([]byte("[DONE]"))
	return b.String()
}

func (s *Server) serveFixed(w http.ResponseWriter, endpoint string) {
	var body string
	switch endpoint {
	case "chat", "fim":
		body = s.fixedTx[0]
	case "completions":
		body = s.fixedTx[1]
	case "models":
		s.writeModels(w)
		return
	default:
		http.Error(w, errNoFixed.Error(), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	_, _ = w.Write([]byte(body))
}
