package router

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/catalog"
)

// taskClass is the model class each task asks for when [routes] does not
// pin models for it.
var taskClass = map[string]string{
	config.TaskCompletion:  config.ClassCompletion,
	config.TaskCoding:      config.ClassCoding,
	config.TaskRefactor:    config.ClassFrontier,
	config.TaskImage:       config.ClassMultimodal,
	config.TaskLongContext: config.ClassLongContext,
	config.TaskNextEdit:    config.ClassNextEdit,
}

// Rules that remove a candidate, as Candidate.Rule names them.
const (
	RuleConfig        = "config"            // the model or its provider is misconfigured
	RuleDisabled      = "disabled"          // disabled = true
	RuleOffline       = "offline"           // remote while offline
	RuleLocalOnly     = "policy.local_only" // remote, and the content is local-only
	RuleJurisdiction  = "policy.jurisdictions"
	RuleRetention     = "policy.max_retention_days"
	RuleZeroRetention = "policy.zero_retention"
	RuleTraining      = "policy.no_training"
	RuleVision        = "capability.vision"
	RuleContextWindow = "capability.context_window"
	RuleBreaker       = "breaker"        // the provider's circuit breaker is open
	RuleProbe         = "probe"          // the local runner did not answer its health probe
	RuleFailed        = "failed"         // tried in this request and failed
	RuleContentPolicy = "content_policy" // this vendor refused the content in this request
)

// Candidate is one model considered for a request, and what became of it.
type Candidate struct {
	Model    string `json:"model"`    // [models.NAME]
	Provider string `json:"provider"` // [providers.NAME]
	Local    bool   `json:"local"`
	Kept     bool   `json:"kept"`
	Rule     string `json:"rule,omitempty"`   // why it was removed, one of the Rule constants
	Reason   string `json:"reason,omitempty"` // the same in words, naming the setting
	TTFTms   int64  `json:"ttft_ms,omitempty"`
	// Where says why the provider counts as local or remote
	// ("remote: declares jurisdictions in [providers.gw.data] and not
	// local = true").
	Where string `json:"where,omitempty"`
	// Admitted names, for a kept remote candidate, the policy rules it
	// passed (what providers.Egress.Admitted records). Explain fills it;
	// Plan leaves it out, since a request needs it only for the model it
	// calls (Router.Admitted).
	Admitted []string `json:"admitted,omitempty"`
}

// Decision is the router's answer for one need: every candidate with
// what removed it, or its rank. It is what `switchyard doctor --route`
// prints and `switchyard.explainRoute` returns.
type Decision struct {
	Task       string      `json:"task"`
	Class      string      `json:"class,omitempty"`
	ClassFrom  string      `json:"class_from,omitempty"` // the setting that chose Class, when not the task's own
	Pinned     bool        `json:"pinned"`               // [routes] lists the models for this task
	Online     bool        `json:"online"`
	LocalOnly  string      `json:"local_only,omitempty"` // why only local models may serve it
	Overrides  []string    `json:"overrides,omitempty"`  // the policy overrides that apply to this request
	Candidates []Candidate `json:"candidates"`           // kept ones first, in rank order
	Picked     string      `json:"picked,omitempty"`     // the model tried first, "" if none
	Problem    string      `json:"problem,omitempty"`    // why no candidate could be listed at all
}

// Kept returns the candidates that survived, in the order they are tried.
func (d *Decision) Kept() []Candidate {
	n := 0
	for n < len(d.Candidates) && d.Candidates[n].Kept {
		n++
	}
	return d.Candidates[:n]
}

// String is the human form, one line per candidate.
func (d Decision) String() string {
	var b strings.Builder
	state := "online"
	if !d.Online {
		state = "offline"
	}
	fmt.Fprintf(&b, "task %s", d.Task)
	if d.Class != "" {
		switch {
		case d.Pinned:
			fmt.Fprintf(&b, " (models from [routes] %s)", d.Task)
		case d.ClassFrom != "":
			fmt.Fprintf(&b, " (class %s, from %s)", d.Class, d.ClassFrom)
		default:
			fmt.Fprintf(&b, " (class %s)", d.Class)
		}
	}
	fmt.Fprintf(&b, ", %s\n", state)
	if len(d.Overrides) > 0 {
		fmt.Fprintf(&b, "policy narrowed by: %s\n", strings.Join(d.Overrides, ", "))
	}
	if d.LocalOnly != "" {
		fmt.Fprintf(&b, "local models only: %s\n", d.LocalOnly)
	}
	if d.Problem != "" {
		fmt.Fprintf(&b, "no candidates: %s\n", d.Problem)
	}
	rank := 0
	for _, c := range d.Candidates {
		where := "remote"
		if c.Local {
			where = "local"
		}
		if c.Kept {
			rank++
			fmt.Fprintf(&b, "  %d. %s via %s (%s)", rank, c.Model, c.Provider, where)
			if c.TTFTms > 0 {
				fmt.Fprintf(&b, ", first token ~%d ms", c.TTFTms)
			}
			b.WriteString("\n")
			continue
		}
		fmt.Fprintf(&b, "  -  %s via %s (%s): removed by %s: %s\n", c.Model, c.Provider, where, c.Rule, c.Reason)
	}
	if d.Picked != "" {
		fmt.Fprintf(&b, "picked: %s\n", d.Picked)
	} else {
		b.WriteString("picked: none\n")
	}
	seen := map[string]bool{}
	for _, c := range d.Candidates {
		if c.Where == "" || seen[c.Provider] {
			continue
		}
		if len(seen) == 0 {
			b.WriteString("where the data goes:\n")
		}
		seen[c.Provider] = true
		fmt.Fprintf(&b, "  %s: %s\n", c.Provider, c.Where)
	}
	return b.String()
}

