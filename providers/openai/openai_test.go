package openai_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/openai"
	"switchyard/providers/providertest"
)

const testKey = "sk-test-0123456789abcdef"

// setup starts a fake server and a provider pointed at it, with a key in
// the environment and one extra header.
func setup(t *testing.T) (*providertest.OpenAI, *openai.Provider) {
	t.Helper()
	fake := providertest.NewOpenAI(t)
	t.Setenv("SWITCHYARD_TEST_OPENAI_KEY", testKey)
	p, err := openai.New("openai", config.Provider{
		Type:      "openai",
		BaseURL:   fake.URL,
		APIKeyEnv: "SWITCHYARD_TEST_OPENAI_KEY",
		Headers:   map[string]string{"X-Team": "editors"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return fake, p
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func chat(text string) *providers.ChatRequest {
	return &providers.ChatRequest{Model: "gpt-4o", Messages: []providers.Message{{Role: providers.RoleUser, Content: text}}}
}

func TestChatStreamsText(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Text("func ", "main", "() {}"))
	temp := 0.2
	s, err := p.Chat(ctxT(t), &providers.ChatRequest{
		Model: "gpt-4o",
		Messages: []providers.Message{
			{Role: providers.RoleSystem, Content: "You write Go."},
			{Role: providers.RoleUser, Content: "write main"},
		},
		MaxTokens:   64,
		Temperature: &temp,
		Stop:        []string{"\n\n"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := providers.ReadAll(s)
	if err != nil || got != "func main() {}" {
		t.Fatalf("ReadAll = %q, %v; want the streamed pieces joined", got, err)
	}

	req := fake.Last(t)
	if req.Method != http.MethodPost || req.Path != "/v1/chat/completions" {
		t.Errorf("request %s %s, want POST /v1/chat/completions", req.Method, req.Path)
	}
	if got := req.Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q, want the key from api_key_env", got)
	}
	if got := req.Header.Get("X-Team"); got != "editors" {
		t.Errorf("X-Team = %q, want the configured extra header", got)
	}
	b := req.Body
	if b["model"] != "gpt-4o" || b["stream"] != true || b["max_tokens"] != float64(64) {
		t.Errorf("body model/stream/max_tokens = %v/%v/%v", b["model"], b["stream"], b["max_tokens"])
	}
	if temp, _ := b["temperature"].(float64); temp < 0.19 || temp > 0.21 {
		t.Errorf("temperature = %v, want 0.2", b["temperature"])
	}
	if stop, _ := b["stop"].([]any); len(stop) != 1 || stop[0] != "\n\n" {
		t.Errorf("stop = %v", b["stop"])
	}
	msgs, _ := b["messages"].([]any)
	if len(msgs) != 2 {
		t.Fatalf("messages = %v, want 2", b["messages"])
	}
	first := msgs[0].(map[string]any)
	if first["role"] != "system" || first["content"] != "You write Go." {
		t.Errorf("first message = %v", first)
	}
}

func TestTemperatureZeroIsSent(t *testing.T) {
	fake, p := setup(t)
	zero := 0.0
	req := chat("hi")
	req.Temperature = &zero
	if _, err := providers.ReadAll(must(p.Chat(ctxT(t), req))); err != nil {
		t.Fatal(err)
	}
	temp, ok := fake.Last(t).Body["temperature"].(float64)
	if !ok || temp > 1e-6 {
		t.Fatalf("temperature = %v (present %v), want a value of about 0 so the server does not use its default of 1", temp, ok)
	}
}

func TestReasoningModelUsesMaxCompletionTokens(t *testing.T) {
	fake, p := setup(t)
	temp := 0.5
	req := chat("hi")
	req.Model, req.MaxTokens, req.Temperature = "o3-mini", 100, &temp
	if _, err := providers.ReadAll(must(p.Chat(ctxT(t), req))); err != nil {
		t.Fatal(err)
	}
	b := fake.Last(t).Body
	if b["max_completion_tokens"] != float64(100) || b["max_tokens"] != nil || b["temperature"] != nil {
		t.Fatalf("body = %v, want max_completion_tokens only", b)
	}
}

func TestChatImagesAsDataURIs(t *testing.T) {
	fake, p := setup(t)
	req := &providers.ChatRequest{Model: "gpt-4o", Messages: []providers.Message{{
		Role:    providers.RoleUser,
		Content: "build this",
		Images:  []providers.Image{{MIME: "image/png", Data: []byte("\x89PNG")}},
	}}}
	if _, err := providers.ReadAll(must(p.Chat(ctxT(t), req))); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Last(t).Body["messages"].([]any)
	parts, ok := msgs[0].(map[string]any)["content"].([]any)
	if !ok || len(parts) != 2 {
		t.Fatalf("content = %v, want a text part and an image part", msgs[0])
	}
	text := parts[0].(map[string]any)
	if text["type"] != "text" || text["text"] != "build this" {
		t.Errorf("text part = %v", text)
	}
	img := parts[1].(map[string]any)
	url, _ := img["image_url"].(map[string]any)
	if img["type"] != "image_url" || url["url"] != "data:image/png;base64,iVBORw==" {
		t.Errorf("image part = %v, want image_url with data:image/png;base64,iVBORw==", img)
	}
}

func TestCompleteSendsRawPrompt(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Text("return", " x"))
	prompt := "<|fim_prefix|>func f() int {\n\t<|fim_suffix|>\n}<|fim_middle|>"
	s, err := p.Complete(ctxT(t), &providers.CompletionRequest{
		Model: "qwen2.5-coder:7b-base", Prompt: prompt, MaxTokens: 32, Stop: []string{"<|endoftext|>"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providers.ReadAll(s); err != nil || got != "return x" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	req := fake.Last(t)
	b := req.Body
	switch {
	case req.Path != "/v1/completions":
		t.Errorf("path = %s, want /v1/completions", req.Path)
	case b["prompt"] != prompt:
		t.Errorf("prompt = %q, want the raw template", b["prompt"])
	case b["suffix"] != nil:
		t.Errorf("suffix = %v, want none", b["suffix"])
	case b["model"] != "qwen2.5-coder:7b-base" || b["stream"] != true || b["max_tokens"] != float64(32):
		t.Errorf("body = %v", b)
	}
	if stop, _ := b["stop"].([]any); len(stop) != 1 || stop[0] != "<|endoftext|>" {
		t.Errorf("stop = %v", b["stop"])
	}
}

func TestFillInMiddleSendsSuffix(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Text("a + b"))
	s, err := p.FillInMiddle(ctxT(t), &providers.FIMRequest{
		Model: "deepseek-coder", Prefix: "func add(a, b int) int {\n\treturn ", Suffix: "\n}\n", MaxTokens: 16,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providers.ReadAll(s); err != nil || got != "a + b" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	b := fake.Last(t).Body
	if b["prompt"] != "func add(a, b int) int {\n\treturn " || b["suffix"] != "\n}\n" ||
		b["model"] != "deepseek-coder" || b["max_tokens"] != float64(16) || b["stream"] != true {
		t.Fatalf("body = %v, want prompt = prefix and suffix", b)
	}
}

func TestModels(t *testing.T) {
	fake, p := setup(t)
	fake.SetModels("qwen2.5-coder:1.5b", "llama3.1:8b")
	got, err := p.Models(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "qwen2.5-coder:1.5b" || got[1].ID != "llama3.1:8b" {
		t.Fatalf("Models = %v", got)
	}
	if req := fake.Last(t); req.Method != http.MethodGet || req.Path != "/v1/models" {
		t.Errorf("request %s %s, want GET /v1/models", req.Method, req.Path)
	}
}

func TestErrorKinds(t *testing.T) {
	httpDate := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		reply      providertest.Reply
		kind       providers.Kind
		status     int
		hint       string // substring of Hint
		retryAfter time.Duration
	}{
		{"401", providertest.Fail(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
			providers.KindAuth, 401, "SWITCHYARD_TEST_OPENAI_KEY", 0},
		{"403", providertest.Fail(403, "invalid_request_error", "unsupported_country_region_territory", "Country not supported"),
			providers.KindAuth, 403, "api_key_env", 0},
		{"404", providertest.Fail(404, "invalid_request_error", "model_not_found", "The model `gpt-9` does not exist"),
			providers.KindNotFound, 404, "base_url", 0},
		{"429 seconds", providertest.RateLimited("20"), providers.KindRateLimited, 429, "", 20 * time.Second},
		{"429 date", providertest.RateLimited(httpDate), providers.KindRateLimited, 429, "", 90 * time.Second},
		{"429 none", providertest.Fail(429, "requests", "rate_limit_exceeded", "slow down"), providers.KindRateLimited, 429, "", 0},
		{"context window", providertest.Fail(400, "invalid_request_error", "context_length_exceeded",
			"This model's maximum context length is 8192 tokens."), providers.KindContextWindow, 400, "", 0},
		{"vllm context window", providertest.Fail(400, "BadRequestError", "",
			"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens."), providers.KindContextWindow, 400, "", 0},
		{"content filter", providertest.Fail(400, "invalid_request_error", "content_filter", "filtered"),
			providers.KindContentPolicy, 400, "", 0},
		{"content policy", providertest.Fail(400, "invalid_request_error", "content_policy_violation", "refused"),
			providers.KindContentPolicy, 400, "", 0},
		{"bad request", providertest.Fail(400, "invalid_request_error", "", "'messages' is a required property"),
			providers.KindBadRequest, 400, "", 0},
		{"500", providertest.Fail(500, "server_error", "", "The server had an error"), providers.KindServer, 500, "", 0},
		{"503 html", providertest.Reply{Status: 503, Body: "<html>Service Unavailable</html>"}, providers.KindServer, 503, "", 0},
		{"error event mid-stream", providertest.Reply{Pieces: []string{"par"}, StreamError: true, Type: "server_error", Message: "overloaded"},
			providers.KindServer, 0, "", 0},
		{"malformed SSE", providertest.Reply{Pieces: []string{"par"}, Malformed: true}, providers.KindServer, 0, "", 0},
		{"connection cut", providertest.Reply{Pieces: []string{"par"}, Cut: true}, providers.KindServer, 0, "", 0},
		{"content filter finish", providertest.Reply{Pieces: []string{"par"}, Finish: "content_filter"}, providers.KindContentPolicy, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, p := setup(t)
			fake.Enqueue(tt.reply)
			s, err := p.Chat(ctxT(t), chat("hi"))
			if err == nil {
				_, err = providers.ReadAll(s)
			}
			var pe *providers.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want a *providers.Error", err, err)
			}
			if pe.Kind != tt.kind || pe.Status != tt.status {
				t.Errorf("kind/status = %v/%d, want %v/%d (%v)", pe.Kind, pe.Status, tt.kind, tt.status, err)
			}
			if !strings.Contains(pe.Hint, tt.hint) {
				t.Errorf("hint = %q, want it to mention %q", pe.Hint, tt.hint)
			}
			if d := pe.RetryAfter - tt.retryAfter; d < -2*time.Second || d > 2*time.Second {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.retryAfter)
			}
			if pe.Provider != "openai" {
				t.Errorf("Provider = %q", pe.Provider)
			}
		})
	}
}

// A body that ends cleanly without data: [DONE] is the server's own end
// (Ollama's /v1 ends so when its runner stops a repeating answer): its
// text is the answer, for chat and completions alike.
func TestCleanEndWithoutDoneKeepsTheText(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Reply{Pieces: []string{"one", "two"}, NoDone: true})
	got, err := providers.ReadAll(must(p.Chat(ctxT(t), chat("hi"))))
	if err != nil || got != "onetwo" {
		t.Errorf("chat: ReadAll = %q, %v; want %q and no error", got, err, "onetwo")
	}
	fake.Enqueue(providertest.Reply{Pieces: []string{"x :", "= 1"}, NoDone: true})
	got, err = providers.ReadAll(must(p.FillInMiddle(ctxT(t), &providers.FIMRequest{Model: "m", Prefix: "a", Suffix: "b"})))
	if err != nil || got != "x := 1" {
		t.Errorf("completion: ReadAll = %q, %v; want %q and no error", got, err, "x := 1")
	}
}

func TestPiecesBeforeACutArriveThenError(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Reply{Pieces: []string{"one", "two"}, Cut: true})
	s := must(p.Chat(ctxT(t), chat("hi")))
	defer s.Close()
	for _, want := range []string{"one", "two"} {
		if got, err := s.Next(); got != want || err != nil {
			t.Fatalf("Next = %q, %v; want %q", got, err, want)
		}
	}
	_, err := s.Next()
	if providers.KindOf(err) != providers.KindServer || err == io.EOF {
		t.Fatalf("after a cut stream, Next = %v; want a server error, not io.EOF", err)
	}
	if _, again := s.Next(); again != err {
		t.Errorf("Next after the end = %v, want the same error again", again)
	}
}

func TestErrorNeverShowsTheKey(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Fail(401, "invalid_request_error", "invalid_api_key",
		"Incorrect API key provided: "+testKey+". You can find your API key at https://platform.openai.com/account/api-keys."))
	_, err := p.Chat(ctxT(t), chat("hi"))
	if err == nil || strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), "0123456789") {
		t.Fatalf("err = %v, want an auth error without the key", err)
	}
}

func TestCloseDropsTheConnection(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Reply{Pieces: []string{"first"}, Hang: true})
	s := must(p.Chat(ctxT(t), chat("hi")))
	providertest.CheckClose(t, fake, s, "first")
}

