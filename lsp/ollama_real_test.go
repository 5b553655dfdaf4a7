package lsp_test

// The built switchyard binary against a real Ollama (built by .ci/ollama)
// serving a tiny model of random weights. Its text is nonsense: these
// tests assert what the editor sees (a suggestion every time, no error
// pop-up, the status) and what the runner reports, not the words.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
	"switchyard/providers/ollama/ollamatest"
)

// realKeystrokes is how many consecutive completions, one per keystroke,
// each path must answer.
const realKeystrokes = 50

// realSession starts the server with cfg ("" for none: zero
// configuration) and the log at debug level in a file, pointed at srv by
// OLLAMA_HOST as a user who moved Ollama would.
func realSession(t *testing.T, srv *ollamatest.Server, cfg string) (*session, func() string) {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "switchyard.log")
	opts := lsptest.Options{
		Args: []string{"serve", "--stdio", "--log-file", logFile, "--log-level", "debug"},
		Env:  []string{"OLLAMA_HOST=" + srv.Host, "SWITCHYARD_CONFIG=", "SWITCHYARD_NO_DETECT="},
	}
	if cfg != "" {
		opts.Config = writeConfig(t, cfg)
	}
	c := lsptest.Start(t, opts)
	dir := t.TempDir()
	if _, err := c.Initialize(timeout(t, 20*time.Second), lsptest.InitOptions{RootURI: fileURI(dir)}); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	readLog := func() string {
		b, _ := os.ReadFile(logFile)
		return string(b)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("switchyard log:\n%s", readLog())
			t.Logf("ollama log (last lines):\n%s", lastLines(srv.Log(), 40))
		}
	})
	return &session{Client: c, dir: dir}, readLog
}

// typeAway opens a Go file and asks for an inline completion after each
// of n keystrokes, one at a time, and returns how many came back empty.
func typeAway(t *testing.T, s *session, n int) (empty int) {
	t.Helper()
	const typed = "total := 0\n\tfor _, v := range values {\n\t\ttotal += v\n\t}\n\treturn total"
	head := "package sum\n\n// Sum adds values.\nfunc Sum(values []int) int {\n\t"
	tail := "\n}\n"
	d := s.open(t, "sum.go", head+"‸"+tail)
	for i := range n {
		k := 1 + i%len(typed)
		text := head + typed[:k] + tail
		if err := s.ChangeFull(d.uri, text); err != nil {
			t.Fatal(err)
		}
		list, err := s.InlineCompletion(timeout(t, 30*time.Second), d.uri, s.Pos(d.uri, len(head)+k))
		if err != nil {
			t.Fatalf("keystroke %d: inline completion: %v", i, err)
		}
		if list == nil || len(list.Items) == 0 || list.Items[0].InsertText == "" {
			empty++
			t.Logf("keystroke %d: no suggestion", i)
		}
	}
	return empty
}

// errorMessages are the error and warning pop-ups the editor was shown.
func errorMessages(s *session) []lsptest.ShowMessageParams {
	var out []lsptest.ShowMessageParams
	for _, m := range s.ShowMessages() {
		if m.Type == 1 || m.Type == 2 { // Error, Warning
			out = append(out, m)
		}
	}
	return out
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ollamaConfig is a configuration with one Ollama model for completion;
// typ "openai" reaches it through its OpenAI-compatible /v1.
func ollamaConfig(srv *ollamatest.Server, typ, model string) string {
	return ollamaConfigTokens(srv, typ, model, 16)
}

// ollamaConfigTokens is ollamaConfig with [completion] max_tokens set.
func ollamaConfigTokens(srv *ollamatest.Server, typ, model string, maxTokens int) string {
	base := srv.URL
	if typ == "openai" {
		base += "/v1"
	}
	return fmt.Sprintf(`[providers.local]
type = %q
base_url = %q
timeout = "30s"

[models.tiny]
provider = "local"
id = %q
fim = "native"
classes = ["completion", "local"]

[routes]
completion = ["tiny"]

[completion]
debounce = "0ms"
cache_size = 0
timeout = "30s"
max_tokens = %d
`, typ, base, model, maxTokens)
}

func TestRealOllamaZeroConfiguration(t *testing.T) {
	srv := ollamatest.Start(t, ollamatest.Options{})

	t.Run("doctor finds it", func(t *testing.T) {
		home := t.TempDir()
		// doctor probes Ollama; a runner that stopped answering must fail
		// the test here, not hold it until go test's timeout.
		bin := lsptest.Binary(t) // built once, before the clock starts
		ctx := timeout(t, 30*time.Second)
		cmd := exec.CommandContext(ctx, bin, "doctor")
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
			"SWITCHYARD_CONFIG=", "SWITCHYARD_NO_DETECT=", "OLLAMA_HOST="+srv.Host)
		out, _ := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("switchyard doctor did not finish within 30s:\n%s", out)
		}
		if !strings.Contains(string(out), srv.URL) || !strings.Contains(string(out), ollamatest.FIMModel) {
			t.Errorf("doctor does not list Ollama at %s with %s:\n%s", srv.URL, ollamatest.FIMModel, out)
		}
	})

	t.Run("completions from the first keystroke", func(t *testing.T) {
		s, _ := realSession(t, srv, "")
		if empty := typeAway(t, s, realKeystrokes); empty != 0 {
			t.Errorf("%d of %d completions came back empty", empty, realKeystrokes)
		}
		if msgs := errorMessages(s); len(msgs) != 0 {
			t.Errorf("the editor was shown %d error messages: %+v", len(msgs), msgs)
		}
	})
}

