package router

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
)

// The models of testConfig, as the planner sees them:
//
//	qwen       local                    completion, local
//	codestral  mistral: EU, 30 days     completion, coding
//	claude     bedrock: EU, 0 days      coding, frontier, long-context
//	gpt        openai: US, 30 days      coding, frontier, multimodal
//	mixtral    mystery: terms unknown   coding
func TestPlanOverrides(t *testing.T) {
	ws := t.TempDir()
	allRemote := func(rule string) map[string]string {
		return map[string]string{"codestral": rule, "claude": rule, "gpt": rule, "mixtral": rule}
	}
	tests := []struct {
		name      string
		cfg       func(*config.Config)
		need      providers.Need
		kept      []string
		removed   map[string]string
		reason    string // a removed candidate's reason contains this
		class     string
		classFrom string
		overrides []string
	}{
		{
			name:  "refactor asks for a frontier model by default",
			need:  providers.Need{Task: config.TaskRefactor},
			kept:  []string{"claude", "gpt"},
			class: config.ClassFrontier,
		},
		{
			name:      "class override: refactor with coding models",
			cfg:       func(c *config.Config) { c.Tasks = map[string]config.TaskSettings{"refactor": {Class: "coding"}} },
			need:      providers.Need{Task: config.TaskRefactor},
			kept:      []string{"codestral", "claude", "gpt", "mixtral"},
			class:     config.ClassCoding,
			classFrom: "[tasks.refactor] class",
		},
		{
			name:      "class override: coding on local models",
			cfg:       func(c *config.Config) { c.Tasks = map[string]config.TaskSettings{"coding": {Class: "local"}} },
			need:      providers.Need{Task: config.TaskCoding},
			kept:      []string{"qwen"},
			class:     config.ClassLocal,
			classFrom: "[tasks.coding] class",
		},
		{
			name:  "class override naming the task's own class changes nothing",
			cfg:   func(c *config.Config) { c.Tasks = map[string]config.TaskSettings{"refactor": {Class: "frontier"}} },
			need:  providers.Need{Task: config.TaskRefactor},
			kept:  []string{"claude", "gpt"},
			class: config.ClassFrontier,
		},
		{
			name: "[routes] wins over the class override",
			cfg: func(c *config.Config) {
				c.Tasks = map[string]config.TaskSettings{"refactor": {Class: "coding"}}
				c.Routes = map[string][]string{"refactor": {"gpt", "codestral"}}
			},
			need:      providers.Need{Task: config.TaskRefactor},
			kept:      []string{"gpt", "codestral"},
			class:     config.ClassCoding,
			classFrom: "[tasks.refactor] class",
		},
		{
			name: "task override: zero retention for coding",
			cfg: func(c *config.Config) {
				c.Policy.Tasks = map[string]config.PolicyOverride{"coding": {ZeroRetention: true}}
			},
			need:      providers.Need{Task: config.TaskCoding},
			kept:      []string{"claude"},
			removed:   map[string]string{"codestral": RuleZeroRetention, "gpt": RuleZeroRetention, "mixtral": RuleZeroRetention},
			reason:    "provider openai keeps data 30 days and [policy.tasks.coding] zero_retention = true",
			overrides: []string{"[policy.tasks.coding]"},
		},
		{
			name: "task override leaves other tasks alone",
			cfg: func(c *config.Config) {
				c.Policy.Tasks = map[string]config.PolicyOverride{"coding": {ZeroRetention: true}}
			},
			need: providers.Need{Task: config.TaskCompletion},
			kept: []string{"qwen", "codestral"},
		},
		{
			name: "task override: EU only for coding",
			cfg: func(c *config.Config) {
				c.Policy.Tasks = map[string]config.PolicyOverride{"coding": {Jurisdictions: []string{"EU"}}}
			},
			need:      providers.Need{Task: config.TaskCoding},
			kept:      []string{"codestral", "claude"},
			removed:   map[string]string{"gpt": RuleJurisdiction, "mixtral": RuleJurisdiction},
			reason:    "provider openai processes data in US and [policy.tasks.coding] jurisdictions allows only EU",
			overrides: []string{"[policy.tasks.coding]"},
		},
		{
			name: "task override cannot widen jurisdictions: none in common keeps it local",
			cfg: func(c *config.Config) {
				c.Policy.Jurisdictions = []string{"EU"}
				c.Policy.Tasks = map[string]config.PolicyOverride{"coding": {Jurisdictions: []string{"US"}}}
			},
			need:      providers.Need{Task: config.TaskCoding},
			kept:      []string{"qwen"},
			removed:   allRemote(RuleLocalOnly),
			reason:    "[policy.tasks.coding] jurisdictions (US) has none in common with [policy] jurisdictions (EU)",
			overrides: []string{"[policy.tasks.coding]"},
		},
		{
			name: "task override cannot raise the retention limit",
			cfg: func(c *config.Config) {
				c.Policy.MaxRetentionDays = intp(0)
				c.Policy.Tasks = map[string]config.PolicyOverride{"coding": {MaxRetentionDays: intp(365)}}
			},
			need:      providers.Need{Task: config.TaskCoding},
			kept:      []string{"claude"},
			removed:   map[string]string{"codestral": RuleRetention, "gpt": RuleRetention, "mixtral": RuleRetention},
			reason:    "provider openai keeps data 30 days and [policy] max_retention_days = 0",
			overrides: []string{"[policy.tasks.coding]"},
		},
		{
			name: "task override: completion stays local",
			cfg: func(c *config.Config) {
				c.Policy.Tasks = map[string]config.PolicyOverride{"completion": {LocalOnly: true}}
			},
			need:      providers.Need{Task: config.TaskCompletion},
			kept:      []string{"qwen"},
			removed:   map[string]string{"codestral": RuleLocalOnly},
			reason:    "[policy.tasks.completion] local_only = true keeps this request on local models",
			overrides: []string{"[policy.tasks.completion]"},
		},
		{
			name: "path override: zero retention for content from internal/",
			cfg: func(c *config.Config) {
				c.Policy.Paths = []config.PathPolicy{{Glob: "internal/**", ZeroRetention: true}}
			},
			need:      providers.Need{Task: config.TaskCoding, Paths: []string{filepath.Join(ws, "internal/billing/charge.go")}},
			kept:      []string{"claude"},
			removed:   map[string]string{"codestral": RuleZeroRetention, "gpt": RuleZeroRetention, "mixtral": RuleZeroRetention},
			reason:    `[[policy.paths]] glob "internal/**" zero_retention = true`,
			overrides: []string{`[[policy.paths]] glob "internal/**"`},
		},
		{
			name: "path override: a file elsewhere goes anywhere",
			cfg: func(c *config.Config) {
				c.Policy.Paths = []config.PathPolicy{{Glob: "internal/**", ZeroRetention: true}}
			},
			need: providers.Need{Task: config.TaskCoding, Paths: []string{filepath.Join(ws, "cmd/main.go")}},
			kept: []string{"codestral", "claude", "gpt", "mixtral"},
		},
		{
			name: "path override: one matching file of several is enough",
			cfg: func(c *config.Config) {
				c.Policy.Paths = []config.PathPolicy{{Glob: "**/*.sql", LocalOnly: true}}
			},
			need: providers.Need{Task: config.TaskCoding, Paths: []string{
				filepath.Join(ws, "cmd/main.go"), filepath.Join(ws, "db/queries/users.sql"),
			}},
			kept:      []string{"qwen"},
			removed:   allRemote(RuleLocalOnly),
			reason:    `[[policy.paths]] glob "**/*.sql" local_only = true`,
			overrides: []string{`[[policy.paths]] glob "**/*.sql"`},
		},
		{
			name: "path override cannot loosen: a longer retention is ignored",
			cfg: func(c *config.Config) {
				c.Policy.NoTraining = true
				c.Policy.ZeroRetention = true
				c.Policy.Paths = []config.PathPolicy{{Glob: "docs/**", MaxRetentionDays: intp(365)}}
			},
			need:      providers.Need{Task: config.TaskCoding, Paths: []string{filepath.Join(ws, "docs/a.md")}},
			kept:      []string{"claude"},
			removed:   map[string]string{"codestral": RuleZeroRetention, "gpt": RuleZeroRetention, "mixtral": RuleZeroRetention},
			overrides: []string{`[[policy.paths]] glob "docs/**"`},
		},
		{
			name: "task and path overrides add up",
			cfg: func(c *config.Config) {
				c.Policy.Tasks = map[string]config.PolicyOverride{"coding": {Jurisdictions: []string{"EU", "US"}}}
				c.Policy.Paths = []config.PathPolicy{
					{Glob: "internal/**", Jurisdictions: []string{"EU"}},
					{Glob: "internal/billing/**", MaxRetentionDays: intp(7)},
				}
			},
			need: providers.Need{Task: config.TaskCoding, Paths: []string{filepath.Join(ws, "internal/billing/charge.go")}},
			kept: []string{"claude"},
			removed: map[string]string{
				"codestral": RuleRetention, "gpt": RuleJurisdiction, "mixtral": RuleJurisdiction,
			},
			reason:    `provider mistral keeps data 30 days and [[policy.paths]] glob "internal/billing/**" max_retention_days = 7`,
			overrides: []string{"[policy.tasks.coding]", `[[policy.paths]] glob "internal/**"`, `[[policy.paths]] glob "internal/billing/**"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				tc.cfg(cfg)
			}
			r := newTestRouter(t, cfg, newFakes(), newClock(), func(o *Options) { o.Workspace = []string{ws} })
			d := r.Plan(tc.need)
			var kept []string
			removed := map[string]string{}
			reasons := ""
			for _, c := range d.Candidates {
				if c.Kept {
					kept = append(kept, c.Model)
				} else {
					removed[c.Model] = c.Rule
					reasons += c.Reason + "\n"
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
			if tc.reason != "" && !strings.Contains(reasons+d.LocalOnly, tc.reason) {
				t.Errorf("no reason says %q:\n%s", tc.reason, d)
			}
			if tc.class != "" && d.Class != tc.class {
				t.Errorf("class %q, want %q", d.Class, tc.class)
			}
			if d.ClassFrom != tc.classFrom {
				t.Errorf("class_from %q, want %q", d.ClassFrom, tc.classFrom)
			}
			if !reflect.DeepEqual(d.Overrides, tc.overrides) {
				t.Errorf("overrides %q, want %q", d.Overrides, tc.overrides)
			}
		})
	}
}

func TestExplainNamesOverrides(t *testing.T) {
	cfg := testConfig()
	cfg.Tasks = map[string]config.TaskSettings{"refactor": {Class: "coding"}}
	cfg.Policy.Tasks = map[string]config.PolicyOverride{"refactor": {Jurisdictions: []string{"EU"}}}
	r := newTestRouter(t, cfg, newFakes(), newClock(), nil)
	text := r.Explain(config.TaskRefactor, "").String()
	for _, want := range []string{
		"task refactor (class coding, from [tasks.refactor] class), online",
		"policy narrowed by: [policy.tasks.refactor]",
		"removed by policy.jurisdictions: provider openai processes data in US and [policy.tasks.refactor] jurisdictions allows only EU",
		"picked: codestral",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("explanation lacks %q:\n%s", want, text)
		}
	}
}

// A .switchyardignore written, changed or removed while the server runs
// takes effect on a later request, without a new router; the file is
// looked at no more than once a second.
func TestSwitchyardignoreChangesTakeEffect(t *testing.T) {
	ws := t.TempDir()
	ignore := filepath.Join(ws, IgnoreFile)
	secret := filepath.Join(ws, "secrets", "key.go")
	c := newClock()
	fs := newFakes()
	r := newTestRouter(t, testConfig(), fs, c, func(o *Options) { o.Workspace = []string{ws} })
	remoteAllowed := func() bool {
		t.Helper()
		for _, cand := range r.Explain(config.TaskCompletion, secret).Candidates {
			if cand.Model == "codestral" {
				return cand.Kept
			}
		}
		t.Fatal("codestral is not a candidate")
		return false
	}
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(ignore, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	if !remoteAllowed() {
		t.Fatal("with no .switchyardignore the file may go to remote models")
	}
	write("secrets/\n")
	if !remoteAllowed() {
		t.Error("the file was read again within a second of the last look")
	}
	c.Add(time.Second)
	if remoteAllowed() {
		t.Fatal("a .switchyardignore written while running did not take effect")
	}

	// Through Stream too: the request goes to the local model.
	write("# nothing secret any more, and a longer line\n")
	c.Add(time.Second)
	need := providers.Need{Task: config.TaskCompletion, Paths: []string{secret}}
	if !remoteAllowed() {
		t.Error("a changed .switchyardignore did not take effect")
	}
	write("secrets/\n")
	c.Add(time.Second)
	_, target, err := r.Stream(context.Background(), need, chat)
	if err != nil {
		t.Fatal(err)
	}
	if target.Name != "qwen" {
		t.Errorf("Stream picked %s for a file the new .switchyardignore keeps local", target.Name)
	}

	// A file that cannot be read keeps the rules read before.
	if err := os.Remove(ignore); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(ignore, 0o755); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Second)
	if remoteAllowed() {
		t.Error("an unreadable .switchyardignore dropped its rules")
	}

	// Removed: the rules go with it.
	if err := os.Remove(ignore); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Second)
	if !remoteAllowed() {
		t.Error("a removed .switchyardignore still applies")
	}
}

// BenchmarkPlanWithOverrides is BenchmarkPlan with a task override and
// path overrides, one of which matches.
func BenchmarkPlanWithOverrides(b *testing.B) {
	cfg := testConfig()
	cfg.Policy.Jurisdictions = []string{"EU", "US"}
	cfg.Policy.NoTraining = true
	cfg.Policy.LocalOnly = []string{"**/*.pem", "internal/billing/**"}
	cfg.Tasks = map[string]config.TaskSettings{"refactor": {Class: "coding"}}
	cfg.Policy.Tasks = map[string]config.PolicyOverride{"coding": {MaxRetentionDays: intp(30)}}
	cfg.Policy.Paths = []config.PathPolicy{
		{Glob: "internal/api/**", Jurisdictions: []string{"EU"}},
		{Glob: "**/*.sql", LocalOnly: true},
	}
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

// Router.LocalOnlyRule is what code actions ask before they read or write a
// file for a remote model: every rule that keeps a path local must show,
// the [[policy.paths]] and per-task overrides as much as the globs.
func TestRouterLocalOnlyRule(t *testing.T) {
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, IgnoreFile), []byte("secrets/\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Policy.LocalOnly = []string{"internal/billing/**"}
	cfg.Policy.Paths = []config.PathPolicy{{Glob: "**/*.sql", LocalOnly: true}}
	cfg.Policy.Tasks = map[string]config.PolicyOverride{config.TaskRefactor: {LocalOnly: true}}
	r := newTestRouter(t, cfg, newFakes(), newClock(), func(o *Options) { o.Workspace = []string{ws} })
	tests := []struct {
		task, path string
		want       string // a part of the rule; "" for none
	}{
		{config.TaskCoding, "cmd/main.go", ""},
		{config.TaskCoding, "internal/billing/charge.go", "internal/billing/**"},
		{config.TaskCoding, "secrets/key.go", "secrets/"},
		{config.TaskCoding, "db/users.sql", `[[policy.paths]] glob "**/*.sql"`},
		{config.TaskRefactor, "cmd/main.go", "[policy.tasks.refactor]"},
	}
	for _, tt := range tests {
		got := r.LocalOnlyRule(tt.task, filepath.Join(ws, tt.path))
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("LocalOnlyRule(%s, %s) = %q, want %q", tt.task, tt.path, got, tt.want)
		}
	}
}
