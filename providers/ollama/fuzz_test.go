package ollama_test

import (
	"context"
	"testing"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/ollama"
	"switchyard/providers/providertest"
)

// FuzzChatStream feeds arbitrary NDJSON bodies to a chat answer.
func FuzzChatStream(f *testing.F) {
	seeds := []string{
		"{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"func \"},\"done\":false}\n{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\"}\n",
		"{\"response\":\"a\",\"done\":false}\n\n{\"message\":{\"thinking\":\"hm\"},\"done\":false}\n{\"done\":true}",
		"{\"response\":\"a\",\"done\":false}\n{\"error\":\"model runner has unexpectedly stopped\"}\n",
		"{\"response\":\"cut\",\"done\":false}\n",
		"{\"response\":\"a\"\n",
		"null\n[]\n\"s\"\n",
		"",
	}
	providertest.FuzzAnswers(f, "application/x-ndjson", "local", "no key", seeds, func(url string) (providertest.Open, error) {
		p, err := ollama.New("local", config.Provider{Type: "ollama", BaseURL: url})
		return func(ctx context.Context) (providers.Stream, error) {
			return p.Chat(ctx, &providers.ChatRequest{Model: "qwen2.5-coder:7b", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}})
		}, err
	})
}

// FuzzGenerateAnswer feeds arbitrary bodies to a completion, which asks
// /api/generate for its whole answer as one JSON object.
func FuzzGenerateAnswer(f *testing.F) {
	seeds := []string{
		`{"model":"m","created_at":"2026-12-04T00:00:00Z","response":"a + b","done":true,"done_reason":"stop","context":[1,2,3],"eval_count":3}`,
		`{"model":"m","response":"\n\n\n","done":false}`,
		`{"error":"an error was encountered while running the model"}`,
		`{"response":"cut`,
		"{\"response\":\"a\",\"done\":false}\n{\"done\":true}\n",
		"null",
		"[]",
		"",
	}
	providertest.FuzzAnswers(f, "application/json; charset=utf-8", "local", "no key", seeds, func(url string) (providertest.Open, error) {
		p, err := ollama.New("local", config.Provider{Type: "ollama", BaseURL: url})
		return func(ctx context.Context) (providers.Stream, error) {
			return p.Complete(ctx, &providers.CompletionRequest{Model: "qwen2.5-coder:7b", Prompt: "x"})
		}, err
	})
}
