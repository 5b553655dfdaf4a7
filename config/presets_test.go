package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestEachPresetFillsEndpointAndKey(t *testing.T) {
	tests := []struct {
		preset, baseURL, keyEnv string
	}{
		{"openai", "https://api.openai.com/v1", "OPENAI_API_KEY"},
		{"openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"},
		{"together", "https://api.together.ai/v1", "TOGETHER_API_KEY"},
		{"groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY"},
		{"deepseek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"},
		{"vllm", "http://127.0.0.1:8000/v1", ""},
		{"lmstudio", "http://127.0.0.1:1234/v1", ""},
		{"litellm", "http://127.0.0.1:4000/v1", ""},
	}
	if len(tests) != len(Presets) {
		t.Fatalf("the table covers %d presets, there are %d: %v", len(tests), len(Presets), Presets)
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			// Through the whole path a user's file takes, so the values
			// are those every reader of the merged configuration sees.
			l := mustTOML(t, "[providers.p]\ntype = \"openai\"\npreset = \""+tt.preset+"\"\n", "config.toml")
			c, _, err := Merge(l, nil)
			if err != nil {
				t.Fatal(err)
			}
			p := c.Providers["p"]
			if p.BaseURL != tt.baseURL || p.APIKeyEnv != tt.keyEnv {
				t.Errorf("preset %s gave base_url %q, api_key_env %q; want %q, %q", tt.preset, p.BaseURL, p.APIKeyEnv, tt.baseURL, tt.keyEnv)
			}
			if p.Preset != tt.preset || p.Type != "openai" {
				t.Errorf("the entry lost its preset or type: %+v", p)
			}
		})
	}
}

func TestUserValuesWinOverThePreset(t *testing.T) {
	tests := []struct {
		name string
		in   Provider
		want Provider
	}{
		{
			name: "base_url and api_key_env set",
			in:   Provider{Type: "openai", Preset: "groq", BaseURL: "https://gateway.example/groq/v1", APIKeyEnv: "MY_GROQ"},
			want: Provider{Type: "openai", Preset: "groq", BaseURL: "https://gateway.example/groq/v1", APIKeyEnv: "MY_GROQ"},
		},
		{
			name: "api_key_cmd names the key, so no variable is added",
			in:   Provider{Type: "openai", Preset: "openrouter", APIKeyCmd: "pass show openrouter"},
			want: Provider{Type: "openai", Preset: "openrouter", BaseURL: "https://openrouter.ai/api/v1", APIKeyCmd: "pass show openrouter"},
		},
		{
			name: "a vLLM server on another port",
			in:   Provider{Type: "openai", Preset: "vllm", BaseURL: "http://127.0.0.1:9000/v1"},
			want: Provider{Type: "openai", Preset: "vllm", BaseURL: "http://127.0.0.1:9000/v1"},
		},
		{
			name: "no preset: nothing filled",
			in:   Provider{Type: "openai"},
			want: Provider{Type: "openai"},
		},
		{
			name: "a preset on another type is not applied",
			in:   Provider{Type: "anthropic", Preset: "openai"},
			want: Provider{Type: "anthropic", Preset: "openai"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.WithPreset()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WithPreset() = %+v, want %+v", got, tt.want)
			}
			if again := got.WithPreset(); !reflect.DeepEqual(again, got) {
				t.Errorf("applying the preset twice changed the entry: %+v", again)
			}
		})
	}
}

