package config

import (
	"maps"
	"slices"
	"strings"
)

// The policy can only be narrowed after the user has stated it: by a
// workspace file's [policy], by [policy.tasks.NAME] for one task and by
// [[policy.paths]] for content from matching files. All three follow the
// same rules, kept here so they cannot drift apart: a list of
// jurisdictions is intersected with the one in force (and when nothing is
// left, only local models remain, since an empty list would allow any),
// a retention limit counts only when it is smaller, and the booleans only
// turn rules on.

// Narrow returns p with o's rules applied on top; it never loosens p.
// A jurisdiction list with nothing in common with p's sets Offline, so
// that only local models remain.
func (p Policy) Narrow(o PolicyOverride) Policy {
	out := p
	if len(o.Jurisdictions) > 0 {
		both, none := intersect(p.Jurisdictions, o.Jurisdictions)
		if none {
			out.Offline = true
		} else {
			out.Jurisdictions = both
		}
	}
	out.MaxRetentionDays = smaller(p.MaxRetentionDays, o.MaxRetentionDays)
	out.ZeroRetention = p.ZeroRetention || o.ZeroRetention
	out.NoTraining = p.NoTraining || o.NoTraining
	out.Offline = out.Offline || o.LocalOnly
	return out
}

// IsZero reports whether o sets no rule at all.
func (o PolicyOverride) IsZero() bool {
	return len(o.Jurisdictions) == 0 && o.MaxRetentionDays == nil && !o.ZeroRetention && !o.NoTraining && !o.LocalOnly
}

// narrow combines two overrides of the same task into one that holds
// both: a workspace file's [policy.tasks.NAME] over the user's.
func (o PolicyOverride) narrow(w PolicyOverride) PolicyOverride {
	out := PolicyOverride{
		Jurisdictions:    cloneStrings(o.Jurisdictions),
		MaxRetentionDays: smaller(o.MaxRetentionDays, w.MaxRetentionDays),
		ZeroRetention:    o.ZeroRetention || w.ZeroRetention,
		NoTraining:       o.NoTraining || w.NoTraining,
		LocalOnly:        o.LocalOnly || w.LocalOnly,
	}
	if len(w.Jurisdictions) > 0 {
		both, none := intersect(o.Jurisdictions, w.Jurisdictions)
		if none {
			out.LocalOnly = true
		} else {
			out.Jurisdictions = both
		}
	}
	return out
}

// intersect narrows the allowed jurisdictions have by more. An empty have
// allows any, so more is taken whole. none reports that the two lists
// share nothing, which no remote provider can satisfy.
func intersect(have, more []string) (both []string, none bool) {
	if len(have) == 0 {
		return cloneStrings(more), false
	}
	for _, j := range have {
		if slices.ContainsFunc(more, func(m string) bool { return strings.EqualFold(m, j) }) {
			both = append(both, j)
		}
	}
	return both, len(both) == 0
}

// smaller is the stricter of two retention limits; nil is no limit.
func smaller(a, b *int) *int {
	switch {
	case b == nil:
		return clonePtr(a)
	case a == nil || *b < *a:
		return clonePtr(b)
	}
	return clonePtr(a)
}

func (o PolicyOverride) clone() PolicyOverride {
	o.Jurisdictions = cloneStrings(o.Jurisdictions)
	o.MaxRetentionDays = clonePtr(o.MaxRetentionDays)
	return o
}

func (p PathPolicy) clone() PathPolicy {
	p.Jurisdictions = cloneStrings(p.Jurisdictions)
	p.MaxRetentionDays = clonePtr(p.MaxRetentionDays)
	return p
}

func cloneTaskPolicies(m map[string]PolicyOverride) map[string]PolicyOverride {
	if m == nil {
		return nil
	}
	out := make(map[string]PolicyOverride, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out[k] = m[k].clone()
	}
	return out
}

func clonePathPolicies(ps []PathPolicy) []PathPolicy {
	if ps == nil {
		return nil
	}
	out := make([]PathPolicy, len(ps))
	for i, p := range ps {
		out[i] = p.clone()
	}
	return out
}
