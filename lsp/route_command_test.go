package lsp_test

// switchyard.explainRoute and switchyard/status over the protocol: the
// built server, an editor-like client and fake providers on 127.0.0.1.

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

// decision is the part of the router's Decision the tests read.
type decision struct {
	Task       string   `json:"task"`
	Class      string   `json:"class"`
	ClassFrom  string   `json:"class_from"`
	LocalOnly  string   `json:"local_only"`
	Overrides  []string `json:"overrides"`
	Picked     string   `json:"picked"`
	Candidates []struct {
		Model  string `json:"model"`
		Kept   bool   `json:"kept"`
		Rule   string `json:"rule"`
		Reason string `json:"reason"`
	} `json:"candidates"`
}

func (d decision) rule(model string) string {
	for _, c := range d.Candidates {
		if c.Model == model {
			if c.Kept {
				return "kept"
			}
			return c.Rule
		}
	}
	return "absent"
}

// refusedURL is a loopback address where nothing listens: connecting is
// refused at once, as it is for an unreachable host's closed port.
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/v1"
}

// routeConfig has a local runner (a fake on loopback) and a "cloud"
// provider declared remote, so that policy applies to it.
func routeConfig(localURL, cloudURL, extra string) string {
	return fmt.Sprintf(`[providers.local]
type = "openai"
base_url = %q
timeout = "5s"

[providers.cloud]
type = "openai"
base_url = %q
timeout = "5s"

[providers.cloud.data]
local = false
jurisdictions = ["US"]
retention_days = 0
training = false

[models.coder]
provider = "local"
id = %q
classes = ["completion", "local"]

[models.big]
provider = "cloud"
id = "fake-frontier"
classes = ["completion", "coding", "frontier"]

[completion]
debounce = "0ms"
cache_size = 0

%s`, localURL, cloudURL, fimModel, extra)
}

func explain(t *testing.T, s *session, args ...any) decision {
	t.Helper()
	var raw json.RawMessage
	err := s.Call(timeout(t, 10*time.Second), "workspace/executeCommand", map[string]any{
		"command": "switchyard.explainRoute", "arguments": args,
	}, &raw)
	if err != nil {
		t.Fatalf("explainRoute %v: %v", args, err)
	}
	var d decision
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("explainRoute answered %s: %v", raw, err)
	}
	return d
}

