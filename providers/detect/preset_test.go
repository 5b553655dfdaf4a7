package detect

import (
	"context"
	"reflect"
	"testing"

	"switchyard/config"
	"switchyard/providers/catalog"
)

// A provider found by its key variable is configured through its preset,
// so it reads the same endpoint, variable and data terms as one the user
// writes with that preset.
func TestKeyedProvidersUsePresets(t *testing.T) {
	l, rep := Discover(context.Background(), Options{
		Runners: []Runner{},
		Getenv:  env(map[string]string{"OPENAI_API_KEY": "x", "OPENROUTER_API_KEY": "y"}),
		Home:    t.TempDir(),
	})
	if l == nil {
		t.Fatalf("no configuration from the keys: %+v", rep)
	}
	cfg, _, err := config.Merge(l, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"openai", "openrouter"} {
		ps, _ := config.LookupPreset(name)
		p := cfg.Providers[name]
		if p.Preset != name || p.BaseURL != ps.BaseURL || p.APIKeyEnv != ps.APIKeyEnv {
			t.Errorf("%s: %+v, want preset %q with base_url %q and api_key_env %q", name, p, name, ps.BaseURL, ps.APIKeyEnv)
		}
		if got, want := find(rep, name).Label, ps.Label; got != want {
			t.Errorf("%s: label %q, want %q", name, got, want)
		}
		written := config.Provider{Type: "openai", Preset: name}
		if got, want := catalog.DataPolicy(p), catalog.DataPolicy(written); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: detected terms %+v differ from a configured preset's %+v", name, got, want)
		}
	}
}
