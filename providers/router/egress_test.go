package router

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"switchyard/config"
	"switchyard/providers"
)

// A key in AWS's format, joined at run time so no literal in the
// repository looks like one.
var testKey = "AK" + "IA" + "Q3EGRN7XK4WZ5T2M"

// recorder is a provider that records every request it is given and
// answers with scripted pieces.
type recorder struct {
	name   string
	pieces []string

	mu   sync.Mutex
	sent []string // the text of every request, in order
}

func (p *recorder) Name() string { return p.name }

func (p *recorder) record(texts ...string) providers.Stream {
	p.mu.Lock()
	p.sent = append(p.sent, strings.Join(texts, "\n"))
	p.mu.Unlock()
	return &sliceStream{pieces: append([]string(nil), p.pieces...)}
}

func (p *recorder) Chat(_ context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	var texts []string
	for _, m := range req.Messages {
		texts = append(texts, m.Content)
	}
	return p.record(texts...), nil
}

func (p *recorder) all() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.sent, "\n")
}

type recCompleter struct{ *recorder }

func (p recCompleter) Complete(_ context.Context, req *providers.CompletionRequest) (providers.Stream, error) {
	return p.record(req.Prompt), nil
}

type recFIM struct{ *recorder }

func (p recFIM) FillInMiddle(_ context.Context, req *providers.FIMRequest) (providers.Stream, error) {
	texts := []string{req.Prefix, req.Suffix}
	for _, x := range req.Extra {
		texts = append(texts, x.Path, x.Text)
	}
	return p.record(texts...), nil
}

type recBoth struct{ *recorder }

func (p recBoth) Complete(ctx context.Context, req *providers.CompletionRequest) (providers.Stream, error) {
	return recCompleter(p).Complete(ctx, req)
}

func (p recBoth) FillInMiddle(ctx context.Context, req *providers.FIMRequest) (providers.Stream, error) {
	return recFIM(p).FillInMiddle(ctx, req)
}

// egressRouter routes completion to one model on a provider of the given
// type ("ollama" is local, "openai" at a public host is remote) built by
// build, and records what Options.Egress is told.
func egressRouter(t *testing.T, typ string, impl providers.Provider, workspace string) (*Router, *[]providers.Egress) {
	t.Helper()
	pc := config.Provider{Type: typ}
	if typ == "openai" {
		pc.BaseURL = "https://user:pw@api.example.com:8443/v1?team=x"
	}
	cfg := &config.Config{
		Providers: map[string]config.Provider{"p": pc},
		Models:    map[string]config.Model{"m": {Provider: "p", ID: "model-id", Classes: []string{config.ClassCompletion}}},
	}
	var mu sync.Mutex
	var events []providers.Egress
	opts := Options{
		NewProvider: func(string, config.Provider) (providers.Provider, error) { return impl, nil },
		Egress: func(e providers.Egress) {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		},
	}
	if workspace != "" {
		opts.Workspace = []string{workspace}
	}
	r, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r, &events
}

