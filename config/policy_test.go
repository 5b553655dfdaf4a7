package config

import (
	"slices"
	"strings"
	"testing"
)

func TestNarrowNeverLoosens(t *testing.T) {
	n := func(v int) *int { return &v }
	base := Policy{Jurisdictions: []string{"US", "EU"}, MaxRetentionDays: n(30)}
	tests := []struct {
		name string
		base Policy
		o    PolicyOverride
		want Policy
	}{
		{"nothing set", base, PolicyOverride{}, base},
		{"jurisdictions intersect", base, PolicyOverride{Jurisdictions: []string{"eu", "CN"}},
			Policy{Jurisdictions: []string{"EU"}, MaxRetentionDays: n(30)}},
		{"jurisdictions over an open policy", Policy{}, PolicyOverride{Jurisdictions: []string{"EU"}},
			Policy{Jurisdictions: []string{"EU"}}},
		{"no common jurisdiction leaves local models only", base, PolicyOverride{Jurisdictions: []string{"CN"}},
			Policy{Jurisdictions: []string{"US", "EU"}, MaxRetentionDays: n(30), Offline: true}},
		{"smaller retention wins", base, PolicyOverride{MaxRetentionDays: n(0)},
			Policy{Jurisdictions: []string{"US", "EU"}, MaxRetentionDays: n(0)}},
		{"larger retention is ignored", base, PolicyOverride{MaxRetentionDays: n(365)}, base},
		{"retention over an open policy", Policy{}, PolicyOverride{MaxRetentionDays: n(7)}, Policy{MaxRetentionDays: n(7)}},
		{"booleans turn on", base, PolicyOverride{ZeroRetention: true, NoTraining: true, LocalOnly: true},
			Policy{Jurisdictions: []string{"US", "EU"}, MaxRetentionDays: n(30), ZeroRetention: true, NoTraining: true, Offline: true}},
		{"booleans already on stay on", Policy{ZeroRetention: true, NoTraining: true, Offline: true}, PolicyOverride{},
			Policy{ZeroRetention: true, NoTraining: true, Offline: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.base.Narrow(tt.o)
			if !policyEqual(got, tt.want) {
				t.Errorf("Narrow = %+v, want %+v", got, tt.want)
			}
		})
	}
	// The result shares nothing with the override it came from.
	o := PolicyOverride{MaxRetentionDays: n(1)}
	got := Policy{}.Narrow(o)
	*o.MaxRetentionDays = 99
	if *got.MaxRetentionDays != 1 {
		t.Error("Narrow kept a pointer into the override")
	}
}

const overridesTOML = `
[tasks.refactor]
class = "coding"

[policy]
jurisdictions = ["US", "EU"]

[policy.tasks.completion]
local_only = true

[policy.tasks.refactor]
jurisdictions = ["EU"]
max_retention_days = 30

[[policy.paths]]
glob = "internal/**"
zero_retention = true

[[policy.paths]]
glob = "**/*.sql"
no_training = true
`

