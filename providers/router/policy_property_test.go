package router

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
)

// The property: whatever the providers (type, address, preset, declared
// terms), the policy (rules, per-task and per-path overrides, local-only
// paths) and the faults on the way, no provider the router plans or calls
// breaks a rule in force. The oracle below is written from the README's
// rules, not from the router's code: a provider is local only on this
// machine and only while the user declared no terms (or said local =
// true), and a fact that is not known fails every rule that needs it.

// propSpec is one [providers.NAME] entry of the space.
type propSpec struct {
	typ, preset, addr string
	terms             propTerms
}

// propTerms is what the user declared in [providers.NAME.data].
type propTerms struct {
	name string
	data config.DataPolicy
}

var (
	propTypes = []string{"openai", "anthropic", "mistral", "azure", "bedrock", "vertex", "ollama", "llamacpp"}
	// "" is the type's (or the preset's) own address; "vendor" its
	// vendor's own host.
	propAddrs   = []string{"", "127.0.0.1", "127.8.9.10", "[::1]", "localhost", "10.0.0.5", "192.168.1.20", "gw.example.com", "vendor"}
	propPresets = []string{"", "openai", "deepseek", "openrouter", "vllm", "lmstudio", "litellm"}
	propHosts   = map[string]string{
		"openai": "api.openai.com", "anthropic": "api.anthropic.com", "mistral": "api.mistral.ai",
		"azure": "res.openai.azure.com", "bedrock": "bedrock-runtime.eu-central-1.amazonaws.com",
		"vertex": "europe-west4-aiplatform.googleapis.com", "ollama": "ollama.example.com", "llamacpp": "llama.example.com",
	}
)

func propTermsList() []propTerms {
	i := func(n int) *int { return &n }
	b := func(v bool) *bool { return &v }
	return []propTerms{
		{"none", config.DataPolicy{}},
		{"jurisdictions CN", config.DataPolicy{Jurisdictions: []string{"CN"}}},
		{"jurisdictions DE", config.DataPolicy{Jurisdictions: []string{"DE"}}},
		{"retention 90", config.DataPolicy{RetentionDays: i(90)}},
		{"retention 0", config.DataPolicy{RetentionDays: i(0)}},
		{"training true", config.DataPolicy{Training: b(true)}},
		{"training false", config.DataPolicy{Training: b(false)}},
		{"private network", config.DataPolicy{PrivateNet: b(true)}},
		{"all good", config.DataPolicy{Jurisdictions: []string{"US"}, RetentionDays: i(0), Training: b(false)}},
		{"CN, 90 days, local = true", config.DataPolicy{Jurisdictions: []string{"CN"}, RetentionDays: i(90), Local: b(true)}},
		{"local = true", config.DataPolicy{Local: b(true)}},
		{"local = false", config.DataPolicy{Local: b(false)}},
	}
}

// propSpecs is every provider of the space: each type at each address,
// the openai type with each preset, each with each set of declared terms.
func propSpecs() []propSpec {
	var out []propSpec
	for _, terms := range propTermsList() {
		for _, typ := range propTypes {
			presets := []string{""}
			if typ == "openai" {
				presets = propPresets
			}
			for _, preset := range presets {
				for _, addr := range propAddrs {
					out = append(out, propSpec{typ: typ, preset: preset, addr: addr, terms: terms})
				}
			}
		}
	}
	return out
}

func (s propSpec) String() string {
	return fmt.Sprintf("%s preset %q at %q, declared %s", s.typ, s.preset, s.addr, s.terms.name)
}

func (s propSpec) config() config.Provider {
	p := config.Provider{Type: s.typ, Preset: s.preset, Data: s.terms.data}
	switch s.typ {
	case "bedrock":
		p.Region = "eu-central-1"
	case "vertex":
		p.Region = "europe-west4"
	}
	switch s.addr {
	case "":
	case "vendor":
		p.BaseURL = "https://" + propHosts[s.typ] + "/v1"
	default:
		p.BaseURL = "http://" + s.addr + ":8000/v1"
	}
	return p
}

