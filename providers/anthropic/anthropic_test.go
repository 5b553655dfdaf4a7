package anthropic_test

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/anthropic"
	"switchyard/providers/providertest"
)

const (
	keyEnv = "SWITCHYARD_TEST_ANTHROPIC_KEY"
	key    = "sk-ant-test-0123456789"
)

// newProvider points a provider at the fake with a key in the environment.
func newProvider(t *testing.T, fake *providertest.Anthropic, edit ...func(*config.Provider)) *anthropic.Provider {
	t.Helper()
	t.Setenv(keyEnv, key)
	cfg := config.Provider{Type: "anthropic", BaseURL: fake.URL, APIKeyEnv: keyEnv}
	for _, e := range edit {
		e(&cfg)
	}
	p, err := anthropic.New("claude", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func hello() *providers.ChatRequest {
	return &providers.ChatRequest{
		Model:    "claude-sonnet-4-5",
		Messages: []providers.Message{{Role: providers.RoleUser, Content: "Say hello"}},
	}
}

func asError(t *testing.T, err error) *providers.Error {
	t.Helper()
	return providertest.AsError(t, err, key)
}

func TestChatStreamsText(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	fake.Enqueue(providertest.Text("func ", "main() {", "}"))
	s, err := newProvider(t, fake).Chat(context.Background(), hello())
	if err != nil {
		t.Fatal(err)
	}
	got, err := providertest.ReadPieces(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "func |main() {|}" {
		t.Errorf("pieces = %q, want the three text deltas in order", got)
	}
}

func TestRequestMatchesMessagesAPI(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	png := []byte("\x89PNG\r\n\x1a\nfake image bytes")
	temp := 0.2
	req := &providers.ChatRequest{
		Model: "claude-sonnet-4-5",
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
	p := newProvider(t, fake, func(c *config.Provider) { c.Headers = map[string]string{"X-Team": "editors"} })
	s, err := p.Chat(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := providertest.ReadPieces(s); err != nil {
		t.Fatal(err)
	}

	r := fake.Last(t)
	if r.Method != http.MethodPost || r.Path != "/v1/messages" {
		t.Errorf("request = %s %s, want POST /v1/messages", r.Method, r.Path)
	}
	for h, want := range map[string]string{"X-Api-Key": key, "Anthropic-Version": "2023-06-01", "X-Team": "editors"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	b := r.Body
	if b["model"] != "claude-sonnet-4-5" || b["max_tokens"] != 512.0 || b["stream"] != true || b["temperature"] != 0.2 {
		t.Errorf("model, max_tokens, stream, temperature = %v, %v, %v, %v", b["model"], b["max_tokens"], b["stream"], b["temperature"])
	}
	if stop, _ := b["stop_sequences"].([]any); len(stop) != 1 || stop[0] != "\n\n" {
		t.Errorf("stop_sequences = %v", b["stop_sequences"])
	}
	system, _ := b["system"].([]any)
	if len(system) != 1 || field(system[0], "type") != "text" || field(system[0], "text") != "You write Go." {
		t.Errorf("system = %v, want one text block", b["system"])
	}
	if field(system[0], "cache_control") != nil {
		t.Errorf("a short system prompt is marked for caching: %v", system[0])
	}
	msgs, _ := b["messages"].([]any)
	if len(msgs) != 3 {
		t.Fatalf("messages = %v, want user, assistant, user (the system prompt apart)", msgs)
	}
	wantRoles := []string{"user", "assistant", "user"}
	for i, m := range msgs {
		if field(m, "role") != wantRoles[i] {
			t.Errorf("messages[%d].role = %v, want %s", i, field(m, "role"), wantRoles[i])
		}
	}
	content, _ := field(msgs[0], "content").([]any)
	if len(content) != 2 {
		t.Fatalf("first user content = %v, want an image block then a text block", content)
	}
	src, _ := field(content[0], "source").(map[string]any)
	if field(content[0], "type") != "image" || src["type"] != "base64" || src["media_type"] != "image/png" ||
		src["data"] != base64.StdEncoding.EncodeToString(png) {
		t.Errorf("image block = %v", content[0])
	}
	if field(content[1], "type") != "text" || field(content[1], "text") != "Build this screen." {
		t.Errorf("text block = %v", content[1])
	}
}

func TestDefaultMaxTokens(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	s, err := newProvider(t, fake).Chat(context.Background(), hello())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := providertest.ReadPieces(s); err != nil {
		t.Fatal(err)
	}
	if got := fake.Last(t).Body["max_tokens"]; got != float64(anthropic.DefaultMaxTokens) {
		t.Errorf("max_tokens = %v, want the default %d (the API requires one)", got, anthropic.DefaultMaxTokens)
	}
}

func TestPromptCaching(t *testing.T) {
	big := strings.Repeat("// stable context line of a source file\n", 200) // about 8 KB, 2000 tokens
	small := "You write Go."
	tests := []struct {
		name             string
		system, context  string
		wantSystemCached bool
		wantUserCached   bool
	}{
		{"small prompt, nothing cached", small, "fix this", false, false},
		{"large system prompt", big, "fix this", true, false},
		{"large first user block", small, big, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := providertest.NewAnthropic(t)
			req := &providers.ChatRequest{Model: "claude-sonnet-4-5", Messages: []providers.Message{
				{Role: providers.RoleSystem, Content: tt.system},
				{Role: providers.RoleUser, Content: tt.context},
				{Role: providers.RoleAssistant, Content: "Understood."},
				{Role: providers.RoleUser, Content: big + "a later question"},
			}}
			s, err := newProvider(t, fake).Chat(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := providertest.ReadPieces(s); err != nil {
				t.Fatal(err)
			}
			b := fake.Last(t).Body
			system := b["system"].([]any)[0]
			if got := field(system, "cache_control") != nil; got != tt.wantSystemCached {
				t.Errorf("system cache_control = %v, want cached %v", field(system, "cache_control"), tt.wantSystemCached)
			}
			if tt.wantSystemCached && field(field(system, "cache_control"), "type") != "ephemeral" {
				t.Errorf("system cache_control = %v, want {type: ephemeral}", field(system, "cache_control"))
			}
			msgs := b["messages"].([]any)
			first := field(msgs[0], "content").([]any)
			cc := field(first[len(first)-1], "cache_control")
			if (cc != nil) != tt.wantUserCached || (cc != nil && field(cc, "type") != "ephemeral") {
				t.Errorf("first user block cache_control = %v, want cached %v", cc, tt.wantUserCached)
			}
			// Only the first big user block is a breakpoint: the last
			// turn is new every time.
			last := field(msgs[2], "content").([]any)
			if tt.wantUserCached && field(last[0], "cache_control") != nil {
				t.Errorf("the last user turn is marked for caching too")
			}
		})
	}
}

func TestErrorKinds(t *testing.T) {
	tests := []struct {
		name       string
		reply      providertest.Reply
		kind       providers.Kind
		status     int
		retryAfter time.Duration
		hint       string
	}{
		{"rate limited", providertest.AnthropicRateLimited("7"), providers.KindRateLimited, 429, 7 * time.Second, ""},
		{"bad key", providertest.AnthropicFail(401, "authentication_error", "invalid x-api-key"), providers.KindAuth, 401, 0, keyEnv},
		{"no permission", providertest.AnthropicFail(403, "permission_error", "Your API key does not have permission to use the specified resource."), providers.KindAuth, 403, 0, "api_key_env"},
		{"unknown model", providertest.AnthropicFail(404, "not_found_error", "model: claude-nope"), providers.KindNotFound, 404, 0, "model"},
		{"prompt too long", providertest.AnthropicFail(400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"), providers.KindContextWindow, 400, 0, ""},
		{"bad request", providertest.AnthropicFail(400, "invalid_request_error", "max_tokens: must be greater than or equal to 1"), providers.KindBadRequest, 400, 0, ""},
		{"request too large", providertest.AnthropicFail(413, "request_too_large", "Request exceeds the maximum allowed number of bytes."), providers.KindBadRequest, 413, 0, ""},
		{"server error", providertest.AnthropicFail(500, "api_error", "Internal server error"), providers.KindServer, 500, 0, ""},
		{"overloaded", providertest.AnthropicOverloaded(), providers.KindServer, 529, 0, ""},
		{"gateway HTML", providertest.Reply{Status: 502, Body: "<html>Bad Gateway</html>"}, providers.KindServer, 502, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := providertest.NewAnthropic(t)
			fake.Enqueue(tt.reply)
			s, err := newProvider(t, fake).Chat(context.Background(), hello())
			if err == nil {
				s.Close()
				t.Fatal("Chat succeeded, want an error")
			}
			pe := asError(t, err)
			if pe.Kind != tt.kind || pe.Status != tt.status || pe.RetryAfter != tt.retryAfter {
				t.Errorf("kind, status, retry-after = %v, %d, %v; want %v, %d, %v (%v)",
					pe.Kind, pe.Status, pe.RetryAfter, tt.kind, tt.status, tt.retryAfter, err)
			}
			if !strings.Contains(pe.Hint, tt.hint) {
				t.Errorf("hint %q does not name %q", pe.Hint, tt.hint)
			}
			if tt.reply.Message != "" && pe.Message != tt.reply.Message {
				t.Errorf("message = %q, want the API's own %q", pe.Message, tt.reply.Message)
			}
			// SDK retries are off: the router is the one retry loop.
			if n := len(fake.Requests()); n != 1 {
				t.Errorf("the fake saw %d requests, want exactly 1", n)
			}
		})
	}
}

func TestErrorEventMidStream(t *testing.T) {
	tests := []struct {
		typ  string
		kind providers.Kind
	}{
		{"overloaded_error", providers.KindServer},
		{"api_error", providers.KindServer},
		{"rate_limit_error", providers.KindRateLimited},
		{"some_future_error", providers.KindServer},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			fake := providertest.NewAnthropic(t)
			fake.Enqueue(providertest.Reply{Pieces: []string{"partial"}, StreamError: true, Type: tt.typ, Message: "Overloaded"})
			s, err := newProvider(t, fake).Chat(context.Background(), hello())
			if err != nil {
				t.Fatal(err)
			}
			got, err := providertest.ReadPieces(s)
			if len(got) != 1 || got[0] != "partial" {
				t.Errorf("pieces = %q, want the text before the error", got)
			}
			if pe := asError(t, err); pe.Kind != tt.kind || pe.Message != "Overloaded" {
				t.Errorf("error = %v (kind %v), want kind %v with the event's message", err, pe.Kind, tt.kind)
			}
		})
	}
}

func TestCutStreams(t *testing.T) {
	tests := []struct {
		name  string
		reply providertest.Reply
	}{
		{"ends without message_stop", providertest.Reply{Pieces: []string{"half a li"}, NoDone: true}},
		{"connection dropped", providertest.Reply{Pieces: []string{"half a li"}, Cut: true}},
		{"malformed event", providertest.Reply{Pieces: []string{"half a li"}, Malformed: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := providertest.NewAnthropic(t)
			fake.Enqueue(tt.reply)
			s, err := newProvider(t, fake).Chat(context.Background(), hello())
			if err != nil {
				t.Fatal(err)
			}
			_, err = providertest.ReadPieces(s)
			if err == nil {
				t.Fatal("a cut stream ended like a complete answer")
			}
			if pe := asError(t, err); pe.Kind != providers.KindServer {
				t.Errorf("kind = %v, want server (%v)", pe.Kind, err)
			}
		})
	}
}

func TestRefusal(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	fake.Enqueue(providertest.Reply{Finish: "refusal"})
	s, err := newProvider(t, fake).Chat(context.Background(), hello())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := providertest.ReadPieces(s); providers.KindOf(err) != providers.KindContentPolicy {
		t.Errorf("error = %v, want content-policy", err)
	}
}

func TestCloseDropsConnection(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	fake.Enqueue(providertest.Reply{Pieces: []string{"first"}, Hang: true})
	s, err := newProvider(t, fake).Chat(context.Background(), hello())
	if err != nil {
		t.Fatal(err)
	}
	providertest.CheckClose(t, fake, s, "first")
}

func TestCloseWhileNextBlocks(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	fake.Enqueue(providertest.Reply{Hang: true})
	s, err := newProvider(t, fake).Chat(context.Background(), hello())
	if err != nil {
		t.Fatal(err)
	}
	providertest.CheckCloseUnblocksNext(t, s)
}

func TestCancelAndTimeout(t *testing.T) {
	t.Run("editor cancels", func(t *testing.T) {
		fake := providertest.NewAnthropic(t)
		fake.Enqueue(providertest.Reply{Pieces: []string{"a"}, Hang: true})
		ctx, cancel := context.WithCancel(context.Background())
		s, err := newProvider(t, fake).Chat(ctx, hello())
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
		fake := providertest.NewAnthropic(t)
		fake.Enqueue(providertest.Reply{Pieces: []string{"a"}, Hang: true})
		p := newProvider(t, fake, func(c *config.Provider) { c.Timeout = config.Duration(100 * time.Millisecond) })
		s, err := p.Chat(context.Background(), hello())
		if err != nil {
			t.Fatal(err)
		}
		_, err = providertest.ReadPieces(s)
		if pe := asError(t, err); pe.Kind != providers.KindTimeout || !strings.Contains(pe.Hint, "timeout") {
			t.Errorf("error = %v, want timeout naming the setting", err)
		}
	})
}

func TestNetworkError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	t.Setenv(keyEnv, key)
	p, err := anthropic.New("claude", config.Provider{BaseURL: "http://" + addr, APIKeyEnv: keyEnv})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Chat(context.Background(), hello())
	if pe := asError(t, err); pe.Kind != providers.KindNetwork {
		t.Errorf("error = %v, want network", err)
	}
}

func TestMissingKey(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	p, err := anthropic.New("claude", config.Provider{BaseURL: fake.URL, APIKeyEnv: "SWITCHYARD_TEST_UNSET_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Chat(context.Background(), hello())
	if pe := asError(t, err); pe.Kind != providers.KindAuth || !strings.Contains(pe.Error(), "SWITCHYARD_TEST_UNSET_KEY") {
		t.Errorf("error = %v, want auth naming the variable", err)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests sent without a key", n)
	}
}

func TestEnvironmentDoesNotOverrideConfig(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	t.Setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:1")
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-from-environment")
	s, err := newProvider(t, fake).Chat(context.Background(), hello())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := providertest.ReadPieces(s); err != nil {
		t.Fatalf("the SDK followed ANTHROPIC_BASE_URL instead of base_url: %v", err)
	}
	if got := fake.Last(t).Header.Get("X-Api-Key"); got != key {
		t.Errorf("x-api-key = %q, want the key from api_key_env", got)
	}
}

func TestUnsupportedImage(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	req := hello()
	req.Messages[0].Images = []providers.Image{{MIME: "image/tiff", Data: []byte("II*")}}
	_, err := newProvider(t, fake).Chat(context.Background(), req)
	if providers.KindOf(err) != providers.KindUnsupported {
		t.Errorf("error = %v, want unsupported", err)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests sent for an image Claude cannot read", n)
	}
}

func field(v any, name string) any {
	m, _ := v.(map[string]any)
	return m[name]
}
