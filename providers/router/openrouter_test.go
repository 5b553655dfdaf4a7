package router_test

import (
	"testing"

	"switchyard/config"
	"switchyard/providers/router"
)

// OpenRouter's upstream is unknown, so [policy] zero_retention and
// no_training admit it only when its provider preferences restrict the
// upstream: zdr = true for the one, data_collection = "deny" (or zdr) for
// the other.
func TestPolicyAdmitsOpenRouterByItsPreferences(t *testing.T) {
	tests := []struct {
		name   string
		prefs  string // the [providers.or.options.provider] table, "" for none
		policy string
		kept   bool
	}{
		{"zero_retention, no preferences", "", "zero_retention = true", false},
		{"zero_retention, zdr", "zdr = true", "zero_retention = true", true},
		{"zero_retention, zdr false", "zdr = false", "zero_retention = true", false},
		{"zero_retention, data_collection deny only", `data_collection = "deny"`, "zero_retention = true", false},
		{"no_training, no preferences", "", "no_training = true", false},
		{"no_training, data_collection deny", `data_collection = "deny"`, "no_training = true", true},
		{"no_training, data_collection allow", `data_collection = "allow"`, "no_training = true", false},
		{"no_training, zdr", "zdr = true", "no_training = true", true},
		{"both rules, both preferences", "zdr = true\ndata_collection = \"deny\"", "zero_retention = true\nno_training = true", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := `
[providers.or]
type = "openai"
preset = "openrouter"

[models.claude]
provider = "or"
id = "anthropic/claude-sonnet-4.6"
classes = ["coding"]

[routes]
coding = ["claude"]

[policy]
` + tt.policy + "\n"
			if tt.prefs != "" {
				text += "\n[providers.or.options.provider]\n" + tt.prefs + "\n"
			}
			l, err := config.ParseTOML([]byte(text), "config.toml")
			if err != nil {
				t.Fatal(err)
			}
			cfg, _, err := config.Merge(l, nil)
			if err != nil {
				t.Fatal(err)
			}
			r, err := router.New(cfg, router.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			d := r.Explain(config.TaskCoding, "")
			if len(d.Candidates) != 1 || d.Candidates[0].Model != "claude" {
				t.Fatalf("candidates %+v, want claude only", d.Candidates)
			}
			c := d.Candidates[0]
			if c.Kept != tt.kept {
				t.Errorf("kept = %v (%s: %s), want %v", c.Kept, c.Rule, c.Reason, tt.kept)
			}
			if !tt.kept && c.Reason == "" {
				t.Error("removed without a reason the user can read")
			}
		})
	}
}
