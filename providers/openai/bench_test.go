package openai_test

import (
	"context"
	"testing"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/openai"
	"switchyard/providers/providertest"
)

// BenchmarkChat measures the client's own cost per streamed answer
// against a server that answers at once.
func BenchmarkChat(b *testing.B) {
	fake := providertest.NewOpenAIFixed(b, "func ", "main", "() {", "}")
	p, err := openai.New("local", config.Provider{BaseURL: fake.URL})
	if err != nil {
		b.Fatal(err)
	}
	req := chat("hi")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s, err := p.Chat(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := providers.ReadAll(s); err != nil {
			b.Fatal(err)
		}
	}
}
