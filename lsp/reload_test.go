package lsp_test

// Configuration kept current with no restart: a workspace
// .switchyard.toml changed on disk by something other than the editor.
// (A local runner started after the editor is in cmd/switchyard, where
// zero configuration is wired in.)

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

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
