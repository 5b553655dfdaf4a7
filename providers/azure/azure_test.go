package azure_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/azure"
	"switchyard/providers/providertest"
)

const testKey = "0123456789abcdef0123456789abcdef"

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func chat(model string) *providers.ChatRequest {
	return &providers.ChatRequest{Model: model, Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}}
}

func setup(t *testing.T, options map[string]any) (*providertest.Azure, *azure.Provider) {
	t.Helper()
	fake := providertest.NewAzure(t)
	t.Setenv("SWITCHYARD_TEST_AZURE_KEY", testKey)
	p, err := azure.New("azure", config.Provider{
		Type: "azure", BaseURL: fake.URL, APIKeyEnv: "SWITCHYARD_TEST_AZURE_KEY", Options: options,
	})
	if err != nil {
		t.Fatal(err)
	}
	return fake, p
}

func TestChatGoesToTheMappedDeployment(t *testing.T) {
	fake, p := setup(t, map[string]any{"deployments": map[string]any{"gpt-4o": "prod-gpt4o"}})
	fake.Enqueue(providertest.Text("Hel", "lo"))
	s, err := p.Chat(ctxT(t), chat("gpt-4o"))
	if err != nil {
		t.Fatal(err)
	}
	// The stream opens with Azure's prompt_filter_results chunk, which has
	// no choices; it must not end or break the answer.
	if got, err := providers.ReadAll(s); err != nil || got != "Hello" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	req := fake.Last(t)
	if req.Path != "/openai/deployments/prod-gpt4o/chat/completions" || req.Deployment != "prod-gpt4o" {
		t.Errorf("path = %s, want the deployment from options.deployments", req.Path)
	}
	if req.Query != "api-version="+azure.DefaultAPIVersion {
		t.Errorf("query = %q, want api-version=%s", req.Query, azure.DefaultAPIVersion)
	}
	if got := req.Header.Get("api-key"); got != testKey {
		t.Errorf("api-key header = %q, want the key", got)
	}
	if got := req.Header.Get("Authorization"); got != "" {
		t.Errorf("Authorization = %q, want none with a key", got)
	}
}

func TestUnmappedModelIsItsOwnDeployment(t *testing.T) {
	fake, p := setup(t, map[string]any{"api_version": "2025-01-01-preview"})
	if _, err := providers.ReadAll(must(p.Chat(ctxT(t), chat("gpt-4o-mini")))); err != nil {
		t.Fatal(err)
	}
	req := fake.Last(t)
	if req.Path != "/openai/deployments/gpt-4o-mini/chat/completions" || req.Query != "api-version=2025-01-01-preview" {
		t.Errorf("request %s?%s", req.Path, req.Query)
	}
}