// local is the oracle's answer to "does nothing leave the machine".
func (s propSpec) local() bool {
	d := s.terms.data
	if d.Local != nil {
		return *d.Local
	}
	if d.Jurisdictions != nil || d.RetentionDays != nil || d.Training != nil || d.PrivateNet != nil {
		return false
	}
	if s.preset == "litellm" {
		return false
	}
	addr := s.addr
	if addr == "" && (s.preset == "vllm" || s.preset == "lmstudio") {
		addr = "127.0.0.1"
	}
	loopback := slices.Contains([]string{"127.0.0.1", "127.8.9.10", "[::1]", "localhost"}, addr)
	if s.typ == "ollama" || s.typ == "llamacpp" {
		return addr == "" || loopback
	}
	return loopback
}

// facts is what is known of a remote provider's terms: what the user
// declared, else the vendor's published terms on its own endpoint, else
// nothing.
func (s propSpec) facts() config.DataPolicy {
	i := func(n int) *int { return &n }
	b := func(v bool) *bool { return &v }
	var d config.DataPolicy
	own := s.addr == "" || s.addr == "vendor"
	switch {
	case !own:
	case s.typ == "openai" && (s.preset == "" || s.preset == "openai" || s.addr == "vendor"):
		d = config.DataPolicy{Jurisdictions: []string{"US"}, RetentionDays: i(30), Training: b(false)}
	case s.typ == "openai" && s.preset == "deepseek":
		d = config.DataPolicy{Jurisdictions: []string{"CN"}, Training: b(true)}
	case s.typ == "anthropic", s.typ == "azure":
		d = config.DataPolicy{Jurisdictions: []string{"US"}, RetentionDays: i(30), Training: b(false)}
	case s.typ == "mistral", s.typ == "vertex":
		d = config.DataPolicy{Jurisdictions: []string{"EU"}, RetentionDays: i(30), Training: b(false)}
	case s.typ == "bedrock":
		d = config.DataPolicy{Jurisdictions: []string{"EU"}, RetentionDays: i(0), Training: b(false)}
	}
	u := s.terms.data
	if u.Jurisdictions != nil {
		d.Jurisdictions = u.Jurisdictions
	}
	if u.RetentionDays != nil {
		d.RetentionDays = u.RetentionDays
	}
	if u.Training != nil {
		d.Training = u.Training
	}
	return d
}

// propPolicy is one policy of the space, with the request it is checked
// against.
type propPolicy struct {
	pol  config.Policy
	need providers.Need
}

var (
	propPaths = []string{"", "src/main.go", "secret/key.go", "internal/billing/charge.go", "db/query.sql", "eu/data.go"}
	propTasks = []string{config.TaskCompletion, config.TaskCoding}
)

// propPolicies is every combination of the rules, the overrides and the
// requests.
func propPolicies() []propPolicy {
	i := func(n int) *int { return &n }
	// Each rule alone, none, and all at once; the seeded part below
	// draws the overrides' combinations with several providers.
	all := config.Policy{Jurisdictions: []string{"EU", "US"}, MaxRetentionDays: i(30), ZeroRetention: true, NoTraining: true}
	bases := []config.Policy{{}, {Jurisdictions: []string{"EU", "US"}}, {Jurisdictions: []string{"EU"}}, {MaxRetentionDays: i(30)}, {ZeroRetention: true}, {NoTraining: true}, all}
	for k := range bases {
		bases[k].LocalOnly = []string{"secret/**"}
	}
	taskOverrides := []map[string]config.PolicyOverride{
		nil,
		{config.TaskCompletion: {LocalOnly: true}},
		{config.TaskCoding: {Jurisdictions: []string{"EU"}}},
		{config.TaskCoding: {ZeroRetention: true, NoTraining: true}},
		{config.TaskCompletion: {MaxRetentionDays: i(7)}},
	}
	pathOverrides := [][]config.PathPolicy{
		nil,
		{{Glob: "internal/billing/**", ZeroRetention: true}, {Glob: "**/*.sql", LocalOnly: true}, {Glob: "eu/**", Jurisdictions: []string{"CN"}}},
	}
	var out []propPolicy
	for _, base := range bases {
		for _, to := range taskOverrides {
			for _, po := range pathOverrides {
				paths := propPaths
				if po == nil {
					// Without path overrides only local_only tells paths
					// apart.
					paths = propPaths[:3]
				}
				for _, task := range propTasks {
					for _, path := range paths {
						pol := base
						pol.Tasks, pol.Paths = to, po
						need := providers.Need{Task: task}
						if path != "" {
							need.Paths = []string{path}
						}
						out = append(out, propPolicy{pol: pol, need: need})
					}
				}
			}
		}
	}
	return out
}

