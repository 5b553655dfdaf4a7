package ollama_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/ollama"
	"switchyard/providers/providertest"
)

var (
	coder  = providertest.OllamaModel{Name: "qwen2.5-coder:7b", Capabilities: []string{"completion", "insert"}, ContextLength: 32768, Family: "qwen2"}
	vision = providertest.OllamaModel{Name: "llava:7b", Capabilities: []string{"completion", "vision"}}
	chatty = providertest.OllamaModel{Name: "llama3.1:8b", Capabilities: []string{"completion", "tools"}}
	old    = providertest.OllamaModel{Name: "codellama:7b-code"} // server too old to list capabilities
)

func newProvider(t *testing.T, f *providertest.Ollama, opts map[string]any) *ollama.Provider {
	t.Helper()
	p, err := ollama.New("local", config.Provider{Type: "ollama", BaseURL: f.URL, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func temp(v float64) *float64 { return &v }

func TestChatStreamsTextAndSendsDocumentedBody(t *testing.T) {
	f := providertest.NewOllama(t, vision)
	f.Enqueue(providertest.OllamaReply{Pieces: []string{"A red ", "button."}})
	p := newProvider(t, f, nil)

	png := []byte("\x89PNG\r\n\x1a\nfake")
	s, err := p.Chat(context.Background(), &providers.ChatRequest{
		Model: "llava:7b",
		Messages: []providers.Message{
			{Role: providers.RoleSystem, Content: "Be brief."},
			{Role: providers.RoleUser, Content: "What is this?", Images: []providers.Image{{MIME: "image/png", Data: png}}},
		},
		MaxTokens:   64,
		Temperature: temp(0.2),
		Stop:        []string{"\n\n"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := providers.ReadAll(s)
	if err != nil || got != "A red button." {
		t.Fatalf("ReadAll = %q, %v; want %q", got, err, "A red button.")
	}

	var chat *providertest.OllamaRequest
	for _, r := range f.Requests() {
		if r.Path == "/api/chat" {
			chat = &r
		}
	}
	if chat == nil {
		t.Fatal("no /api/chat request")
	}
	b := chat.Body
	check(t, "model", b["model"], "llava:7b")
	check(t, "stream", b["stream"], true)
	check(t, "keep_alive", b["keep_alive"], "30m")
	check(t, "options", b["options"], map[string]any{"num_predict": 64.0, "temperature": 0.2, "stop": []any{"\n\n"}})
	msgs, _ := b["messages"].([]any)
	if len(msgs) != 2 {
		t.Fatalf("messages = %v, want 2", b["messages"])
	}
	check(t, "messages[0]", msgs[0], map[string]any{"role": "system", "content": "Be brief."})
	check(t, "messages[1]", msgs[1], map[string]any{"role": "user", "content": "What is this?",
		"images": []any{base64.StdEncoding.EncodeToString(png)}})
}

func TestCompleteIsRawGenerate(t *testing.T) {
	f := providertest.NewOllama(t, coder)
	f.Enqueue(providertest.OllamaReply{Pieces: []string{"return a + b", "\n}"}})
	p := newProvider(t, f, map[string]any{"keep_alive": int64(-1)})

	s, err := p.Complete(context.Background(), &providers.CompletionRequest{
		Model: "qwen2.5-coder:7b", Prompt: "<|fim_prefix|>func add(a, b int) int {\n\t<|fim_suffix|>\n<|fim_middle|>",
	})
	if err != nil {
		t.Fatal(err)
	}
	// The answer comes whole (see TestCompletionsAskForTheWholeAnswer).
	if got, err := providertest.ReadPieces(s); err != nil || !reflect.DeepEqual(got, []string{"return a + b\n}"}) {
		t.Fatalf("pieces = %q, %v; want the whole answer in one", got, err)
	}
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/api/generate" {
		t.Fatalf("requests = %+v, want one /api/generate and no /api/show", reqs)
	}
	b := reqs[0].Body
	check(t, "raw", b["raw"], true)
	check(t, "prompt", b["prompt"], "<|fim_prefix|>func add(a, b int) int {\n\t<|fim_suffix|>\n<|fim_middle|>")
	check(t, "keep_alive", b["keep_alive"], -1.0)
	check(t, "stream", b["stream"], false)
	if _, ok := b["suffix"]; ok {
		t.Errorf("suffix sent on a raw completion: %v", b["suffix"])
	}
	if _, ok := b["options"]; ok {
		t.Errorf("options sent with nothing set: %v", b["options"])
	}
}

func TestFillInMiddleSendsSuffix(t *testing.T) {
	f := providertest.NewOllama(t, coder)
	f.Enqueue(providertest.OllamaReply{Pieces: []string{"a + b"}}, providertest.OllamaReply{Pieces: []string{"x"}})
	p := newProvider(t, f, map[string]any{"keep_alive": "2h"})

	req := &providers.FIMRequest{
		Model: "qwen2.5-coder:7b", Prefix: "func add(a, b int) int {\n\treturn ", Suffix: "\n}\n",
		Extra:     []providers.ContextFile{{Path: "util.go", Text: "package util\n"}},
		MaxTokens: 32, Temperature: temp(0), Stop: []string{"\n\n"},
	}
	s, err := p.FillInMiddle(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providers.ReadAll(s); err != nil || got != "a + b" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	// The capability answer is remembered: a second call asks /api/show no more.
	s, err = p.FillInMiddle(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if n := f.Count("/api/show"); n != 1 {
		t.Errorf("/api/show called %d times, want 1", n)
	}
	var gen providertest.OllamaRequest
	for _, r := range f.Requests() {
		if r.Path == "/api/generate" {
			gen = r
			break
		}
	}
	b := gen.Body
	check(t, "model", b["model"], "qwen2.5-coder:7b")
	check(t, "prompt", b["prompt"], "func add(a, b int) int {\n\treturn ")
	check(t, "suffix", b["suffix"], "\n}\n")
	check(t, "keep_alive", b["keep_alive"], "2h")
	check(t, "stream", b["stream"], false)
	check(t, "options", b["options"], map[string]any{"num_predict": 32.0, "temperature": 0.0, "stop": []any{"\n\n"}})
	if _, ok := b["raw"]; ok {
		t.Errorf("raw sent with a suffix: Ollama must apply the model's template")
	}
}

func TestCapabilityRefusalsMakeNoGenerateCall(t *testing.T) {
	f := providertest.NewOllama(t, chatty, coder)
	p := newProvider(t, f, nil)
	ctx := context.Background()

	_, err := p.FillInMiddle(ctx, &providers.FIMRequest{Model: "llama3.1:8b", Prefix: "a", Suffix: "b"})
	if providers.KindOf(err) != providers.KindUnsupported || !strings.Contains(err.Error(), "fill-in-the-middle") {
		t.Errorf("FIM on a model without insert: %v, want unsupported naming fill-in-the-middle", err)
	}
	_, err = p.Chat(ctx, &providers.ChatRequest{Model: "qwen2.5-coder:7b", Messages: []providers.Message{
		{Role: providers.RoleUser, Content: "build this", Images: []providers.Image{{MIME: "image/png", Data: []byte("png")}}},
	}})
	if providers.KindOf(err) != providers.KindUnsupported || !strings.Contains(err.Error(), "images") {
		t.Errorf("images on a model without vision: %v, want unsupported naming images", err)
	}
	if n := f.Count("/api/generate") + f.Count("/api/chat"); n != 0 {
		t.Errorf("%d generation requests made, want 0", n)
	}
}

func TestOldServerWithoutCapabilitiesIsTrusted(t *testing.T) {
	f := providertest.NewOllama(t, old)
	f.Enqueue(providertest.OllamaReply{Status: http.StatusBadRequest, Message: `"codellama:7b-code" does not support insert`})
	p := newProvider(t, f, nil)
	_, err := p.FillInMiddle(context.Background(), &providers.FIMRequest{Model: old.Name, Prefix: "a", Suffix: "b"})
	if f.Count("/api/generate") != 1 {
		t.Fatalf("no generate call for a model whose capabilities are unknown")
	}
	if providers.KindOf(err) != providers.KindUnsupported {
		t.Errorf("server's own refusal: %v, want unsupported", err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name     string
		model    string
		reply    providertest.OllamaReply
		kind     providers.Kind
		say      string // the error must say this
		partial  string // text before the error
		retryAft time.Duration
	}{
		{name: "model not pulled", model: "missing:latest", kind: providers.KindNotFound, say: "ollama pull missing:latest"},
		{name: "server error", reply: providertest.OllamaReply{Status: 500, Message: "llama runner process has terminated: signal: killed"},
			kind: providers.KindServer, say: "llama runner process has terminated"},
		{name: "busy", reply: providertest.OllamaReply{Status: 503, Message: "server busy, please try again.  maximum pending requests exceeded"},
			kind: providers.KindServer, say: "server busy"},
		{name: "rate limited", reply: providertest.OllamaReply{Status: 429, Message: "too many requests", Header: http.Header{"Retry-After": {"7"}}},
			kind: providers.KindRateLimited, retryAft: 7 * time.Second},
		{name: "bad request", reply: providertest.OllamaReply{Status: 400, Message: "invalid options"},
			kind: providers.KindBadRequest, say: "invalid options"},
		{name: "unauthorized proxy", reply: providertest.OllamaReply{Status: 401, Message: "unauthorized"},
			kind: providers.KindAuth, say: "api_key_env"},
		{name: "error line mid-stream", reply: providertest.OllamaReply{Pieces: []string{"par"}, StreamError: true, Message: "an error was encountered while running the model: CUDA error"},
			kind: providers.KindServer, say: "CUDA error", partial: "par"},
		// Ollama ends a stream so when its runner stops an answer that
		// repeats one token: the text is the answer, not a failure.
		{name: "ended cleanly without the done line", reply: providertest.OllamaReply{Pieces: []string{"half"}, NoDone: true},
			kind: providers.KindUnknown, partial: "half"},
		{name: "connection cut", reply: providertest.OllamaReply{Pieces: []string{"half"}, Cut: true},
			kind: providers.KindServer, say: "stopped before", partial: "half"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := providertest.NewOllama(t, chatty)
			f.Enqueue(tt.reply)
			p := newProvider(t, f, nil)
			model := tt.model
			if model == "" {
				model = chatty.Name
			}
			s, err := p.Chat(context.Background(), chatHi(model))
			err = checkAnswer(t, s, err, tt.kind, tt.say, tt.partial)
			var pe *providers.Error
			if errors.As(err, &pe) && pe.RetryAfter != tt.retryAft {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.retryAft)
			}
		})
	}
}

func TestRefusedConnectionIsNetwork(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p, err := ollama.New("local", config.Provider{BaseURL: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Models(context.Background())
	if providers.KindOf(err) != providers.KindNetwork || !strings.Contains(err.Error(), "base_url") {
		t.Fatalf("err = %v, want network naming base_url", err)
	}
}

func chatHi(model string) *providers.ChatRequest {
	return &providers.ChatRequest{Model: model, Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}}
}

func TestCloseDisconnects(t *testing.T) {
	f := providertest.NewOllama(t, coder)
	f.Enqueue(providertest.OllamaReply{Pieces: []string{"first"}, Hang: true})
	p := newProvider(t, f, nil)
	s, err := p.Chat(context.Background(), chatHi(coder.Name))
	if err != nil {
		t.Fatal(err)
	}
	providertest.CheckClose(t, f, s, "first")
}

func TestCanceledContext(t *testing.T) {
	f := providertest.NewOllama(t, coder)
	f.Enqueue(providertest.OllamaReply{Pieces: []string{"first"}, Hang: true})
	p := newProvider(t, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := p.Chat(ctx, chatHi(coder.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Next()
	cancel()
	if _, err := s.Next(); providers.KindOf(err) != providers.KindCanceled {
		t.Errorf("Next after cancel = %v, want canceled", err)
	}
	if !f.WaitClosed(100 * time.Millisecond) {
		t.Error("cancelling the context did not drop the connection")
	}
}

func TestModelsCapabilitiesWarm(t *testing.T) {
	f := providertest.NewOllama(t, vision, coder)
	p := newProvider(t, f, nil)
	ctx := context.Background()

	ms, err := p.Models(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Name != "llava:7b" || ms[1].Name != "qwen2.5-coder:7b" || ms[1].Family != "qwen2" {
		t.Errorf("Models = %+v", ms)
	}

	c, err := p.Capabilities(ctx, coder.Name)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Has(ollama.CapabilityInsert) || c.Has(ollama.CapabilityVision) || c.ContextLength != 32768 {
		t.Errorf("Capabilities = %+v", c)
	}
	if _, err := p.Capabilities(ctx, "nope:1b"); providers.KindOf(err) != providers.KindNotFound {
		t.Errorf("Capabilities of a missing model: %v, want not-found", err)
	}
	check(t, "show body", f.Requests()[1].Body, map[string]any{"model": coder.Name})

	if err := p.Warm(ctx, coder.Name); err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	w := reqs[len(reqs)-1]
	check(t, "warm path", w.Path, "/api/generate")
	check(t, "warm body", w.Body, map[string]any{"model": coder.Name, "stream": false, "keep_alive": "30m"})
}

func TestNew(t *testing.T) {
	for _, bad := range []map[string]any{{"keep_alive": "forever"}, {"keep_alive": true}} {
		if _, err := ollama.New("local", config.Provider{Options: bad}); err == nil || !strings.Contains(err.Error(), "keep_alive") {
			t.Errorf("New with %v: %v, want an error naming keep_alive", bad, err)
		}
	}
	if _, err := ollama.New("local", config.Provider{BaseURL: "localhost"}); err == nil || !strings.Contains(err.Error(), "base_url") {
		t.Errorf("New with a bare host: %v, want an error naming base_url", err)
	}
	p, err := ollama.New("local", config.Provider{})
	if err != nil || p.Name() != "local" {
		t.Fatalf("New with defaults: %v", err)
	}
}

func TestHeadersAndKey(t *testing.T) {
	f := providertest.NewOllama(t, coder)
	t.Setenv("SWITCHYARD_TEST_OLLAMA_KEY", "sekrit")
	p, err := ollama.New("local", config.Provider{BaseURL: f.URL, APIKeyEnv: "SWITCHYARD_TEST_OLLAMA_KEY", Headers: map[string]string{"X-Team": "core"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Models(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := f.Requests()[0].Header
	check(t, "Authorization", h.Get("Authorization"), "Bearer sekrit")
	check(t, "X-Team", h.Get("X-Team"), "core")
}

func check(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestFillInMiddleAtTopOfFileEndsEmpty(t *testing.T) {
	f := providertest.NewOllama(t, coder)
	p := newProvider(t, f, nil)
	s, err := p.FillInMiddle(context.Background(), &providers.FIMRequest{Model: coder.Name, Prefix: "", Suffix: "package main\n"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providers.ReadAll(s); err != nil || got != "" {
		t.Errorf("ReadAll = %q, %v; want an empty answer, no error", got, err)
	}
}

func TestHostURLReadsOllamaHostAsOllamaDoes(t *testing.T) {
	tests := []struct{ value, want string }{
		{"", "http://127.0.0.1:11434"},
		{"127.0.0.1:5000", "http://127.0.0.1:5000"},
		{"0.0.0.0", "http://127.0.0.1:11434"},
		{"0.0.0.0:8000", "http://127.0.0.1:8000"},
		{"[::]:8000", "http://127.0.0.1:8000"},
		{"gpu-box", "http://gpu-box:11434"},
		{"http://gpu-box", "http://gpu-box:80"},
		{"https://ollama.example.com/proxy", "https://ollama.example.com:443/proxy"},
		{" localhost:1234 ", "http://localhost:1234"},
	}
	for _, tt := range tests {
		if got := ollama.HostURL(tt.value); got != tt.want {
			t.Errorf("HostURL(%q) = %q, want %q", tt.value, got, tt.want)
		}
	}
}

// Completions ask for the whole answer ("stream": false): Ollama leaks its
// runner slot when a streaming client leaves mid-answer (ollama/ollama
// issue 17131), and completions are cancelled at every keystroke. Chat
// still streams. The stop sequences and max_tokens are what end the
// generation now, so they must be sent.
func TestCompletionsAskForTheWholeAnswer(t *testing.T) {
	f := providertest.NewOllama(t, coder)
	p := newProvider(t, f, nil)
	ctx := context.Background()
	stop := []string{"\n", "<|endoftext|>"}
	opts := map[string]any{"num_predict": 48.0, "stop": []any{"\n", "<|endoftext|>"}}

	f.Enqueue(providertest.OllamaReply{Pieces: []string{"a ", "+ ", "b"}})
	s, err := p.FillInMiddle(ctx, &providers.FIMRequest{Model: coder.Name, Prefix: "return ", Suffix: "\n}", MaxTokens: 48, Stop: stop})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providertest.ReadPieces(s); err != nil || !reflect.DeepEqual(got, []string{"a + b"}) {
		t.Errorf("FillInMiddle pieces = %q, %v; want [\"a + b\"]", got, err)
	}
	f.Enqueue(providertest.OllamaReply{Pieces: []string{"x", "y"}})
	s, err = p.Complete(ctx, &providers.CompletionRequest{Model: coder.Name, Prompt: "<|fim_prefix|>", MaxTokens: 48, Stop: stop})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providertest.ReadPieces(s); err != nil || !reflect.DeepEqual(got, []string{"xy"}) {
		t.Errorf("Complete pieces = %q, %v; want [\"xy\"]", got, err)
	}
	f.Enqueue(providertest.OllamaReply{Pieces: []string{"streamed ", "still"}})
	s, err = p.Chat(ctx, &providers.ChatRequest{Model: coder.Name, Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}, MaxTokens: 48, Stop: stop})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providertest.ReadPieces(s); err != nil || !reflect.DeepEqual(got, []string{"streamed ", "still"}) {
		t.Errorf("Chat pieces = %q, %v; want two streamed pieces", got, err)
	}

	var gens []map[string]any
	for _, r := range f.Requests() {
		if r.Path == "/api/generate" || r.Path == "/api/chat" {
			gens = append(gens, r.Body)
		}
	}
	if len(gens) != 3 {
		t.Fatalf("%d generation requests, want 3", len(gens))
	}
	for i, want := range []bool{false, false, true} {
		check(t, "stream", gens[i]["stream"], want)
		check(t, "options", gens[i]["options"], opts)
	}
}

// The errors of a whole answer read as those of a stream: Ollama's error
// bodies keep their messages and kinds; a runner failure, which a stream
// reports in a line after some text, comes as a 500 and loses the text;
// an answer that says it is not done is still the answer.
func TestCompletionErrors(t *testing.T) {
	tests := []struct {
		name  string
		model string
		reply providertest.OllamaReply
		kind  providers.Kind
		say   string // the error must say this
		text  string // the answer, when there is no error
	}{
		{name: "model not pulled", model: "missing:latest", kind: providers.KindNotFound, say: "ollama pull missing:latest"},
		{name: "server error", reply: providertest.OllamaReply{Status: 500, Message: "llama runner process has terminated: signal: killed"},
			kind: providers.KindServer, say: "llama runner process has terminated"},
		{name: "context length", reply: providertest.OllamaReply{Status: 400, Message: "input exceeds the context length"},
			kind: providers.KindContextWindow, say: "context length"},
		{name: "unauthorized proxy", reply: providertest.OllamaReply{Status: 401, Message: "unauthorized"},
			kind: providers.KindAuth, say: "api_key_env"},
		{name: "runner failed mid-answer", reply: providertest.OllamaReply{Pieces: []string{"par"}, StreamError: true, Message: "an error was encountered while running the model: CUDA error"},
			kind: providers.KindServer, say: "CUDA error"},
		{name: "not done: the runner stopped a repeating answer", reply: providertest.OllamaReply{Pieces: []string{"\n", "\n"}, NoDone: true},
			kind: providers.KindUnknown, text: "\n\n"},
		{name: "connection cut before the answer", reply: providertest.OllamaReply{Pieces: []string{"half"}, Cut: true},
			kind: providers.KindNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := providertest.NewOllama(t, coder)
			f.Enqueue(tt.reply)
			p := newProvider(t, f, nil)
			model := tt.model
			if model == "" {
				model = coder.Name
			}
			s, err := p.Complete(context.Background(), &providers.CompletionRequest{Model: model, Prompt: "x"})
			checkAnswer(t, s, err, tt.kind, tt.say, tt.text)
		})
	}
}

// checkAnswer reads the answer of a call that returned s and err, and
// checks how it ended: in an error of kind (KindUnknown: none) that says
// say, after text. It returns that error.
func checkAnswer(t *testing.T, s providers.Stream, err error, kind providers.Kind, say, text string) error {
	t.Helper()
	var got string
	if err == nil {
		got, err = providers.ReadAll(s)
	}
	if providers.KindOf(err) != kind {
		t.Fatalf("err = %v (kind %v), want kind %v", err, providers.KindOf(err), kind)
	}
	if err != nil && !strings.Contains(err.Error(), say) {
		t.Errorf("err = %q, want it to say %q", err, say)
	}
	if got != text {
		t.Errorf("text before the end = %q, want %q", got, text)
	}
	return err
}

// Cancelling a completion while Ollama generates drops the connection,
// which is what makes Ollama stop generating, and says canceled.
func TestCompletionCancelWhileGenerating(t *testing.T) {
	f := providertest.NewOllama(t, coder)
	f.Enqueue(providertest.OllamaReply{Pieces: []string{"first"}, Hang: true})
	p := newProvider(t, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		s, err := p.FillInMiddle(ctx, &providers.FIMRequest{Model: coder.Name, Prefix: "a", Suffix: "b"})
		if err == nil {
			s.Close()
		}
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if providers.KindOf(err) != providers.KindCanceled {
			t.Errorf("FillInMiddle after cancel = %v, want canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling did not end the call")
	}
	if !f.WaitClosed(time.Second) {
		t.Error("cancelling the context did not drop the connection")
	}
}

// A whole answer closed before it is read is not a finished one.
func TestCompletionClosedBeforeRead(t *testing.T) {
	f := providertest.NewOllama(t, coder)
	f.Enqueue(providertest.OllamaReply{Pieces: []string{"a"}}, providertest.OllamaReply{Pieces: []string{"b"}})
	p := newProvider(t, f, nil)
	s, err := p.Complete(context.Background(), &providers.CompletionRequest{Model: coder.Name, Prompt: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	if _, err := s.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close = %v, want an error", err)
	}
	s.Close()

	s, err = p.Complete(context.Background(), &providers.CompletionRequest{Model: coder.Name, Prompt: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Next(); got != "b" || err != nil {
		t.Fatalf("Next = %q, %v", got, err)
	}
	for range 2 {
		if _, err := s.Next(); err != io.EOF {
			t.Errorf("Next after the answer = %v, want io.EOF", err)
		}
	}
	s.Close()
	if _, err := s.Next(); err != io.EOF {
		t.Errorf("Next after io.EOF and Close = %v, want io.EOF still", err)
	}
}
