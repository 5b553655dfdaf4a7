package main

// The server over the real backend: zero configuration finds a local
// runner started after the editor, and notices when it stops.

import (
	"context"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/lsp"
	"switchyard/lsp/lsptest"
	"switchyard/providers/detect"
	"switchyard/providers/providertest"
)

const fimModel = "qwen2.5-coder:1.5b-base"

func timeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func fileURI(path string) string { return (&url.URL{Scheme: "file", Path: path}).String() }

// serveInProcess runs the server in this process on one end of a pipe,
// for options the binary has no flag for, and returns a client on the
// other end.
func serveInProcess(t *testing.T, opts lsp.Options) *lsptest.Client {
	t.Helper()
	srv, cli := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = lsp.Serve(ctx, srv, opts)
	}()
	// Cleanups run last first: the client's closes the pipe, then this
	// one waits for the server and its background work to stop.
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the server did not stop within 5s of its connection closing")
		}
	})
	return lsptest.NewClient(t, cli)
}

func TestZeroConfigurationFindsARunnerStartedLater(t *testing.T) {
	// No configuration file anywhere: zero configuration is in force.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv(config.EnvConfig, "")
	t.Setenv(detect.EnvDisable, "")

	// Ollama's address: nothing there until the test starts the fake.
	var ollamaURL atomic.Value
	ollamaURL.Store(deadURL(t))
	var rounds atomic.Int32
	discover := func(ctx context.Context, o detect.Options) (*config.Layer, detect.Report) {
		rounds.Add(1)
		o.Runners = []detect.Runner{{Name: "ollama", Type: "ollama", BaseURL: ollamaURL.Load().(string), Label: "Ollama"}}
		o.Getenv = func(string) string { return "" }
		o.Home = home
		return detect.Discover(ctx, o)
	}
	const every = 100 * time.Millisecond
	c := serveInProcess(t, lsp.Options{Backend: backend{discover: discover}, Rediscover: every})
	dir := t.TempDir()
	if _, err := c.Initialize(timeout(t, 10*time.Second), lsptest.InitOptions{RootURI: fileURI(dir)}); err != nil {
		t.Fatal(err)
	}
	uri := fileURI(filepath.Join(dir, "main.go"))
	text := "package main\n\nfunc answer() int {\n\treturn \n}\n"
	cursor := strings.Index(text, "return ") + len("return ")
	if err := c.Open(uri, "go", text); err != nil {
		t.Fatal(err)
	}
	inline := func() string {
		t.Helper()
		list, err := c.InlineCompletion(timeout(t, 10*time.Second), uri, c.Pos(uri, cursor))
		if err != nil {
			t.Fatalf("inline completion: %v", err)
		}
		if list == nil || len(list.Items) == 0 {
			return ""
		}
		return list.Items[0].InsertText
	}
	if got := inline(); got != "" {
		t.Fatalf("with nothing configured or running, the completion is %q, want none", got)
	}

	// The user starts Ollama with a code model, editor still open.
	ol := providertest.NewOllama(t, providertest.OllamaModel{
		Name: fimModel, Capabilities: []string{"completion", "insert"}, ContextLength: 32768, Family: "qwen2",
	})
	ol.Enqueue(providertest.OllamaReply{Pieces: []string{"42"}})
	ollamaURL.Store(ol.URL)

	found := func(n lsptest.Notification) bool {
		return strings.Contains(string(n.Params), "found Ollama with "+fimModel+"; completions now use it")
	}
	if _, err := c.WaitNotification(timeout(t, 10*time.Second), "window/showMessage", found); err != nil {
		t.Fatalf("no message that Ollama was found: %v; messages %+v", err, c.ShowMessages())
	}
	if got := inline(); got != "42" {
		t.Fatalf("after Ollama started, the completion is %q, want the fake's 42", got)
	}
	var generate []providertest.OllamaRequest
	for _, r := range ol.Requests() {
		// A request without a prompt only loads the model.
		if _, ok := r.Body["prompt"]; ok && r.Path == "/api/generate" {
			generate = append(generate, r)
		}
	}
	if len(generate) != 1 || generate[0].Body["model"] != fimModel {
		t.Fatalf("Ollama got %d /api/generate requests with a prompt, want one for %s", len(generate), fimModel)
	}

	// Later rounds see the same runner: no second message.
	seen := rounds.Load()
	for deadline := time.Now().Add(10 * time.Second); rounds.Load() < seen+3; time.Sleep(every) {
		if time.Now().After(deadline) {
			t.Fatalf("detection ran %d more times in 10s, want it to keep running every %s", rounds.Load()-seen, every)
		}
	}
	n := 0
	for _, m := range c.ShowMessages() {
		if strings.Contains(m.Message, "found Ollama") {
			n++
			if m.Type != 3 {
				t.Errorf("the message that Ollama was found has type %d, want Info (3)", m.Type)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d messages say Ollama was found, want exactly one", n)
	}

	// Ollama stops: its models leave the routes.
	ol.Close()
	if _, err := c.WaitNotification(timeout(t, 10*time.Second), "window/logMessage", func(n lsptest.Notification) bool {
		return strings.Contains(string(n.Params), "Ollama no longer answers")
	}); err != nil {
		t.Fatalf("the runner that stopped was not noticed: %v", err)
	}
	if got := inline(); got != "" {
		t.Errorf("after Ollama stopped, the completion is %q, want none", got)
	}
}
