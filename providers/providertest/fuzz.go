package providertest

import (
	"context"
	"testing"

	"switchyard/providers"
)

// Open makes one call through a provider under test and returns its
// stream.
type Open func(ctx context.Context) (providers.Stream, error)

// FuzzAnswers is the body of a fuzz target for a provider's stream
// decoder: it adds seeds to the corpus, starts a Raw fake whose answers
// carry contentType, builds the provider over the fake's URL with
// newClient (which returns the call to make), and checks every input
// with CheckAnyAnswer: provider is the name errors must carry, secret
// what no message may hold.
func FuzzAnswers(f *testing.F, contentType, provider, secret string, seeds []string, newClient func(baseURL string) (Open, error)) {
	f.Helper()
	for _, seed := range seeds {
		f.Add([]byte(seed))
	}
	raw := NewRaw(f, contentType)
	open, err := newClient(raw.URL)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		raw.SetBody(body)
		CheckAnyAnswer(t, provider, secret, open)
	})
}
