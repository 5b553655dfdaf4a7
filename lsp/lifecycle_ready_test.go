package lsp

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
)

// The answer to initialize does not wait for the first router, and a
// request sent right behind initialized is served by that router once
// it is built: neither dropped nor answered without a model.
func TestInitializeAnswersBeforeTheRouterIsReady(t *testing.T) {
	release := make(chan struct{})
	var first sync.Once
	h := startServer(t, func(*config.Config) (providers.Router, error) {
		first.Do(func() { <-release })
		return &fakeRouter{text: "name()", model: "coder", provider: "local"}, nil
	})
	_, initAnswer := h.start("initialize", map[string]any{"processId": nil, "capabilities": map[string]any{}})
	if m := h.wait(initAnswer); m.Error != nil {
		t.Fatalf("initialize: %v", m.Error)
	}

	list := completeBehindInitialized(t, h, func() { close(release) })
	if len(list.Items) != 1 || list.Items[0].InsertText != "name()" {
		t.Errorf("items = %+v, want the router's name()", list.Items)
	}
}

// slowDiscovery is tinyBackend with a look for local runners that does
// not return until released, as when something listens on a runner's
// port and never answers.
type slowDiscovery struct {
	tinyBackend
	release chan struct{}
	began   chan struct{}
}

func (b *slowDiscovery) Discover(ctx context.Context, timeout time.Duration) (*config.Layer, Discovery) {
	select {
	case b.began <- struct{}{}:
	default:
	}
	<-b.release
	return b.tinyBackend.Discover(ctx, timeout)
}

// With no configuration file, zero configuration looks for local
// runners, which can take its whole probe timeout: the answer to
// initialize does not wait for it, and what follows is served once it
// is done.
func TestInitializeAnswersBeforeZeroConfiguration(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv(config.EnvConfig, "")
	b := &slowDiscovery{release: make(chan struct{}), began: make(chan struct{}, 1)}
	b.running.Store(true)
	h := startServer(t, nil, func(o *Options) {
		o.NoUserConfig = false // no file exists: zero configuration
		o.Backend = b
	})
	// The pipe does not buffer: a server that reads nothing until the
	// look is over would block the write itself.
	answered := make(chan wire, 1)
	go func() {
		_, ch := h.start("initialize", map[string]any{"processId": nil, "capabilities": map[string]any{}})
		answered <- <-ch
	}()
	select {
	case m := <-answered:
		if m.Error != nil {
			t.Fatalf("initialize: %v", m.Error)
		}
	case <-time.After(5 * time.Second):
		close(b.release)
		t.Fatal("initialize was not answered while zero configuration was still looking")
	}
	select {
	case <-b.began:
	case <-time.After(10 * time.Second):
		t.Fatal("zero configuration did not start looking after initialize")
	}

	list := completeBehindInitialized(t, h, func() { close(b.release) })
	if len(list.Items) != 1 || list.Items[0].InsertText != "42" {
		t.Errorf("items = %+v, want the discovered runner's 42", list.Items)
	}
}

// completeBehindInitialized sends initialized, opens a file and asks for
// an inline completion right behind them, as an editor does, while the
// server is still busy after initialize; unblock lets it go on. It
// returns the completion's answer. The server reads nothing more until
// it is done, and the pipe does not buffer: the writes are made from
// another goroutine.
func completeBehindInitialized(t *testing.T, h *harness, unblock func()) inlineCompletionList {
	t.Helper()
	id := json.RawMessage(strconv.FormatInt(h.seq.Add(1), 10))
	answer := h.expect(id)
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		h.notify("initialized", map[string]any{})
		h.open("file:///a.go", "func f() { ")
		h.write(map[string]any{"jsonrpc": "2.0", "id": id, "method": "textDocument/inlineCompletion",
			"params": inlineParams("file:///a.go", 0, 11)})
	}()
	unblock()
	<-wrote
	m := h.wait(answer)
	if m.Error != nil {
		t.Fatalf("inlineCompletion: %v", m.Error)
	}
	var list inlineCompletionList
	if err := json.Unmarshal(m.Result, &list); err != nil {
		t.Fatal(err)
	}
	return list
}
