package assist

import (
	"context"
	"errors"
	"strings"
	"testing"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/router"
)

// With the real router, the local-only rules are the router's own:
// [policy] local_only and a folder's .switchyardignore.
func TestRealRouterLocalOnlyRules(t *testing.T) {
	w := newWS(t, map[string]string{
		"a.go":            "package a\n\nfunc Run() {}\n",
		"b.go":            "package a\n\nfunc use() { Run() }\n",
		"private.go":      "package a\n\nvar hidden = Run\n",
		"secret/k.go":     "package k\n",
		router.IgnoreFile: "private.go\n",
	})
	d := w.doc("a.go")
	p := &fakeProvider{name: "cloud", answer: func() *fakeStream {
		return newStream(blk("a.go", "func Run() {}\n", "func Start() {}\n") + blk("secret/k.go", "package k\n", "package key\n"))
	}}
	cfg := &config.Config{
		Providers: map[string]config.Provider{"cloud": {Type: "anthropic", APIKeyEnv: "ANTHROPIC_API_KEY"}},
		Models:    map[string]config.Model{"sonnet": {Provider: "cloud", ID: "claude-sonnet", Classes: []string{config.ClassCoding, config.ClassFrontier}}},
		Routes:    map[string][]string{config.TaskRefactor: {"sonnet"}, config.TaskCoding: {"sonnet"}},
		Policy:    config.Policy{LocalOnly: []string{"secret/"}},
	}
	r, err := router.New(cfg, router.Options{Workspace: []string{w.root}, NewProvider: func(string, config.Provider) (providers.Provider, error) { return p, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a := NewActions(r, cfg, Options{AnswerDir: t.TempDir()})
	req := w.request(ActionRefactor, d, "Run")
	req.Instruction, req.Scope = "rename Run to Start", ScopePackage
	_, err = a.Run(context.Background(), req)
	var ee *EditError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "secret/k.go (block 2): rejected: it is local-only") {
		t.Fatalf("got %v: the remote model's edit to a local-only file must be rejected", err)
	}
	pr := prompt(t, p)
	if !strings.Contains(pr, "File: b.go") || strings.Contains(pr, "private.go") {
		t.Errorf("prompt: want b.go gathered and private.go (in %s) left out:\n%s", router.IgnoreFile, pr)
	}
}
