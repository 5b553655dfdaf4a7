package router

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
)

func chat(ctx context.Context, t providers.Target) (providers.Stream, error) {
	return t.Provider.Chat(ctx, &providers.ChatRequest{Model: t.Model.ID, Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}})
}

func perr(provider string, kind providers.Kind) *providers.Error {
	return &providers.Error{Provider: provider, Kind: kind, Message: kind.String()}
}

// codingRoute pins coding to gpt (openai), claude (bedrock), codestral
// (mistral), in that order.
func codingRoute() *config.Config {
	cfg := testConfig()
	cfg.Routes = map[string][]string{"coding": {"gpt", "claude", "codestral"}}
	return cfg
}

func TestStreamFallback(t *testing.T) {
	tests := []struct {
		name    string
		scripts map[string][]step
		need    providers.Need
		want    string         // text of the answer, "" when an error is expected
		wantErr providers.Kind // kind of the error when want is ""
		calls   map[string]int // calls per provider
	}{
		{
			name:  "first candidate answers",
			want:  "from openai",
			calls: map[string]int{"openai": 1, "bedrock": 0},
		},
		{
			name:    "server error is retried once, then the next candidate",
			scripts: map[string][]step{"openai": {{err: perr("openai", providers.KindServer)}}},
			want:    "from bedrock",
			calls:   map[string]int{"openai": 2, "bedrock": 1},
		},
		{
			name:    "a retried server error that recovers",
			scripts: map[string][]step{"openai": {{err: perr("openai", providers.KindServer)}, {pieces: []string{"second try"}}}},
			want:    "second try",
			calls:   map[string]int{"openai": 2, "bedrock": 0},
		},
		{
			name:    "rate limited moves on without retrying",
			scripts: map[string][]step{"openai": {{err: &providers.Error{Provider: "openai", Kind: providers.KindRateLimited, RetryAfter: time.Minute}}}},
			want:    "from bedrock",
			calls:   map[string]int{"openai": 1, "bedrock": 1},
		},
		{
			name:    "auth moves on",
			scripts: map[string][]step{"openai": {{err: perr("openai", providers.KindAuth)}}},
			want:    "from bedrock",
			calls:   map[string]int{"openai": 1, "bedrock": 1},
		},
		{
			name:    "bad request stops",
			scripts: map[string][]step{"openai": {{err: perr("openai", providers.KindBadRequest)}}},
			wantErr: providers.KindBadRequest,
			calls:   map[string]int{"openai": 1, "bedrock": 0},
		},
		{
			name:    "cancelled stops",
			scripts: map[string][]step{"openai": {{err: context.Canceled}}},
			wantErr: providers.KindCanceled,
			calls:   map[string]int{"openai": 1, "bedrock": 0},
		},
		{
			name:    "context window goes to a larger window",
			scripts: map[string][]step{"openai": {{err: perr("openai", providers.KindContextWindow)}}},
			need:    providers.Need{Task: config.TaskCoding},
			// gpt has 1M tokens; neither claude (200k) nor codestral
			// (256k) is larger.
			wantErr: providers.KindContextWindow,
			calls:   map[string]int{"openai": 1, "bedrock": 0, "mistral": 0},
		},
		{
			name: "context window skips a smaller window for a larger one",
			scripts: map[string][]step{
				"openai":  {{err: perr("openai", providers.KindAuth)}},
				"bedrock": {{err: perr("bedrock", providers.KindContextWindow)}},
			},
			want:  "from mistral",
			calls: map[string]int{"openai": 1, "bedrock": 1, "mistral": 1},
		},
		{
			name:    "unsupported is skipped",
			scripts: map[string][]step{"openai": {{err: providers.Unsupported("openai", "no images")}}},
			want:    "from bedrock",
			calls:   map[string]int{"openai": 1, "bedrock": 1},
		},
		{
			name:    "an empty first delta is not text",
			scripts: map[string][]step{"openai": {{pieces: []string{"", "", "late"}}}},
			want:    "late",
			calls:   map[string]int{"openai": 1, "bedrock": 0},
		},
		{
			name:    "an empty answer is an answer",
			scripts: map[string][]step{"openai": {{pieces: nil}}},
			want:    "",
			calls:   map[string]int{"openai": 1, "bedrock": 0},
		},
		{
			name: "no fallback after the first piece",
			scripts: map[string][]step{"openai": {{
				pieces: []string{"half an "},
				after:  perr("openai", providers.KindServer),
			}}},
			want:    "half an ",
			wantErr: providers.KindServer,
			calls:   map[string]int{"openai": 1, "bedrock": 0},
		},
		{
			name: "every candidate fails",
			scripts: map[string][]step{
				"openai":  {{err: perr("openai", providers.KindAuth)}},
				"bedrock": {{err: perr("bedrock", providers.KindAuth)}},
				"mistral": {{err: perr("mistral", providers.KindNotFound)}},
			},
			wantErr: providers.KindNotFound,
			calls:   map[string]int{"openai": 1, "bedrock": 1, "mistral": 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFakes()
			for name, script := range tc.scripts {
				fs.get(name).script = script
			}
			r := newTestRouter(t, codingRoute(), fs, newClock(), nil)
			need := tc.need
			if need.Task == "" {
				need.Task = config.TaskCoding
			}
			s, _, err := r.Stream(context.Background(), need, chat)
			var text string
			if err == nil {
				text, err = providers.ReadAll(s)
			}
			if text != tc.want {
				t.Errorf("text %q, want %q", text, tc.want)
			}
			switch {
			case tc.wantErr == providers.KindUnknown && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.wantErr != providers.KindUnknown && providers.KindOf(err) != tc.wantErr:
				t.Errorf("error %v (kind %v), want kind %v", err, providers.KindOf(err), tc.wantErr)
			}
			for name, n := range tc.calls {
				if got := fs.get(name).Calls(); got != n {
					t.Errorf("%s called %d times, want %d", name, got, n)
				}
			}
		})
	}
}