func TestCloseUnblocksNext(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Reply{Hang: true})
	s := must(p.Chat(ctxT(t), chat("hi")))
	done := make(chan error, 1)
	go func() {
		_, err := s.Next()
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	s.Close()
	select {
	case err := <-done:
		if err == nil || err == io.EOF {
			t.Errorf("Next = %v, want an error once closed", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Next still blocked 1s after Close")
	}
	if !fake.WaitClosed(100 * time.Millisecond) {
		t.Error("the server did not see the connection close")
	}
}

func TestCancelStopsTheStream(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Reply{Pieces: []string{"a", "b", "c"}, Delay: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := p.Chat(ctx, chat("hi"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = s.Next()
	if providers.KindOf(err) != providers.KindCanceled {
		t.Fatalf("Next after cancel = %v, want kind canceled", err)
	}
	if !fake.WaitClosed(100 * time.Millisecond) {
		t.Error("the server did not see the connection close after cancel")
	}
}

func TestCanceledBeforeCall(t *testing.T) {
	fake, p := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Chat(ctx, chat("hi"))
	if providers.KindOf(err) != providers.KindCanceled {
		t.Fatalf("err = %v, want kind canceled", err)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests sent for a cancelled call", n)
	}
}

func TestTimeoutFromConfig(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	fake.Enqueue(providertest.Reply{Hang: true})
	p, err := openai.New("local", config.Provider{BaseURL: fake.URL, Timeout: config.Duration(50 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s, err := p.Chat(ctxT(t), chat("hi"))
	if err == nil {
		_, err = providers.ReadAll(s)
	}
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Kind != providers.KindTimeout || !strings.Contains(pe.Hint, "timeout") {
		t.Fatalf("err = %v, want a timeout naming the timeout setting", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v for a 50ms timeout", d)
	}
}

func TestLoopbackNeedsNoKey(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	p, err := openai.New("local", config.Provider{BaseURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := providers.ReadAll(must(p.Chat(ctxT(t), chat("hi")))); err != nil {
		t.Fatal(err)
	}
	if got := fake.Last(t).Header.Get("Authorization"); got != "" {
		t.Errorf("Authorization = %q, want none without a key", got)
	}
}

func TestRemoteWithoutKeyFailsBeforeAnyRequest(t *testing.T) {
	for _, cfg := range []config.Provider{
		{}, // the default base URL, api.openai.com
		{BaseURL: "https://llm.example.invalid/v1"},
		{BaseURL: "https://llm.example.invalid/v1", APIKeyEnv: "SWITCHYARD_TEST_UNSET_KEY"},
	} {
		p, err := openai.New("openai", cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Chat(ctxT(t), chat("hi"))
		var pe *providers.Error
		if !errors.As(err, &pe) || pe.Kind != providers.KindAuth || !strings.Contains(pe.Hint, "api_key_env") {
			t.Errorf("%+v: err = %v, want an auth error naming api_key_env (and no network error)", cfg, err)
		}
	}
}

func TestConnectionRefusedIsNetwork(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p, err := openai.New("local", config.Provider{BaseURL: "http://" + addr + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Chat(ctxT(t), chat("hi"))
	if providers.KindOf(err) != providers.KindNetwork {
		t.Fatalf("err = %v, want kind network", err)
	}
}

func TestBadBaseURL(t *testing.T) {
	for _, base := range []string{"api.openai.com/v1", "ftp://x/v1", "http://"} {
		if _, err := openai.New("openai", config.Provider{BaseURL: base}); err == nil || !strings.Contains(err.Error(), "base_url") {
			t.Errorf("New(base_url=%q) = %v, want an error naming base_url", base, err)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		header http.Header
		want   time.Duration
	}{
		{http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond},
		{http.Header{"Retry-After": {now.Add(time.Minute).Format(http.TimeFormat)}}, time.Minute},
		{http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0},
		{http.Header{"Retry-After": {"soon"}}, 0},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"1"}}, 250 * time.Millisecond},
		{nil, 0},
	}
	for _, tt := range tests {
		if got := openai.RetryAfter(tt.header, now); got != tt.want {
			t.Errorf("RetryAfter(%v) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func must(s providers.Stream, err error) providers.Stream {
	if err != nil {
		panic(err)
	}
	return s
}
