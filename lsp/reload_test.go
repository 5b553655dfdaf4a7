package lsp_test

// Configuration kept current with no restart: a local runner started
// after the editor (zero configuration looks again), and a workspace
// .switchyard.toml changed on disk by something other than the editor.

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
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

// deadURL is a base URL on 127.0.0.1 where nothing listens.
func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "http://" + ln.Addr().String()
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
	c := serveInProcess(t, lsp.Options{Discover: discover, Rediscover: every})
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

func TestWorkspaceFileChangedOnDisk(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Text("x"))
	cfg := configText(nil,
		provider{"one", fake.URL, fimModel},
		provider{"two", fake.URL, "qwen2.5-coder:3b-base"},
		provider{"three", fake.URL, "qwen2.5-coder:7b-base"})
	s := start(t, cfg, lsptest.InitOptions{Capabilities: watchingCaps(true)})
	file := filepath.Join(s.dir, ".switchyard.toml")
	d := s.open(t, "main.go", "package main\n\nfunc main() {\n\tfmt.Pri‸\n}\n")
	model := func() any {
		t.Helper()
		s.inline(t, d)
		reqs := completions(fake)
		if len(reqs) == 0 {
			t.Fatal("the fake received no completion request")
		}
		return reqs[len(reqs)-1].Body["model"]
	}
	changed := func(typ int) {
		t.Helper()
		err := s.Notify("workspace/didChangeWatchedFiles", map[string]any{
			"changes": []map[string]any{{"uri": fileURI(file), "type": typ}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const created, changedType, deleted = 1, 2, 3

	if got := model(); got != fimModel {
		t.Fatalf("before any workspace file: model %v, want %s", got, fimModel)
	}
	// A git checkout brings a workspace file in.
	write("[routes]\ncompletion = [\"two-coder\"]\n")
	changed(created)
	if got := model(); got != "qwen2.5-coder:3b-base" {
		t.Fatalf("after the file was created: model %v, want the route it names", got)
	}
	// Another editor changes it.
	write("[routes]\ncompletion = [\"three-coder\"]\n")
	changed(changedType)
	if got := model(); got != "qwen2.5-coder:7b-base" {
		t.Fatalf("after the file changed: model %v, want the new route", got)
	}
	// A broken edit: said once, and the last good route stays.
	write("[routes\ncompletion = [\"one-coder\"]\n")
	changed(changedType)
	if got := model(); got != "qwen2.5-coder:7b-base" {
		t.Fatalf("after a broken edit: model %v, want the last good route", got)
	}
	if _, err := s.WaitNotification(timeout(t, 5*time.Second), "window/showMessage", func(n lsptest.Notification) bool {
		return strings.Contains(string(n.Params), ".switchyard.toml")
	}); err != nil {
		t.Errorf("the broken file was not reported: %v", err)
	}
	// A file of the same name in a subfolder is not the folder's.
	sub := filepath.Join(s.dir, "sub", ".switchyard.toml")
	if err := os.MkdirAll(filepath.Dir(sub), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sub, []byte("[routes]\ncompletion = [\"two-coder\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": fileURI(sub), "type": created}}}); err != nil {
		t.Fatal(err)
	}
	if got := model(); got != "qwen2.5-coder:7b-base" {
		t.Fatalf("after a subfolder's file appeared: model %v, want the folder's route unchanged", got)
	}
	// Deleted: back to the user's own route.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	changed(deleted)
	if got := model(); got != fimModel {
		t.Fatalf("after the file was deleted: model %v, want the user's route (%s)", got, fimModel)
	}
}

// watchingCaps are the default client capabilities, with dynamic
// registration for watched files when watch is true.
func watchingCaps(watch bool) map[string]any {
	ws := map[string]any{
		"configuration":          true,
		"didChangeConfiguration": map[string]any{"dynamicRegistration": true},
	}
	if watch {
		ws["didChangeWatchedFiles"] = map[string]any{"dynamicRegistration": true}
	}
	return map[string]any{
		"textDocument": map[string]any{
			"synchronization":  map[string]any{"didSave": true},
			"inlineCompletion": map[string]any{},
		},
		"workspace": ws,
	}
}

func TestWatchedFilesRegisteredOnlyWhenSupported(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Text("x"))
	for _, watch := range []bool{true, false} {
		s := start(t, configText(nil, provider{"one", fake.URL, fimModel}), lsptest.InitOptions{Capabilities: watchingCaps(watch)})
		// The server registers, then pulls its settings: once the pull
		// has come, every registration has.
		err := s.WaitFor(timeout(t, 10*time.Second), func() bool { return len(s.Requests("workspace/configuration")) > 0 })
		if err != nil {
			t.Fatal(err)
		}
		var watchers []string
		for _, r := range s.Requests("client/registerCapability") {
			var p struct {
				Registrations []struct {
					Method          string `json:"method"`
					RegisterOptions struct {
						Watchers []struct {
							GlobPattern string `json:"globPattern"`
						} `json:"watchers"`
					} `json:"registerOptions"`
				} `json:"registrations"`
			}
			if err := json.Unmarshal(r.Params, &p); err != nil {
				t.Fatal(err)
			}
			for _, reg := range p.Registrations {
				if reg.Method == "workspace/didChangeWatchedFiles" {
					for _, w := range reg.RegisterOptions.Watchers {
						watchers = append(watchers, w.GlobPattern)
					}
				}
			}
		}
		// The workspace index watches source files too.
		want := []string{"**/.switchyard.toml", "**/*.{go,py,pyi,js,mjs,cjs,jsx,ts,mts,cts,tsx,rs,java,c,h,cc,cpp,cxx,hh,hpp,hxx}"}
		switch {
		case watch && !slices.Equal(watchers, want):
			t.Errorf("client with dynamic registration: watchers %q, want %q", watchers, want)
		case !watch && len(watchers) > 0:
			t.Errorf("client without dynamic registration for watched files was asked to watch %q", watchers)
		}
	}
}
