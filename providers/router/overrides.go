package router

import (
	"fmt"
	"strings"

	"switchyard/config"
	"switchyard/providers"
)

// The policy in force for one request is [policy] narrowed by the task's
// [policy.tasks.NAME] and by every [[policy.paths]] entry that matches a
// file the content came from. config.Policy.Narrow applies the rules, so
// an override can only ever tighten; this file works out which overrides
// apply and remembers which one set each rule, so an explanation names
// the setting to change.

// pathRule is one [[policy.paths]] entry, compiled.
type pathRule struct {
	pat      pattern
	override config.PolicyOverride
	label    string // how explanations name it
}

func compilePathRules(entries []config.PathPolicy) []pathRule {
	var rules []pathRule
	for _, e := range entries {
		p, ok := compilePattern(e.Glob, "")
		if !ok {
			continue
		}
		// Matched at any depth, as [policy] local_only is: the rule is the
		// user's, not one repository's.
		p.anywhere = !p.absolute
		rules = append(rules, pathRule{pat: p, override: e.Override(), label: "[[policy.paths]] glob " + quote(e.Glob)})
	}
	return rules
}

// policySources names, for each rule, the setting it came from.
type policySources struct {
	jurisdictions, retention, zeroRetention, training string
}

var basePolicy = policySources{"[policy]", "[policy]", "[policy]", "[policy]"}

// requestPolicy is the policy in force for one request.
type requestPolicy struct {
	pol     *config.Policy
	from    *policySources
	applied []string // the overrides that apply, for Decision.Overrides
	local   string   // the override that keeps the request on local models, if any
}

// policyFor narrows [policy] by the overrides that apply to need. With
// none configured it allocates nothing.
func (r *Router) policyFor(need providers.Need, lo *localOnly) requestPolicy {
	rp := requestPolicy{pol: &r.cfg.Policy, from: &basePolicy}
	task, hasTask := r.cfg.Policy.Tasks[need.Task]
	if !hasTask && len(r.pathRules) == 0 {
		return rp
	}
	pol := r.cfg.Policy
	from := basePolicy
	apply := func(o config.PolicyOverride, label string) {
		next := pol.Narrow(o)
		if !sameStrings(next.Jurisdictions, pol.Jurisdictions) {
			from.jurisdictions = label
		}
		if !samePtr(next.MaxRetentionDays, pol.MaxRetentionDays) {
			from.retention = label
		}
		if next.ZeroRetention && !pol.ZeroRetention {
			from.zeroRetention = label
		}
		if next.NoTraining && !pol.NoTraining {
			from.training = label
		}
		if next.Offline && !pol.Offline && rp.local == "" {
			if o.LocalOnly {
				rp.local = label + " local_only = true"
			} else {
				rp.local = fmt.Sprintf("%s jurisdictions (%s) has none in common with %s jurisdictions (%s)",
					label, strings.Join(o.Jurisdictions, ", "), from.jurisdictions, strings.Join(pol.Jurisdictions, ", "))
			}
		}
		pol = next
		rp.applied = append(rp.applied, label)
	}
	if hasTask {
		apply(task, "[policy.tasks."+need.Task+"]")
	}
	for i := range r.pathRules {
		rule := &r.pathRules[i]
		for _, file := range need.Paths {
			if lo.matches(&rule.pat, file) {
				apply(rule.override, rule.label)
				break
			}
		}
	}
	// [policy] offline is reported as such in plan; only what an override
	// added counts here.
	pol.Offline = r.cfg.Policy.Offline
	rp.pol, rp.from = &pol, &from
	return rp
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func samePtr(a, b *int) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// classFor is the model class task asks for: [tasks.NAME] class when set,
// else the task's own. ok is false for an unknown task.
func (r *Router) classFor(task string) (class string, overridden, ok bool) {
	class, ok = taskClass[task]
	if !ok {
		return "", false, false
	}
	if c := r.cfg.Tasks[task].Class; c != "" {
		return c, c != class, true
	}
	return class, false, true
}
