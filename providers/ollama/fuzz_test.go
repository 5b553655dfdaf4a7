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
	for _, seed := range []string{
		"{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"func \"},\"done\":false}\n{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\"}\n",
		"{\"response\":\"a\",\"done\":false}\n\n{\"message\":{\"thinking\":\"hm\"},\"done\":false}\n{\"done\":true}",
		"{\"response\":\"a\",\"done\":false}\n{\"error\":\"model runner has unexpectedly stopped\"}\n",
		"{\"response\":\"cut\",\"done\":false}\n",
		"{\"response\":\"a\"\n",
		"null\n[]\n\"s\"\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	raw := providertest.NewRaw(f, "application/x-ndjson")
	p, err := ollama.New("local", config.Provider{Type: "ollama", BaseURL: raw.URL})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		raw.SetBody(body)
		providertest.CheckAnyAnswer(t, "local", "no key", func(ctx context.Context) (providers.Stream, error) {
			return p.Chat(ctx, &providers.ChatRequest{Model: "qwen2.5-coder:7b", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}})
		})
	})
}