func TestOverridesLoadFromTOMLAndJSON(t *testing.T) {
	check := func(t *testing.T, c *Config) {
		t.Helper()
		if c.Tasks[TaskRefactor].Class != ClassCoding {
			t.Errorf("tasks = %+v", c.Tasks)
		}
		if !c.Policy.Tasks[TaskCompletion].LocalOnly {
			t.Errorf("policy.tasks.completion = %+v", c.Policy.Tasks[TaskCompletion])
		}
		r := c.Policy.Tasks[TaskRefactor]
		if !slices.Equal(r.Jurisdictions, []string{"EU"}) || r.MaxRetentionDays == nil || *r.MaxRetentionDays != 30 {
			t.Errorf("policy.tasks.refactor = %+v", r)
		}
		if len(c.Policy.Paths) != 2 || c.Policy.Paths[0].Glob != "internal/**" || !c.Policy.Paths[0].ZeroRetention ||
			c.Policy.Paths[1].Glob != "**/*.sql" || !c.Policy.Paths[1].NoTraining {
			t.Errorf("policy.paths = %+v", c.Policy.Paths)
		}
	}
	c, _, err := Merge(mustTOML(t, overridesTOML, "user.toml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	check(t, c)

	editor := mustJSON(t, `{"tasks":{"refactor":{"class":"coding"}},"policy":{"jurisdictions":["US","EU"],
		"tasks":{"completion":{"local_only":true},"refactor":{"jurisdictions":["EU"],"max_retention_days":30}},
		"paths":[{"glob":"internal/**","zero_retention":true},{"glob":"**/*.sql","no_training":true}]}}`)
	c, _, err = Merge(nil, editor)
	if err != nil {
		t.Fatal(err)
	}
	check(t, c)

	// A misspelt key inside an override is named, not ignored.
	_, err = ParseTOML([]byte("[[policy.paths]]\nglob = \"a/**\"\nzero_retension = true\n"), "user.toml")
	if err == nil || !strings.Contains(err.Error(), "policy.paths.zero_retension: unknown key") {
		t.Errorf("misspelt key: %v", err)
	}
	_, err = ParseTOML([]byte("[tasks.refactor]\nclas = \"coding\"\n"), "user.toml")
	if err == nil || !strings.Contains(err.Error(), "tasks.refactor.clas: unknown key") {
		t.Errorf("misspelt key: %v", err)
	}
}

// A workspace file may add overrides, trusted or not, and they only ever
// tighten: the same task's override combines with the user's, path
// entries add up.
func TestWorkspaceOverridesOnlyTighten(t *testing.T) {
	const ws = `
[tasks.refactor]
class = "frontier"

[policy.tasks.completion]
local_only = false
jurisdictions = ["US"]

[policy.tasks.refactor]
jurisdictions = ["US", "EU"]
max_retention_days = 90
no_training = true

[[policy.paths]]
glob = "vendor/**"
local_only = true
`
	for _, trusted := range []bool{false, true} {
		l := workspace(t, ws)
		user := mustTOML(t, userTOML+overridesTOML[strings.Index(overridesTOML, "[policy.tasks"):], "user.toml")
		if trusted {
			user = mustTOML(t, userTOML+overridesTOML[strings.Index(overridesTOML, "[policy.tasks"):]+
				"\n[trust]\nfolders = [\""+l.Folder+"\"]\n", "user.toml")
		}
		c, _, err := Merge(user, nil, l)
		if err != nil {
			t.Fatalf("trusted=%v: %v", trusted, err)
		}
		// A workspace may choose classes as it chooses routes.
		if c.Tasks[TaskRefactor].Class != ClassFrontier {
			t.Errorf("trusted=%v: tasks = %+v", trusted, c.Tasks)
		}
		comp := c.Policy.Tasks[TaskCompletion]
		if !comp.LocalOnly {
			t.Errorf("trusted=%v: local_only = false in a workspace turned the user's local_only off: %+v", trusted, comp)
		}
		ref := c.Policy.Tasks[TaskRefactor]
		if !slices.Equal(ref.Jurisdictions, []string{"EU"}) || *ref.MaxRetentionDays != 30 || !ref.NoTraining {
			t.Errorf("trusted=%v: refactor override = %+v, want EU, 30 days, no training", trusted, ref)
		}
		var globs []string
		for _, p := range c.Policy.Paths {
			globs = append(globs, p.Glob)
		}
		if !slices.Equal(globs, []string{"internal/**", "**/*.sql", "vendor/**"}) {
			t.Errorf("trusted=%v: paths = %v", trusted, globs)
		}
	}

	// A workspace override with no jurisdiction in common with the user's
	// override leaves that task local.
	l := workspace(t, "[policy.tasks.refactor]\njurisdictions = [\"CN\"]\n")
	c, _, err := Merge(mustTOML(t, userTOML+overridesTOML[strings.Index(overridesTOML, "[policy.tasks"):], "user.toml"), nil, l)
	if err != nil {
		t.Fatal(err)
	}
	if ref := c.Policy.Tasks[TaskRefactor]; !ref.LocalOnly || !slices.Equal(ref.Jurisdictions, []string{"EU"}) {
		t.Errorf("refactor override = %+v, want local only with EU kept", ref)
	}
}

func TestCloneCopiesOverrides(t *testing.T) {
	n := 3
	c := valid()
	c.Tasks = map[string]TaskSettings{TaskRefactor: {Class: ClassCoding}}
	c.Policy.Tasks = map[string]PolicyOverride{TaskRefactor: {Jurisdictions: []string{"EU"}, MaxRetentionDays: &n}}
	c.Policy.Paths = []PathPolicy{{Glob: "a/**", Jurisdictions: []string{"EU"}}}
	cp := c.Clone()
	cp.Tasks[TaskRefactor] = TaskSettings{Class: ClassFrontier}
	cp.Policy.Tasks[TaskRefactor].Jurisdictions[0] = "US"
	*cp.Policy.Tasks[TaskRefactor].MaxRetentionDays = 9
	cp.Policy.Paths[0].Jurisdictions[0] = "US"
	if c.Tasks[TaskRefactor].Class != ClassCoding || c.Policy.Tasks[TaskRefactor].Jurisdictions[0] != "EU" ||
		n != 3 || c.Policy.Paths[0].Jurisdictions[0] != "EU" {
		t.Error("changing the clone changed the original")
	}
}