// JSON is the form returned by switchyard.explainRoute.
func (d Decision) JSON() []byte {
	out, _ := json.Marshal(d) // a Decision holds only strings, bools and ints
	return out
}

// Err is the error for a decision that left nothing to call, naming the
// rule that removed each candidate; nil when a candidate is left.
func (d Decision) Err() error {
	if d.Picked != "" {
		return nil
	}
	return &NoRouteError{Decision: d}
}

// NoRouteError says why no model could serve a request. It wraps the last
// provider error, if a call was made, so providers.KindOf sees its kind.
type NoRouteError struct {
	Decision Decision
	Last     error // the last provider error in this request, if any
}

func (e *NoRouteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no model can serve %s", e.Decision.Task)
	if e.Decision.LocalOnly != "" {
		fmt.Fprintf(&b, " (local models only: %s)", e.Decision.LocalOnly)
	}
	switch {
	case e.Decision.Problem != "":
		fmt.Fprintf(&b, ": %s", e.Decision.Problem)
	case len(e.Decision.Candidates) == 0:
		fmt.Fprintf(&b, ": no model is listed in [routes] %s and none has class %q in [models]: add one", e.Decision.Task, e.Decision.Class)
	}
	for i, c := range e.Decision.Candidates {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s via %s: %s (%s)", c.Model, c.Provider, c.Reason, c.Rule)
	}
	return b.String()
}

func (e *NoRouteError) Unwrap() error { return e.Last }

// exclusions are what earlier attempts in the same request ruled out.
type exclusions struct {
	failed    map[string]string // model -> why it failed
	minWindow int               // a context-window error: need more than this
	vendors   map[string]string // provider type -> why it refused the content
}

// Plan lists the candidates for need, each kept or removed with the rule
// that removed it, kept ones in the order they will be tried. It does no
// I/O: it reads the configuration, the breakers, the latency averages and
// the online state.
func (r *Router) Plan(need providers.Need) Decision {
	return r.plan(need, nil, r.now())
}

func (r *Router) plan(need providers.Need, ex *exclusions, now time.Time) Decision {
	d := Decision{Task: need.Task, Online: r.online(now)}
	class, overridden, ok := r.classFor(need.Task)
	if !ok {
		d.Problem = fmt.Sprintf("unknown task %q: use one of completion, coding, refactor, image, long_context", need.Task)
		return d
	}
	d.Class = class
	if overridden {
		d.ClassFrom = "[tasks." + need.Task + "] class"
	}
	d.Pinned = len(r.cfg.Routes[need.Task]) > 0
	lo := r.localOnly.Load()
	rp := r.policyFor(need, lo)
	d.Overrides = rp.applied

	offline := ""
	switch {
	case r.cfg.Policy.Offline:
		offline = "[policy] offline = true"
	case !d.Online:
		offline = "this machine is offline (" + r.net.reason() + ")"
	}
	localOnly, keepLocal := "", ""
	for _, p := range need.Paths {
		if rule := lo.rule(p); rule != "" {
			localOnly = p + " matches " + rule
			keepLocal = "remote, and the content comes from a local-only path"
			break
		}
	}
	if localOnly == "" && rp.local != "" {
		localOnly = rp.local
		keepLocal = "remote, and " + rp.local + " keeps this request on local models"
	}
	switch {
	case offline != "" && localOnly != "":
		d.LocalOnly = offline + "; " + localOnly
	case offline != "":
		d.LocalOnly = offline
	default:
		d.LocalOnly = localOnly
	}

	list := r.candidates[need.Task]
	if d.LocalOnly != "" {
		// Local-only work may also go to any local model, listed after
		// the task's own candidates: the task's class is a preference,
		// keeping the content on the machine is a rule.
		list = r.withLocal[need.Task]
	}
	cands := make([]Candidate, 0, len(list))
	var kept []*target
	for _, t := range list {
		c := Candidate{Model: t.name, Provider: t.model.Provider}
		if t.prov != nil {
			c.Local, c.Where = t.prov.local, t.prov.where
		}
		if avg, ok := t.ttft.get(); ok {
			c.TTFTms = avg.Milliseconds()
		}
		c.Rule, c.Reason = r.check(t, need, ex, &rp, offline, keepLocal, now)
		if c.Rule == "" {
			c.Kept = true
			kept = append(kept, t)
		}
		cands = append(cands, c)
	}
	if !d.Pinned && len(kept) > 1 {
		r.rank(need.Task, kept)
	}
	// Kept candidates first, in rank order; removed ones after, in the
	// order they were listed.
	d.Candidates = make([]Candidate, 0, len(cands))
	for _, t := range kept {
		for _, c := range cands {
			if c.Kept && c.Model == t.name {
				d.Candidates = append(d.Candidates, c)
				break
			}
		}
	}
	for _, c := range cands {
		if !c.Kept {
			d.Candidates = append(d.Candidates, c)
		}
	}
	if len(kept) > 0 {
		d.Picked = kept[0].name
	}
	return d
}

