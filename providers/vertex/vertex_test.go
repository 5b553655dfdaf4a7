package vertex_test

import (
	"context"
	"encoding/base64"
	"math"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/providertest"
	"switchyard/providers/vertex"
)

const (
	tokenEnv = "SWITCHYARD_TEST_VERTEX_TOKEN"
	token    = "ya29.test-access-token"
	project  = "my-project"
	region   = "us-central1"
	gemini   = "gemini-2.5-pro"
	claude   = "claude-sonnet-4-5@20250929"
)

// newProvider points a provider at a fake, with an access token from the
// environment so that no Application Default Credentials are looked for.
func newProvider(t *testing.T, baseURL string, edit ...func(*config.Provider)) *vertex.Provider {
	t.Helper()
	t.Setenv(tokenEnv, token)
	cfg := config.Provider{Type: "vertex", BaseURL: baseURL, Project: project, Region: region, APIKeyEnv: tokenEnv}
	for _, e := range edit {
		e(&cfg)
	}
	p, err := vertex.New("vertex", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ask(model string) *providers.ChatRequest {
	return &providers.ChatRequest{
		Model:    model,
		Messages: []providers.Message{{Role: providers.RoleUser, Content: "Say hello"}},
	}
}

func asError(t *testing.T, err error) *providers.Error {
	t.Helper()
	return providertest.AsError(t, err, token)
}

func TestGeminiStreamsText(t *testing.T) {
	fake := providertest.NewGemini(t)
	fake.Enqueue(providertest.Text("func ", "main() {", "}"))
	s, err := newProvider(t, fake.URL).Chat(context.Background(), ask(gemini))
	if err != nil {
		t.Fatal(err)
	}
	got, err := providertest.ReadPieces(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "func |main() {|}" {
		t.Errorf("pieces = %q, want the three chunks' text in order", got)
	}
}

func TestGeminiRequestMatchesAPI(t *testing.T) {
	fake := providertest.NewGemini(t)
	png := []byte("\x89PNG\r\n\x1a\nfake image bytes")
	temp := 0.25
	req := &providers.ChatRequest{
		Model: gemini,
		Messages: []providers.Message{
			{Role: providers.RoleSystem, Content: "You write Go."},
			{Role: providers.RoleUser, Content: "Build this screen.", Images: []providers.Image{{MIME: "image/png", Data: png}}},
			{Role: providers.RoleAssistant, Content: "Which framework?"},
			{Role: providers.RoleUser, Content: "Plain HTML."},
		},
		MaxTokens:   512,
		Temperature: &temp,
		Stop:        []string{"\n\n"},
	}
	p := newProvider(t, fake.URL, func(c *config.Provider) { c.Headers = map[string]string{"X-Team": "editors"} })
	s, err := p.Chat(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := providertest.ReadPieces(s); err != nil {
		t.Fatal(err)
	}

	r := fake.Last(t)
	wantPath := "/v1beta1/projects/" + project + "/locations/" + region + "/publishers/google/models/" + gemini + ":streamGenerateContent"
	if r.Method != http.MethodPost || r.Path != wantPath || r.Query != "alt=sse" {
		t.Errorf("request = %s %s?%s, want POST %s?alt=sse", r.Method, r.Path, r.Query, wantPath)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+token {
		t.Errorf("Authorization = %q, want the token from api_key_env as a bearer token", got)
	}
	if got := r.Header.Get("X-Team"); got != "editors" {
		t.Errorf("X-Team = %q, want the configured header", got)
	}

	b := r.Body
	sys, _ := b["systemInstruction"].(map[string]any)
	sysParts, _ := sys["parts"].([]any)
	if len(sysParts) != 1 || field(sysParts[0], "text") != "You write Go." {
		t.Errorf("systemInstruction = %v", b["systemInstruction"])
	}
	contents, _ := b["contents"].([]any)
	if len(contents) != 3 {
		t.Fatalf("contents = %v, want user, model, user", contents)
	}
	for i, role := range []string{"user", "model", "user"} {
		if field(contents[i], "role") != role {
			t.Errorf("contents[%d].role = %v, want %s", i, field(contents[i], "role"), role)
		}
	}
	parts, _ := field(contents[0], "parts").([]any)
	if len(parts) != 2 {
		t.Fatalf("first user parts = %v, want inline image then text", parts)
	}
	inline, _ := field(parts[0], "inlineData").(map[string]any)
	if inline["mimeType"] != "image/png" || inline["data"] != base64.StdEncoding.EncodeToString(png) {
		t.Errorf("inlineData = %v, want mimeType image/png and the bytes in base64", parts[0])
	}
	if field(parts[1], "text") != "Build this screen." {
		t.Errorf("text part = %v", parts[1])
	}
	gc, _ := b["generationConfig"].(map[string]any)
	if gc["maxOutputTokens"] != 512.0 {
		t.Errorf("generationConfig.maxOutputTokens = %v, want 512", gc["maxOutputTokens"])
	}
	if tv, _ := gc["temperature"].(float64); math.Abs(tv-0.25) > 1e-6 {
		t.Errorf("generationConfig.temperature = %v, want 0.25", gc["temperature"])
	}
	if stop, _ := gc["stopSequences"].([]any); len(stop) != 1 || stop[0] != "\n\n" {
		t.Errorf("generationConfig.stopSequences = %v", gc["stopSequences"])
	}
}

func TestGeminiErrorKinds(t *testing.T) {
	tests := []struct {
		name       string
		reply      providertest.Reply
		kind       providers.Kind
		retryAfter time.Duration
		hint       string
	}{
		{"quota", providertest.GeminiRateLimited("31s"), providers.KindRateLimited, 31 * time.Second, ""},
		{"bad token", providertest.GeminiFail(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), providers.KindAuth, 0, "api_key_env"},
		{"no permission", providertest.GeminiFail(403, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied"), providers.KindAuth, 0, project},
		{"unknown model", providertest.GeminiFail(404, "NOT_FOUND", "Publisher Model `gemini-nope` was not found"), providers.KindNotFound, 0, "region"},
		{"too many tokens", providertest.GeminiFail(400, "INVALID_ARGUMENT", "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)."), providers.KindContextWindow, 0, ""},
		{"bad argument", providertest.GeminiFail(400, "INVALID_ARGUMENT", "Unable to submit request because it has an empty text parameter."), providers.KindBadRequest, 0, ""},
		{"internal", providertest.GeminiFail(500, "INTERNAL", "Internal error encountered."), providers.KindServer, 0, ""},
		{"unavailable", providertest.GeminiFail(503, "UNAVAILABLE", "The service is currently unavailable."), providers.KindServer, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := providertest.NewGemini(t)
			fake.Enqueue(tt.reply)
			s, err := newProvider(t, fake.URL).Chat(context.Background(), ask(gemini))
			if err == nil {
				s.Close()
				t.Fatal("Chat succeeded, want an error")
			}
			pe := asError(t, err)
			if pe.Kind != tt.kind || pe.Status != tt.reply.Status || pe.RetryAfter != tt.retryAfter {
				t.Errorf("kind, status, retry-after = %v, %d, %v; want %v, %d, %v (%v)",
					pe.Kind, pe.Status, pe.RetryAfter, tt.kind, tt.reply.Status, tt.retryAfter, err)
			}
			if !strings.Contains(pe.Hint, tt.hint) {
				t.Errorf("hint %q does not name %q", pe.Hint, tt.hint)
			}
			if pe.Message != tt.reply.Message {
				t.Errorf("message = %q, want the API's own %q", pe.Message, tt.reply.Message)
			}
			if n := len(fake.Requests()); n != 1 {
				t.Errorf("the fake saw %d requests, want exactly 1 (no SDK retries)", n)
			}
		})
	}
}

func TestGeminiStreamEnds(t *testing.T) {
	tests := []struct {
		name  string
		reply providertest.Reply
		kind  providers.Kind
	}{
		{"error event", providertest.Reply{Pieces: []string{"partial"}, StreamError: true, Message: "Internal error encountered."}, providers.KindServer},
		{"quota error event", providertest.Reply{Pieces: []string{"partial"}, StreamError: true, Type: "RESOURCE_EXHAUSTED"}, providers.KindRateLimited},
		{"no finishReason", providertest.Reply{Pieces: []string{"partial"}, NoDone: true}, providers.KindServer},
		{"connection dropped", providertest.Reply{Pieces: []string{"partial"}, Cut: true}, providers.KindServer},
		{"malformed chunk", providertest.Reply{Pieces: []string{"partial"}, Malformed: true}, providers.KindServer},
		{"safety filter", providertest.Reply{Pieces: []string{"partial"}, Finish: "SAFETY"}, providers.KindContentPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := providertest.NewGemini(t)
			fake.Enqueue(tt.reply)
			s, err := newProvider(t, fake.URL).Chat(context.Background(), ask(gemini))
			if err != nil {
				t.Fatal(err)
			}
			got, err := providertest.ReadPieces(s)
			if len(got) != 1 || got[0] != "partial" {
				t.Errorf("pieces = %q, want the text before the end", got)
			}
			if err == nil {
				t.Fatal("the stream ended like a complete answer")
			}
			if pe := asError(t, err); pe.Kind != tt.kind {
				t.Errorf("kind = %v, want %v (%v)", pe.Kind, tt.kind, err)
			}
			if n := len(fake.Requests()); n != 1 {
				t.Errorf("the fake saw %d requests, want 1: a cut stream is not resumed behind the router", n)
			}
		})
	}
}

func TestCloseDropsConnection(t *testing.T) {
	for _, model := range []string{gemini, claude} {
		t.Run(model, func(t *testing.T) {
			var fake interface {
				Enqueue(...providertest.Reply)
				WaitClosed(time.Duration) bool
			}
			var url string
			if strings.HasPrefix(model, "claude") {
				f := providertest.NewAnthropic(t)
				fake, url = f, f.URL
			} else {
				f := providertest.NewGemini(t)
				fake, url = f, f.URL
			}
			fake.Enqueue(providertest.Reply{Pieces: []string{"first"}, Hang: true})
			s, err := newProvider(t, url).Chat(context.Background(), ask(model))
			if err != nil {
				t.Fatal(err)
			}
			providertest.CheckClose(t, fake, s, "first")
		})
	}
}

func TestCloseWhileNextBlocks(t *testing.T) {
	fake := providertest.NewGemini(t)
	fake.Enqueue(providertest.Reply{Pieces: []string{"first"}, Hang: true})
	s, err := newProvider(t, fake.URL).Chat(context.Background(), ask(gemini))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(); err != nil {
		t.Fatal(err)
	}
	providertest.CheckCloseUnblocksNext(t, s)
}

func TestCancelAndTimeout(t *testing.T) {
	t.Run("editor cancels", func(t *testing.T) {
		fake := providertest.NewGemini(t)
		fake.Enqueue(providertest.Reply{Pieces: []string{"a"}, Hang: true})
		ctx, cancel := context.WithCancel(context.Background())
		s, err := newProvider(t, fake.URL).Chat(ctx, ask(gemini))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, err := s.Next(); providers.KindOf(err) != providers.KindCanceled {
			t.Errorf("error = %v, want canceled", err)
		}
	})
	t.Run("configured timeout", func(t *testing.T) {
		fake := providertest.NewGemini(t)
		fake.Enqueue(providertest.Reply{Pieces: []string{"a"}, Hang: true})
		p := newProvider(t, fake.URL, func(c *config.Provider) { c.Timeout = config.Duration(100 * time.Millisecond) })
		s, err := p.Chat(context.Background(), ask(gemini))
		if err != nil {
			t.Fatal(err)
		}
		_, err = providertest.ReadPieces(s)
		if pe := asError(t, err); pe.Kind != providers.KindTimeout || !strings.Contains(pe.Hint, "timeout") {
			t.Errorf("error = %v, want timeout naming the setting", err)
		}
	})
}

func TestClaudeGoesThroughVertex(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	fake.Enqueue(providertest.Text("Hel", "lo"))
	req := ask(claude)
	req.Messages = append([]providers.Message{{Role: providers.RoleSystem, Content: "Be brief."}}, req.Messages...)
	s, err := newProvider(t, fake.URL).Chat(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := providertest.ReadPieces(s)
	if err != nil || strings.Join(got, "") != "Hello" {
		t.Fatalf("answer = %q, %v", got, err)
	}

	r := fake.Last(t)
	wantPath := "/v1/projects/" + project + "/locations/" + region + "/publishers/anthropic/models/" + claude + ":streamRawPredict"
	if r.Path != wantPath {
		t.Errorf("path = %s, want %s", r.Path, wantPath)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+token {
		t.Errorf("Authorization = %q, want the bearer token", got)
	}
	if r.Header.Get("X-Api-Key") != "" {
		t.Error("an Anthropic API key header was sent to Vertex")
	}
	b := r.Body
	if b["anthropic_version"] != "vertex-2023-10-16" || b["stream"] != true || b["max_tokens"] == nil {
		t.Errorf("anthropic_version, stream, max_tokens = %v, %v, %v", b["anthropic_version"], b["stream"], b["max_tokens"])
	}
	if _, ok := b["model"]; ok {
		t.Errorf("model in the body (%v): Vertex takes it from the path", b["model"])
	}
	if sys, _ := b["system"].([]any); len(sys) != 1 || field(sys[0], "text") != "Be brief." {
		t.Errorf("system = %v", b["system"])
	}
	if len(fake.Requests()) != 1 {
		t.Errorf("%d requests, want 1", len(fake.Requests()))
	}
}

func TestClaudeOnVertexErrors(t *testing.T) {
	tests := []struct {
		name       string
		reply      providertest.Reply
		kind       providers.Kind
		retryAfter time.Duration
		hint       string
	}{
		{"quota", providertest.GeminiRateLimited("20s"), providers.KindRateLimited, 20 * time.Second, ""},
		{"bad token", providertest.GeminiFail(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), providers.KindAuth, 0, "api_key_env"},
		{"overloaded", providertest.AnthropicOverloaded(), providers.KindServer, 0, ""},
		{"prompt too long", providertest.AnthropicFail(400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"), providers.KindContextWindow, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := providertest.NewAnthropic(t)
			fake.Enqueue(tt.reply)
			_, err := newProvider(t, fake.URL).Chat(context.Background(), ask(claude))
			pe := asError(t, err)
			if pe.Kind != tt.kind || pe.RetryAfter != tt.retryAfter || !strings.Contains(pe.Hint, tt.hint) {
				t.Errorf("kind %v, retry-after %v, hint %q; want %v, %v, naming %q (%v)",
					pe.Kind, pe.RetryAfter, pe.Hint, tt.kind, tt.retryAfter, tt.hint, err)
			}
			if n := len(fake.Requests()); n != 1 {
				t.Errorf("the fake saw %d requests, want exactly 1", n)
			}
		})
	}
}

func TestNoCredentials(t *testing.T) {
	// A credentials file that does not exist: the lookup fails at once,
	// without asking a metadata server.
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	for _, model := range []string{gemini, claude} {
		t.Run(model, func(t *testing.T) {
			p, err := vertex.New("vertex", config.Provider{Type: "vertex", Project: project, Region: region, BaseURL: "http://127.0.0.1:1"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Chat(context.Background(), ask(model))
			if pe := asError(t, err); pe.Kind != providers.KindAuth || !strings.Contains(pe.Hint, "gcloud auth application-default login") {
				t.Errorf("error = %v, want auth with the gcloud hint", err)
			}
		})
	}
}

func TestNewNeedsProject(t *testing.T) {
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	_, err := vertex.New("gcp", config.Provider{Type: "vertex"})
	if err == nil || !strings.Contains(err.Error(), "project") || !strings.Contains(err.Error(), "[providers.gcp]") {
		t.Errorf("New without a project = %v, want an error naming project in [providers.gcp]", err)
	}
}

func TestNetworkError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, model := range []string{gemini, claude} {
		t.Run(model, func(t *testing.T) {
			_, err := newProvider(t, "http://"+addr).Chat(context.Background(), ask(model))
			if pe := asError(t, err); pe.Kind != providers.KindNetwork {
				t.Errorf("error = %v, want network", err)
			}
		})
	}
}

func TestUnsupportedImage(t *testing.T) {
	fake := providertest.NewGemini(t)
	req := ask(gemini)
	req.Messages[0].Images = []providers.Image{{MIME: "image/tiff", Data: []byte("II*")}}
	_, err := newProvider(t, fake.URL).Chat(context.Background(), req)
	if providers.KindOf(err) != providers.KindUnsupported {
		t.Errorf("error = %v, want unsupported", err)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests sent for an image Gemini cannot read", n)
	}
}

func field(v any, name string) any {
	m, _ := v.(map[string]any)
	return m[name]
}