func TestPresetValidation(t *testing.T) {
	tests := []struct {
		name, toml string
		key        string   // the key the problem names
		says       []string // what the message must tell the user
	}{
		{
			name: "unknown preset names the known ones",
			toml: "[providers.p]\ntype = \"openai\"\npreset = \"openruoter\"\n",
			key:  "providers.p.preset",
			says: []string{`"openruoter" is not a preset`, `"openai", "openrouter", "together", "groq", "deepseek", "vllm", "lmstudio" or "litellm"`},
		},
		{
			name: "preset on another type",
			toml: "[providers.p]\ntype = \"anthropic\"\npreset = \"openrouter\"\n",
			key:  "providers.p.preset",
			says: []string{`type = "openai"`},
		},
		{
			name: "provider preferences on a provider that is not OpenRouter",
			toml: "[providers.p]\ntype = \"openai\"\npreset = \"groq\"\n[providers.p.options.provider]\nzdr = true\n",
			key:  "providers.p.options.provider",
			says: []string{"not OpenRouter", `preset = "openrouter"`},
		},
		{
			name: "misspelt preference",
			toml: "[providers.p]\ntype = \"openai\"\npreset = \"openrouter\"\n[providers.p.options.provider]\ndata_colection = \"deny\"\n",
			key:  "providers.p.options.provider.data_colection",
			says: []string{`"order", "allow_fallbacks", "data_collection" or "zdr"`},
		},
		{
			name: "data_collection outside its choices",
			toml: "[providers.p]\ntype = \"openai\"\npreset = \"openrouter\"\n[providers.p.options.provider]\ndata_collection = \"no\"\n",
			key:  "providers.p.options.provider.data_collection",
			says: []string{`"allow" or "deny"`},
		},
		{
			name: "zdr written as a string",
			toml: "[providers.p]\ntype = \"openai\"\npreset = \"openrouter\"\n[providers.p.options.provider]\nzdr = \"yes\"\n",
			key:  "providers.p.options.provider.zdr",
			says: []string{"true or false"},
		},
		{
			name: "order not a list",
			toml: "[providers.p]\ntype = \"openai\"\nbase_url = \"https://openrouter.ai/api/v1\"\n[providers.p.options]\nprovider = { order = \"anthropic\" }\n",
			key:  "providers.p.options.provider.order",
			says: []string{"list of provider slugs"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Merge(mustTOML(t, tt.toml, "config.toml"), nil)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Merge error = %v, want a ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.Key != tt.key {
					continue
				}
				for _, s := range tt.says {
					if !strings.Contains(p.Message, s) {
						t.Errorf("message %q does not say %q", p.Message, s)
					}
				}
				if p.Source != "config.toml" || p.Line == 0 {
					t.Errorf("problem %v does not point at the file and line", p)
				}
				return
			}
			t.Errorf("no problem for %s in: %v", tt.key, err)
		})
	}
}

func TestOpenRouterPreferencesParse(t *testing.T) {
	l := mustTOML(t, `
[providers.or]
type = "openai"
preset = "openrouter"

[providers.or.options.provider]
order = ["anthropic", "google-vertex"]
allow_fallbacks = false
data_collection = "deny"
zdr = true
`, "config.toml")
	c, _, err := Merge(l, nil)
	if err != nil {
		t.Fatal(err)
	}
	prefs, err := c.Providers["or"].OpenRouter()
	if err != nil {
		t.Fatal(err)
	}
	no, yes := false, true
	want := &OpenRouterPreferences{Order: []string{"anthropic", "google-vertex"}, AllowFallbacks: &no, DataCollection: "deny", ZDR: &yes}
	if !reflect.DeepEqual(prefs, want) {
		t.Errorf("preferences = %+v, want %+v", prefs, want)
	}
	if !prefs.ZeroRetention() || !prefs.NoDataCollection() {
		t.Error("zdr = true and data_collection = \"deny\" not reported")
	}

	// The same from editor settings, where JSON numbers and lists decode
	// as they do there.
	j := mustJSON(t, `{"providers":{"or":{"type":"openai","preset":"openrouter","options":{"provider":{"zdr":false,"order":["groq"]}}}}}`)
	c, _, err = Merge(nil, j)
	if err != nil {
		t.Fatal(err)
	}
	prefs, err = c.Providers["or"].OpenRouter()
	if err != nil || prefs.ZeroRetention() || !reflect.DeepEqual(prefs.Order, []string{"groq"}) {
		t.Errorf("from JSON: %+v, %v", prefs, err)
	}

	if prefs, err := (Provider{Type: "openai", Preset: "openrouter"}).OpenRouter(); prefs != nil || err != nil {
		t.Errorf("no options.provider gave %+v, %v; want none", prefs, err)
	}
}

func TestUntrustedWorkspaceCannotChoosePreset(t *testing.T) {
	ws := workspace(t, `
[providers.local]
preset = "openrouter"
`)
	user := mustTOML(t, "[providers.local]\ntype = \"openai\"\nbase_url = \"http://127.0.0.1:11434/v1\"\n", "/home/u/.config/switchyard/config.toml")
	c, warnings, err := Merge(user, nil, ws)
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Providers["local"]; p.Preset != "" || p.APIKeyEnv != "" {
		t.Errorf("an untrusted workspace pointed the provider at a preset: %+v", p)
	}
	found := false
	for _, w := range warnings {
		found = found || (w.Key == "providers.local.preset" && strings.Contains(w.Message, "credential"))
	}
	if !found {
		t.Errorf("no warning for the withheld preset: %v", warnings)
	}
}
