package openai_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/openai"
	"switchyard/providers/providertest"
)

// openRouter is a provider with preset "openrouter" pointed at a fake
// server, with the preferences prefs (none when nil).
func openRouter(t *testing.T, prefs map[string]any) (*providertest.OpenAI, *openai.Provider) {
	t.Helper()
	fake := providertest.NewOpenAI(t)
	t.Setenv("SWITCHYARD_TEST_OPENROUTER_KEY", testKey)
	cfg := config.Provider{Type: "openai", Preset: "openrouter", BaseURL: fake.URL, APIKeyEnv: "SWITCHYARD_TEST_OPENROUTER_KEY"}
	if prefs != nil {
		cfg.Options = map[string]any{"provider": prefs}
	}
	p, err := openai.New("openrouter", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fake, p
}

func TestOpenRouterPreferencesInEveryRequestBody(t *testing.T) {
	fake, p := openRouter(t, map[string]any{
		"order":           []any{"anthropic", "google-vertex"},
		"allow_fallbacks": false,
		"data_collection": "deny",
		"zdr":             true,
	})
	// Exactly what OpenRouter's provider routing documents, in its names.
	const wantRaw = `"provider":{"order":["anthropic","google-vertex"],"allow_fallbacks":false,"data_collection":"deny","zdr":true}`
	wantProvider := map[string]any{
		"order":           []any{"anthropic", "google-vertex"},
		"allow_fallbacks": false,
		"data_collection": "deny",
		"zdr":             true,
	}
	temp := 0.0
	calls := []struct {
		endpoint string
		call     func() (providers.Stream, error)
		field    string // a field go-openai sets, which must survive
		value    any
	}{
		{"chat", func() (providers.Stream, error) {
			return p.Chat(ctxT(t), &providers.ChatRequest{Model: "anthropic/claude-sonnet-4.6", Temperature: &temp,
				Messages: []providers.Message{{Role: providers.RoleUser, Content: "fill <|fim_prefix|> & go"}}})
		}, "model", "anthropic/claude-sonnet-4.6"},
		{"completions", func() (providers.Stream, error) {
			return p.Complete(ctxT(t), &providers.CompletionRequest{Model: "qwen/qwen3-coder", Prompt: "<|fim_prefix|>func <|fim_suffix|>}<|fim_middle|>", MaxTokens: 16})
		}, "prompt", "<|fim_prefix|>func <|fim_suffix|>}<|fim_middle|>"},
		{"completions", func() (providers.Stream, error) {
			return p.FillInMiddle(ctxT(t), &providers.FIMRequest{Model: "qwen/qwen3-coder", Prefix: "func ", Suffix: "}"})
		}, "suffix", "}"},
	}
	for _, c := range calls {
		t.Run(c.endpoint+" "+c.field, func(t *testing.T) {
			fake.Enqueue(providertest.Text("main", "() {", "\n"))
			s, err := c.call()
			if err != nil {
				t.Fatal(err)
			}
			// Streaming is untouched: every piece arrives, in order, and
			// the stream ends cleanly on data: [DONE].
			got, err := providers.ReadAll(s)
			if err != nil || got != "main() {\n" {
				t.Fatalf("ReadAll = %q, %v; want the three pieces", got, err)
			}
			req := fake.Last(t)
			if req.Endpoint != c.endpoint {
				t.Fatalf("endpoint %q, want %q", req.Endpoint, c.endpoint)
			}
			if !reflect.DeepEqual(req.Body["provider"], wantProvider) {
				t.Errorf("provider = %#v, want %#v", req.Body["provider"], wantProvider)
			}
			if !strings.Contains(string(req.RawBody), wantRaw) {
				t.Errorf("body %s does not hold %s", req.RawBody, wantRaw)
			}
			if req.Body[c.field] != c.value {
				t.Errorf("%s = %#v, want %#v: the rest of the body must pass through", c.field, req.Body[c.field], c.value)
			}
			if req.Body["stream"] != true {
				t.Errorf("stream = %v, want true", req.Body["stream"])
			}
			if got := req.Header.Get("Authorization"); got != "Bearer "+testKey {
				t.Errorf("Authorization = %q, want the key", got)
			}
		})
	}
}

func TestOpenRouterPreferencesLeaveOutUnsetFields(t *testing.T) {
	fake, p := openRouter(t, map[string]any{"zdr": true})
	fake.Enqueue(providertest.Text("ok"))
	if _, err := providers.ReadAll(mustChat(t, p)); err != nil {
		t.Fatal(err)
	}
	if got, want := fake.Last(t).Body["provider"], map[string]any{"zdr": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("provider = %#v, want %#v: OpenRouter's defaults apply to what is not set", got, want)
	}
}

func TestNoProviderFieldWithoutPreferences(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(url string) config.Provider
	}{
		{"openrouter without options.provider", func(url string) config.Provider {
			return config.Provider{Type: "openai", Preset: "openrouter", BaseURL: url}
		}},
		{"another service with options.provider", func(url string) config.Provider {
			// Validate refuses this; a provider built from it anyway must
			// not send OpenRouter's field to someone else.
			return config.Provider{Type: "openai", BaseURL: url, Options: map[string]any{"provider": map[string]any{"zdr": true}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := providertest.NewOpenAI(t)
			p, err := openai.New("p", tt.cfg(fake.URL))
			if err != nil {
				t.Fatal(err)
			}
			fake.Enqueue(providertest.Text("ok"))
			if _, err := providers.ReadAll(mustChat(t, p)); err != nil {
				t.Fatal(err)
			}
			if v, ok := fake.Last(t).Body["provider"]; ok {
				t.Errorf("provider = %#v sent, want no such field", v)
			}
		})
	}
}

func TestBadOpenRouterPreferencesRefused(t *testing.T) {
	_, err := openai.New("or", config.Provider{Type: "openai", Preset: "openrouter",
		Options: map[string]any{"provider": map[string]any{"data_collection": "never"}}})
	if err == nil {
		t.Fatal("New accepted data_collection = \"never\"")
	}
	for _, s := range []string{"provider or", "data_collection", `"allow" or "deny"`, "[providers.or]"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
}

func TestPresetFillsEndpointAndKey(t *testing.T) {
	tests := []struct {
		preset, base, keyEnv string
	}{
		{"openai", "https://api.openai.com/v1", "OPENAI_API_KEY"},
		{"openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"},
		{"together", "https://api.together.ai/v1", "TOGETHER_API_KEY"},
		{"groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY"},
		{"deepseek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"},
		{"vllm", "http://127.0.0.1:8000/v1", ""},
		{"lmstudio", "http://127.0.0.1:1234/v1", ""},
		{"litellm", "http://127.0.0.1:4000/v1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			p, err := openai.New(tt.preset, config.Provider{Type: "openai", Preset: tt.preset})
			if err != nil {
				t.Fatal(err)
			}
			if p.BaseURL() != tt.base {
				t.Errorf("base URL %q, want %q", p.BaseURL(), tt.base)
			}
			if tt.keyEnv == "" {
				return
			}
			// With the variable unset, the call fails before any request
			// and names the variable the preset chose.
			t.Setenv(tt.keyEnv, "")
			_, err = p.Chat(ctxT(t), chat("hi"))
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Kind != providers.KindAuth || !strings.Contains(pe.Hint, tt.keyEnv) {
				t.Errorf("Chat without %s = %v, want an auth error naming it", tt.keyEnv, err)
			}
		})
	}
}

func TestPresetYieldsToTheUsersSettings(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	t.Setenv("MY_TOGETHER_KEY", testKey)
	p, err := openai.New("together", config.Provider{Type: "openai", Preset: "together", BaseURL: fake.URL, APIKeyEnv: "MY_TOGETHER_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	fake.Enqueue(providertest.Text("ok"))
	if got, err := providers.ReadAll(mustChat(t, p)); err != nil || got != "ok" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	if got := fake.Last(t).Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q, want the key from the user's api_key_env", got)
	}
}

func mustChat(t *testing.T, p *openai.Provider) providers.Stream {
	t.Helper()
	s, err := p.Chat(ctxT(t), chat("hi"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