func TestEgressRedactsEveryRequestType(t *testing.T) {
	line := "key := \"" + testKey + "\"\n"
	type call func(ctx context.Context, p providers.Provider) (providers.Stream, error)
	chatCall := func(ctx context.Context, p providers.Provider) (providers.Stream, error) {
		return p.Chat(ctx, &providers.ChatRequest{Messages: []providers.Message{
			{Role: providers.RoleSystem, Content: "You write Go."},
			{Role: providers.RoleUser, Content: "Fix this:\n" + line, Images: []providers.Image{{MIME: "image/png", Data: []byte{1}}}},
		}})
	}
	completeCall := func(ctx context.Context, p providers.Provider) (providers.Stream, error) {
		return p.(providers.Completer).Complete(ctx, &providers.CompletionRequest{Prompt: "<fim_prefix>" + line + "<fim_suffix>"})
	}
	fimCall := func(ctx context.Context, p providers.Provider) (providers.Stream, error) {
		return p.(providers.FillInMiddler).FillInMiddle(ctx, &providers.FIMRequest{
			Prefix: line, Suffix: "\n// again " + testKey + "\n",
			Extra: []providers.ContextFile{{Path: "/ws/other.go", Text: "other := \"" + testKey + "\"\n"}},
		})
	}
	rec := func() *recorder { return &recorder{name: "p", pieces: []string{"use(<SEC", "RET_1>)"}} }
	tests := []struct {
		name         string
		impl         func(*recorder) providers.Provider
		call         call
		isC, isF     bool
		wantSentHash bool // a per-file hash differs from the whole prompt's
	}{
		{"chat only", func(r *recorder) providers.Provider { return r }, chatCall, false, false, false},
		{"completer", func(r *recorder) providers.Provider { return recCompleter{r} }, completeCall, true, false, false},
		{"fill in the middle", func(r *recorder) providers.Provider { return recFIM{r} }, fimCall, false, true, true},
		{"both", func(r *recorder) providers.Provider { return recBoth{r} }, fimCall, true, true, true},
		{"both, chat", func(r *recorder) providers.Provider { return recBoth{r} }, chatCall, true, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := rec()
			r, events := egressRouter(t, "openai", tc.impl(rc), "/ws")
			need := providers.Need{Task: config.TaskCompletion, Paths: []string{"/ws/main.go", "/ws/other.go"}}
			s, target, err := r.Stream(context.Background(), need, func(ctx context.Context, tg providers.Target) (providers.Stream, error) {
				_, isC := tg.Provider.(providers.Completer)
				_, isF := tg.Provider.(providers.FillInMiddler)
				if isC != tc.isC || isF != tc.isF {
					t.Errorf("wrapped provider: Completer %v, FillInMiddler %v; want %v, %v", isC, isF, tc.isC, tc.isF)
				}
				return tc.call(ctx, tg.Provider)
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := providers.ReadAll(s)
			if err != nil {
				t.Fatal(err)
			}
			if target.Provider.Name() != "p" {
				t.Errorf("wrapped provider's name %q", target.Provider.Name())
			}
			sent := rc.all()
			if strings.Contains(sent, testKey) || !strings.Contains(sent, "<SECRET_1>") {
				t.Errorf("sent to the remote provider:\n%s", sent)
			}
			if strings.Contains(sent, "<SECRET_2>") {
				t.Errorf("the same key got two placeholders:\n%s", sent)
			}
			if want := "use(" + testKey + ")"; got != want {
				t.Errorf("answer %q, want %q: the placeholder mapped back", got, want)
			}
			if len(*events) != 1 {
				t.Fatalf("%d egress events, want 1", len(*events))
			}
			ev := (*events)[0]
			if ev.Task != config.TaskCompletion || ev.Model != "m" || ev.Provider != "p" || ev.Host != "api.example.com:8443" {
				t.Errorf("event %+v", ev)
			}
			if ev.Redactions["aws-access-token"] == 0 || len(ev.Redactions) != 1 {
				t.Errorf("redactions %v, want aws-access-token", ev.Redactions)
			}
			if len(ev.Sources) != 2 || ev.Sources[0].Path != "main.go" || ev.Sources[1].Path != "other.go" {
				t.Fatalf("sources %+v, want workspace-relative main.go and other.go", ev.Sources)
			}
			if ev.Sources[0].SHA256 != ev.SentSHA256 || len(ev.SentSHA256) != 64 {
				t.Errorf("main.go's hash %s, want the whole prompt's %s", ev.Sources[0].SHA256, ev.SentSHA256)
			}
			if tc.wantSentHash {
				sum := sha256.Sum256([]byte("other := \"<SECRET_1>\"\n"))
				if ev.Sources[1].SHA256 != hex.EncodeToString(sum[:]) {
					t.Errorf("other.go's hash is not that of its redacted text as sent")
				}
			}
			for _, f := range []string{ev.Host, ev.SentSHA256, ev.Sources[0].SHA256} {
				if strings.Contains(f, testKey) || strings.Contains(f, "pw") {
					t.Errorf("event field %q holds a secret or credential", f)
				}
			}
		})
	}
}

func TestEgressLeavesLocalProvidersAlone(t *testing.T) {
	rc := &recorder{name: "p", pieces: []string{"ok"}}
	r, events := egressRouter(t, "ollama", recFIM{rc}, "")
	s, target, err := r.Stream(context.Background(), providers.Need{Task: config.TaskCompletion}, func(ctx context.Context, tg providers.Target) (providers.Stream, error) {
		return tg.Provider.(providers.FillInMiddler).FillInMiddle(ctx, &providers.FIMRequest{Prefix: "key := \"" + testKey + "\""})
	})
	if err != nil {
		t.Fatal(err)
	}
	providers.ReadAll(s)
	if _, ok := target.Provider.(recFIM); !ok {
		t.Errorf("a local provider was wrapped: %T", target.Provider)
	}
	if !strings.Contains(rc.all(), testKey) {
		t.Errorf("a local model got redacted text: %s", rc.all())
	}
	if len(*events) != 0 {
		t.Errorf("egress reported for a local provider: %+v", *events)
	}
}

func TestEgressPathOutsideWorkspace(t *testing.T) {
	r, _ := egressRouter(t, "openai", &recorder{name: "p"}, "/ws")
	abs := filepath.Join(string(filepath.Separator), "elsewhere", "x.go")
	if got := r.workspaceRel(abs); got != filepath.ToSlash(abs) {
		t.Errorf("workspaceRel(%s) = %s", abs, got)
	}
	if got := r.workspaceRel("/ws/a/b.go"); got != "a/b.go" {
		t.Errorf("workspaceRel = %s, want a/b.go", got)
	}
}

func TestEndpointHost(t *testing.T) {
	for _, tc := range []struct {
		p    config.Provider
		want string
	}{
		{config.Provider{Type: "openai"}, "api.openai.com"},
		{config.Provider{Type: "anthropic"}, "api.anthropic.com"},
		{config.Provider{Type: "bedrock", Region: "eu-central-1"}, "bedrock-runtime.eu-central-1.amazonaws.com"},
		{config.Provider{Type: "vertex", Region: "europe-west4"}, "europe-west4-aiplatform.googleapis.com"},
		{config.Provider{Type: "openai", BaseURL: "https://key:secret@gw.corp.example/v1/x?k=1"}, "gw.corp.example"},
	} {
		if got := endpointHost(tc.p); got != tc.want {
			t.Errorf("endpointHost(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

// The audit line names the rules that let the request out: a remote
// provider that passed [policy] jurisdictions says so.
func TestEgressNamesTheRulesThatAdmittedIt(t *testing.T) {
	impl := &recorder{name: "p", pieces: []string{"ok"}}
	pc := config.Provider{Type: "openai", BaseURL: "https://api.example.com/v1",
		Data: config.DataPolicy{Jurisdictions: []string{"US"}}}
	cfg := &config.Config{
		Providers: map[string]config.Provider{"p": pc},
		Models:    map[string]config.Model{"m": {Provider: "p", ID: "model-id", Classes: []string{config.ClassCompletion}}},
		Policy:    config.Policy{Jurisdictions: []string{"EU", "US"}},
	}
	var got []providers.Egress
	r, err := New(cfg, Options{
		NewProvider: func(string, config.Provider) (providers.Provider, error) { return impl, nil },
		Egress:      func(e providers.Egress) { got = append(got, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, _, err := r.Stream(context.Background(), providers.Need{Task: config.TaskCompletion}, func(ctx context.Context, tg providers.Target) (providers.Stream, error) {
		return tg.Provider.Chat(ctx, &providers.ChatRequest{Model: "model-id", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	providers.ReadAll(s)
	if len(got) != 1 {
		t.Fatalf("%d egress events, want 1", len(got))
	}
	if a := strings.Join(got[0].Admitted, "; "); !strings.Contains(a, "jurisdictions") || !strings.Contains(a, "US") {
		t.Errorf("admitted %q, want the jurisdictions rule with US", a)
	}
}
