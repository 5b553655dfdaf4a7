package config

import (
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Preset is a known service that speaks the OpenAI protocol, named by
// preset in a [providers.NAME] entry of type "openai". It supplies what
// every user of that service would otherwise copy from its documentation;
// the data terms that go with it live in the catalogue
// (catalog.DataPolicy), beside the other vendors' terms.
type Preset struct {
	Name      string // the value of preset
	Label     string // the service's own name, for messages
	BaseURL   string // the endpoint, as the vendor's documentation gives it
	APIKeyEnv string // the variable the vendor's SDKs read; "" for servers on this machine, which take no key
}

// presets are the known services. The endpoints are the ones each
// vendor's OpenAI-compatibility page names:
//
//   - OpenAI: https://developers.openai.com/api/reference
//   - OpenRouter: https://openrouter.ai/docs/quickstart
//   - Together: https://docs.together.ai/docs/inference/openai-compatibility
//   - Groq: https://console.groq.com/docs/openai
//   - DeepSeek: https://api-docs.deepseek.com/ (the /v1 form is the one
//     OpenAI clients expect; DeepSeek notes it has nothing to do with the
//     model version)
//   - vLLM: `vllm serve` listens on port 8000
//     (https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html)
//   - LM Studio: its local server listens on port 1234
//     (https://lmstudio.ai/docs/app/api/endpoints/openai)
//   - LiteLLM proxy: `litellm` listens on port 4000
//     (https://docs.litellm.ai/docs/proxy/quick_start)
var presets = []Preset{
	{Name: "openai", Label: "OpenAI", BaseURL: "https://api.openai.com/v1", APIKeyEnv: "OPENAI_API_KEY"},
	{Name: "openrouter", Label: "OpenRouter", BaseURL: "https://openrouter.ai/api/v1", APIKeyEnv: "OPENROUTER_API_KEY"},
	{Name: "together", Label: "Together AI", BaseURL: "https://api.together.ai/v1", APIKeyEnv: "TOGETHER_API_KEY"},
	{Name: "groq", Label: "Groq", BaseURL: "https://api.groq.com/openai/v1", APIKeyEnv: "GROQ_API_KEY"},
	{Name: "deepseek", Label: "DeepSeek", BaseURL: "https://api.deepseek.com/v1", APIKeyEnv: "DEEPSEEK_API_KEY"},
	{Name: "vllm", Label: "vLLM", BaseURL: "http://127.0.0.1:8000/v1"},
	{Name: "lmstudio", Label: "LM Studio", BaseURL: "http://127.0.0.1:1234/v1"},
	{Name: "litellm", Label: "LiteLLM proxy", BaseURL: "http://127.0.0.1:4000/v1"},
}

// Presets lists the accepted values of preset, in the order the
// documentation shows them. It also feeds the JSON Schema's enum.
var Presets = presetNames()

func presetNames() []string {
	out := make([]string, len(presets))
	for i, p := range presets {
		out[i] = p.Name
	}
	return out
}

// LookupPreset returns the preset called name.
func LookupPreset(name string) (Preset, bool) {
	for _, p := range presets {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// WithPreset returns p with what its preset supplies filled in where the
// user left it empty: base_url, and api_key_env unless api_key_cmd already
// names the key. Whatever the user set wins. A provider without a known
// preset comes back unchanged, so calling it again, or on an entry
// already filled, changes nothing.
//
// Merge applies it to every provider of the configuration it returns, so
// the factory, the router, doctor and the probes all read the same
// values; the provider packages and the catalogue apply it again for
// entries built by hand.
func (p Provider) WithPreset() Provider {
	ps, ok := LookupPreset(p.Preset)
	if !ok || (p.Type != "" && p.Type != "openai") {
		return p
	}
	if p.BaseURL == "" {
		p.BaseURL = ps.BaseURL
	}
	if p.APIKeyEnv == "" && p.APIKeyCmd == "" {
		p.APIKeyEnv = ps.APIKeyEnv
	}
	return p
}

// OpenRouterHost is the host of OpenRouter's API.
const OpenRouterHost = "openrouter.ai"

// IsOpenRouter reports whether requests to p go to OpenRouter: preset
// "openrouter", or a base_url on OpenRouter's host.
func (p Provider) IsOpenRouter() bool {
	if p.Type != "" && p.Type != "openai" {
		return false
	}
	if p.Preset == "openrouter" {
		return true
	}
	u, err := url.Parse(p.BaseURL)
	return err == nil && strings.EqualFold(u.Hostname(), OpenRouterHost)
}

// OpenRouterPreferences are OpenRouter's provider routing preferences,
// written as [providers.NAME.options.provider] and sent as the provider
// object of every chat and text completion request. The field names are
// OpenRouter's own (https://openrouter.ai/docs/features/provider-routing).
// A field left out is left out of the request too, so OpenRouter's
// default applies.
type OpenRouterPreferences struct {
	// Order lists provider slugs to try first, in order ("anthropic",
	// "deepinfra/turbo").
	Order []string `json:"order,omitempty"`
	// AllowFallbacks false keeps requests on the providers in Order;
	// OpenRouter's default is true.
	AllowFallbacks *bool `json:"allow_fallbacks,omitempty"`
	// DataCollection "deny" routes only to providers that do not store
	// data non-transiently or train on it; OpenRouter's default is "allow".
	DataCollection string `json:"data_collection,omitempty"`
	// ZDR true routes only to zero-data-retention endpoints.
	ZDR *bool `json:"zdr,omitempty"`
}

// The keys of [providers.NAME.options.provider] and the choices of
// data_collection.
var (
	openRouterKeys  = []string{"order", "allow_fallbacks", "data_collection", "zdr"}
	DataCollections = []string{"allow", "deny"}
)

// openRouterOption is the options key that holds the preferences, named
// after the request field it becomes.
const openRouterOption = "provider"

// OpenRouter returns the provider routing preferences set in
// [providers.NAME.options.provider], or nil when there are none. The error
// names every key that is wrong; Validate reports the same problems with
// their file and line.
func (p Provider) OpenRouter() (*OpenRouterPreferences, error) {
	raw, ok := p.Options[openRouterOption]
	if !ok || raw == nil {
		return nil, nil
	}
	ps := &problems{}
	prefs := parseOpenRouter(ps, "options.provider", raw)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return prefs, nil
}

// ZeroRetention reports whether the preferences hold OpenRouter to
// zero-data-retention endpoints.
func (o *OpenRouterPreferences) ZeroRetention() bool {
	return o != nil && o.ZDR != nil && *o.ZDR
}

// NoDataCollection reports whether the preferences keep requests off
// providers that store data or train on it.
func (o *OpenRouterPreferences) NoDataCollection() bool {
	return o != nil && o.DataCollection == "deny"
}

// parseOpenRouter checks the decoded TOML or JSON value of
// options.provider key by key, so that each mistake is named in the
// user's words rather than as a decoder's type error, and a misspelt key
// is reported instead of being sent to OpenRouter, which would route as
// if it were absent.
func parseOpenRouter(ps *problems, key string, raw any) *OpenRouterPreferences {
	m, ok := raw.(map[string]any)
	if !ok {
		ps.add(key, "must be a table of OpenRouter's provider preferences (%s), not %s", list(openRouterKeys), describeValue(raw))
		return nil
	}
	out := &OpenRouterPreferences{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		at := key + "." + k
		switch k {
		case "order":
			entries, ok := v.([]any)
			if !ok {
				ps.add(at, "must be a list of provider slugs such as [\"anthropic\", \"openai\"], not %s", describeValue(v))
				continue
			}
			for i, e := range entries {
				s, ok := e.(string)
				if !ok || strings.TrimSpace(s) == "" {
					ps.add(at, "entry %d must be a provider slug such as \"anthropic\"", i+1)
					continue
				}
				out.Order = append(out.Order, s)
			}
		case "allow_fallbacks", "zdr":
			b, ok := v.(bool)
			if !ok {
				ps.add(at, "must be true or false, not %s", describeValue(v))
				continue
			}
			if k == "zdr" {
				out.ZDR = &b
			} else {
				out.AllowFallbacks = &b
			}
		case "data_collection":
			s, _ := v.(string)
			if !slices.Contains(DataCollections, s) {
				ps.add(at, "must be %s, not %s", list(DataCollections), describeValue(v))
				continue
			}
			out.DataCollection = s
		default:
			ps.add(at, "%q is not a provider preference Switchyard passes on: use %s", k, list(openRouterKeys))
		}
	}
	return out
}

// validatePreset checks preset and the options that only make sense with
// one.
func (p Provider) validatePreset(ps *problems, key string) {
	if p.Preset != "" {
		switch _, ok := LookupPreset(p.Preset); {
		case !ok:
			ps.add(key+".preset", "%q is not a preset: use one of %s, or leave preset out and set base_url", p.Preset, list(Presets))
		case p.Type != "" && p.Type != "openai":
			ps.add(key+".preset", "presets are for type \"openai\", not %q: set type = \"openai\", or remove preset", p.Type)
		}
	}
	raw, ok := p.Options[openRouterOption]
	if !ok || (p.Type != "" && p.Type != "openai") {
		return
	}
	if !p.IsOpenRouter() {
		ps.add(key+".options.provider", "is OpenRouter's provider routing, and this provider is not OpenRouter: set preset = \"openrouter\", or remove it")
		return
	}
	parseOpenRouter(ps, key+".options.provider", raw)
}

// applyPresets fills every provider's preset values in, so that every
// reader of the configuration sees the endpoint and credential actually
// used.
func (c *Config) applyPresets() {
	for name, p := range c.Providers {
		c.Providers[name] = p.WithPreset()
	}
}
