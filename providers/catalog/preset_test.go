package catalog

import (
	"reflect"
	"testing"

	"switchyard/config"
)

func TestPresetDataPolicy(t *testing.T) {
	i := func(n int) *int { return &n }
	b := func(v bool) *bool { return &v }
	openrouter := func(prefs map[string]any) config.Provider {
		return config.Provider{Type: "openai", Preset: "openrouter", Options: map[string]any{"provider": prefs}}
	}
	tests := []struct {
		name      string
		p         config.Provider
		j         []string
		retention *int
		training  *bool
		local     bool
	}{
		{"openai", config.Provider{Type: "openai", Preset: "openai"}, []string{"US"}, i(30), b(false), false},
		{"openrouter without preferences", config.Provider{Type: "openai", Preset: "openrouter"}, nil, nil, nil, false},
		{"together", config.Provider{Type: "openai", Preset: "together"}, nil, nil, b(false), false},
		{"together at its earlier host", config.Provider{Type: "openai", BaseURL: "https://api.together.xyz/v1"}, nil, nil, b(false), false},
		{"groq", config.Provider{Type: "openai", Preset: "groq"}, nil, i(30), nil, false},
		{"deepseek", config.Provider{Type: "openai", Preset: "deepseek"}, []string{"CN"}, nil, b(true), false},
		{"deepseek's base_url without the preset", config.Provider{Type: "openai", BaseURL: "https://api.deepseek.com"}, []string{"CN"}, nil, b(true), false},
		{"vllm", config.Provider{Type: "openai", Preset: "vllm"}, nil, i(0), b(false), true},
		{"lmstudio", config.Provider{Type: "openai", Preset: "lmstudio"}, nil, i(0), b(false), true},
		// The proxy is on this machine; the data is not.
		{"litellm", config.Provider{Type: "openai", Preset: "litellm"}, nil, nil, nil, false},
		{"litellm on localhost", config.Provider{Type: "openai", Preset: "litellm", BaseURL: "http://localhost:4000"}, nil, nil, nil, false},
		// A vendor's terms hold only on its own endpoint.
		{"groq preset through another host", config.Provider{Type: "openai", Preset: "groq", BaseURL: "https://gateway.example/v1"}, nil, nil, nil, false},
		{"vllm on another machine", config.Provider{Type: "openai", Preset: "vllm", BaseURL: "http://gpu-box:8000/v1"}, nil, nil, nil, false},
		{
			"user data wins over the preset",
			config.Provider{Type: "openai", Preset: "groq", Data: config.DataPolicy{RetentionDays: i(0), Training: b(false), Jurisdictions: []string{"US"}}},
			[]string{"US"}, i(0), b(false), false,
		},
		{
			"litellm that the user says forwards to a local runner",
			config.Provider{Type: "openai", Preset: "litellm", Data: config.DataPolicy{Local: b(true), RetentionDays: i(0), Training: b(false)}},
			nil, i(0), b(false), true,
		},
		{"openrouter, data_collection deny", openrouter(map[string]any{"data_collection": "deny"}), nil, nil, b(false), false},
		{"openrouter, data_collection allow", openrouter(map[string]any{"data_collection": "allow"}), nil, nil, nil, false},
		{"openrouter, zdr", openrouter(map[string]any{"zdr": true}), nil, i(0), b(false), false},
		{"openrouter, zdr false", openrouter(map[string]any{"zdr": false, "order": []any{"anthropic"}}), nil, nil, nil, false},
		{
			"openrouter by base_url, with preferences",
			config.Provider{Type: "openai", BaseURL: "https://openrouter.ai/api/v1", Options: map[string]any{"provider": map[string]any{"zdr": true, "data_collection": "deny"}}},
			nil, i(0), b(false), false,
		},
		{"openrouter with preferences that do not parse", openrouter(map[string]any{"zdr": "yes"}), nil, nil, nil, false},
		{
			"openrouter zdr, but the user knows better",
			config.Provider{Type: "openai", Preset: "openrouter", Options: map[string]any{"provider": map[string]any{"zdr": true}}, Data: config.DataPolicy{RetentionDays: i(7)}},
			nil, i(7), b(false), false,
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
				t.Errorf("training %v, want %v", derefBool(d.Training), derefBool(tc.training))
			}
			if IsLocal(tc.p) != tc.local {
				t.Errorf("local = %v, want %v", IsLocal(tc.p), tc.local)
			}
		})
	}
}

func derefBool(p *bool) any {
	if p == nil {
		return "unknown"
	}
	return *p
}