// check returns the first rule that removes t, or "" to keep it. Hard
// rules (configuration, policy) come before soft ones (breaker, probe), so
// the explanation names the rule that would still hold after a retry.
func (r *Router) check(t *target, need providers.Need, ex *exclusions, rp *requestPolicy, offline, keepLocal string, now time.Time) (rule, reason string) {
	p := t.prov
	switch {
	case t.configErr != "":
		return RuleConfig, t.configErr
	case p.cfg.Disabled:
		return RuleDisabled, fmt.Sprintf("[providers.%s] disabled = true", p.name)
	case p.buildErr != nil:
		return RuleConfig, p.buildErr.Error()
	case !p.local && offline != "":
		// The cause is stated once, in Decision.LocalOnly.
		return RuleOffline, "remote, and only local models may serve while offline"
	case r.noPolicy:
		// Tests switch the policy off to prove the property test fails
		// without it.
	case !p.local && keepLocal != "":
		return RuleLocalOnly, keepLocal
	}
	if rule, reason := policyCheck(rp.pol, rp.from, p); rule != "" && !r.noPolicy {
		return rule, reason
	}
	switch {
	case need.Vision && !t.vision:
		return RuleVision, fmt.Sprintf("the request has images and [models.%s] is not vision-capable (set vision = true or class %q if it is)", t.name, config.ClassMultimodal)
	case t.model.ContextWindow > 0 && need.PromptTokens > t.model.ContextWindow:
		return RuleContextWindow, fmt.Sprintf("the prompt is ~%d tokens and [models.%s] context_window is %d", need.PromptTokens, t.name, t.model.ContextWindow)
	}
	if ex != nil {
		if why, ok := ex.failed[t.name]; ok {
			return RuleFailed, why
		}
		if ex.minWindow > 0 && t.model.ContextWindow <= ex.minWindow {
			return RuleContextWindow, fmt.Sprintf("the prompt did not fit a %d-token window and [models.%s] context_window is not larger (%d)", ex.minWindow, t.name, t.model.ContextWindow)
		}
		if why, ok := ex.vendors[p.cfg.Type]; ok {
			return RuleContentPolicy, why
		}
	}
	if open, until, why := p.breaker.state(now); open {
		msg := fmt.Sprintf("provider %s failed recently (%s)", p.name, why)
		if wait := until.Sub(now); wait > 0 {
			msg += "; tried again in " + roundWait(wait).String()
		}
		return RuleBreaker, msg
	}
	if why := p.probeFailure(); why != "" {
		return RuleProbe, why
	}
	return "", ""
}

