package vertex_test

import (
	"context"
	"testing"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/providertest"
	"switchyard/providers/vertex"
)

// FuzzGeminiStream feeds arbitrary Server-Sent Events bodies to a Gemini
// answer, through the genai SDK's reader and the provider's stream.
func FuzzGeminiStream(f *testing.F) {
	seeds := []string{
		"data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"func \"}]}}]}\r\n\r\ndata: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n",
		"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"think\",\"thought\":true},{\"text\":\"x\"}]},\"finishReason\":\"SAFETY\"}]}\n\n",
		"data: {\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"}}\n\n",
		"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"cut\"}]}}]}\n\n",
		"data: {\"error\":{\"code\":429,\"message\":\"Resource exhausted\",\"status\":\"RESOURCE_EXHAUSTED\"}}\n\n",
		"data: {\"candidates\":[null]}\n\ndata: [1,2]\n\n",
		"",
	}
	f.Setenv(tokenEnv, token)
	providertest.FuzzAnswers(f, "text/event-stream", "vertex", token, seeds, func(url string) (providertest.Open, error) {
		p, err := vertex.New("vertex", config.Provider{Type: "vertex", BaseURL: url, Project: project, Region: region, APIKeyEnv: tokenEnv})
		return func(ctx context.Context) (providers.Stream, error) {
			return p.Chat(ctx, ask(gemini))
		}, err
	})
}
