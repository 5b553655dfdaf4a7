package router

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/providertest"
)

// remoteData makes a fake on 127.0.0.1 look remote to the policy.
func remoteData(jurisdiction string) config.DataPolicy {
	return config.DataPolicy{Local: ptr(false), Jurisdictions: []string{jurisdiction}, RetentionDays: intp(0), Training: ptr(false)}
}

func ptr[T any](v T) *T { return &v }

func completeCall(ctx context.Context, t providers.Target) (providers.Stream, error) {
	c, ok := t.Provider.(providers.Completer)
	if !ok {
		return chat(ctx, t)
	}
	return c.Complete(ctx, &providers.CompletionRequest{Model: t.Model.ID, Prompt: "func main() {", MaxTokens: 16})
}

func TestOfflineAndBack(t *testing.T) {
	cloud := providertest.NewOpenAI(t)
	cloud.SetDefault(providertest.Text("from", " cloud"))
	box := providertest.NewOpenAI(t)
	box.SetDefault(providertest.Text("from", " box"))
	g := newGate(t, cloud.URL)

	cfg := &config.Config{
		Providers: map[string]config.Provider{
			"cloud": {Type: "openai", BaseURL: g.URL(), Data: remoteData("US")},
			"box":   {Type: "openai", BaseURL: box.URL},
		},
		Models: map[string]config.Model{
			"big":   {Provider: "cloud", ID: "fake-model", Classes: []string{"completion"}},
			"small": {Provider: "box", ID: "fake-model", Classes: []string{"local"}},
		},
		Routes: map[string][]string{"completion": {"big"}},
	}
	var mu sync.Mutex
	var statuses []Status
	r, err := New(cfg, Options{
		ProbeInterval: 10 * time.Millisecond,
		OnStatus:      func(s Status) { mu.Lock(); statuses = append(statuses, s); mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	r.Start(context.Background())
	defer r.Close()

	complete := func() (string, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s, target, err := r.Stream(ctx, providers.Need{Task: config.TaskCompletion}, completeCall)
		if err != nil {
			t.Fatalf("completion failed: %v", err)
		}
		text, err := providers.ReadAll(s)
		if err != nil {
			t.Fatalf("completion cut: %v", err)
		}
		return text, target.Name
	}

	if text, name := complete(); text != "from cloud" || name != "big" {
		t.Fatalf("online: got %q from %s", text, name)
	}

	g.Refuse()
	if text, name := complete(); text != "from box" || name != "small" {
		t.Fatalf("with the network gone: got %q from %s, want the local model in the same request", text, name)
	}
	if r.Status().Online {
		t.Fatal("status still online after refused connections")
	}
	before := len(cloud.Requests())
	if text, _ := complete(); text != "from box" || len(cloud.Requests()) != before {
		t.Fatalf("offline: got %q and the remote saw %d new requests", text, len(cloud.Requests())-before)
	}

	g.Open()
	deadline := time.Now().Add(3 * time.Second)
	for !r.Status().Online {
		if time.Now().After(deadline) {
			t.Fatal("the probe did not notice the way back")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if text, name := complete(); text != "from cloud" || name != "big" {
		t.Fatalf("back online: got %q from %s", text, name)
	}

	mu.Lock()
	defer mu.Unlock()
	var online []bool
	for _, s := range statuses {
		if len(online) == 0 || online[len(online)-1] != s.Online {
			online = append(online, s.Online)
		}
	}
	if len(online) != 3 || !online[0] || online[1] || !online[2] {
		t.Errorf("status online sequence %v, want online, offline, online", online)
	}
}

func TestProbesLocalRunners(t *testing.T) {
	var mu sync.Mutex
	ready := false
	srv := newHandlerServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`))
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	})
	cfg := &config.Config{
		Providers: map[string]config.Provider{"llama": {Type: "llamacpp", BaseURL: srv}},
		Models:    map[string]config.Model{"coder": {Provider: "llama", ID: "coder", Classes: []string{"completion"}}},
	}
	fs := newFakes()
	r, err := New(cfg, Options{NewProvider: fs.build, ProbeInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r.Start(context.Background())
	defer r.Close()
	waitFor(t, func() bool { return r.Plan(providers.Need{Task: config.TaskCompletion}).Picked == "" })
	d := r.Plan(providers.Need{Task: config.TaskCompletion})
	if d.Candidates[0].Rule != RuleProbe || !strings.Contains(d.Candidates[0].Reason, "HTTP 503") {
		t.Errorf("a loading llama.cpp should be removed by its probe:\n%s", d)
	}
	mu.Lock()
	ready = true
	mu.Unlock()
	waitFor(t, func() bool { return r.Plan(providers.Need{Task: config.TaskCompletion}).Picked == "coder" })
}

func TestWarmsTheLocalCompletionModel(t *testing.T) {
	ollama := providertest.NewOllama(t, providertest.OllamaModel{Name: "qwen2.5-coder:7b", Capabilities: []string{"completion", "insert"}})
	cfg := &config.Config{
		Providers: map[string]config.Provider{"local": {Type: "ollama", BaseURL: ollama.URL}},
		Models:    map[string]config.Model{"qwen": {Provider: "local", ID: "qwen2.5-coder:7b", Classes: []string{"completion"}}},
	}
	r, err := New(cfg, Options{ProbeInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r.Start(context.Background())
	defer r.Close()
	waitFor(t, func() bool {
		for _, req := range ollama.Requests() {
			if req.Path == "/api/generate" && req.Body["model"] == "qwen2.5-coder:7b" && req.Body["prompt"] == nil && req.Body["keep_alive"] != nil {
				return true
			}
		}
		return false
	})
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newHandlerServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
