package openai_test

import (
	"context"
	"testing"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/openai"
	"switchyard/providers/providertest"
)

// FuzzChatStream feeds arbitrary Server-Sent Events bodies to a chat
// answer, through go-openai's stream reader and the provider's own.
func FuzzChatStream(f *testing.F) {
	seeds := []string{
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"func \"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"main\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
		": keep-alive\n\nevent: ping\nid: 3\ndata: {\"choices\":[{\"index\":0,\"text\":\"x\"}]}\r\n\r\ndata: [DONE]\r\n",
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"content_filter\"}]}\n\ndata: [DONE]\n\n",
		"data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":\"503\"}}\n\n",
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"cut",
		"data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"other\"}}]}\n\ndata: [DONE]",
		"data: not json\n\n",
		"{\"error\":{\"message\":\"plain JSON\"}}",
		"",
	}
	f.Setenv("SWITCHYARD_TEST_OPENAI_KEY", testKey)
	providertest.FuzzAnswers(f, "text/event-stream", "openai", testKey, seeds, func(url string) (providertest.Open, error) {
		p, err := openai.New("openai", config.Provider{Type: "openai", BaseURL: url, APIKeyEnv: "SWITCHYARD_TEST_OPENAI_KEY"})
		return func(ctx context.Context) (providers.Stream, error) {
			return p.Chat(ctx, &providers.ChatRequest{Model: "gpt-4.1", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}})
		}, err
	})
}
