package router

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
)

func TestPlan(t *testing.T) {
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, IgnoreFile), []byte("# keys stay here\nsecrets/\n!secrets/README.md\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cfg     func(*config.Config)
		setup   func(*Router, *clock)
		need    providers.Need
		kept    []string          // in rank order
		removed map[string]string // model -> rule
	}{
		{
			name: "completion by class, local first",
			need: providers.Need{Task: config.TaskCompletion},
			kept: []string{"qwen", "codestral"},
		},
		{
			name: "coding by class, by list price when nothing is measured",
			need: providers.Need{Task: config.TaskCoding},
			kept: []string{"codestral", "claude", "gpt", "mixtral"},
		},
		{
			name: "measured time to first token ranks class candidates",
			need: providers.Need{Task: config.TaskCoding},
			setup: func(r *Router, _ *clock) {
				r.targets["gpt"].ttft.observe(100 * time.Millisecond)
				r.targets["mixtral"].ttft.observe(300 * time.Millisecond)
			},
			kept: []string{"gpt", "mixtral", "codestral", "claude"},
		},
		{
			name: "pinned routes keep their order whatever the latency",
			cfg:  func(c *config.Config) { c.Routes = map[string][]string{"coding": {"mixtral", "gpt"}} },
			setup: func(r *Router, _ *clock) {
				r.targets["gpt"].ttft.observe(10 * time.Millisecond)
			},
			need: providers.Need{Task: config.TaskCoding},
			kept: []string{"mixtral", "gpt"},
		},
		{
			name:    "route naming a missing model",
			cfg:     func(c *config.Config) { c.Routes = map[string][]string{"coding": {"nope", "gpt"}} },
			need:    providers.Need{Task: config.TaskCoding},
			kept:    []string{"gpt"},
			removed: map[string]string{"nope": RuleConfig},
		},
		{
			name:    "EU only",
			cfg:     func(c *config.Config) { c.Policy.Jurisdictions = []string{"EU"} },
			need:    providers.Need{Task: config.TaskCoding},
			kept:    []string{"codestral", "claude"},
			removed: map[string]string{"gpt": RuleJurisdiction, "mixtral": RuleJurisdiction},
		},
		{
			name: "a provider override admits it",
			cfg: func(c *config.Config) {
				c.Policy.Jurisdictions = []string{"EU"}
				p := c.Providers["openai"]
				p.Data.Jurisdictions = []string{"IE"}
				c.Providers["openai"] = p
			},
			need:    providers.Need{Task: config.TaskCoding},
			kept:    []string{"codestral", "claude", "gpt"},
			removed: map[string]string{"mixtral": RuleJurisdiction},
		},
		{
			name:    "zero retention",
			cfg:     func(c *config.Config) { c.Policy.ZeroRetention = true },
			need:    providers.Need{Task: config.TaskCoding},
			kept:    []string{"claude"},
			removed: map[string]string{"gpt": RuleZeroRetention, "codestral": RuleZeroRetention, "mixtral": RuleZeroRetention},
		},
		{
			name:    "max retention with unknown terms",
			cfg:     func(c *config.Config) { c.Policy.MaxRetentionDays = intp(30) },
			need:    providers.Need{Task: config.TaskCoding},
			kept:    []string{"codestral", "claude", "gpt"},
			removed: map[string]string{"mixtral": RuleRetention},
		},
		{
			name:    "no training with unknown terms",
			cfg:     func(c *config.Config) { c.Policy.NoTraining = true },
			need:    providers.Need{Task: config.TaskCoding},
			kept:    []string{"codestral", "claude", "gpt"},
			removed: map[string]string{"mixtral": RuleTraining},
		},
		{
			name: "local_only path keeps content on the machine, adding local models",
			cfg:  func(c *config.Config) { c.Policy.LocalOnly = []string{"**/*.pem", "internal/billing/**"} },
			need: providers.Need{Task: config.TaskCoding, Paths: []string{filepath.Join(ws, "internal/billing/charge.go")}},
			kept: []string{"qwen"},
			removed: map[string]string{
				"claude": RuleLocalOnly, "codestral": RuleLocalOnly, "gpt": RuleLocalOnly, "mixtral": RuleLocalOnly,
			},
		},
		{
			name:    "local_only glob at any depth",
			cfg:     func(c *config.Config) { c.Policy.LocalOnly = []string{"*.pem"} },
			need:    providers.Need{Task: config.TaskCompletion, Paths: []string{filepath.Join(ws, "deploy/tls/server.pem")}},
			kept:    []string{"qwen"},
			removed: map[string]string{"codestral": RuleLocalOnly},
		},
		{
			name:    ".switchyardignore folder",
			need:    providers.Need{Task: config.TaskCompletion, Paths: []string{filepath.Join(ws, "secrets/prod/key.go")}},
			kept:    []string{"qwen"},
			removed: map[string]string{"codestral": RuleLocalOnly},
		},
		{
			name: ".switchyardignore negation",
			need: providers.Need{Task: config.TaskCompletion, Paths: []string{filepath.Join(ws, "secrets/README.md")}},
			kept: []string{"qwen", "codestral"},
		},
		{
			name: "a path outside local_only goes anywhere",
			cfg:  func(c *config.Config) { c.Policy.LocalOnly = []string{"internal/billing/**"} },
			need: providers.Need{Task: config.TaskCompletion, Paths: []string{filepath.Join(ws, "internal/api/server.go")}},
			kept: []string{"qwen", "codestral"},
		},
		{
			name:    "offline",
			setup:   func(r *Router, _ *clock) { r.setOnline(false, "test") },
			need:    providers.Need{Task: config.TaskCoding},
			kept:    []string{"qwen"},
			removed: map[string]string{"claude": RuleOffline, "codestral": RuleOffline, "gpt": RuleOffline, "mixtral": RuleOffline},
		},
		{
			name:    "policy offline",
			cfg:     func(c *config.Config) { c.Policy.Offline = true },
			need:    providers.Need{Task: config.TaskCompletion},
			kept:    []string{"qwen"},
			removed: map[string]string{"codestral": RuleOffline},
		},
		{
			name:    "images need vision",
			need:    providers.Need{Task: config.TaskCoding, Vision: true},
			kept:    []string{"claude", "gpt"},
			removed: map[string]string{"codestral": RuleVision, "mixtral": RuleVision},
		},
		{
			name:    "prompt larger than the window",
			need:    providers.Need{Task: config.TaskCoding, PromptTokens: 300000},
			kept:    []string{"gpt"},
			removed: map[string]string{"claude": RuleContextWindow, "codestral": RuleContextWindow, "mixtral": RuleContextWindow},
		},
		{
			name: "open breaker",
			setup: func(r *Router, c *clock) {
				r.provs["openai"].breaker.failure(c.Now(), r.breakers, true, time.Minute, "rate limited")
			},
			need:    providers.Need{Task: config.TaskCoding},
			kept:    []string{"codestral", "claude", "mixtral"},
			removed: map[string]string{"gpt": RuleBreaker},
		},
		{
			name: "breaker half-open after its cool-down",
			setup: func(r *Router, c *clock) {
				r.provs["openai"].breaker.failure(c.Now(), r.breakers, true, time.Minute, "rate limited")
				c.Add(time.Minute)
			},
			need: providers.Need{Task: config.TaskCoding},
			kept: []string{"codestral", "claude", "gpt", "mixtral"},
		},
		{
			name: "local runner down",
			setup: func(r *Router, _ *clock) {
				why := "not answering"
				r.provs["local"].probe.Store(&why)
			},
			need:    providers.Need{Task: config.TaskCompletion},
			kept:    []string{"codestral"},
			removed: map[string]string{"qwen": RuleProbe},
		},
		{
			name: "disabled provider",
			cfg: func(c *config.Config) {
				p := c.Providers["local"]
				p.Disabled = true
				c.Providers["local"] = p
			},
			need:    providers.Need{Task: config.TaskCompletion},
			kept:    []string{"codestral"},
			removed: map[string]string{"qwen": RuleDisabled},
		},
		{
			name: "model with an unknown provider",
			cfg: func(c *config.Config) {
				c.Models["ghost"] = config.Model{Provider: "nowhere", ID: "x", Classes: []string{"completion"}}
			},
			need:    providers.Need{Task: config.TaskCompletion},
			kept:    []string{"qwen", "codestral"},
			removed: map[string]string{"ghost": RuleConfig},
		},
		{
			name: "policy, offline and capability together",
			cfg: func(c *config.Config) {
				c.Policy.Jurisdictions = []string{"EU"}
			},
			setup:   func(r *Router, _ *clock) { r.setOnline(false, "test") },
			need:    providers.Need{Task: config.TaskImage, Vision: true},
			kept:    nil,
			removed: map[string]string{"gpt": RuleOffline, "qwen": RuleVision},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				tc.cfg(cfg)
			}
			c := newClock()
			r := newTestRouter(t, cfg, newFakes(), c, func(o *Options) { o.Workspace = []string{ws} })
			if tc.setup != nil {
				tc.setup(r, c)
			}
			d := r.Plan(tc.need)
			var kept []string
			removed := map[string]string{}
			for _, c := range d.Candidates {
				if c.Kept {
					kept = append(kept, c.Model)
				} else {
					removed[c.Model] = c.Rule
					if c.Reason == "" {
						t.Errorf("%s removed by %s with no reason", c.Model, c.Rule)
					}
				}
			}
			if !reflect.DeepEqual(kept, tc.kept) {
				t.Errorf("kept %v, want %v\n%s", kept, tc.kept, d)
			}
			if tc.removed == nil {
				tc.removed = map[string]string{}
			}
			if !reflect.DeepEqual(removed, tc.removed) {
				t.Errorf("removed %v, want %v\n%s", removed, tc.removed, d)
			}
			want := ""
			if len(tc.kept) > 0 {
				want = tc.kept[0]
			}
			if d.Picked != want {
				t.Errorf("picked %q, want %q", d.Picked, want)
			}
			if (d.Err() == nil) != (want != "") {
				t.Errorf("Err() = %v with picked %q", d.Err(), d.Picked)
			}
		})
	}
}