func TestRealOllamaCompletionPaths(t *testing.T) {
	srv := ollamatest.Start(t, ollamatest.Options{})
	for _, typ := range []string{"ollama", "openai"} {
		t.Run(typ, func(t *testing.T) {
			s, _ := realSession(t, srv, ollamaConfig(srv, typ, ollamatest.FIMModel))
			if empty := typeAway(t, s, realKeystrokes); empty != 0 {
				t.Errorf("%d of %d completions came back empty", empty, realKeystrokes)
			}
			if msgs := errorMessages(s); len(msgs) != 0 {
				t.Errorf("the editor was shown %d error messages: %+v", len(msgs), msgs)
			}
		})
	}

	// The stream Ollama ends without its final line, on either path: a
	// suggestion each time, and no pop-up.
	srv.CreateRepeating(t)
	for _, typ := range []string{"ollama", "openai"} {
		t.Run("answers Ollama stops at its repeat limit, "+typ, func(t *testing.T) {
			s, _ := realSession(t, srv, ollamaConfigTokens(srv, typ, ollamatest.RepeatingModel, 100))
			const n = 10
			if empty := typeAway(t, s, n); empty != 0 {
				t.Errorf("%d of %d completions came back empty", empty, n)
			}
			if msgs := errorMessages(s); len(msgs) != 0 {
				t.Errorf("the editor was shown %d error messages: %+v", len(msgs), msgs)
			}
			if !strings.Contains(srv.Log(), "token repeat limit reached") {
				t.Errorf("Ollama never reached its repeat limit: the test does not test what it says")
			}
		})
	}

	t.Run("a model without insert gets a chat prompt, and the log says why", func(t *testing.T) {
		s, readLog := realSession(t, srv, ollamaConfig(srv, "ollama", ollamatest.ChatModel))
		if empty := typeAway(t, s, 3); empty == 3 {
			t.Errorf("no suggestion through the chat prompt")
		}
		log := readLog()
		if !strings.Contains(log, "refused a prompt shape") || !strings.Contains(log, `no \"insert\" capability`) {
			t.Errorf("the log does not say why the model got a chat prompt:\n%s", lastLines(log, 30))
		}
		if !strings.Contains(log, `"prompt": "chat"`) && !strings.Contains(log, `"prompt":"chat"`) {
			t.Errorf("the log does not say the completion went through chat:\n%s", lastLines(log, 30))
		}
		if !strings.Contains(srv.Log(), "/api/chat") {
			t.Errorf("Ollama logged no /api/chat call")
		}
	})
}

func TestRealOllamaOffline(t *testing.T) {
	srv := ollamatest.Start(t, ollamatest.Options{})
	// api.openai.com is a real public name; where these tests run it does
	// not resolve, as on a laptop without a network.
	cfg := fmt.Sprintf(`[providers.cloud]
type = "openai"
base_url = "https://api.openai.com/v1"
api_key_env = "SWITCHYARD_TEST_FAKE_KEY"
timeout = "10s"

[providers.local]
type = "ollama"
base_url = %q
timeout = "30s"

[models.big]
provider = "cloud"
id = "gpt-5.2"
classes = ["completion", "coding", "frontier"]

[models.tiny]
provider = "local"
id = %q
classes = ["completion", "local"]

[routes]
completion = ["big", "tiny"]

[completion]
debounce = "0ms"
cache_size = 0
timeout = "30s"
max_tokens = 16
`, srv.URL, ollamatest.FIMModel)
	t.Setenv("SWITCHYARD_TEST_FAKE_KEY", "sk-test-not-a-key")
	s, _ := realSession(t, srv, cfg)
	d := s.open(t, "main.go", "package main\n\nfunc main() {\n\tx := ‸\n}\n")
	list := s.inline(t, d)
	if len(list.Items) == 0 || list.Items[0].InsertText == "" {
		t.Fatalf("the first completion offline: %+v, want the local runner's answer", list.Items)
	}
	_, err := s.WaitNotification(timeout(t, 5*time.Second), "switchyard/status", func(n lsptest.Notification) bool {
		var st status
		_ = json.Unmarshal(n.Params, &st)
		return st.Model == "tiny" && !st.Online
	})
	if err != nil {
		t.Errorf("no offline status naming the local model: %v (got %+v)", err, statuses(s))
	}
	if msgs := errorMessages(s); len(msgs) != 0 {
		t.Errorf("the editor was shown %d error messages: %+v", len(msgs), msgs)
	}
}
