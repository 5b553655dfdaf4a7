package router

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
)

// fakeProvider is an in-memory provider whose answers are scripted per
// call; once the script runs out it repeats the last step.
type fakeProvider struct {
	name string

	mu     sync.Mutex
	script []step
	calls  int
}

// step is one scripted answer: an error before any text, or pieces of
// text followed by an optional error (a cut stream).
type step struct {
	err    error
	pieces []string
	after  error
}

func (f *fakeProvider) Name() string { return f.name }

func (f *fakeProvider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	s := step{pieces: []string{"from " + f.name}}
	if len(f.script) > 0 {
		s = f.script[0]
		if len(f.script) > 1 {
			f.script = f.script[1:]
		}
	}
	if s.err != nil {
		return nil, s.err
	}
	return &sliceStream{pieces: s.pieces, after: s.after}, nil
}

func (f *fakeProvider) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

type sliceStream struct {
	pieces []string
	after  error
	closed bool
}

func (s *sliceStream) Next() (string, error) {
	if len(s.pieces) > 0 {
		p := s.pieces[0]
		s.pieces = s.pieces[1:]
		return p, nil
	}
	if s.after != nil {
		return "", s.after
	}
	return "", io.EOF
}

func (s *sliceStream) Close() error { s.closed = true; return nil }

// fakes builds providers for a configuration from in-memory fakes,
// creating one per provider name on first use.
type fakes struct {
	mu sync.Mutex
	m  map[string]*fakeProvider
}

func newFakes() *fakes { return &fakes{m: map[string]*fakeProvider{}} }

func (fs *fakes) get(name string) *fakeProvider {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, ok := fs.m[name]
	if !ok {
		f = &fakeProvider{name: name}
		fs.m[name] = f
	}
	return f
}

func (fs *fakes) build(name string, _ config.Provider) (providers.Provider, error) {
	return fs.get(name), nil
}

// clock is a settable clock for breaker and Retry-After tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func intp(n int) *int { return &n }

// testConfig is a configuration with one provider of each kind that the
// policy rules tell apart:
//
//	local     ollama, on this machine
//	openai    US, 30 days, no training
//	mistral   EU, 30 days, no training
//	bedrock   eu-central-1: EU, 0 days, no training
//	mystery   an OpenAI-compatible host whose terms are unknown
func testConfig() *config.Config {
	return &config.Config{
		Providers: map[string]config.Provider{
			"local":   {Type: "ollama"},
			"openai":  {Type: "openai"},
			"mistral": {Type: "mistral"},
			"bedrock": {Type: "bedrock", Region: "eu-central-1"},
			"mystery": {Type: "openai", BaseURL: "https://llm.example.com/v1"},
		},
		Models: map[string]config.Model{
			"qwen":      {Provider: "local", ID: "qwen2.5-coder:7b", Classes: []string{"completion", "local"}, ContextWindow: 32000},
			"gpt":       {Provider: "openai", ID: "gpt-4.1", Classes: []string{"coding", "frontier", "multimodal"}, ContextWindow: 1000000, Vision: true},
			"codestral": {Provider: "mistral", ID: "codestral-latest", Classes: []string{"completion", "coding"}, ContextWindow: 256000},
			"claude":    {Provider: "bedrock", ID: "anthropic.claude-sonnet-4", Classes: []string{"coding", "frontier", "long-context"}, ContextWindow: 200000, Vision: true},
			"mixtral":   {Provider: "mystery", ID: "mixtral", Classes: []string{"coding"}, ContextWindow: 32000},
		},
	}
}

func newTestRouter(t testing.TB, cfg *config.Config, fs *fakes, c *clock, mod func(*Options)) *Router {
	t.Helper()
	opts := Options{NewProvider: fs.build, Now: c.Now, Rand: func() float64 { return 0.5 }, RetryBackoff: time.Millisecond}
	if mod != nil {
		mod(&opts)
	}
	r, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