func TestPlanExplains(t *testing.T) {
	cfg := testConfig()
	cfg.Policy.Jurisdictions = []string{"EU"}
	cfg.Policy.LocalOnly = []string{"vault/**"}
	r := newTestRouter(t, cfg, newFakes(), newClock(), nil)

	d := r.Explain(config.TaskCoding, "/src/vault/keys.go")
	text := d.String()
	for _, want := range []string{
		"local models only: /src/vault/keys.go matches [policy] local_only \"vault/**\"",
		"1. qwen via local (local)",
		"gpt via openai (remote): removed by policy.local_only",
		"picked: qwen",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("explanation lacks %q:\n%s", want, text)
		}
	}
	var back Decision
	if err := json.Unmarshal(d.JSON(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Picked != "qwen" || len(back.Candidates) != len(d.Candidates) {
		t.Errorf("JSON round trip lost the decision: %s", d.JSON())
	}

	// Nothing left: the error names the rule that removed each candidate.
	cfg.Models = map[string]config.Model{"gpt": cfg.Models["gpt"], "mixtral": cfg.Models["mixtral"]}
	cfg.Routes = map[string][]string{"coding": {"gpt", "mixtral"}}
	r = newTestRouter(t, cfg, newFakes(), newClock(), nil)
	err := r.Plan(providers.Need{Task: config.TaskCoding}).Err()
	if err == nil {
		t.Fatal("no error with every candidate removed")
	}
	for _, want := range []string{
		"gpt via openai: provider openai processes data in US and [policy] jurisdictions allows only EU (policy.jurisdictions)",
		"mixtral via mystery: provider mystery's jurisdiction is unknown",
		"[providers.mystery.data]",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestPlanUnknownTask(t *testing.T) {
	r := newTestRouter(t, testConfig(), newFakes(), newClock(), nil)
	err := r.Plan(providers.Need{Task: "poetry"}).Err()
	if err == nil || !strings.Contains(err.Error(), "unknown task \"poetry\"") {
		t.Fatalf("got %v", err)
	}
}

func BenchmarkPlan(b *testing.B) {
	cfg := testConfig()
	cfg.Policy.Jurisdictions = []string{"EU", "US"}
	cfg.Policy.NoTraining = true
	cfg.Policy.LocalOnly = []string{"**/*.pem", "internal/billing/**"}
	r := newTestRouter(b, cfg, newFakes(), newClock(), func(o *Options) { o.Now = time.Now })
	need := providers.Need{Task: config.TaskCoding, PromptTokens: 4000, Paths: []string{"/home/me/src/app/internal/api/server.go"}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d := r.Plan(need); d.Picked == "" {
			b.Fatal("no candidate")
		}
	}
}
