package assist

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
)

// quick is a configuration without debounce, so tests do not wait.
func quick() config.Completion {
	return config.Completion{MaxPrefixTokens: 256, MaxSuffixTokens: 128, MaxTokens: 64, CacheSize: 16, MultiLine: "auto"}
}

// at builds a request from text with "|" marking the cursor.
func at(text string) CompletionRequest {
	i := strings.Index(text, "|")
	return CompletionRequest{
		Doc:    Document{URI: "file:///src/app/main.go", Path: "/home/u/src/app/main.go", LanguageID: "go", Version: 1, Text: text[:i] + text[i+1:]},
		Offset: i,
	}
}

func TestCompleteUsesFamilyTemplateAndStopsEarly(t *testing.T) {
	p := completerProvider{answering("b", "\n", "}\n", "func more() {}\n")}
	r := &fakeRouter{targets: []providers.Target{target("qwen", "qwen2.5-coder:7b", "", p)}}
	e := NewEngine(r, quick(), nil)

	got, err := e.Complete(context.Background(), at("func add(a, b int) int {\n\treturn a + |\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Text != "b" {
		t.Fatalf("suggestions = %+v, want one with text \"b\"", got)
	}
	s := got[0]
	if s.Model != "qwen" || s.Provider != "local" || s.Cached || s.Start != s.End {
		t.Errorf("suggestion = %+v", s)
	}
	if len(p.prompts) != 1 {
		t.Fatalf("completion requests = %d, want 1", len(p.prompts))
	}
	want := "<|file_sep|>src/app/main.go\n<|fim_prefix|>func add(a, b int) int {\n\treturn a + <|fim_suffix|>\n}\n<|fim_middle|>"
	if p.prompts[0].Prompt != want {
		t.Errorf("prompt =\n%q\nwant\n%q", p.prompts[0].Prompt, want)
	}
	if n := p.last.read(); n != 2 {
		t.Errorf("read %d pieces, want 2: the answer was complete at the newline", n)
	}
	if !p.last.isClosed() {
		t.Error("stream not closed")
	}
	if need := r.needs[0]; need.Task != config.TaskCompletion || len(need.Paths) != 1 || need.Paths[0] != "/home/u/src/app/main.go" || need.PromptTokens <= 0 {
		t.Errorf("need = %+v", need)
	}
}

// TestCompleteStopsReading checks that no piece is read once the answer
// is complete, and that the stream is closed.
func TestCompleteStopsReading(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		pieces    []string
		maxTokens int
		want      string
		read      int
	}{
		{"single line at first newline", "x := foo(|)\n", []string{"a", ", b", ")", "\n", "y := 2", "\n"}, 64, "a, b", 4},
		{"multi line at block end", "func f() {\n\t|\n}\n", []string{"x := 1", "\n", "\treturn x", "\n", "}", "\n", "func g() {"}, 64, "x := 1\n\treturn x", 5},
		{"multi line after opener keeps missing closer", "if ok {|\n\nfunc g() {}\n", []string{"\n", "\tgo()", "\n", "}", "\n", "\n", "more"}, 64, "\n\tgo()\n}", 5},
		{"token limit", "func f() {\n\t|\n}\n", []string{"aaaa", "bbbb", "cccc", "dddd", "eeee", "ffff"}, 3, "aaaabbbbcccc", 3},
		{"token limit drops half a line", "func f() {\n\t|\n}\n", []string{"a := 1\n", "\tb := ", "2\n", "\tc"}, 3, "a := 1", 2},
		{"leaked end token", "x := |\n", []string{"1", "<|endoftext|>", "package other"}, 64, "1", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := completerProvider{answering(tc.pieces...)}
			r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:1.5b", "", p)}}
			cfg := quick()
			cfg.MaxTokens = tc.maxTokens
			got, err := NewEngine(r, cfg, nil).Complete(context.Background(), at(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Text != tc.want {
				t.Fatalf("got %+v, want %q", got, tc.want)
			}
			if n := p.last.read(); n != tc.read {
				t.Errorf("read %d pieces, want %d", n, tc.read)
			}
			if !p.last.isClosed() {
				t.Error("stream not closed")
			}
		})
	}
}

func TestCompleteCacheTypedAhead(t *testing.T) {
	p := completerProvider{answering("intln(x)", "\n")}
	r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:7b", "", p)}}
	e := NewEngine(r, quick(), nil)
	ctx := context.Background()

	first, err := e.Complete(ctx, at("func f(x int) {\n\tfmt.Pr|\n}\n"))
	if err != nil || len(first) != 1 || first[0].Text != "intln(x)" {
		t.Fatalf("first = %+v, %v", first, err)
	}
	calls := r.calls.Load()

	tests := []struct{ doc, want string }{
		{"func f(x int) {\n\tfmt.Pr|\n}\n", "intln(x)"}, // same position
		{"func f(x int) {\n\tfmt.Pri|\n}\n", "ntln(x)"}, // one character typed
		{"func f(x int) {\n\tfmt.Print|\n}\n", "ln(x)"}, // more typed
		{"func f(x int) {\n\tfmt.Println(|\n}\n", "x)"}, // into the brackets
	}
	for _, tc := range tests {
		got, err := e.Complete(ctx, at(tc.doc))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Text != tc.want || !got[0].Cached || got[0].Model != "q" {
			t.Errorf("%q: got %+v, want cached %q", tc.doc, got, tc.want)
		}
	}
	if n := r.calls.Load(); n != calls {
		t.Errorf("model calls = %d after typing ahead, want %d", n, calls)
	}

	// Typing something else is a miss.
	if _, err := e.Complete(ctx, at("func f(x int) {\n\tfmt.Pra|\n}\n")); err != nil {
		t.Fatal(err)
	}
	if n := r.calls.Load(); n != calls+1 {
		t.Errorf("model calls = %d after typing off the suggestion, want %d", n, calls+1)
	}
}

func TestCompleteDebounceCollapsesBurst(t *testing.T) {
	p := completerProvider{answering("1", "\n")}
	r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:7b", "", p)}}
	cfg := quick()
	cfg.Debounce = config.Duration(300 * time.Millisecond)
	e := NewEngine(r, cfg, nil)

	// Each keystroke cancels the previous request, as the server does.
	typed := []string{"x|\n", "x |\n", "x :|\n", "x :=|\n", "x := |\n"}
	errs := make([]error, len(typed))
	results := make([][]Suggestion, len(typed))
	var wg sync.WaitGroup
	var cancelPrev context.CancelFunc
	for i, doc := range typed {
		ctx, cancel := context.WithCancel(context.Background())
		if cancelPrev != nil {
			cancelPrev()
		}
		cancelPrev = cancel
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.Complete(ctx, at(doc))
		}()
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	cancelPrev()
	if n := r.calls.Load(); n != 1 {
		t.Errorf("model calls = %d for a burst of %d keystrokes, want 1", n, len(typed))
	}
	for i := range typed[:len(typed)-1] {
		if !errors.Is(errs[i], context.Canceled) {
			t.Errorf("request %d: err = %v, want context.Canceled", i, errs[i])
		}
	}
	if last := results[len(typed)-1]; len(last) != 1 || last[0].Text != "1" {
		t.Errorf("last request got %+v, %v", last, errs[len(typed)-1])
	}
}

func TestCompleteInvokedSkipsDebounce(t *testing.T) {
	p := completerProvider{answering("1", "\n")}
	r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:7b", "", p)}}
	cfg := quick()
	cfg.Debounce = config.Duration(time.Hour)
	e := NewEngine(r, cfg, nil)
	req := at("x := |\n")
	req.Invoked = true
	done := make(chan struct{})
	go func() {
		defer close(done)
		if got, err := e.Complete(context.Background(), req); err != nil || len(got) != 1 {
			t.Errorf("got %+v, %v", got, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("an invoked completion waited for the debounce")
	}
}

func TestCompleteTimeout(t *testing.T) {
	var s *fakeStream
	p := completerProvider{&fakeProvider{name: "slow", answer: func() *fakeStream {
		s = newStream("x")
		s.hang = true
		return s
	}}}
	r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:7b", "", p)}}
	cfg := quick()
	cfg.Timeout = config.Duration(50 * time.Millisecond)
	began := time.Now()
	_, err := NewEngine(r, cfg, nil).Complete(context.Background(), at("x := |\n"))
	if providers.KindOf(err) != providers.KindTimeout || !strings.Contains(err.Error(), "timeout in [completion]") {
		t.Fatalf("err = %v, want a timeout naming the setting", err)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("took %s with a 50ms timeout", d)
	}
	if !s.isClosed() {
		t.Error("stream not closed at the deadline")
	}
}

func TestCompleteCancelClosesStream(t *testing.T) {
	var s *fakeStream
	started := make(chan struct{})
	p := completerProvider{&fakeProvider{name: "slow", answer: func() *fakeStream {
		s = newStream()
		s.hang = true
		close(started)
		return s
	}}}
	r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:7b", "", p)}}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := NewEngine(r, quick(), nil).Complete(ctx, at("x := |\n"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !s.isClosed() {
		t.Error("stream not closed on cancel")
	}
}

func TestCompleteErrors(t *testing.T) {
	limited := &providers.Error{Provider: "openai", Kind: providers.KindRateLimited, Status: 429, RetryAfter: time.Second}
	p := &fakeProvider{name: "openai", err: limited}
	r := &fakeRouter{targets: []providers.Target{target("gpt", "gpt-4o-mini", "", p)}}
	_, err := NewEngine(r, quick(), nil).Complete(context.Background(), at("x := |\n"))
	var pe *providers.Error
	if !errors.As(err, &pe) || pe != limited {
		t.Errorf("err = %v, want the provider's error as it was", err)
	}

	e := NewEngine(r, quick(), nil)
	req := at("é|")
	req.Offset = 1 // inside the two bytes of "é"
	if _, err := e.Complete(context.Background(), req); err == nil {
		t.Error("an offset inside a character was accepted")
	}
	req.Offset = 99
	if _, err := e.Complete(context.Background(), req); err == nil {
		t.Error("an offset past the end was accepted")
	}
}

func TestCompleteShapes(t *testing.T) {
	tests := []struct {
		name     string
		provider func(*fakeProvider) providers.Provider
		id, fim  string
		answer   []string
		check    func(t *testing.T, p *fakeProvider)
		want     string
	}{
		{
			name:     "no completer falls back to chat",
			provider: func(p *fakeProvider) providers.Provider { return p },
			id:       "qwen2.5-coder:7b",
			answer:   []string{"Sure! Here's the completion:\n", "```go\n", "\treturn a + b\n", "```\n", "Hope this helps."},
			check: func(t *testing.T, p *fakeProvider) {
				if len(p.chats) != 1 {
					t.Fatalf("chat requests = %d", len(p.chats))
				}
				m := p.chats[0].Messages
				if len(m) != 2 || m[0].Role != providers.RoleSystem || m[1].Role != providers.RoleUser ||
					!strings.Contains(m[1].Content, "int {\n\treturn a + "+holeMarker+"\n}") ||
					!strings.Contains(m[0].Content, "only the code") {
					t.Errorf("chat messages = %+v", m)
				}
			},
			want: "b",
		},
		{
			name:     "native",
			provider: func(p *fakeProvider) providers.Provider { return fimProvider{p} },
			id:       "some-model", fim: "native",
			answer: []string{"b", "\n"},
			check: func(t *testing.T, p *fakeProvider) {
				if len(p.fims) != 1 || p.fims[0].Prefix != "func add(a, b int) int {\n\treturn a + " || p.fims[0].Suffix != "\n}\n" || p.fims[0].Model != "some-model" {
					t.Errorf("fim requests = %+v", p.fims)
				}
			},
			want: "b",
		},
		{
			name:     "native without the interface falls back to chat",
			provider: func(p *fakeProvider) providers.Provider { return completerProvider{p} },
			id:       "some-model", fim: "native",
			answer: []string{"b"},
			check: func(t *testing.T, p *fakeProvider) {
				if len(p.chats) != 1 || len(p.prompts) != 0 {
					t.Errorf("chats %d, prompts %d", len(p.chats), len(p.prompts))
				}
			},
			want: "b",
		},
		{
			name:     "none forces chat",
			provider: func(p *fakeProvider) providers.Provider { return fullProvider{p} },
			id:       "qwen2.5-coder:7b", fim: "none",
			answer: []string{"b"},
			check: func(t *testing.T, p *fakeProvider) {
				if len(p.chats) != 1 {
					t.Errorf("chats %d", len(p.chats))
				}
			},
			want: "b",
		},
		{
			name:     "unknown family gets chat",
			provider: func(p *fakeProvider) providers.Provider { return fullProvider{p} },
			id:       "gpt-4o-mini",
			answer:   []string{"\treturn a + b"},
			check: func(t *testing.T, p *fakeProvider) {
				if len(p.chats) != 1 || len(p.prompts)+len(p.fims) != 0 {
					t.Errorf("chats %d prompts %d fims %d", len(p.chats), len(p.prompts), len(p.fims))
				}
			},
			want: "b",
		},
		{
			name:     "family setting overrides the id",
			provider: func(p *fakeProvider) providers.Provider { return fullProvider{p} },
			id:       "my-finetune", fim: "codestral",
			answer: []string{"b"},
			check: func(t *testing.T, p *fakeProvider) {
				if len(p.prompts) != 1 || !strings.HasPrefix(p.prompts[0].Prompt, "[SUFFIX]") {
					t.Errorf("prompts %+v", p.prompts)
				}
			},
			want: "b",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fp := answering(tc.answer...)
			r := &fakeRouter{targets: []providers.Target{target("m", tc.id, tc.fim, tc.provider(fp))}}
			got, err := NewEngine(r, quick(), nil).Complete(context.Background(), at("func add(a, b int) int {\n\treturn a + |\n}\n"))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Text != tc.want {
				t.Errorf("got %+v, want %q", got, tc.want)
			}
			tc.check(t, fp)
		})
	}
}

func TestCompleteReportsTheTargetThatAnswered(t *testing.T) {
	down := &fakeProvider{name: "remote", err: &providers.Error{Provider: "remote", Kind: providers.KindServer, Status: 503}}
	up := completerProvider{answering("1", "\n")}
	up.name = "local"
	r := &fakeRouter{targets: []providers.Target{
		target("codestral", "codestral-latest", "", completerProvider{down}),
		target("qwen", "qwen2.5-coder:7b", "", up),
	}}
	got, err := NewEngine(r, quick(), nil).Complete(context.Background(), at("x := |\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Model != "qwen" || got[0].Provider != "local" {
		t.Errorf("got %+v, want the answer of qwen on local", got)
	}
	if len(up.prompts) != 1 || !strings.HasPrefix(up.prompts[0].Prompt, "<|file_sep|>") {
		t.Errorf("the fallback target got %+v, want its own family's prompt", up.prompts)
	}
}

func TestCompleteNoSuggestion(t *testing.T) {
	p := completerProvider{answering("  ", "\n", "\t\n")}
	r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:7b", "", p)}}
	got, err := NewEngine(r, quick(), nil).Complete(context.Background(), at("x := foo(|)\n"))
	if err != nil || len(got) != 0 {
		t.Errorf("got %+v, %v; want nothing for a whitespace answer", got, err)
	}
}

func TestUpdateWhileInFlight(t *testing.T) {
	called, release := make(chan struct{}), make(chan struct{})
	slow := completerProvider{&fakeProvider{name: "old", answer: func() *fakeStream {
		close(called)
		<-release
		return newStream("1", "\n")
	}}}
	r1 := &fakeRouter{targets: []providers.Target{target("old", "qwen2.5-coder:7b", "", slow)}}
	r2 := &fakeRouter{targets: []providers.Target{target("new", "qwen2.5-coder:7b", "", completerProvider{answering("2", "\n")})}}
	e := NewEngine(r1, quick(), nil)

	var wg sync.WaitGroup
	wg.Add(1)
	var first []Suggestion
	go func() {
		defer wg.Done()
		first, _ = e.Complete(context.Background(), at("x := |\n"))
	}()
	<-called
	e.Update(r2, quick())
	close(release)
	wg.Wait()
	if len(first) != 1 || first[0].Model != "old" {
		t.Errorf("in-flight request got %+v, want the old route's answer", first)
	}
	got, err := e.Complete(context.Background(), at("y := |\n"))
	if err != nil || len(got) != 1 || got[0].Model != "new" {
		t.Errorf("after Update got %+v, %v; want the new route", got, err)
	}
}

// cache_size = 0 is documented to turn the cache off: every request goes
// to the model, even at the same position.
func TestCompleteCacheSizeZeroTurnsCacheOff(t *testing.T) {
	p := completerProvider{answering("intln(x)", "\n")}
	r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:7b", "", p)}}
	cfg := quick()
	cfg.CacheSize = 0
	e := NewEngine(r, cfg, nil)
	for i := range 3 {
		got, err := e.Complete(context.Background(), at("func f(x int) {\n\tfmt.Pr|\n}\n"))
		if err != nil || len(got) != 1 || got[0].Cached {
			t.Fatalf("request %d: got %+v, %v; want a fresh suggestion", i+1, got, err)
		}
	}
	if n := r.calls.Load(); n != 3 {
		t.Errorf("model calls = %d, want 3 with the cache off", n)
	}
}
