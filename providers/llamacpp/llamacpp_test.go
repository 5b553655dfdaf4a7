package llamacpp_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/llamacpp"
	"switchyard/providers/providertest"
)

func newProvider(t *testing.T, f *providertest.LlamaCpp) *llamacpp.Provider {
	t.Helper()
	p, err := llamacpp.New("llama", config.Provider{Type: "llamacpp", BaseURL: f.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func temp(v float64) *float64 { return &v }

func TestFillInMiddleStreamsInfill(t *testing.T) {
	f := providertest.NewLlamaCpp(t)
	f.Enqueue(providertest.LlamaCppReply{Pieces: []string{"a + ", "b"}})
	p := newProvider(t, f)

	s, err := p.FillInMiddle(context.Background(), &providers.FIMRequest{
		Model: "qwen2.5-coder", Prefix: "func add(a, b int) int {\n\treturn ", Suffix: "\n}\n",
		Extra:     []providers.ContextFile{{Path: "util/util.go", Text: "package util\n"}},
		MaxTokens: 48, Temperature: temp(0.1), Stop: []string{"\n\n"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providers.ReadAll(s); err != nil || got != "a + b" {
		t.Fatalf("ReadAll = %q, %v; want %q", got, err, "a + b")
	}
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/infill" || reqs[0].Method != http.MethodPost {
		t.Fatalf("requests = %+v, want one POST /infill", reqs)
	}
	want := map[string]any{
		"model":        "qwen2.5-coder",
		"input_prefix": "func add(a, b int) int {\n\treturn ",
		"input_suffix": "\n}\n",
		"input_extra":  []any{map[string]any{"filename": "util/util.go", "text": "package util\n"}},
		"n_predict":    48.0,
		"temperature":  0.1,
		"stop":         []any{"\n\n"},
		"stream":       true,
		"cache_prompt": true,
	}
	if !reflect.DeepEqual(reqs[0].Body, want) {
		t.Errorf("body =\n%#v\nwant\n%#v", reqs[0].Body, want)
	}
	if ct := reqs[0].Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestFillInMiddleLeavesUnsetFieldsOut(t *testing.T) {
	f := providertest.NewLlamaCpp(t)
	f.Enqueue(providertest.LlamaCppReply{Pieces: []string{"x"}})
	p := newProvider(t, f)
	s, err := p.FillInMiddle(context.Background(), &providers.FIMRequest{Prefix: "", Suffix: ""})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	b := f.Requests()[0].Body
	for _, k := range []string{"model", "input_extra", "n_predict", "temperature", "stop"} {
		if v, ok := b[k]; ok {
			t.Errorf("%s = %v sent though unset: the server's default must apply", k, v)
		}
	}
	// The prefix and suffix are always sent, even empty (start of file).
	if _, ok := b["input_prefix"]; !ok {
		t.Error("input_prefix left out")
	}
}

func TestChatGoesThroughV1(t *testing.T) {
	f := providertest.NewLlamaCpp(t)
	f.Enqueue(providertest.LlamaCppReply{Pieces: []string{"Hello", " there"}})
	p := newProvider(t, f)
	s, err := p.Chat(context.Background(), &providers.ChatRequest{
		Model:    "qwen2.5-coder",
		Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providers.ReadAll(s); err != nil || got != "Hello there" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	r := f.Requests()[0]
	if r.Path != "/v1/chat/completions" {
		t.Fatalf("path = %s, want /v1/chat/completions", r.Path)
	}
	if r.Body["stream"] != true || r.Body["model"] != "qwen2.5-coder" {
		t.Errorf("body = %v", r.Body)
	}
	if h := r.Header.Get("Authorization"); h != "" {
		t.Errorf("Authorization %q sent with no key configured", h)
	}
}

func TestCompleteGoesThroughV1(t *testing.T) {
	f := providertest.NewLlamaCpp(t)
	f.Enqueue(providertest.LlamaCppReply{Pieces: []string{"return ", "a + b"}})
	p := newProvider(t, f)
	s, err := p.Complete(context.Background(), &providers.CompletionRequest{
		Model: "qwen2.5-coder", Prompt: "<|fim_prefix|>x<|fim_suffix|>y<|fim_middle|>", MaxTokens: 16,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := providers.ReadAll(s); err != nil || got != "return a + b" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	r := f.Requests()[0]
	if r.Path != "/v1/completions" || r.Body["prompt"] != "<|fim_prefix|>x<|fim_suffix|>y<|fim_middle|>" || r.Body["max_tokens"] != 16.0 {
		t.Errorf("request = %s %v", r.Path, r.Body)
	}
}

func TestImages(t *testing.T) {
	img := []providers.Image{{MIME: "image/png", Data: []byte("\x89PNG")}}
	req := &providers.ChatRequest{Model: "m", Messages: []providers.Message{{Role: providers.RoleUser, Content: "build this", Images: img}}}

	t.Run("no projector: refused before the call", func(t *testing.T) {
		f := providertest.NewLlamaCpp(t)
		p := newProvider(t, f)
		_, err := p.Chat(context.Background(), req)
		if providers.KindOf(err) != providers.KindUnsupported || !strings.Contains(err.Error(), "--mmproj") {
			t.Fatalf("err = %v, want unsupported naming --mmproj", err)
		}
		if n := f.Count("/v1/chat/completions"); n != 0 {
			t.Errorf("%d chat requests made, want 0", n)
		}
		// The answer of /props is remembered.
		p.Chat(context.Background(), req)
		if n := f.Count("/props"); n != 1 {
			t.Errorf("/props asked %d times, want 1", n)
		}
	})
	t.Run("vision loaded", func(t *testing.T) {
		f := providertest.NewLlamaCpp(t)
		f.SetProps(providertest.LlamaCppProps{ContextSize: 4096, Vision: true})
		f.Enqueue(providertest.LlamaCppReply{Pieces: []string{"a button"}})
		p := newProvider(t, f)
		s, err := p.Chat(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := providers.ReadAll(s); got != "a button" {
			t.Errorf("got %q", got)
		}
		if n := f.Count("/v1/chat/completions"); n != 1 {
			t.Errorf("%d chat requests, want 1", n)
		}
	})
	t.Run("old build that does not say", func(t *testing.T) {
		f := providertest.NewLlamaCpp(t)
		f.SetProps(providertest.LlamaCppProps{ContextSize: 4096, NoModalities: true})
		f.Enqueue(providertest.LlamaCppReply{Pieces: []string{"ok"}})
		p := newProvider(t, f)
		s, err := p.Chat(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	})
}

func TestHealthAndLoading(t *testing.T) {
	f := providertest.NewLlamaCpp(t)
	p := newProvider(t, f)
	ctx := context.Background()
	if err := p.Health(ctx); err != nil {
		t.Fatalf("Health of a ready server = %v", err)
	}

	f.SetLoading(true)
	err := p.Health(ctx)
	if !llamacpp.Loading(err) || providers.KindOf(err) != providers.KindServer || !strings.Contains(err.Error(), "loading") {
		t.Fatalf("Health while loading = %v (kind %v), want a loading server error", err, providers.KindOf(err))
	}
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Status != 503 {
		t.Errorf("Status = %v, want 503", pe)
	}
	_, err = p.FillInMiddle(ctx, &providers.FIMRequest{Prefix: "a"})
	if !llamacpp.Loading(err) {
		t.Errorf("FIM while loading = %v, want Loading", err)
	}
	_, err = p.Chat(ctx, &providers.ChatRequest{Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}})
	if !llamacpp.Loading(err) || providers.KindOf(err) != providers.KindServer {
		t.Errorf("Chat while loading = %v, want Loading", err)
	}

	f.SetLoading(false)
	if err := p.Health(ctx); err != nil {
		t.Errorf("Health once loaded = %v", err)
	}
	// Other failures are not "loading".
	if llamacpp.Loading(&providers.Error{Kind: providers.KindServer, Status: 500, Message: "boom"}) {
		t.Error("a 500 counted as loading")
	}
}

func TestProps(t *testing.T) {
	f := providertest.NewLlamaCpp(t)
	f.SetProps(providertest.LlamaCppProps{ContextSize: 32768, ModelPath: "/m/qwen.gguf", ChatTemplate: "{{x}}", Vision: true})
	p := newProvider(t, f)
	got, err := p.Props(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := llamacpp.Props{ContextSize: 32768, Slots: 1, ModelPath: "/m/qwen.gguf", ChatTemplate: "{{x}}",
		BuildInfo: "b5000-fake", Vision: true, VisionKnown: true}
	if got != want {
		t.Errorf("Props = %+v, want %+v", got, want)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		reply   providertest.LlamaCppReply
		kind    providers.Kind
		say     string
		partial string
	}{
		{name: "prompt too long", reply: providertest.LlamaCppReply{Status: 400, Type: "exceed_context_size_error",
			Message: "request (9412 tokens) exceeds the available context size (8192 tokens), try increasing it"},
			kind: providers.KindContextWindow, say: "exceeds the available context size"},
		{name: "no FIM tokens", reply: providertest.LlamaCppReply{Status: 501, Message: "Infill is not supported by this model"},
			kind: providers.KindUnsupported, say: "not supported"},
		{name: "bad request", reply: providertest.LlamaCppReply{Status: 400, Message: "\"input_extra\" must be an array"},
			kind: providers.KindBadRequest, say: "input_extra"},
		{name: "wrong key", reply: providertest.LlamaCppReply{Status: 401, Message: "Invalid API Key"},
			kind: providers.KindAuth, say: "--api-key"},
		{name: "server error", reply: providertest.LlamaCppReply{Status: 500, Message: "failed to decode"},
			kind: providers.KindServer, say: "failed to decode"},
		{name: "error event mid-stream", reply: providertest.LlamaCppReply{Pieces: []string{"re"}, StreamError: true, Message: "slot was released"},
			kind: providers.KindServer, say: "slot was released", partial: "re"},
		{name: "ended cleanly without the stop event", reply: providertest.LlamaCppReply{Pieces: []string{"ret"}, NoDone: true},
			kind: providers.KindUnknown, partial: "ret"},
		{name: "connection cut", reply: providertest.LlamaCppReply{Pieces: []string{"ret"}, Cut: true},
			kind: providers.KindServer, say: "stopped before", partial: "ret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := providertest.NewLlamaCpp(t)
			f.Enqueue(tt.reply)
			p := newProvider(t, f)
			var text string
			s, err := p.FillInMiddle(context.Background(), &providers.FIMRequest{Prefix: "a", Suffix: "b"})
			if err == nil {
				text, err = providers.ReadAll(s)
			}
			if providers.KindOf(err) != tt.kind {
				t.Fatalf("err = %v (kind %v), want %v", err, providers.KindOf(err), tt.kind)
			}
			if err != nil && !strings.Contains(err.Error(), tt.say) {
				t.Errorf("err = %q, want it to say %q", err, tt.say)
			}
			if text != tt.partial {
				t.Errorf("text before the error = %q, want %q", text, tt.partial)
			}
			if llamacpp.Loading(err) {
				t.Errorf("Loading(%v) = true", err)
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
	p, err := llamacpp.New("llama", config.Provider{BaseURL: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	err = p.Health(context.Background())
	if providers.KindOf(err) != providers.KindNetwork || !strings.Contains(err.Error(), "base_url") || llamacpp.Loading(err) {
		t.Fatalf("err = %v, want network naming base_url", err)
	}
}

func TestCloseDisconnects(t *testing.T) {
	f := providertest.NewLlamaCpp(t)
	f.Enqueue(providertest.LlamaCppReply{Pieces: []string{"first"}, Hang: true})
	p := newProvider(t, f)
	s, err := p.FillInMiddle(context.Background(), &providers.FIMRequest{Prefix: "a"})
	if err != nil {
		t.Fatal(err)
	}
	providertest.CheckClose(t, f, s, "first")
}

func TestAPIKeyAndHeaders(t *testing.T) {
	f := providertest.NewLlamaCpp(t)
	f.Enqueue(providertest.LlamaCppReply{Pieces: []string{"x"}}, providertest.LlamaCppReply{Pieces: []string{"y"}})
	t.Setenv("SWITCHYARD_TEST_LLAMA_KEY", "sekrit")
	p, err := llamacpp.New("llama", config.Provider{BaseURL: f.URL, APIKeyEnv: "SWITCHYARD_TEST_LLAMA_KEY", Headers: map[string]string{"X-Team": "core"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.FillInMiddle(context.Background(), &providers.FIMRequest{Prefix: "a"})
	if err != nil {
		t.Fatal(err)
	}
	providers.ReadAll(s)
	s, err = p.Chat(context.Background(), &providers.ChatRequest{Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}})
	if err != nil {
		t.Fatal(err)
	}
	providers.ReadAll(s)
	for _, r := range f.Requests() {
		if r.Header.Get("Authorization") != "Bearer sekrit" || r.Header.Get("X-Team") != "core" {
			t.Errorf("%s headers = %v", r.Path, r.Header)
		}
	}
}

func TestBaseURLWithV1(t *testing.T) {
	f := providertest.NewLlamaCpp(t)
	f.Enqueue(providertest.LlamaCppReply{Pieces: []string{"x"}}, providertest.LlamaCppReply{Pieces: []string{"y"}})
	p, err := llamacpp.New("llama", config.Provider{BaseURL: f.URL + "/v1/"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, err := p.FillInMiddle(context.Background(), &providers.FIMRequest{Prefix: "a"})
	if err != nil {
		t.Fatal(err)
	}
	providers.ReadAll(s)
	s, err = p.Chat(context.Background(), &providers.ChatRequest{Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}})
	if err != nil {
		t.Fatal(err)
	}
	providers.ReadAll(s)
	var paths []string
	for _, r := range f.Requests() {
		paths = append(paths, r.Path)
	}
	if want := []string{"/health", "/infill", "/v1/chat/completions"}; !reflect.DeepEqual(paths, want) {
		t.Errorf("paths = %v, want %v", paths, want)
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	if _, err := llamacpp.New("llama", config.Provider{BaseURL: "127.0.0.1:8080"}); err == nil || !strings.Contains(err.Error(), "base_url") {
		t.Errorf("err = %v, want one naming base_url", err)
	}
	if p, err := llamacpp.New("llama", config.Provider{}); err != nil || p.Name() != "llama" {
		t.Errorf("defaults: %v", err)
	}
}
