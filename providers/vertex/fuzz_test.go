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
	for _, seed := range []string{
		"data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"func \"}]}}]}\r\n\r\ndata: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n",
		"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"think\",\"thought\":true},{\"text\":\"x\"}]},\"finishReason\":\"SAFETY\"}]}\n\n",
		"data: {\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"}}\n\n",
		"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"cut\"}]}}]}\n\n",
		"data: {\"error\":{\"code\":429,\"message\":\"Resource exhausted\",\"status\":\"RESOURCE_EXHAUSTED\"}}\n\n",
		"data: {\"candidates\":[null]}\n\ndata: [1,2]\n\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	raw := providertest.NewRaw(f, "text/event-stream")
	f.Setenv(tokenEnv, token)
	p, err := vertex.New("vertex", config.Provider{Type: "vertex", BaseURL: raw.URL, Project: project, Region: region, APIKeyEnv: tokenEnv})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		raw.SetBody(body)
		providertest.CheckAnyAnswer(t, "vertex", token, func(ctx context.Context) (providers.Stream, error) {
			return p.Chat(ctx, ask(gemini))
		})
	})
}