func TestFillInMiddleUsesCompletions(t *testing.T) {
	fake, p := setup(t, map[string]any{"deployments": map[string]any{"davinci-002": "fim"}})
	fake.Enqueue(providertest.Text("x + y"))
	s, err := p.FillInMiddle(ctxT(t), &providers.FIMRequest{Model: "davinci-002", Prefix: "return ", Suffix: "\n}"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providers.ReadAll(s); err != nil || got != "x + y" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	req := fake.Last(t)
	if req.Path != "/openai/deployments/fim/completions" || req.Body["prompt"] != "return " || req.Body["suffix"] != "\n}" {
		t.Errorf("request %s %v", req.Path, req.Body)
	}
}

func TestEntraToken(t *testing.T) {
	fake := providertest.NewAzure(t)
	t.Setenv("SWITCHYARD_TEST_ENTRA", "eyJ0eXAiOiJKV1Qi.fake.token")
	p, err := azure.New("azure", config.Provider{BaseURL: fake.URL, Options: map[string]any{"token_env": "SWITCHYARD_TEST_ENTRA"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := providers.ReadAll(must(p.Chat(ctxT(t), chat("gpt-4o")))); err != nil {
		t.Fatal(err)
	}
	req := fake.Last(t)
	if got := req.Header.Get("Authorization"); got != "Bearer eyJ0eXAiOiJKV1Qi.fake.token" {
		t.Errorf("Authorization = %q, want the Entra token", got)
	}
	if got := req.Header.Get("api-key"); got != "" {
		t.Errorf("api-key = %q, want none with a token", got)
	}
}

func TestErrorKinds(t *testing.T) {
	tests := []struct {
		reply providertest.Reply
		kind  providers.Kind
		hint  string
		retry time.Duration
	}{
		{providertest.Fail(400, "", "content_filter", "The response was filtered due to the prompt triggering Azure OpenAI's content management policy."),
			providers.KindContentPolicy, "", 0},
		{providertest.Fail(404, "", "DeploymentNotFound", "The API deployment for this resource does not exist."),
			providers.KindNotFound, "options.deployments", 0},
		{providertest.Fail(401, "", "401", "Access denied due to invalid subscription key or wrong API endpoint."),
			providers.KindAuth, "SWITCHYARD_TEST_AZURE_KEY", 0},
		{providertest.RateLimited("12"), providers.KindRateLimited, "", 12 * time.Second},
		{providertest.Fail(400, "invalid_request_error", "context_length_exceeded", "This model's maximum context length is 128000 tokens."),
			providers.KindContextWindow, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			fake, p := setup(t, nil)
			fake.Enqueue(tt.reply)
			_, err := p.Chat(ctxT(t), chat("gpt-4o"))
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Kind != tt.kind || pe.Status != tt.reply.Status {
				t.Fatalf("err = %v, want kind %v status %d", err, tt.kind, tt.reply.Status)
			}
			if !strings.Contains(pe.Hint, tt.hint) || pe.RetryAfter != tt.retry {
				t.Errorf("hint %q retry %v, want %q and %v", pe.Hint, pe.RetryAfter, tt.hint, tt.retry)
			}
		})
	}
}

func TestWrongEndpointIsNotFound(t *testing.T) {
	fake := providertest.NewAzure(t)
	// A user who pastes the OpenAI-style base URL adds /v1.
	p, err := azure.New("azure", config.Provider{BaseURL: fake.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Chat(ctxT(t), chat("gpt-4o"))
	if providers.KindOf(err) != providers.KindNotFound {
		t.Fatalf("err = %v, want not-found", err)
	}
}

func TestModels(t *testing.T) {
	fake, p := setup(t, nil)
	fake.SetModels("gpt-4o")
	got, err := p.Models(ctxT(t))
	if err != nil || len(got) != 1 || got[0].ID != "gpt-4o" {
		t.Fatalf("Models = %v, %v", got, err)
	}
	if req := fake.Last(t); req.Method != http.MethodGet || req.Path != "/openai/models" {
		t.Errorf("request %s %s", req.Method, req.Path)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  config.Provider
		want string
	}{
		{config.Provider{}, "base_url"},
		{config.Provider{BaseURL: "https://r.openai.azure.com", Options: map[string]any{"deployments": "gpt-4o"}}, "options.deployments"},
		{config.Provider{BaseURL: "https://r.openai.azure.com", Options: map[string]any{"deployments": map[string]any{"gpt-4o": 3}}}, "options.deployments"},
		{config.Provider{BaseURL: "https://r.openai.azure.com", Options: map[string]any{"api_version": 2024}}, "options.api_version"},
	}
	for _, tt := range tests {
		if _, err := azure.New("azure", tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want an error naming %s", tt.cfg, err, tt.want)
		}
	}
}

func TestRemoteWithoutKeyFailsBeforeAnyRequest(t *testing.T) {
	p, err := azure.New("azure", config.Provider{BaseURL: "https://r.openai.azure.example.invalid", APIKeyEnv: "SWITCHYARD_TEST_UNSET"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Chat(ctxT(t), chat("gpt-4o"))
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Kind != providers.KindAuth || !strings.Contains(pe.Hint, "SWITCHYARD_TEST_UNSET") {
		t.Fatalf("err = %v, want an auth error naming the variable", err)
	}
}

func must(s providers.Stream, err error) providers.Stream {
	if err != nil {
		panic(err)
	}
	return s
}