// rules is the policy in force for the request, as the README states it:
// [policy] narrowed by the task's override and every matching path's.
func (pp propPolicy) rules() (pol config.Policy, localOnly bool) {
	pol = pp.pol
	if o, ok := pp.pol.Tasks[pp.need.Task]; ok {
		pol = pol.Narrow(o)
	}
	for _, path := range pp.need.Paths {
		localOnly = localOnly || strings.HasPrefix(path, "secret/")
		for _, e := range pp.pol.Paths {
			if propGlob(e.Glob, path) {
				pol = pol.Narrow(e.Override())
			}
		}
	}
	return pol, localOnly || pol.Offline
}

// propGlob matches the three globs the space uses.
func propGlob(glob, path string) bool {
	switch glob {
	case "**/*.sql":
		return strings.HasSuffix(path, ".sql")
	default:
		return strings.HasPrefix(path, strings.TrimSuffix(glob, "**"))
	}
}

// violation says which rule sending pp's content to s would break, or "".
func (pp propPolicy) violation(s propSpec) string {
	if s.local() {
		return ""
	}
	pol, localOnly := pp.rules()
	if localOnly {
		return "local only"
	}
	d := s.facts()
	if len(pol.Jurisdictions) > 0 {
		if len(d.Jurisdictions) == 0 {
			return "jurisdiction unknown"
		}
		for _, j := range d.Jurisdictions {
			if !slices.ContainsFunc(pol.Jurisdictions, func(a string) bool { return a == j || (a == "EU" && j == "DE") }) {
				return "jurisdiction " + j
			}
		}
	}
	if pol.ZeroRetention && (d.RetentionDays == nil || *d.RetentionDays > 0) {
		return "zero retention"
	}
	if pol.MaxRetentionDays != nil && (d.RetentionDays == nil || *d.RetentionDays > *pol.MaxRetentionDays) {
		return "max retention"
	}
	if pol.NoTraining && (d.Training == nil || *d.Training) {
		return "no training"
	}
	return ""
}

// propConfig puts each spec behind one provider with one model of every
// class the tasks ask for.
func propConfig(specs []propSpec, pol config.Policy) *config.Config {
	cfg := &config.Config{Providers: map[string]config.Provider{}, Models: map[string]config.Model{}, Policy: pol}
	for i, s := range specs {
		name := fmt.Sprintf("p%d", i)
		cfg.Providers[name] = s.config()
		cfg.Models["m"+name] = config.Model{Provider: name, ID: "model-" + name, Classes: []string{config.ClassCompletion, config.ClassCoding}}
	}
	return cfg
}

// propFaults are the ways a call can fail; nil answers.
var propFaults = []error{
	nil,
	perr("", providers.KindNetwork),
	perr("", providers.KindServer),
	perr("", providers.KindRateLimited),
	perr("", providers.KindAuth),
	perr("", providers.KindContentPolicy),
	perr("", providers.KindContextWindow),
}

// checkPolicyProperty runs the whole space and returns the first
// violations it finds (at most limit). noPolicy switches the router's
// policy check off.
func checkPolicyProperty(t *testing.T, noPolicy bool, limit int) []string {
	t.Helper()
	specs := propSpecs()
	policies := propPolicies()
	var bad []string
	report := func(format string, args ...any) bool {
		bad = append(bad, fmt.Sprintf(format, args...))
		return len(bad) >= limit
	}

	// Every provider of the space against every policy of the space:
	// Plan is pure, so this is cheap enough to be exhaustive. The
	// providers go in groups, one model each, and each group's router
	// takes each policy in turn.
	const group = 24
	for lo := 0; lo < len(specs); lo += group {
		chunk := specs[lo:min(lo+group, len(specs))]
		r := newPropRouter(t, propConfig(chunk, config.Policy{}), noPolicy)
		for _, pp := range policies {
			r.setPolicy(t, pp.pol)
			d := r.Plan(pp.need)
			for _, c := range d.Kept() {
				s := chunk[propIndex(c.Model)]
				if v := pp.violation(s); v != "" {
					if report("plan kept %s for %+v under %+v: breaks %s (decision: %s)", s, pp.need, pp.pol, v, d.String()) {
						r.Close()
						return bad
					}
				}
			}
		}
		r.Close()
	}

	// Several providers at once, with faults: each call the router makes,
	// fallbacks included, goes to a provider that breaks no rule. Seeded,
	// so a failure reproduces.
	rng := rand.New(rand.NewPCG(10, 2026))
	for n := 0; n < 3000; n++ {
		picked := []propSpec{specs[rng.IntN(len(specs))], specs[rng.IntN(len(specs))], specs[rng.IntN(len(specs))], specs[rng.IntN(len(specs))]}
		pp := policies[rng.IntN(len(policies))]
		fs := newFakes()
		for i := range picked {
			f := fs.get(fmt.Sprintf("p%d", i))
			for k := 0; k < 2; k++ {
				if e := propFaults[rng.IntN(len(propFaults))]; e != nil {
					f.script = append(f.script, step{err: e})
				} else {
					f.script = append(f.script, step{pieces: []string{"ok"}})
				}
			}
		}
		r, err := New(propConfig(picked, pp.pol), Options{NewProvider: fs.build, Rand: func() float64 { return 0.5 }, RetryBackoff: time.Nanosecond})
		if err != nil {
			t.Fatal(err)
		}
		r.noPolicy = noPolicy
		var called []string
		s, _, _ := r.Stream(context.Background(), pp.need, func(ctx context.Context, tg providers.Target) (providers.Stream, error) {
			called = append(called, tg.Name)
			return chat(ctx, tg)
		})
		if s != nil {
			s.Close()
		}
		r.Close()
		for _, m := range called {
			i := propIndex(m)
			if v := pp.violation(picked[i]); v != "" {
				if report("case %d: called %s (%s) for %+v under %+v: breaks %s", n, m, picked[i], pp.need, pp.pol, v) {
					return bad
				}
			}
		}
	}
	return bad
}

