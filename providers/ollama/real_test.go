package ollama_test

// Tests against a real Ollama (built by .ci/ollama) serving a tiny model
// of random weights: its text is nonsense, so they assert the paths (a
// non-empty answer, no error, what the runner reports), not the words.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/ollama"
	"switchyard/providers/ollama/ollamatest"
	"switchyard/providers/openai"
)

// realRequests is how many consecutive completions each path must answer.
const realRequests = 50

func realProvider(t *testing.T, srv *ollamatest.Server, opts map[string]any) *ollama.Provider {
	t.Helper()
	p, err := ollama.New("ollama", config.Provider{Type: "ollama", BaseURL: srv.URL, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// keystroke is the text around the cursor after the i-th keystroke in a
// small Go function, as an editor would send it one request at a time.
func keystroke(i int) (prefix, suffix string) {
	const body = "total := 0\n\tfor _, v := range values {\n\t\ttotal += v\n\t}\n\treturn total"
	n := 1 + i%len(body)
	return "package sum\n\n// Sum adds values.\nfunc Sum(values []int) int {\n\t" + body[:n], "\n}\n"
}

func TestRealOllama(t *testing.T) {
	srv := ollamatest.Start(t, ollamatest.Options{})

	t.Run("capabilities", func(t *testing.T) {
		p := realProvider(t, srv, nil)
		fim, err := p.Capabilities(context.Background(), ollamatest.FIMModel)
		if err != nil || !fim.Has(ollama.CapabilityCompletion) || !fim.Has(ollama.CapabilityInsert) {
			t.Errorf("%s: %+v, %v; want completion and insert", ollamatest.FIMModel, fim.Names, err)
		}
		chat, err := p.Capabilities(context.Background(), ollamatest.ChatModel)
		if err != nil || !chat.Has(ollama.CapabilityCompletion) || chat.Has(ollama.CapabilityInsert) {
			t.Errorf("%s: %+v, %v; want completion without insert", ollamatest.ChatModel, chat.Names, err)
		}
		if fim.ContextLength != ollamatest.ContextLength {
			t.Errorf("context length = %d, want %d", fim.ContextLength, ollamatest.ContextLength)
		}
	})

	v1, err := openai.New("ollama-v1", config.Provider{Type: "openai", BaseURL: srv.URL + "/v1", Timeout: config.Duration(30 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []struct {
		name string
		p    providers.FillInMiddler
	}{
		{"native fill-in-the-middle", realProvider(t, srv, nil)},
		{"OpenAI-compatible /v1", v1},
	} {
		t.Run(path.name, func(t *testing.T) {
			for i := range realRequests {
				prefix, suffix := keystroke(i)
				s, err := path.p.FillInMiddle(context.Background(), &providers.FIMRequest{
					Model: ollamatest.FIMModel, Prefix: prefix, Suffix: suffix, MaxTokens: 8})
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				got, err := providers.ReadAll(s)
				if err != nil || got == "" {
					t.Fatalf("request %d: %q, %v; want text", i, got, err)
				}
			}
		})
	}

	t.Run("a stream Ollama ends without its done line keeps its text", func(t *testing.T) {
		// A model that answers one token over and over: after 30 repeats
		// Ollama gives up on the answer and the HTTP body ends cleanly
		// without "done": true (llm/server.go, "token repeat limit
		// reached", at debug level).
		srv.CreateRepeating(t)
		const repeating = ollamatest.RepeatingModel
		body := map[string]any{"model": repeating, "prompt": "a", "raw": true, "options": map[string]any{"num_predict": 100}}
		text, done := rawGenerate(t, srv, "/api/generate", body)
		if done || text == "" {
			t.Fatalf("Ollama sent %q, done %v; want text without done", text, done)
		}
		if !srv.WaitLog("token repeat limit reached", 5*time.Second) {
			t.Errorf("the stream ended without done, but Ollama's log does not say why")
		}
		p := realProvider(t, srv, nil)
		s, err := p.Complete(context.Background(), &providers.CompletionRequest{Model: repeating, Prompt: "a", MaxTokens: 100})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := providers.ReadAll(s); err != nil || got != text {
			t.Errorf("native: %q, %v; want Ollama's text %q and no error", got, err, text)
		}
		v1, err := openai.New("ollama-v1", config.Provider{Type: "openai", BaseURL: srv.URL + "/v1"})
		if err != nil {
			t.Fatal(err)
		}
		s, err = v1.FillInMiddle(context.Background(), &providers.FIMRequest{Model: repeating, Prefix: "a", Suffix: "b", MaxTokens: 100})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := providers.ReadAll(s); err != nil || got == "" {
			t.Errorf("/v1: %q, %v; want text and no error", got, err)
		}
	})

	t.Run("cancel stops generation in the runner", func(t *testing.T) {
		p := realProvider(t, srv, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// num_predict is capped by Ollama at 10 × num_ctx, 20480 tokens:
		// tens of seconds of generation here.
		s, err := p.FillInMiddle(ctx, &providers.FIMRequest{
			Model: ollamatest.FIMModel, Prefix: "func f() {", Suffix: "}", MaxTokens: 100000, Temperature: ptr(1.5)})
		if err != nil {
			t.Fatal(err)
		}
		if piece, err := s.Next(); err != nil || piece == "" {
			t.Fatalf("first piece = %q, %v", piece, err)
		}
		cancel()
		s.Close()
		// The runner has one slot (OLLAMA_NUM_PARALLEL=1): the next answer
		// can begin only once the cancelled one has left it. Had it gone on
		// generating, this would wait for all of its tokens.
		next, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		s, err = p.FillInMiddle(next, &providers.FIMRequest{Model: ollamatest.FIMModel, Prefix: "x", Suffix: "y", MaxTokens: 1})
		if err != nil {
			t.Fatalf("the next request: %v", err)
		}
		if _, err := providers.ReadAll(s); err != nil {
			t.Fatalf("the next request, while the runner still held the cancelled one: %v", err)
		}
	})

	t.Run("keep_alive reaches the runner", func(t *testing.T) {
		for _, tt := range []struct {
			opts map[string]any
			want time.Duration
		}{
			{nil, 30 * time.Minute}, // DefaultKeepAlive
			{map[string]any{"keep_alive": "2h"}, 2 * time.Hour},
		} {
			p := realProvider(t, srv, tt.opts)
			if err := p.Warm(context.Background(), ollamatest.FIMModel); err != nil {
				t.Fatal(err)
			}
			var loaded *ollamatest.Loaded
			for _, m := range srv.PS(t) {
				if m.Name == ollamatest.FIMModel {
					loaded = &m
				}
			}
			if loaded == nil {
				t.Fatalf("after Warm, /api/ps does not list %s", ollamatest.FIMModel)
			}
			if left := time.Until(loaded.ExpiresAt); left < tt.want-time.Minute || left > tt.want {
				t.Errorf("keep_alive %v: the model expires in %v, want about %v", tt.opts, left.Round(time.Second), tt.want)
			}
		}
	})

	t.Run("a model without insert is refused before generation", func(t *testing.T) {
		p := realProvider(t, srv, nil)
		// Ollama logs a request when it ends, so a generation cancelled in
		// an earlier subtest can still show up: count once the log is
		// quiet, and again after it has had time to log a call.
		before := quietCount(t, srv, "/api/generate")
		_, err := p.FillInMiddle(context.Background(), &providers.FIMRequest{Model: ollamatest.ChatModel, Prefix: "a", Suffix: "b"})
		if providers.KindOf(err) != providers.KindUnsupported || !strings.Contains(err.Error(), `"insert"`) {
			t.Fatalf("err = %v, want unsupported naming the insert capability", err)
		}
		if after := quietCount(t, srv, "/api/generate"); after != before {
			t.Errorf("Ollama logged %d generate calls for a refused request", after-before)
		}
		s, err := p.Chat(context.Background(), &providers.ChatRequest{Model: ollamatest.ChatModel, MaxTokens: 8,
			Messages: []providers.Message{{Role: providers.RoleUser, Content: "Complete: x :="}}})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := providers.ReadAll(s); err != nil || got == "" {
			t.Errorf("chat = %q, %v; want text", got, err)
		}
	})
}

// rawGenerate posts body to path with streaming on and returns
// the text and whether a line said done.
func rawGenerate(t *testing.T, srv *ollamatest.Server, path string, body map[string]any) (string, bool) {
	t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/generate: %s", resp.Status)
	}
	var text strings.Builder
	done := false
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var l struct {
			Response string `json:"response"`
			Done     bool   `json:"done"`
			Error    string `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Bytes(), err)
		}
		if l.Error != "" {
			t.Fatalf("error line: %s", l.Error)
		}
		text.WriteString(l.Response)
		done = done || l.Done
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading the stream: %v", err)
	}
	return text.String(), done
}

func ptr[T any](v T) *T { return &v }

// BenchmarkRealFillInMiddle measures one native fill-in-the-middle answer
// of 8 tokens from the real runner and the tiny random model, one thread:
// the cost of the path (HTTP, Ollama's scheduler, the runner), not of a
// useful model.
func BenchmarkRealFillInMiddle(b *testing.B) {
	srv := ollamatest.Start(b, ollamatest.Options{})
	p, err := ollama.New("ollama", config.Provider{Type: "ollama", BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Warm(ctx, ollamatest.FIMModel); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		prefix, suffix := keystroke(i)
		s, err := p.FillInMiddle(ctx, &providers.FIMRequest{Model: ollamatest.FIMModel, Prefix: prefix, Suffix: suffix, MaxTokens: 8})
		if err != nil {
			b.Fatal(err)
		}
		if got, err := providers.ReadAll(s); err != nil || got == "" {
			b.Fatalf("%q, %v", got, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "completions/s")
}

// quietCount counts what in the server's log contains what, once the
// count has not changed for half a second (at most 10 s).
func quietCount(t *testing.T, srv *ollamatest.Server, what string) int {
	t.Helper()
	n := strings.Count(srv.Log(), what)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		m := strings.Count(srv.Log(), what)
		if m == n {
			return n
		}
		n = m
	}
	return n
}
