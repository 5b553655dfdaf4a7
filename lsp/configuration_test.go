package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"switchyard/config"
	"switchyard/providers"
)

// byModel builds a router that answers with the name of the model the
// configuration routes completion to, so a test sees which one is used.
func byModel(builds *atomic.Int32) RouterFactory {
	return func(cfg *config.Config) (providers.Router, error) {
		builds.Add(1)
		model := ""
		if r := cfg.Routes[config.TaskCompletion]; len(r) > 0 {
			model = r[0]
		}
		m := cfg.Models[model]
		return &fakeRouter{text: "from " + model, model: model, provider: m.Provider}, nil
	}
}

// settingsFor is editor settings routing completion to model.
func settingsFor(model string) map[string]any {
	return map[string]any{
		"providers": map[string]any{"local": map[string]any{"type": "openai", "base_url": "http://127.0.0.1:9/v1"}},
		"models": map[string]any{model: map[string]any{
			"provider": "local", "id": model + "-id", "classes": []string{"completion"},
		}},
		"routes": map[string]any{"completion": []string{model}},
	}
}

func (h *harness) suggestion(t *testing.T, uri string) string {
	t.Helper()
	var list inlineCompletionList
	if err := h.call("textDocument/inlineCompletion", inlineParams(uri, 0, 0), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) == 0 {
		return ""
	}
	return list.Items[0].InsertText
}

func TestServerConfigurationChange(t *testing.T) {
	var builds atomic.Int32
	h := startServer(t, byModel(&builds))
	h.initialize(map[string]any{}, settingsFor("first"))
	h.open("file:///a.go", "")
	if got := h.suggestion(t, "file:///a.go"); got != "from first" {
		t.Fatalf("with initializationOptions: %q, want from first", got)
	}

	// A pushed change takes effect for the next request, no restart.
	h.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"switchyard": settingsFor("second")}})
	if got := h.suggestion(t, "file:///a.go"); got != "from second" {
		t.Fatalf("after didChangeConfiguration: %q, want from second", got)
	}

	// The same settings again change nothing: no rebuild.
	n := builds.Load()
	h.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"switchyard": settingsFor("second")}})
	h.suggestion(t, "file:///a.go")
	if builds.Load() != n {
		t.Errorf("the router was rebuilt for unchanged settings")
	}

	// Invalid settings: one error message naming the key, and the last
	// good configuration keeps serving.
	bad := settingsFor("third")
	bad["models"].(map[string]any)["third"].(map[string]any)["provider"] = "nowhere"
	h.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"switchyard": bad}})
	if got := h.suggestion(t, "file:///a.go"); got != "from second" {
		t.Fatalf("after invalid settings: %q, want the last good (from second)", got)
	}
	errs := h.showMessages(int(protocol.MessageTypeError))
	if len(errs) != 1 || !strings.Contains(errs[0], "models.third.provider") || !strings.Contains(errs[0], "editor settings") {
		t.Fatalf("error messages = %q, want one naming editor settings and models.third.provider", errs)
	}
	// An unknown key is named too.
	h.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"switchyard": map[string]any{"completion": map[string]any{"debounse": 10}}}})
	h.waitNotification("window/showMessage", func(p json.RawMessage) bool { return strings.Contains(string(p), "debounse") })
	if got := h.suggestion(t, "file:///a.go"); got != "from second" {
		t.Fatalf("after an unknown key: %q, want from second", got)
	}
}

func TestServerPullsConfiguration(t *testing.T) {
	var builds atomic.Int32
	h := startServer(t, byModel(&builds))
	var model atomic.Value
	model.Store("pulled")
	var pulls atomic.Int32
	h.handle("workspace/configuration", func(params json.RawMessage) (any, error) {
		pulls.Add(1)
		var p protocol.ConfigurationParams
		_ = json.Unmarshal(params, &p)
		if len(p.Items) != 1 || p.Items[0].Section != "switchyard" {
			t.Errorf("workspace/configuration params = %s, want section switchyard", params)
		}
		return []any{settingsFor(model.Load().(string))}, nil
	})
	h.initialize(map[string]any{"workspace": map[string]any{"configuration": true}}, nil)
	h.open("file:///a.go", "")
	waitUntil(t, func() bool { return h.suggestion(t, "file:///a.go") == "from pulled" }, "the pulled settings to apply")

	// A change notification makes the server pull again; its own payload
	// is not used.
	model.Store("again")
	h.notify("workspace/didChangeConfiguration", map[string]any{"settings": nil})
	waitUntil(t, func() bool { return h.suggestion(t, "file:///a.go") == "from again" }, "the second pull to apply")
	if pulls.Load() != 2 {
		t.Errorf("pulls = %d, want 2", pulls.Load())
	}
}

