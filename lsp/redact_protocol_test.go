package lsp_test

import (
	"strings"
	"testing"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

// A key near the cursor reaches a remote model as a placeholder, and the
// editor gets the model's suggestion with the key put back.
func TestCompletionRedactsSecretsForRemoteModels(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Text("awsKey, \"<SEC", "RET_1>\")"))
	// The fake listens on 127.0.0.1; data.local = false makes it the
	// remote provider that a gateway on a loopback port really is.
	cfg := configText(nil, provider{"fake", fake.URL, fimModel}) + "\n[providers.fake.data]\nlocal = false\n"
	s := start(t, cfg, lsptest.InitOptions{})
	key := "AK" + "IA" + "Q3EGRN7XK4WZ5T2M" // joined so no literal looks like a key
	d := s.open(t, "main.go", "package main\n\nvar awsKey = \""+key+"\"\n\nfunc main() {\n\tclient := s3.New(‸)\n}\n")
	list := s.inline(t, d)
	reqs := completions(fake)
	if len(reqs) == 0 {
		t.Fatal("the remote fake got no request")
	}
	prompt, _ := reqs[len(reqs)-1].Body["prompt"].(string)
	if strings.Contains(prompt, key) || !strings.Contains(prompt, `var awsKey = "<SECRET_1>"`) {
		t.Errorf("prompt sent to the remote model:\n%s", prompt)
	}
	if len(list.Items) != 1 {
		t.Fatalf("got %d items, want 1: %s", len(list.Items), list.Raw)
	}
	// The closing parenthesis is already after the cursor, so the
	// engine drops the model's copy of it.
	if want := "awsKey, \"" + key + "\""; list.Items[0].InsertText != want {
		t.Errorf("insertText = %q, want %q: the placeholder mapped back to the key", list.Items[0].InsertText, want)
	}
}
