package llamacpp_test

import (
	"context"
	"testing"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/llamacpp"
	"switchyard/providers/providertest"
)

// FuzzInfillStream feeds arbitrary Server-Sent Events bodies to a native
// /infill answer.
func FuzzInfillStream(f *testing.F) {
	seeds := []string{
		"data: {\"content\":\"a + \",\"stop\":false}\n\ndata: {\"content\":\"b\",\"stop\":false}\n\ndata: {\"content\":\"\",\"stop\":true,\"timings\":{\"predicted_ms\":3.2}}\n\n",
		"data: {\"content\":\"a\",\"stop\":false}\n\nerror: {\"code\":500,\"message\":\"slot unavailable\",\"type\":\"server_error\"}\n\n",
		"data: {\"error\":{\"code\":400,\"message\":\"the request exceeds the available context size\",\"type\":\"exceed_context_size_error\"}}\n\n",
		"data: {\"content\":\"cut\",\"stop\":false}\n\n",
		": comment\nevent: x\ndata: nope\n\n",
		"error: [\n",
		"",
	}
	providertest.FuzzAnswers(f, "text/event-stream", "llama", "no key", seeds, func(url string) (providertest.Open, error) {
		p, err := llamacpp.New("llama", config.Provider{Type: "llamacpp", BaseURL: url})
		return func(ctx context.Context) (providers.Stream, error) {
			return p.FillInMiddle(ctx, &providers.FIMRequest{Model: "qwen2.5-coder", Prefix: "func add(a, b int) int {\n\treturn ", Suffix: "\n}\n"})
		}, err
	})
}
