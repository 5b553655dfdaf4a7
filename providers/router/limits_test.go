package router

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/providertest"
)

// limitedRouter routes coding to one OpenAI-compatible provider, named
// gw, at url with the given limits.
func limitedRouter(t *testing.T, url string, edit func(*config.Provider)) *Router {
	t.Helper()
	p := config.Provider{Type: "openai", BaseURL: url, Data: config.DataPolicy{Local: new(true)}}
	edit(&p)
	cfg := &config.Config{
		Providers: map[string]config.Provider{"gw": p},
		Models:    map[string]config.Model{"m": {Provider: "gw", ID: "m", Classes: []string{config.ClassCoding}}},
		Routes:    map[string][]string{config.TaskCoding: {"m"}},
	}
	r, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

const chunk = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"0123456789abcdef\"}}]}\n\n"

func TestStreamLimits(t *testing.T) {
	tests := []struct {
		name       string
		head, unit string
		every      time.Duration
		edit       func(*config.Provider)
		within     time.Duration
		kind       providers.Kind
		cause      error
		message    string
	}{
		{
			name: "a byte every 100ms, never a whole event: cut when idle",
			head: "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"", unit: "x", every: 100 * time.Millisecond,
			edit:   func(p *config.Provider) { p.StreamIdleTimeout = config.Duration(400 * time.Millisecond) },
			within: 2 * time.Second, kind: providers.KindTimeout, cause: ErrStreamIdle,
			message: "provider gw: timeout: sent no text for 400ms: raise stream_idle_timeout in [providers.gw]",
		},
		{
			name: "an answer that never ends: cut at its size",
			unit: chunk, every: time.Millisecond,
			edit:   func(p *config.Provider) { p.MaxAnswerKB = 1 },
			within: 5 * time.Second, kind: providers.KindServer, cause: ErrAnswerTooLong,
			message: "provider gw: server: the answer passed the 1 KiB limit: raise max_answer_kb in [providers.gw]",
		},
		{
			name: "an answer that never ends: cut at its duration",
			unit: chunk, every: 10 * time.Millisecond,
			edit:   func(p *config.Provider) { p.MaxAnswerTime = config.Duration(500 * time.Millisecond) },
			within: 2 * time.Second, kind: providers.KindTimeout, cause: ErrAnswerTooLong,
			message: "provider gw: timeout: the answer was still streaming after 500ms: raise max_answer_time in [providers.gw]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := providertest.NewDrip(t, "text/event-stream", []byte(tt.head), []byte(tt.unit), tt.every)
			r := limitedRouter(t, fake.URL+"/v1", tt.edit)
			start := time.Now()
			var err error
			s, _, err := r.Stream(context.Background(), providers.Need{Task: config.TaskCoding}, chat)
			if err == nil {
				var text string
				text, err = providers.ReadAll(s)
				if tt.cause == ErrAnswerTooLong && tt.kind == providers.KindServer && len(text) > 1024 {
					t.Errorf("%d bytes of text passed a 1 KiB limit", len(text))
				}
			}
			if took := time.Since(start); took > tt.within {
				t.Errorf("the stream ended after %v, want within %v", took, tt.within)
			}
			if !errors.Is(err, tt.cause) || providers.KindOf(err) != tt.kind {
				t.Fatalf("err = %v, want kind %s wrapping %v", err, tt.kind, tt.cause)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("message %q, want it to hold %q", err.Error(), tt.message)
			}
			if !fake.WaitClosed(time.Second) {
				t.Error("the connection was not dropped when the limit cut the stream")
			}
		})
	}
}

func TestStreamLimitsDefaults(t *testing.T) {
	idle, total, maxBytes := config.Provider{}.StreamLimits()
	if idle != config.DefaultStreamIdleTimeout || total != config.DefaultMaxAnswerTime || maxBytes != 8<<20 {
		t.Errorf("StreamLimits() = %v, %v, %d; want the documented defaults", idle, total, maxBytes)
	}
}
