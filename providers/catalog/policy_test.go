package catalog

import (
	"reflect"
	"strings"
	"testing"

	"switchyard/config"
)

func TestDataPolicy(t *testing.T) {
	i := func(n int) *int { return &n }
	b := func(v bool) *bool { return &v }
	tests := []struct {
		name      string
		p         config.Provider
		j         []string
		retention *int
		training  *bool
		local     bool
	}{
		{"openai", config.Provider{Type: "openai"}, []string{"US"}, i(30), b(false), false},
		{"openai's own host", config.Provider{Type: "openai", BaseURL: "https://api.openai.com/v1"}, []string{"US"}, i(30), b(false), false},
		{"another OpenAI-compatible host", config.Provider{Type: "openai", BaseURL: "https://openrouter.ai/api/v1"}, nil, nil, nil, false},
		{"anthropic", config.Provider{Type: "anthropic"}, []string{"US"}, i(30), b(false), false},
		{"azure in the EU", config.Provider{Type: "azure", Region: "swedencentral"}, []string{"EU"}, i(30), b(false), false},
		{"azure in the UK", config.Provider{Type: "azure", Region: "uksouth"}, []string{"GB"}, i(30), b(false), false},
		{"azure without a region", config.Provider{Type: "azure"}, []string{"US"}, i(30), b(false), false},
		{"bedrock in Frankfurt", config.Provider{Type: "bedrock", Region: "eu-central-1"}, []string{"EU"}, i(0), b(false), false},
		{"bedrock in London", config.Provider{Type: "bedrock", Region: "eu-west-2"}, []string{"GB"}, i(0), b(false), false},
		{"bedrock without a region", config.Provider{Type: "bedrock"}, nil, i(0), b(false), false},
		{"vertex", config.Provider{Type: "vertex", Region: "europe-west4"}, []string{"EU"}, i(30), b(false), false},
		{"vertex with zero data retention", config.Provider{Type: "vertex", Region: "us-central1", Options: map[string]any{"zero_data_retention": true}}, []string{"US"}, i(0), b(false), false},
		{"vertex global", config.Provider{Type: "vertex", Region: "global"}, nil, i(30), b(false), false},
		{"mistral", config.Provider{Type: "mistral"}, []string{"EU"}, i(30), b(false), false},
		{"ollama", config.Provider{Type: "ollama"}, nil, i(0), b(false), true},
		{"llamacpp", config.Provider{Type: "llamacpp", BaseURL: "http://127.0.0.1:8080"}, nil, i(0), b(false), true},
		// Another machine is not this one, whatever it runs.
		{"llamacpp on another machine", config.Provider{Type: "llamacpp", BaseURL: "http://gpu-box:8080"}, nil, nil, nil, false},
		{"ollama on the LAN", config.Provider{Type: "ollama", BaseURL: "http://192.168.1.20:11434"}, nil, nil, nil, false},
		{"ollama on the LAN that the user calls local", config.Provider{Type: "ollama", BaseURL: "http://192.168.1.20:11434", Data: config.DataPolicy{Local: b(true)}}, nil, i(0), b(false), true},
		{"openai-compatible on loopback", config.Provider{Type: "openai", BaseURL: "http://127.0.0.1:1234/v1"}, nil, i(0), b(false), true},
		{"openai-compatible on localhost", config.Provider{Type: "openai", BaseURL: "http://localhost:8000/v1"}, nil, i(0), b(false), true},
		{"openai-compatible on ::1", config.Provider{Type: "openai", BaseURL: "http://[::1]:8000/v1"}, nil, i(0), b(false), true},
		{"unknown type", config.Provider{Type: "together"}, nil, nil, nil, false},
		{
			"user override wins",
			config.Provider{Type: "openai", Data: config.DataPolicy{Jurisdictions: []string{"EU"}, RetentionDays: i(0)}},
			[]string{"EU"}, i(0), b(false), false,
		},
		{
			"a loopback fake that the user marks remote",
			config.Provider{Type: "openai", BaseURL: "http://127.0.0.1:9999/v1", Data: config.DataPolicy{Local: b(false), Jurisdictions: []string{"US"}}},
			// What "local" implied (no retention, no training) goes with it.
			[]string{"US"}, nil, nil, false,
		},
		{
			"a loopback gateway whose terms the user declares",
			config.Provider{Type: "openai", BaseURL: "http://127.0.0.1:4000/v1", Data: config.DataPolicy{Jurisdictions: []string{"CN"}, RetentionDays: i(90)}},
			[]string{"CN"}, i(90), nil, false,
		},
		{
			"an ollama whose training the user declares",
			config.Provider{Type: "ollama", Data: config.DataPolicy{Training: b(false)}},
			nil, nil, b(false), false,
		},
		{
			"declared terms with local = true stay local",
			config.Provider{Type: "openai", BaseURL: "http://127.0.0.1:4000/v1", Data: config.DataPolicy{Jurisdictions: []string{"DE"}, Local: b(true)}},
			[]string{"DE"}, i(0), b(false), true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := DataPolicy(tc.p)
			if !reflect.DeepEqual(d.Jurisdictions, tc.j) {
				t.Errorf("jurisdictions %v, want %v", d.Jurisdictions, tc.j)
			}
			if !reflect.DeepEqual(d.RetentionDays, tc.retention) {
				t.Errorf("retention %v, want %v", deref(d.RetentionDays), deref(tc.retention))
			}
			if !reflect.DeepEqual(d.Training, tc.training) {
				t.Errorf("training %v, want %v", d.Training, tc.training)
			}
			if IsLocal(tc.p) != tc.local {
				t.Errorf("local %v, want %v", IsLocal(tc.p), tc.local)
			}
		})
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestInJurisdiction(t *testing.T) {
	tests := []struct {
		provider, allowed string
		want              bool
	}{
		{"EU", "EU", true},
		{"DE", "EU", true},
		{"de", "eu", true},
		{"EU", "DE", false}, // data "in the EU" may be in any member state
		{"GB", "EU", false},
		{"US", "EU", false},
		{"US", "US", true},
	}
	for _, tc := range tests {
		if got := InJurisdiction(tc.provider, tc.allowed); got != tc.want {
			t.Errorf("InJurisdiction(%q, %q) = %v, want %v", tc.provider, tc.allowed, got, tc.want)
		}
	}
}

// doctor prints Locality's reason; it must name the setting behind the
// answer.
func TestLocalityReason(t *testing.T) {
	i := func(n int) *int { return &n }
	b := func(v bool) *bool { return &v }
	tests := []struct {
		p     config.Provider
		local bool
		why   string
	}{
		{config.Provider{Type: "ollama"}, true, "local: ollama type on its default address, localhost:11434"},
		{config.Provider{Type: "ollama", BaseURL: "http://127.0.0.1:11434"}, true, "local: ollama type on 127.0.0.1"},
		{config.Provider{Type: "llamacpp", BaseURL: "http://10.1.2.3:8080"}, false, "remote: llamacpp type, but 10.1.2.3 is not this machine"},
		{config.Provider{Type: "openai", BaseURL: "http://[::1]:8000/v1"}, true, "local: openai type on loopback address ::1"},
		{config.Provider{Type: "openai", BaseURL: "http://127.0.0.1:8000/v1", Data: config.DataPolicy{Jurisdictions: []string{"CN"}, RetentionDays: i(90)}}, false,
			"remote: declares jurisdictions, retention_days in [providers.gw.data] and not local = true"},
		{config.Provider{Type: "openai", BaseURL: "http://127.0.0.1:8000/v1", Data: config.DataPolicy{Local: b(true), Training: b(false)}}, true, "local: local = true in [providers.gw.data]"},
		{config.Provider{Type: "ollama", Data: config.DataPolicy{Local: b(false)}}, false, "remote: local = false in [providers.gw.data]"},
		{config.Provider{Type: "openai", Preset: "litellm"}, false, "remote: loopback address, but the litellm preset forwards"},
		{config.Provider{Type: "anthropic"}, false, "remote: anthropic type"},
		{config.Provider{Type: "openai", BaseURL: "https://api.openai.com/v1"}, false, "remote: openai type at api.openai.com"},
	}
	for _, tc := range tests {
		local, why := Locality("gw", tc.p)
		if local != tc.local || !strings.HasPrefix(why, tc.why) {
			t.Errorf("Locality(%+v) = %v, %q; want %v, %q...", tc.p, local, why, tc.local, tc.why)
		}
	}
}
