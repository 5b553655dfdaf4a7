package router

import (
	"context"
	"net"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/providertest"
)

// refusingURL is a loopback address where nothing listens.
func refusingURL(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/v1"
}

// streamBench measures one routed completion over HTTP, where the first
// candidate is "down" (refusing, or behind an open breaker) or absent.
func streamBench(b *testing.B, first string) {
	up := providertest.NewOpenAIFixed(b, "ok")
	cfg := &config.Config{
		Providers: map[string]config.Provider{
			"down": {Type: "openai", BaseURL: refusingURL(b)},
			"up":   {Type: "openai", BaseURL: up.URL},
		},
		Models: map[string]config.Model{
			"d": {Provider: "down", ID: "fake-model", Classes: []string{"completion"}},
			"u": {Provider: "up", ID: "fake-model", Classes: []string{"completion"}},
		},
		Routes: map[string][]string{"completion": {"d", "u"}},
	}
	if first == "none" {
		cfg.Routes["completion"] = []string{"u"}
	}
	r, err := New(cfg, Options{BreakerThreshold: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	if first == "breaker" {
		r.provs["down"].breaker.failure(time.Now(), r.breakers, true, time.Hour, "down")
	}
	need := providers.Need{Task: config.TaskCompletion}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, t, err := r.Stream(ctx, need, chat)
		if err != nil || t.Name != "u" {
			b.Fatalf("got %v from %q", err, t.Name)
		}
		if _, err := providers.ReadAll(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamBaseline is a routed completion with one healthy
// candidate; the two below add a candidate that is down before it.
func BenchmarkStreamBaseline(b *testing.B) { streamBench(b, "none") }

// BenchmarkStreamFirstRefused pays a refused connection, the jittered
// pause and the retry's refused connection before falling back.
func BenchmarkStreamFirstRefused(b *testing.B) { streamBench(b, "refused") }

// BenchmarkStreamFirstBreakerOpen skips the first candidate without a
// call.
func BenchmarkStreamFirstBreakerOpen(b *testing.B) { streamBench(b, "breaker") }