func TestServerWorkspaceFile(t *testing.T) {
	dir := t.TempDir()
	// The workspace file picks a model through the user's provider, and
	// tries to move that provider's endpoint, which an untrusted folder
	// may not do.
	toml := "[providers.local]\nbase_url = \"http://evil.example/v1\"\n\n" +
		"[models.ws]\nprovider = \"local\"\nid = \"ws-id\"\nclasses = [\"completion\"]\n\n[routes]\ncompletion = [\"ws\"]\n"
	if err := os.WriteFile(filepath.Join(dir, config.WorkspaceFile), []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	var builds atomic.Int32
	var lastCfg atomic.Pointer[config.Config]
	h := startServer(t, func(cfg *config.Config) (providers.Router, error) {
		lastCfg.Store(cfg)
		return byModel(&builds)(cfg)
	})
	if err := h.call("initialize", map[string]any{
		"capabilities":          map[string]any{},
		"initializationOptions": settingsFor("first"),
		"workspaceFolders":      []map[string]any{{"uri": "file://" + dir, "name": "ws"}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	h.notify("initialized", map[string]any{})
	h.open("file:///a.go", "")
	if got := h.suggestion(t, "file:///a.go"); got != "from ws" {
		t.Errorf("suggestion = %q, want the workspace file's model (from ws)", got)
	}
	if u := lastCfg.Load().Providers["local"].BaseURL; u != "http://127.0.0.1:9/v1" {
		t.Errorf("base_url = %q: an untrusted workspace file moved the endpoint", u)
	}
	p := h.waitNotification("window/showMessage", func(p json.RawMessage) bool { return strings.Contains(string(p), "base_url") })
	if !strings.Contains(string(p), config.WorkspaceFile) {
		t.Errorf("warning %s does not name the file", p)
	}
}

func TestServerNoConfiguration(t *testing.T) {
	var builds atomic.Int32
	h := startServer(t, byModel(&builds))
	h.initialize(map[string]any{}, nil)
	p := h.waitNotification("window/showMessage", nil)
	var msg protocol.ShowMessageParams
	mustJSON(t, p, &msg)
	if msg.Type != protocol.MessageTypeInfo || !strings.Contains(msg.Message, "providers.local") || !strings.Contains(msg.Message, "routes.completion") {
		t.Errorf("no-configuration message = %+v, want Info with an example", msg)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(h.showMessages(0)); n != 1 {
		t.Errorf("%d messages, want exactly one", n)
	}
}

func TestServerProviderErrorShownOnce(t *testing.T) {
	authErr := &providers.Error{Provider: "openai", Kind: providers.KindAuth, Status: 401,
		Message: "Incorrect API key provided", Hint: "set api_key_env (or api_key_cmd) in [providers.openai]"}
	r := &fakeRouter{err: authErr}
	h := startServer(t, fixed(r))
	h.initialize(map[string]any{}, settingsFor("m"))
	h.open("file:///a.go", "x")
	for range 5 {
		start := time.Now()
		var list inlineCompletionList
		if err := h.call("textDocument/inlineCompletion", inlineParams("file:///a.go", 0, 1), &list); err != nil {
			t.Fatalf("a provider failure must give an empty result, not %v", err)
		}
		if len(list.Items) != 0 {
			t.Errorf("items = %+v, want none", list.Items)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("empty answer took %v", d)
		}
	}
	// A different kind from the same provider is a new problem.
	r.err = &providers.Error{Provider: "openai", Kind: providers.KindServer, Status: 500}
	h.call("textDocument/completion", posParams("file:///a.go", 0, 1), nil)
	h.call("textDocument/completion", posParams("file:///a.go", 0, 1), nil)

	errs := h.showMessages(int(protocol.MessageTypeError))
	if len(errs) != 2 {
		t.Fatalf("error messages = %q, want one per provider and kind (2)", errs)
	}
	if !strings.Contains(errs[0], "openai") || !strings.Contains(errs[0], "api_key_env") {
		t.Errorf("message %q does not name the provider and the setting", errs[0])
	}
}

func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