// policyCheck applies the user's [policy] to what the provider promises.
// An unknown fact fails the rule that needs it: a provider we know
// nothing about is not assumed to comply.
func policyCheck(pol *config.Policy, from *policySources, p *provider) (rule, reason string) {
	if p.local {
		return "", "" // nothing leaves the machine
	}
	d := &p.data
	fix := fmt.Sprintf("if it does, set it in [providers.%s.data]", p.name)
	if len(pol.Jurisdictions) > 0 {
		if len(d.Jurisdictions) == 0 {
			return RuleJurisdiction, fmt.Sprintf("provider %s's jurisdiction is unknown and %s jurisdictions allows only %s (%s: jurisdictions = [...])", p.name, from.jurisdictions, strings.Join(pol.Jurisdictions, ", "), fix)
		}
		for _, j := range d.Jurisdictions {
			if !allowed(j, pol.Jurisdictions) {
				return RuleJurisdiction, fmt.Sprintf("provider %s processes data in %s and %s jurisdictions allows only %s", p.name, j, from.jurisdictions, strings.Join(pol.Jurisdictions, ", "))
			}
		}
	}
	if pol.ZeroRetention {
		switch {
		case d.RetentionDays == nil:
			return RuleZeroRetention, fmt.Sprintf("provider %s's retention is unknown and %s zero_retention = true (%s: retention_days = 0)", p.name, from.zeroRetention, fix)
		case *d.RetentionDays > 0:
			return RuleZeroRetention, fmt.Sprintf("provider %s keeps data %d days and %s zero_retention = true", p.name, *d.RetentionDays, from.zeroRetention)
		}
	}
	if pol.MaxRetentionDays != nil {
		switch {
		case d.RetentionDays == nil:
			return RuleRetention, fmt.Sprintf("provider %s's retention is unknown and %s max_retention_days = %d (%s: retention_days = N)", p.name, from.retention, *pol.MaxRetentionDays, fix)
		case *d.RetentionDays > *pol.MaxRetentionDays:
			return RuleRetention, fmt.Sprintf("provider %s keeps data %d days and %s max_retention_days = %d", p.name, *d.RetentionDays, from.retention, *pol.MaxRetentionDays)
		}
	}
	if pol.NoTraining {
		switch {
		case d.Training == nil:
			return RuleTraining, fmt.Sprintf("whether provider %s trains on data is unknown and %s no_training = true (%s: training = false)", p.name, from.training, fix)
		case *d.Training:
			return RuleTraining, fmt.Sprintf("provider %s may train on data and %s no_training = true", p.name, from.training)
		}
	}
	return "", ""
}

// admittedBy names the policy rules that remote provider p passed, each
// with the fact that passed it and the setting that set the rule, for
// the audit log; nil for a local provider or when no rule applies.
func admittedBy(pol *config.Policy, from *policySources, p *provider) []string {
	if p.local {
		return nil
	}
	d := &p.data
	var out []string
	if len(pol.Jurisdictions) > 0 {
		out = append(out, fmt.Sprintf("%s: %s within %s (%s)", RuleJurisdiction, strings.Join(d.Jurisdictions, ", "), strings.Join(pol.Jurisdictions, ", "), from.jurisdictions))
	}
	if pol.ZeroRetention && d.RetentionDays != nil {
		out = append(out, fmt.Sprintf("%s: retention_days = %d (%s)", RuleZeroRetention, *d.RetentionDays, from.zeroRetention))
	}
	if pol.MaxRetentionDays != nil && d.RetentionDays != nil {
		out = append(out, fmt.Sprintf("%s: %d days, at most %d (%s)", RuleRetention, *d.RetentionDays, *pol.MaxRetentionDays, from.retention))
	}
	if pol.NoTraining && d.Training != nil {
		out = append(out, fmt.Sprintf("%s: training = %v (%s)", RuleTraining, *d.Training, from.training))
	}
	return out
}

// Admitted names the policy rules that model passed for need, as
// Candidate.Admitted does: what providers.Egress.Admitted records for a
// call to it. It is nil for a local model, an unknown one, or when no
// rule applies.
func (r *Router) Admitted(need providers.Need, model string) []string {
	t := r.targets[model]
	if t == nil || t.prov == nil {
		return nil
	}
	rp := r.policyFor(need, r.localOnly.Load())
	return admittedBy(rp.pol, rp.from, t.prov)
}

func allowed(j string, list []string) bool {
	for _, a := range list {
		if catalog.InJurisdiction(j, a) {
			return true
		}
	}
	return false
}

// rank orders candidates that [routes] did not order: for completion,
// local models first (they answer fastest and keep code on the machine);
// then by measured time to first token, unmeasured last; then by price;
// then by name, so that the order is the same from one request to the
// next.
func (r *Router) rank(task string, ts []*target) {
	type key struct {
		remote   bool
		measured bool
		avg      time.Duration
	}
	keys := make(map[*target]key, len(ts))
	for _, t := range ts {
		avg, ok := t.ttft.get()
		keys[t] = key{remote: task == config.TaskCompletion && !t.prov.local, measured: ok, avg: avg}
	}
	sort.SliceStable(ts, func(i, j int) bool {
		a, b := keys[ts[i]], keys[ts[j]]
		switch {
		case a.remote != b.remote:
			return !a.remote
		case a.measured != b.measured:
			return a.measured
		case a.avg != b.avg:
			return a.avg < b.avg
		case ts[i].price != ts[j].price:
			return ts[i].price < ts[j].price
		}
		return ts[i].name < ts[j].name
	})
}

// roundWait keeps a wait readable: seconds when it is long, milliseconds
// when it is short.
func roundWait(d time.Duration) time.Duration {
	if d >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}
