package lsp_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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

// The same request leaves one line in the audit log: the file, the
// provider's host, the redaction by rule, and nothing of the code or the
// key.
func TestRemoteCompletionIsAudited(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Text("awsKey)"))
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	cfg := configText(nil, provider{"fake", fake.URL, fimModel}) +
		"\n[providers.fake.data]\nlocal = false\n\n[audit]\npath = " + strconv.Quote(logPath) + "\n"
	s := start(t, cfg, lsptest.InitOptions{})
	key := "AK" + "IA" + "Q3EGRN7XK4WZ5T2M"
	d := s.open(t, "billing/charge.go", "package billing\n\nvar awsKey = \""+key+"\"\n\nfunc charge() {\n\tuse(‸)\n}\n")
	s.inline(t, d)
	var line string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(logPath)
		if len(b) > 0 && strings.HasSuffix(string(b), "\n") {
			line = string(b)
			break
		}
	}
	if line == "" {
		t.Fatal("no audit line was written for a request to a remote provider")
	}
	var e struct {
		Task       string         `json:"task"`
		Provider   string         `json:"provider"`
		Host       string         `json:"host"`
		Redactions map[string]int `json:"redactions"`
		Sources    []struct {
			Path string `json:"path"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(line, "\n", 2)[0]), &e); err != nil {
		t.Fatalf("audit line %q: %v", line, err)
	}
	u, _ := url.Parse(fake.URL)
	if e.Task != "completion" || e.Provider != "fake" || e.Host != u.Host {
		t.Errorf("audit line %s: want task completion, provider fake, host %s", line, u.Host)
	}
	if e.Redactions["aws-access-token"] != 1 {
		t.Errorf("redactions %v, want one aws-access-token", e.Redactions)
	}
	if len(e.Sources) == 0 || !strings.HasSuffix(e.Sources[0].Path, "billing/charge.go") {
		t.Errorf("sources %+v, want billing/charge.go", e.Sources)
	}
	for _, never := range []string{key, "awsKey", "func charge"} {
		if strings.Contains(line, never) {
			t.Errorf("the audit line holds %q: %s", never, line)
		}
	}
}
