package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
)

// tinyBackend is a whole Backend in a few lines, with no provider
// package behind it: zero configuration finds one runner once the test
// starts it, its router answers with fixed text and says so in its
// status, and it explains its one route.
type tinyBackend struct {
	running atomic.Bool
	rounds  atomic.Int32
}

const tinyDecision = `{"task":"completion","picked":"tiny/echo","candidates":[{"model":"tiny/echo","provider":"tiny","kept":true}]}`

func (b *tinyBackend) NewRouter(_ context.Context, cfg *config.Config, env RouterEnv) (providers.Router, error) {
	r := &tinyRouter{fakeRouter{text: "42", model: "tiny/echo", provider: "tiny"}}
	if len(cfg.Models) == 0 {
		r.err = &tinyNoRoute{}
		return r, nil
	}
	env.OnStatus(Status{Model: "tiny/echo", Provider: "tiny", Online: true, LastError: "tiny: warming up"})
	return r, nil
}

func (b *tinyBackend) Explain(r providers.Router, task, _ string) (Route, bool) {
	if _, ok := r.(*tinyRouter); !ok || task != config.TaskCompletion {
		return Route{}, false
	}
	return Route{Model: "tiny/echo", Provider: "tiny", Decision: json.RawMessage(tinyDecision)}, true
}

func (b *tinyBackend) NoRoute(err error) (NoRoute, bool) {
	var nr *tinyNoRoute
	if !errors.As(err, &nr) {
		return NoRoute{}, false
	}
	return NoRoute{Task: config.TaskCompletion, Problem: "nothing runs"}, true
}

func (b *tinyBackend) Discover(context.Context, time.Duration) (*config.Layer, Discovery) {
	b.rounds.Add(1)
	d := Discovery{Source: "tiny-detected", Providers: []Discovered{{Name: "tiny", Label: "Tiny", Local: true}}}
	if !b.running.Load() {
		d.Providers[0].Detail = "not running"
		return nil, d
	}
	d.Providers[0].Found, d.Providers[0].Models = true, []string{"tiny/echo"}
	d.Completion = []string{"tiny/echo"}
	l, err := config.ParseJSON([]byte(`{
		"providers": {"tiny": {"type": "ollama", "base_url": "http://127.0.0.1:9"}},
		"models": {"tiny/echo": {"provider": "tiny", "id": "echo", "classes": ["completion"]}},
		"routes": {"completion": ["tiny/echo"]}}`), d.Source)
	if err != nil {
		panic(err) // the test's own JSON
	}
	return l, d
}

type tinyRouter struct{ fakeRouter }

type tinyNoRoute struct{}

func (*tinyNoRoute) Error() string { return "no model can serve completion: nothing runs" }

// TestServerOverAnyBackend runs the server over tinyBackend: what the
// user sees of zero configuration, the status, completions and
// switchyard.explainRoute comes from whatever backend the server is
// given.
func TestServerOverAnyBackend(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv(config.EnvConfig, "")
	b := &tinyBackend{}
	h := startServer(t, nil, func(o *Options) {
		o.NoUserConfig = false // no file exists: zero configuration
		o.Backend = b
		o.Rediscover = 20 * time.Millisecond
	})
	h.initialize(map[string]any{}, nil)
	h.open("file:///a.go", "package main\n\nfunc answer() int { return  }\n")

	// Nothing runs: the backend's NoRoute decides how the failure is shown.
	if err := h.call("textDocument/inlineCompletion", inlineParams("file:///a.go", 2, 27), nil); err != nil {
		t.Fatal(err)
	}
	h.waitNotification("window/showMessage", func(p json.RawMessage) bool {
		return strings.Contains(string(p), "Switchyard: no model can serve completion: nothing runs")
	})

	b.running.Store(true)
	h.waitNotification("window/showMessage", func(p json.RawMessage) bool {
		return strings.Contains(string(p), "found Tiny with echo; completions now use it")
	})
	raw := h.waitNotification("switchyard/status", nil)
	var st map[string]any
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"model": "tiny/echo", "provider": "tiny", "online": true, "lastError": "tiny: warming up"}
	if len(st) != len(want) {
		t.Errorf("switchyard/status is %s, want exactly the keys of %v", raw, want)
	}
	for k, v := range want {
		if st[k] != v {
			t.Errorf("switchyard/status %s = %v, want %v (all: %s)", k, st[k], v, raw)
		}
	}

	var list inlineCompletionList
	if err := h.call("textDocument/inlineCompletion", inlineParams("file:///a.go", 2, 27), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].InsertText != "42" {
		t.Errorf("inline completion %+v, want the tiny router's 42", list.Items)
	}

	var decision json.RawMessage
	if err := h.call("workspace/executeCommand", map[string]any{"command": commandExplainRoute, "arguments": []any{"completion"}}, &decision); err != nil {
		t.Fatal(err)
	}
	if string(decision) != tinyDecision {
		t.Errorf("%s answered %s, want the backend's decision %s", commandExplainRoute, decision, tinyDecision)
	}
	if b.rounds.Load() < 2 {
		t.Errorf("the backend was asked to discover %d times, want the start and the rounds after", b.rounds.Load())
	}
}