func TestStreamNoRouteNamesEveryRule(t *testing.T) {
	fs := newFakes()
	fs.get("openai").script = []step{{err: perr("openai", providers.KindAuth)}}
	cfg := codingRoute()
	cfg.Policy.ZeroRetention = true
	cfg.Routes["coding"] = []string{"gpt", "claude", "codestral"}
	fs.get("bedrock").script = []step{{err: &providers.Error{Provider: "bedrock", Kind: providers.KindAuth, Hint: "set AWS_PROFILE or region in [providers.bedrock]"}}}
	r := newTestRouter(t, cfg, fs, newClock(), nil)
	_, _, err := r.Stream(context.Background(), providers.Need{Task: config.TaskCoding}, chat)
	var nr *NoRouteError
	if !errors.As(err, &nr) {
		t.Fatalf("got %v, want a NoRouteError", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"gpt via openai: provider openai keeps data 30 days and [policy] zero_retention = true (policy.zero_retention)",
		"claude via bedrock: failed in this request",
		"set AWS_PROFILE or region in [providers.bedrock]",
		"codestral via mistral: provider mistral keeps data 30 days",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if providers.KindOf(err) != providers.KindAuth {
		t.Errorf("kind %v, want the last provider error's kind (auth)", providers.KindOf(err))
	}
	if fs.get("openai").Calls() != 0 || fs.get("mistral").Calls() != 0 {
		t.Errorf("a provider the policy excludes was called")
	}
}

func TestBreaker(t *testing.T) {
	fs := newFakes()
	c := newClock()
	r := newTestRouter(t, codingRoute(), fs, c, func(o *Options) {
		o.BreakerThreshold = 2
		o.BreakerCooldown = 10 * time.Second
	})
	need := providers.Need{Task: config.TaskCoding}
	get := func() string {
		t.Helper()
		s, _, err := r.Stream(context.Background(), need, chat)
		if err != nil {
			t.Fatal(err)
		}
		text, err := providers.ReadAll(s)
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	openai := fs.get("openai")

	// 429 with Retry-After: skipped until it has passed.
	openai.script = []step{{err: &providers.Error{Provider: "openai", Kind: providers.KindRateLimited, RetryAfter: 30 * time.Second}}, {pieces: []string{"from openai"}}}
	if got := get(); got != "from bedrock" {
		t.Fatalf("got %q", got)
	}
	c.Add(20 * time.Second)
	if got := get(); got != "from bedrock" || openai.Calls() != 1 {
		t.Fatalf("got %q after %d calls: the breaker should hold for Retry-After", got, openai.Calls())
	}
	c.Add(11 * time.Second)
	if got := get(); got != "from openai" {
		t.Fatalf("got %q: the breaker should close after a successful trial", got)
	}

	// Repeated server failures open it; a failed trial reopens it.
	openai.script = []step{{err: perr("openai", providers.KindServer)}}
	// A call and its retry count as one failure: the threshold is two.
	get()
	get()
	calls := openai.Calls()
	get()
	if openai.Calls() != calls {
		t.Fatalf("open breaker still called the provider")
	}
	c.Add(11 * time.Second)
	get() // half-open trial fails (and its retry)
	calls = openai.Calls()
	get()
	if openai.Calls() != calls {
		t.Fatalf("a failed trial did not reopen the breaker")
	}
	d := r.Plan(need)
	if d.Candidates[len(d.Candidates)-1].Rule != RuleBreaker {
		t.Errorf("the plan does not say the breaker removed gpt:\n%s", d)
	}
}

func TestAuthTellsTheUser(t *testing.T) {
	fs := newFakes()
	fs.get("openai").script = []step{{err: &providers.Error{Provider: "openai", Kind: providers.KindAuth, Status: 401, Hint: "set OPENAI_API_KEY or api_key_env in [providers.openai]"}}}
	var mu sync.Mutex
	var seen []Status
	r := newTestRouter(t, codingRoute(), fs, newClock(), func(o *Options) {
		o.OnStatus = func(s Status) { mu.Lock(); seen = append(seen, s); mu.Unlock() }
	})
	for i := 0; i < 3; i++ {
		s, target, err := r.Stream(context.Background(), providers.Need{Task: config.TaskCoding}, chat)
		if err != nil || target.Name != "claude" {
			t.Fatalf("got %v from %q", err, target.Name)
		}
		s.Close()
	}
	if n := fs.get("openai").Calls(); n != 1 {
		t.Errorf("openai called %d times after a 401; the breaker should have opened at once", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 {
		t.Fatalf("status sent %d times, want 2 (the error, then the model): %+v", len(seen), seen)
	}
	last := seen[len(seen)-1]
	if last.Model != "claude" || last.Provider != "bedrock" || !last.Online || !strings.Contains(last.LastError, "api_key_env in [providers.openai]") {
		t.Errorf("status %+v does not say which setting to fix", last)
	}
}

func TestContentPolicyTriesAnotherVendor(t *testing.T) {
	fs := newFakes()
	cfg := testConfig()
	cfg.Providers["openai-eu"] = config.Provider{Type: "openai", BaseURL: "https://eu.api.openai.com/v1"}
	cfg.Models["gpt-eu"] = config.Model{Provider: "openai-eu", ID: "gpt-4.1", Classes: []string{"coding"}}
	cfg.Routes = map[string][]string{"coding": {"gpt", "gpt-eu", "codestral"}}
	fs.get("openai").script = []step{{err: perr("openai", providers.KindContentPolicy)}}
	r := newTestRouter(t, cfg, fs, newClock(), nil)
	s, target, err := r.Stream(context.Background(), providers.Need{Task: config.TaskCoding}, chat)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if target.Name != "codestral" || fs.get("openai-eu").Calls() != 0 {
		t.Errorf("picked %s after %d calls to the same vendor; want another vendor", target.Name, fs.get("openai-eu").Calls())
	}
}

func TestOfflineWithinOneRequest(t *testing.T) {
	fs := newFakes()
	cfg := testConfig()
	cfg.Routes = map[string][]string{"completion": {"codestral"}}
	fs.get("mistral").script = []step{{err: &providers.Error{Provider: "mistral", Kind: providers.KindNetwork, Err: errors.New("dial tcp: connection refused")}}}
	var mu sync.Mutex
	var seen []Status
	r := newTestRouter(t, cfg, fs, newClock(), func(o *Options) {
		o.OnStatus = func(s Status) { mu.Lock(); seen = append(seen, s); mu.Unlock() }
	})
	s, target, err := r.Stream(context.Background(), providers.Need{Task: config.TaskCompletion}, chat)
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := providers.ReadAll(s); text != "from local" || target.Name != "qwen" {
		t.Errorf("got %q from %s, want the local model in the same request", text, target.Name)
	}
	if r.Status().Online {
		t.Errorf("still online after a refused remote")
	}
	d := r.Plan(providers.Need{Task: config.TaskCompletion})
	if d.Online || d.Picked != "qwen" || !strings.Contains(d.LocalOnly, "offline") {
		t.Errorf("plan after going offline:\n%s", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 || seen[len(seen)-1].Online || seen[len(seen)-1].Model != "qwen" {
		t.Errorf("status did not follow: %+v", seen)
	}
}

func TestReuseKeepsUnchangedProviders(t *testing.T) {
	built := map[string]int{}
	fs := newFakes()
	build := func(name string, p config.Provider) (providers.Provider, error) {
		built[name]++
		return fs.build(name, p)
	}
	cfg := testConfig()
	r1 := newTestRouter(t, cfg, fs, newClock(), func(o *Options) { o.NewProvider = build })
	r1.targets["gpt"].ttft.observe(80 * time.Millisecond)
	r1.setOnline(false, "test")

	cfg2 := testConfig()
	p := cfg2.Providers["mistral"]
	p.BaseURL = "https://api.mistral.ai/v2"
	cfg2.Providers["mistral"] = p
	r2 := newTestRouter(t, cfg2, fs, newClock(), func(o *Options) { o.NewProvider = build; o.Previous = r1 })
	if built["openai"] != 1 || built["mistral"] != 2 {
		t.Errorf("built %v: want unchanged providers kept and changed ones rebuilt", built)
	}
	if r2.provs["openai"] != r1.provs["openai"] {
		t.Errorf("the unchanged provider lost its state")
	}
	if avg, ok := r2.targets["gpt"].ttft.get(); !ok || avg != 80*time.Millisecond {
		t.Errorf("latency average lost across the change: %v %v", avg, ok)
	}
	if r2.Status().Online {
		t.Errorf("the online state did not carry over")
	}
}

func TestStreamReplaysTheFirstPiece(t *testing.T) {
	fs := newFakes()
	fs.get("openai").script = []step{{pieces: []string{"a", "b", "c"}}}
	r := newTestRouter(t, codingRoute(), fs, newClock(), nil)
	s, _, err := r.Stream(context.Background(), providers.Need{Task: config.TaskCoding}, chat)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		p, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	s.Close()
	if strings.Join(got, "|") != "a|b|c" {
		t.Errorf("pieces %v", got)
	}
}

func TestOfflineLapsesWithoutProbes(t *testing.T) {
	c := newClock()
	r := newTestRouter(t, testConfig(), newFakes(), c, func(o *Options) { o.ProbeInterval = time.Minute })
	r.setOnline(false, "test")
	if d := r.Plan(providers.Need{Task: config.TaskCoding}); d.Online {
		t.Fatal("online right after going offline")
	}
	c.Add(time.Minute)
	if d := r.Plan(providers.Need{Task: config.TaskCoding}); !d.Online || d.Picked != "codestral" {
		t.Errorf("with no probes running, the offline mark should lapse after ProbeInterval:\n%s", d)
	}
}

// A next-edit prediction runs on every pause in typing: it must not move
// the status away from the model the user's own requests went to.
func TestNextEditLeavesTheStatusAlone(t *testing.T) {
	fs := newFakes()
	var mu sync.Mutex
	var seen []Status
	cfg := codingRoute()
	cfg.Routes[config.TaskNextEdit] = []string{"codestral"}
	r := newTestRouter(t, cfg, fs, newClock(), func(o *Options) {
		o.OnStatus = func(s Status) { mu.Lock(); seen = append(seen, s); mu.Unlock() }
	})
	for _, task := range []string{config.TaskCoding, config.TaskNextEdit, config.TaskNextEdit} {
		s, _, err := r.Stream(context.Background(), providers.Need{Task: task}, chat)
		if err != nil {
			t.Fatalf("%s: %v", task, err)
		}
		s.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0].Model != "gpt" {
		t.Errorf("statuses %+v; want one, naming the coding model gpt", seen)
	}
}
