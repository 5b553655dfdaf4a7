package assist

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/router"
)

// Files that are secrets by nature ([policy] secret_files, on by default)
// never reach a remote model: not as context of another file's
// completion, and not when they are the file being edited.
func TestSecretFilesStayLocal(t *testing.T) {
	ws := t.TempDir()
	const marker = "value-only-in-the-secret-file"
	creds := Document{URI: "file://" + ws + "/deploy/credentials.yaml", Path: filepath.Join(ws, "deploy", "credentials.yaml"), LanguageID: "yaml",
		Text: "database:\n  password: " + marker + "\n"}
	// Context comes from files of the same language as the one edited.
	const appPrefix, appSuffix = "service:\n  name: app\n  ", "\n"
	main := Document{URI: "file://" + ws + "/deploy/app.yaml", Path: filepath.Join(ws, "deploy", "app.yaml"), LanguageID: "yaml", Text: appPrefix + appSuffix}
	newRouter := func(t *testing.T, route string, provs map[string]*fakeProvider) *router.Router {
		cfg := &config.Config{
			Providers: map[string]config.Provider{
				"cloud": {Type: "anthropic", APIKeyEnv: "ANTHROPIC_API_KEY"},
				"box":   {Type: "ollama"},
			},
			Models: map[string]config.Model{
				"cloud": {Provider: "cloud", ID: "claude-haiku", FIM: "none", Classes: []string{config.ClassCompletion}},
				"box":   {Provider: "box", ID: "llama3", FIM: "none", Classes: []string{config.ClassCompletion}},
			},
			Routes: map[string][]string{config.TaskCompletion: {route}},
		}
		r, err := router.New(cfg, router.Options{Workspace: []string{ws}, NewProvider: func(name string, _ config.Provider) (providers.Provider, error) {
			return provs[name], nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	for _, tt := range []struct {
		route     string
		wantFound bool
	}{{"cloud", false}, {"box", true}} {
		t.Run("as context, "+tt.route, func(t *testing.T) {
			provs := map[string]*fakeProvider{"cloud": answering("x()"), "box": answering("x()")}
			provs["cloud"].name, provs["box"].name = "cloud", "box"
			req := CompletionRequest{Doc: main, Offset: len(appPrefix), Invoked: true, Folders: []string{ws},
				Others: []OtherDocument{{Document: creds}}}
			if _, err := NewEngine(newRouter(t, tt.route, provs), contextConfig(1024), nil).Complete(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			p := provs[tt.route]
			if len(p.chats) != 1 {
				t.Fatalf("%d calls", len(p.chats))
			}
			user := p.chats[0].Messages[1].Content
			if got := strings.Contains(user, marker); got != tt.wantFound {
				t.Errorf("%s model sees credentials.yaml: %v, want %v:\n%s", tt.route, got, tt.wantFound, user)
			}
		})
	}
	t.Run("being edited", func(t *testing.T) {
		provs := map[string]*fakeProvider{"cloud": answering("x()"), "box": answering("x()")}
		provs["cloud"].name, provs["box"].name = "cloud", "box"
		doc := creds
		req := CompletionRequest{Doc: doc, Offset: len("database:\n"), Invoked: true, Folders: []string{ws}}
		if _, err := NewEngine(newRouter(t, "cloud", provs), contextConfig(1024), nil).Complete(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if len(provs["cloud"].chats) != 0 {
			t.Fatalf("the remote model was called for a secret file")
		}
		if len(provs["box"].chats) != 1 {
			t.Errorf("the local model got %d calls, want 1 (local models serve local-only work)", len(provs["box"].chats))
		}
	})
}
