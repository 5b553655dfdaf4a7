package bedrock_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/bedrock"
	"switchyard/providers/providertest"
)

// frames encodes events written as "type\x00payload\x00type\x00payload..."
// into event-stream frames with valid checksums, so that the fuzzer
// reaches the decoding of events and not only the frame checks. A type
// that starts with "!" is sent as an exception.
func frames(script []byte) []byte {
	parts := bytes.Split(script, []byte{0})
	var out bytes.Buffer
	enc := eventstream.NewEncoder()
	for i := 0; i+1 < len(parts); i += 2 {
		typ, payload := string(parts[i]), parts[i+1]
		var h eventstream.Headers
		if name, ok := strings.CutPrefix(typ, "!"); ok {
			h.Set(":exception-type", eventstream.StringValue(name))
			h.Set(":message-type", eventstream.StringValue("exception"))
		} else {
			h.Set(":event-type", eventstream.StringValue(typ))
			h.Set(":message-type", eventstream.StringValue("event"))
		}
		h.Set(":content-type", eventstream.StringValue("application/json"))
		if err := enc.Encode(&out, eventstream.Message{Headers: h, Payload: payload}); err != nil {
			return out.Bytes()
		}
	}
	return out.Bytes()
}

// FuzzConverseStream feeds a ConverseStream answer either arbitrary bytes
// (framed false: the SDK's frame decoder) or well-framed events of
// arbitrary types and payloads (framed true: the event decoding and the
// provider's stream).
func FuzzConverseStream(f *testing.F) {
	whole := "messageStart\x00{\"role\":\"assistant\"}\x00" +
		"contentBlockDelta\x00{\"contentBlockIndex\":0,\"delta\":{\"text\":\"func \"},\"p\":\"abcd\"}\x00" +
		"contentBlockStop\x00{\"contentBlockIndex\":0}\x00" +
		"messageStop\x00{\"stopReason\":\"end_turn\"}\x00" +
		"metadata\x00{\"usage\":{\"inputTokens\":1,\"outputTokens\":1,\"totalTokens\":2},\"metrics\":{\"latencyMs\":4}}\x00"
	for _, seed := range []string{
		whole,
		"messageStart\x00{\"role\":\"assistant\"}\x00contentBlockDelta\x00{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"text\":\"hm\"}}}\x00messageStop\x00{\"stopReason\":\"guardrail_intervened\"}\x00",
		"messageStart\x00{\"role\":\"assistant\"}\x00contentBlockDelta\x00{\"contentBlockIndex\":0,\"delta\":{\"text\":\"a\"}}\x00!throttlingException\x00{\"message\":\"Too many requests\"}\x00",
		"messageStart\x00{\"role\":\"assistant\"}\x00contentBlockDelta\x00{\"contentBlockIndex\":0,\"delta\":{\"text\":\"cut\"}}\x00",
		"contentBlockDelta\x00{\"delta\":\x00unknownEvent\x00{}\x00",
	} {
		f.Add([]byte(seed), true)
	}
	f.Add(frames([]byte(whole)), false)
	f.Add(frames([]byte(whole))[:40], false)
	f.Add([]byte("not an event stream"), false)

	raw := providertest.NewRaw(f, "application/vnd.amazon.eventstream")
	isolate(f)
	p, err := bedrock.New("bedrock", config.Provider{Type: "bedrock", Region: "us-west-2", BaseURL: raw.URL})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, framed bool) {
		if framed {
			body = frames(body)
		}
		raw.SetBody(body)
		providertest.CheckAnyAnswer(t, "bedrock", "wJalrXUtnFEMI", func(ctx context.Context) (providers.Stream, error) {
			return p.Chat(ctx, hi(profileID))
		})
	})
}
