package anthropic_test

import (
	"context"
	"testing"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/anthropic"
	"switchyard/providers/providertest"
)

// FuzzChatStream feeds arbitrary Server-Sent Events bodies to a Messages
// answer, through the SDK's event decoder and the provider's stream.
func FuzzChatStream(f *testing.F) {
	const (
		start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n"
		delta = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"func main\"}}\n\n"
		stop  = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	)
	for _, seed := range []string{
		start + "event: ping\ndata: {\"type\":\"ping\"}\n\n" + delta + stop,
		start + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\"}}\n\n" + stop,
		start + delta,
		start + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
		start + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_de\n\n",
		"data: {}\n\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	raw := providertest.NewRaw(f, "text/event-stream")
	f.Setenv(keyEnv, key)
	p, err := anthropic.New("claude", config.Provider{Type: "anthropic", BaseURL: raw.URL, APIKeyEnv: keyEnv})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		raw.SetBody(body)
		providertest.CheckAnyAnswer(t, "claude", key, func(ctx context.Context) (providers.Stream, error) {
			return p.Chat(ctx, hello())
		})
	})
}