func TestExplainRouteCommand(t *testing.T) {
	local := providertest.NewOpenAIFixed(t, "x")
	cloud := providertest.NewOpenAIFixed(t, "y")
	s := start(t, routeConfig(local.URL, cloud.URL, `
[tasks.refactor]
class = "coding"

[policy]
local_only = ["vault/**"]

[policy.tasks.refactor]
jurisdictions = ["EU"]
`), lsptest.InitOptions{})

	var cmds struct {
		Commands []string `json:"commands"`
	}
	if err := json.Unmarshal(s.init.Capabilities["executeCommandProvider"], &cmds); err != nil || !slices.Contains(cmds.Commands, "switchyard.explainRoute") {
		t.Fatalf("executeCommandProvider = %s, want switchyard.explainRoute listed (%v)", s.init.Capabilities["executeCommandProvider"], err)
	}

	t.Run("a task", func(t *testing.T) {
		d := explain(t, s, map[string]any{"task": "coding"})
		if d.Task != "coding" || d.Class != "coding" || d.Picked != "big" {
			t.Errorf("got %+v, want coding served by big", d)
		}
	})
	t.Run("a document under local_only", func(t *testing.T) {
		d := explain(t, s, map[string]any{"task": "completion", "uri": fileURI(filepath.Join(s.dir, "vault", "keys.go"))})
		if d.Picked != "coder" || d.rule("big") != "policy.local_only" || !strings.Contains(d.LocalOnly, `"vault/**"`) {
			t.Errorf("got %+v, want coder only, big removed by policy.local_only", d)
		}
	})
	t.Run("the class and policy overrides", func(t *testing.T) {
		d := explain(t, s, "refactor")
		if d.Class != "coding" || d.ClassFrom != "[tasks.refactor] class" {
			t.Errorf("class %q from %q, want coding from [tasks.refactor] class", d.Class, d.ClassFrom)
		}
		if d.Picked != "" || d.rule("big") != "policy.jurisdictions" || !slices.Equal(d.Overrides, []string{"[policy.tasks.refactor]"}) {
			t.Errorf("got %+v, want big removed by [policy.tasks.refactor] jurisdictions", d)
		}
		if r := d.Candidates[0].Reason; !strings.Contains(r, "[policy.tasks.refactor] jurisdictions allows only EU") {
			t.Errorf("reason %q does not name the override", r)
		}
	})
	t.Run("an editor's context without a task", func(t *testing.T) {
		// What the VS Code extension sends: {uri, range}.
		d := explain(t, s, map[string]any{"uri": fileURI(filepath.Join(s.dir, "main.go")),
			"range": map[string]any{"start": map[string]int{"line": 0, "character": 0}, "end": map[string]int{"line": 0, "character": 0}}})
		if d.Task != "completion" || d.Picked != "coder" || d.rule("big") != "kept" {
			t.Errorf("got %+v, want the completion route with both models", d)
		}
	})
	t.Run("an unknown task", func(t *testing.T) {
		err := s.Call(timeout(t, 10*time.Second), "workspace/executeCommand", map[string]any{
			"command": "switchyard.explainRoute", "arguments": []any{"poetry"},
		}, nil)
		if err == nil || !strings.Contains(err.Error(), `"poetry" is not a task`) {
			t.Errorf("got %v, want an error naming the task", err)
		}
	})
	t.Run(".switchyardignore written while the server runs", func(t *testing.T) {
		draft := fileURI(filepath.Join(s.dir, "drafts", "plan.go"))
		if d := explain(t, s, "completion", draft); d.rule("big") != "kept" {
			t.Fatalf("before the file: %+v", d)
		}
		must(t, os.WriteFile(filepath.Join(s.dir, ".switchyardignore"), []byte("drafts/\n"), 0o644))
		// The router looks at the file at most once a second.
		deadline := time.Now().Add(5 * time.Second)
		for {
			d := explain(t, s, "completion", draft)
			if d.rule("big") == "policy.local_only" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the new .switchyardignore never took effect: %+v", d)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	for _, f := range []*providertest.OpenAI{local, cloud} {
		for _, r := range f.Requests() {
			if r.Endpoint != "models" {
				t.Errorf("explaining a route called a model: %s %s", r.Method, r.Path)
			}
		}
	}
}

// status is the switchyard/status notification.
type status struct {
	Model     string `json:"model"`
	Provider  string `json:"provider"`
	Online    bool   `json:"online"`
	LastError string `json:"lastError"`
	// The same value under the name the router once used: no longer sent.
	LastErr string `json:"last_error"`
}

func statuses(s *session) []status {
	var out []status
	for _, n := range s.Notifications("switchyard/status") {
		var st status
		_ = json.Unmarshal(n.Params, &st)
		out = append(out, st)
	}
	return out
}

// With the remote provider refusing connections, a completion falls back
// to the local runner, and the editor is told the machine is offline,
// which model answered and what failed; a second completion that changes
// none of that sends no new status.
func TestStatusGoesOfflineWhenRemoteRefuses(t *testing.T) {
	local := providertest.NewOpenAIFixed(t, "Println(x)")
	s := start(t, routeConfig(local.URL, refusedURL(t), `
[routes]
completion = ["big", "coder"]
`), lsptest.InitOptions{})
	d := s.open(t, "main.go", "package main\n\nfunc main() {\n\tfmt.‸\n}\n")

	list := s.inline(t, d)
	if len(list.Items) == 0 || list.Items[0].InsertText != "Println(x)" {
		t.Fatalf("items = %+v, want the local runner's answer", list.Items)
	}
	_, err := s.WaitNotification(timeout(t, 5*time.Second), "switchyard/status", func(n lsptest.Notification) bool {
		var st status
		_ = json.Unmarshal(n.Params, &st)
		return st.Model == "coder"
	})
	if err != nil {
		t.Fatalf("no status naming the local model: %v (got %+v)", err, statuses(s))
	}
	all := statuses(s)
	last := all[len(all)-1]
	if last.Model != "coder" || last.Provider != "local" || last.Online {
		t.Errorf("last status %+v, want coder via local, offline", last)
	}
	if !strings.Contains(last.LastError, "cloud") || last.LastErr != "" {
		t.Errorf("last status %+v, want lastError naming the refused provider, and no last_error", last)
	}
	if !slices.ContainsFunc(all, func(st status) bool { return !st.Online && st.Model == "" }) {
		t.Errorf("statuses %+v: the editor was not told it went offline before the fallback answered", all)
	}

	n := len(all)
	list = s.inline(t, d)
	if len(list.Items) == 0 {
		t.Fatal("no second completion")
	}
	// A status, were one sent, would be written before the reply.
	if got := statuses(s); len(got) != n {
		t.Errorf("a completion that changed nothing sent a status: %+v", got[n:])
	}
}
