package mistral_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/mistral"
	"switchyard/providers/providertest"
)

const testKey = "mistral-test-key-0123456789"

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func setup(t *testing.T) (*providertest.Mistral, *mistral.Provider) {
	t.Helper()
	fake := providertest.NewMistral(t)
	t.Setenv("SWITCHYARD_TEST_MISTRAL_KEY", testKey)
	p, err := mistral.New("mistral", config.Provider{Type: "mistral", BaseURL: fake.URL, APIKeyEnv: "SWITCHYARD_TEST_MISTRAL_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	return fake, p
}

func fim() *providers.FIMRequest {
	return &providers.FIMRequest{Model: "codestral-latest", Prefix: "def add(a, b):\n    return ", Suffix: "\n\nprint(add(1, 2))\n"}
}

func TestChat(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Text("Bon", "jour"))
	s, err := p.Chat(ctxT(t), &providers.ChatRequest{Model: "mistral-large-latest",
		Messages: []providers.Message{{Role: providers.RoleUser, Content: "salut"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providers.ReadAll(s); err != nil || got != "Bonjour" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	req := fake.Last(t)
	if req.Path != "/v1/chat/completions" || req.Header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("request %s, Authorization %q", req.Path, req.Header.Get("Authorization"))
	}
}

func TestFillInMiddleRequest(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Text("a", " + b"))
	zero := 0.0
	req := fim()
	req.MaxTokens, req.Temperature, req.Stop = 64, &zero, []string{"\n\n"}
	s, err := p.FillInMiddle(ctxT(t), req)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providers.ReadAll(s); err != nil || got != "a + b" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	r := fake.Last(t)
	if r.Method != "POST" || r.Path != "/v1/fim/completions" {
		t.Errorf("request %s %s, want POST /v1/fim/completions", r.Method, r.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	b := r.Body
	for field, want := range map[string]any{
		"model":       "codestral-latest",
		"prompt":      "def add(a, b):\n    return ",
		"suffix":      "\n\nprint(add(1, 2))\n",
		"max_tokens":  float64(64),
		"temperature": float64(0), // sent, not left to the server's default
		"stream":      true,
	} {
		if got, ok := b[field]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", field, got, ok, want)
		}
	}
	if stop, _ := b["stop"].([]any); len(stop) != 1 || stop[0] != "\n\n" {
		t.Errorf("stop = %v", b["stop"])
	}
}

func TestNoRawCompletions(t *testing.T) {
	_, p := setup(t)
	if _, ok := any(p).(providers.Completer); ok {
		t.Fatal("the Mistral provider claims raw /v1/completions, which Mistral does not serve")
	}
}

// A FIM stream that ends cleanly without data: [DONE] keeps its text; a
// cut one is an error (the "cut" case below).
func TestFillInMiddleCleanEndWithoutDone(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Reply{Pieces: []string{"a + ", "b"}, NoDone: true})
	s, err := p.FillInMiddle(ctxT(t), fim())
	if err != nil {
		t.Fatal(err)
	}
	got, err := providers.ReadAll(s)
	if err != nil || got != "a + b" {
		t.Errorf("ReadAll = %q, %v; want %q and no error", got, err, "a + b")
	}
}

func TestFillInMiddleErrors(t *testing.T) {
	tests := []struct {
		name  string
		reply providertest.Reply
		kind  providers.Kind
		retry time.Duration
	}{
		{"401", providertest.Reply{Status: 401}, providers.KindAuth, 0},
		{"401 detail", providertest.Reply{Status: 401, Body: `{"detail":"Unauthorized"}`}, providers.KindAuth, 0},
		{"429", providertest.RateLimited("3"), providers.KindRateLimited, 3 * time.Second},
		{"context", providertest.Fail(400, "invalid_request_error", "",
			"Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length"), providers.KindContextWindow, 0},
		{"422", providertest.Fail(422, "invalid_request_message_error", "", "Input should be a valid string"), providers.KindBadRequest, 0},
		{"500", providertest.Fail(500, "internal_server_error", "", "Internal server error"), providers.KindServer, 0},
		{"malformed", providertest.Reply{Pieces: []string{"a"}, Malformed: true}, providers.KindServer, 0},
		{"cut", providertest.Reply{Pieces: []string{"a"}, Cut: true}, providers.KindServer, 0},
		{"error event", providertest.Reply{Pieces: []string{"a"}, StreamError: true, Type: "server_error", Message: "overloaded"}, providers.KindServer, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, p := setup(t)
			fake.Enqueue(tt.reply)
			s, err := p.FillInMiddle(ctxT(t), fim())
			if err == nil {
				_, err = providers.ReadAll(s)
			}
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Kind != tt.kind || pe.RetryAfter != tt.retry {
				t.Fatalf("err = %v, want kind %v, retry %v", err, tt.kind, tt.retry)
			}
			if tt.reply.Status != 0 && pe.Status != tt.reply.Status {
				t.Errorf("status = %d, want %d", pe.Status, tt.reply.Status)
			}
			if tt.kind == providers.KindAuth && !strings.Contains(pe.Hint, "SWITCHYARD_TEST_MISTRAL_KEY") {
				t.Errorf("hint = %q, want the key variable", pe.Hint)
			}
		})
	}
}

func TestFillInMiddleCloseDropsTheConnection(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Reply{Pieces: []string{"first"}, Hang: true})
	s, err := p.FillInMiddle(ctxT(t), fim())
	if err != nil {
		t.Fatal(err)
	}
	providertest.CheckClose(t, fake, s, "first")
}

func TestFillInMiddleCancel(t *testing.T) {
	fake, p := setup(t)
	fake.Enqueue(providertest.Reply{Pieces: []string{"a"}, Delay: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := p.FillInMiddle(ctx, fim())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := s.Next(); providers.KindOf(err) != providers.KindCanceled {
		t.Fatalf("Next = %v, want canceled", err)
	}
	if !fake.WaitClosed(100 * time.Millisecond) {
		t.Error("the server did not see the connection close after cancel")
	}
}

func TestDefaultEndpointNeedsAKey(t *testing.T) {
	p, err := mistral.New("mistral", config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.FillInMiddle(ctxT(t), fim())
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Kind != providers.KindAuth || !strings.Contains(pe.Hint, "api_key_env") {
		t.Fatalf("err = %v, want an auth error naming api_key_env before any request", err)
	}
}