func newPropRouter(t *testing.T, cfg *config.Config, noPolicy bool) *Router {
	t.Helper()
	r, err := New(cfg, Options{NewProvider: newFakes().build})
	if err != nil {
		t.Fatal(err)
	}
	r.noPolicy = noPolicy
	return r
}

// setPolicy puts pol in force as New would, so that one router serves
// every policy of the space.
func (r *Router) setPolicy(t *testing.T, pol config.Policy) {
	lo, err := newLocalOnly(pol, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.cfg.Policy = pol
	r.pathRules = compilePathRules(pol.Paths)
	r.localOnly.Store(lo)
}

// propIndex is the index in the spec list of model "mpN".
func propIndex(model string) int {
	i, _ := strconv.Atoi(strings.TrimPrefix(model, "mp"))
	return i
}

func TestPolicyProperty(t *testing.T) {
	if bad := checkPolicyProperty(t, false, 10); len(bad) > 0 {
		t.Errorf("%d admitted routes break the policy, the first:\n%s", len(bad), strings.Join(bad, "\n"))
	}
}

// The property test must fail at once when the policy check is off,
// or it proves nothing.
func TestPolicyPropertyFailsWithoutThePolicy(t *testing.T) {
	if bad := checkPolicyProperty(t, true, 1); len(bad) == 0 {
		t.Fatal("with the policy check off, the property test found no violation")
	}
}

// What the audit log records as the rules that admitted a provider.
func TestAdmittedNamesTheRulesPassed(t *testing.T) {
	cfg := testConfig()
	cfg.Policy = config.Policy{Jurisdictions: []string{"EU", "US"}, NoTraining: true,
		Tasks: map[string]config.PolicyOverride{config.TaskCoding: {MaxRetentionDays: intp(30)}}}
	r := newTestRouter(t, cfg, newFakes(), newClock(), nil)
	d := r.Explain(config.TaskCoding, "")
	var gpt *Candidate
	for i := range d.Candidates {
		if d.Candidates[i].Model == "gpt" {
			gpt = &d.Candidates[i]
		}
	}
	want := []string{
		"policy.jurisdictions: US within EU, US ([policy])",
		"policy.max_retention_days: 30 days, at most 30 ([policy.tasks.coding])",
		"policy.no_training: training = false ([policy])",
	}
	if gpt == nil || !gpt.Kept || !slices.Equal(gpt.Admitted, want) {
		t.Fatalf("gpt: %+v\nwant admitted %q", gpt, want)
	}
	if got := r.Admitted(providers.Need{Task: config.TaskCoding}, "gpt"); !slices.Equal(got, want) {
		t.Errorf("Router.Admitted = %q, want %q", got, want)
	}
	if got := r.Admitted(providers.Need{Task: config.TaskCoding}, "qwen"); got != nil {
		t.Errorf("a local model: Admitted = %q, want none (nothing leaves the machine)", got)
	}
}
