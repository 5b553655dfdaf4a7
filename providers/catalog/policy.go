package catalog

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"switchyard/config"
)

// DataPolicy returns what provider p promises about the data sent to it:
// the defaults for its type, with every field the user set in
// [providers.NAME.data] taking precedence. The defaults are read off each
// vendor's published terms (the source is named beside each one); they
// are a starting point that the user must confirm for their own contract,
// which is why every field can be overridden.
//
// Whether a provider is local follows Locality: declared terms outrank
// what its address suggests. A field left nil means "unknown": the router
// treats an unknown fact as failing any policy rule that depends on it,
// never as passing.
//
// A preset ([providers.NAME] preset) counts as what it fills in: its
// base_url when none is set, and its vendor's terms when the endpoint is
// that vendor's own.
func DataPolicy(p config.Provider) config.DataPolicy {
	d, _ := dataPolicy("NAME", p)
	return d
}

// Locality reports whether provider name keeps everything on this
// machine, and why, in words that name the setting behind the answer
// ("local: ollama type on 127.0.0.1", "remote: declares jurisdictions in
// [providers.gw.data] and not local = true").
//
// The rule fails closed. Only the ollama and llamacpp types, and any type
// on a loopback address (localhost, 127.0.0.0/8, ::1), are local by
// default, and only while they are on this machine. Any fact the user
// declares in [providers.NAME.data] (jurisdictions, retention_days,
// training, private_network) makes the provider remote unless they also
// say local = true: terms are only worth declaring for a provider that
// keeps data somewhere, and a loopback port is as often a tunnel or a
// gateway to a remote vendor as a model on this machine.
func Locality(name string, p config.Provider) (local bool, why string) {
	d, why := dataPolicy(name, p)
	return d.Local != nil && *d.Local, why
}

func dataPolicy(name string, p config.Provider) (config.DataPolicy, string) {
	p = p.WithPreset()
	d, why := defaults(p)
	u := p.Data
	where := "[providers." + name + ".data]"
	switch {
	case u.Local != nil && *u.Local:
		why = "local: local = true in " + where
	case u.Local != nil:
		why = "remote: local = false in " + where
	default:
		if facts := Declared(u); len(facts) > 0 && d.Local != nil && *d.Local {
			why = fmt.Sprintf("remote: declares %s in %s and not local = true", strings.Join(facts, ", "), where)
			u.Local = no()
		}
	}
	switch wasLocal := d.Local != nil && *d.Local; {
	case u.Local != nil && !*u.Local && wasLocal:
		// What a local default assumes (no retention, no training) came
		// from "nothing leaves the machine"; once something does, only
		// what the user declared is known.
		d = remote(nil, nil, nil)
	case u.Local != nil && *u.Local && !wasLocal:
		d = local()
	}
	if u.Jurisdictions != nil {
		d.Jurisdictions = u.Jurisdictions
	}
	if u.RetentionDays != nil {
		d.RetentionDays = u.RetentionDays
	}
	if u.Training != nil {
		d.Training = u.Training
	}
	if u.PrivateNet != nil {
		d.PrivateNet = u.PrivateNet
	}
	if u.Local != nil {
		d.Local = u.Local
	}
	return d, why
}

// Declared lists, by their keys, the facts d states about a provider's
// terms, leaving out local.
func Declared(d config.DataPolicy) []string {
	var out []string
	if d.Jurisdictions != nil {
		out = append(out, "jurisdictions")
	}
	if d.RetentionDays != nil {
		out = append(out, "retention_days")
	}
	if d.Training != nil {
		out = append(out, "training")
	}
	if d.PrivateNet != nil {
		out = append(out, "private_network")
	}
	return out
}

// IsLocal reports whether the provider keeps everything on this machine,
// after the user's overrides.
func IsLocal(p config.Provider) bool {
	local, _ := Locality("NAME", p)
	return local
}

// defaultHosts are where the local runners listen when base_url is not set.
var defaultHosts = map[string]string{"ollama": "localhost:11434", "llamacpp": "localhost:8080"}

func defaults(p config.Provider) (config.DataPolicy, string) {
	host := hostOf(p.BaseURL)
	loopback := IsLoopback(p.BaseURL)
	if p.Type == "openai" && p.Preset == "litellm" {
		// A LiteLLM proxy listens on this machine but forwards every
		// request to whatever its own configuration names, usually a
		// remote vendor: its address says nothing about where the data
		// goes. The user states the terms in [providers.NAME.data].
		why := "remote: the litellm preset forwards to the vendors its own configuration names"
		if loopback {
			why = "remote: loopback address, but the litellm preset forwards to the vendors its own configuration names"
		}
		return remote(nil, nil, nil), why
	}
	if p.Type == "ollama" || p.Type == "llamacpp" {
		switch {
		case p.BaseURL == "":
			return local(), fmt.Sprintf("local: %s type on its default address, %s", p.Type, defaultHosts[p.Type])
		case loopback:
			return local(), fmt.Sprintf("local: %s type on %s", p.Type, host)
		}
		// A runner on another machine (a GPU box on the LAN) is another
		// machine: what it keeps is up to whoever runs it.
		return remote(nil, nil, nil), fmt.Sprintf("remote: %s type, but %s is not this machine (if you run it and trust it as this one, set local = true)", p.Type, host)
	}
	if loopback {
		return local(), fmt.Sprintf("local: %s type on loopback address %s", p.Type, host)
	}
	why := fmt.Sprintf("remote: %s type", p.Type)
	if host != "" {
		why = fmt.Sprintf("remote: %s type at %s", p.Type, host)
	}
	if host != "" && !vendorHost(p.Type, host) {
		// A gateway or proxy that speaks a vendor's protocol comes with
		// its own terms, not the vendor's.
		return remote(nil, nil, nil), why + ", not the vendor's own host: its terms are unknown until declared"
	}
	return vendorDefaults(p), why
}

// vendorSuffixes are the hosts (or, with a leading dot, the domains) of
// each vendor's own API, for the types whose terms do not depend on the
// host otherwise. The openai type is matched by vendorHosts.
var vendorSuffixes = map[string][]string{
	"anthropic": {"api.anthropic.com"},
	"mistral":   {"api.mistral.ai", "codestral.mistral.ai"},
	"azure":     {".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com"},
	"bedrock":   {".amazonaws.com"},
	"vertex":    {".googleapis.com"},
}

func vendorHost(typ, host string) bool {
	list, ok := vendorSuffixes[typ]
	if !ok {
		return true
	}
	host = strings.ToLower(host)
	for _, s := range list {
		if host == s || (strings.HasPrefix(s, ".") && strings.HasSuffix(host, s)) {
			return true
		}
	}
	return false
}

func hostOf(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func vendorDefaults(p config.Provider) config.DataPolicy {
	switch p.Type {
	case "openai":
		return openAICompatible(p)
	case "anthropic":
		// Commercial (API) data is not used for training; API inputs and
		// outputs are deleted within 30 days unless flagged for a usage
		// policy violation.
		// https://privacy.anthropic.com/en/articles/7996866-how-long-do-you-store-personal-data
		return remote([]string{"US"}, days(30), no())
	case "azure":
		// Prompts and completions stay in the resource's geography, are
		// not used for training, and may be kept up to 30 days for abuse
		// monitoring unless Microsoft approves modified monitoring.
		// https://learn.microsoft.com/en-us/legal/cognitive-services/openai/data-privacy
		j := azureJurisdiction(p.Region)
		return remote([]string{j}, days(30), no())
	case "bedrock":
		// Bedrock does not store or log prompts and completions and does
		// not use them to train models; traffic can stay on a private
		// network through AWS PrivateLink.
		// https://docs.aws.amazon.com/bedrock/latest/userguide/data-protection.html
		d := remote(awsJurisdiction(p.Region), days(0), no())
		d.PrivateNet = yes()
		return d
	case "vertex":
		// Google does not train on customer data. Zero data retention
		// needs both in-memory caching switched off and an exception from
		// abuse-monitoring prompt logging; without it, prompts may be
		// cached for 24 hours and logged for abuse monitoring for up to
		// 30 days. The user says they have it with options.zero_data_retention.
		// https://docs.cloud.google.com/gemini-enterprise-agent-platform/resources/zero-data-retention
		retention := days(30)
		if zdr, _ := p.Options["zero_data_retention"].(bool); zdr {
			retention = days(0)
		}
		d := remote(gcpJurisdiction(p.Region), retention, no())
		d.PrivateNet = yes() // Private Service Connect
		return d
	case "mistral":
		// La Plateforme is hosted in the EU; API inputs and outputs are
		// kept 30 days for abuse monitoring and are not used for training
		// on the paid API.
		// https://help.mistral.ai/en/articles/347617-do-you-use-my-user-data-to-train-your-artificial-intelligence-models
		// https://mistral.ai/terms#data-processing-agreement
		return remote([]string{"EU"}, days(30), no())
	}
	return remote(nil, nil, nil)
}

// vendorHosts maps the hosts of the vendors' own OpenAI-compatible APIs
// to their preset names. A vendor's terms hold only on its own endpoint,
// whether the entry names the preset or spells out the base_url: the same
// protocol served by someone else comes with that someone's terms.
var vendorHosts = func() map[string]string {
	m := map[string]string{
		"":                 "openai",   // type "openai" with no base_url
		"api.together.xyz": "together", // Together's earlier host, still served
	}
	for _, name := range []string{"openai", "openrouter", "together", "groq", "deepseek"} {
		ps, _ := config.LookupPreset(name)
		if u, err := url.Parse(ps.BaseURL); err == nil {
			m[strings.ToLower(u.Hostname())] = name
		}
	}
	return m
}()

// openAICompatible returns the terms of the vendor whose endpoint p
// calls, or unknown terms for any other host.
func openAICompatible(p config.Provider) config.DataPolicy {
	host := ""
	if p.BaseURL != "" {
		u, err := url.Parse(p.BaseURL)
		if err != nil {
			return remote(nil, nil, nil)
		}
		host = strings.ToLower(u.Hostname())
	}
	switch vendorHosts[host] {
	case "openai":
		// API inputs and outputs are kept up to 30 days for abuse
		// monitoring and are not used for training unless the customer
		// opts in; processed in the US unless data residency is bought.
		// https://developers.openai.com/api/docs/guides/your-data
		return remote([]string{"US"}, days(30), no())
	case "openrouter":
		return openRouter(p)
	case "together":
		// Training on API data is a separate opt-in, off by default. Its
		// pages disagree on storage: one says inputs and outputs are not
		// stored by default, the zero-data-retention page says prompts
		// are stored until the organisation turns storage off, with no
		// period given. Where inference runs is not stated.
		// https://docs.together.ai/docs/privacy-and-security
		// https://docs.together.ai/docs/zero-data-retention
		return remote(nil, nil, no())
	case "groq":
		// Inference inputs and outputs are not kept by default, but may be
		// kept up to 30 days when needed for reliability or to investigate
		// abuse, unless zero data retention is turned on in Data Controls
		// (then set retention_days = 0). The page does not say whether
		// data may be used for training, nor where inference runs.
		// https://console.groq.com/docs/your-data
		return remote(nil, days(30), nil)
	case "deepseek":
		// The privacy policy, which covers the API as well as the apps,
		// stores personal data in the People's Republic of China, keeps
		// it "as long as necessary" with no period given, and uses it to
		// train models unless the user opts out.
		// https://cdn.deepseek.com/policies/en-US/deepseek-privacy-policy.html
		return remote([]string{"CN"}, nil, yes())
	}
	return remote(nil, nil, nil)
}

// openRouter returns OpenRouter's terms, which are those of the upstream
// provider it picks for each request: unknown, unless the provider
// preferences sent with every request restrict that choice. With
// data_collection = "deny" it routes only to providers that do not train
// on or store the data non-transiently; with zdr = true only to
// zero-data-retention endpoints, which cannot train on it either. Where
// the upstream runs is not restricted by either.
// https://openrouter.ai/docs/features/provider-routing
// https://openrouter.ai/docs/guides/privacy/zdr
func openRouter(p config.Provider) config.DataPolicy {
	d := remote(nil, nil, nil)
	prefs, err := p.OpenRouter()
	if err != nil {
		// Preferences that do not parse are not sent, so they promise
		// nothing; Validate has already told the user.
		return d
	}
	if prefs.NoDataCollection() {
		d.Training = no()
	}
	if prefs.ZeroRetention() {
		d.RetentionDays = days(0)
		d.Training = no()
	}
	return d
}

func local() config.DataPolicy {
	return config.DataPolicy{RetentionDays: days(0), Training: no(), PrivateNet: yes(), Local: yes()}
}

func remote(j []string, retention *int, training *bool) config.DataPolicy {
	return config.DataPolicy{Jurisdictions: j, RetentionDays: retention, Training: training, Local: no()}
}

// IsLoopback reports whether baseURL names this machine.
func IsLoopback(baseURL string) bool {
	if baseURL == "" {
		return false
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// euMembers are the EU member states, so that a policy allowing "EU"
// admits a provider that names one of them.
var euMembers = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true,
	"DK": true, "EE": true, "FI": true, "FR": true, "DE": true, "GR": true,
	"HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true,
	"MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true,
	"SI": true, "ES": true, "SE": true,
}

// InJurisdiction reports whether a provider jurisdiction (an ISO country
// code, or "EU") falls within an allowed one: "DE" is within "EU", but
// "EU" is not within "DE", since data in the EU may be in any member state.
func InJurisdiction(provider, allowed string) bool {
	p, a := strings.ToUpper(provider), strings.ToUpper(allowed)
	return p == a || (a == "EU" && euMembers[p])
}

// azureJurisdiction maps an Azure region to where the data is processed.
// An unknown or empty region is taken as US, Azure OpenAI's default
// deployment geography.
func azureJurisdiction(region string) string {
	r := strings.ToLower(strings.ReplaceAll(region, " ", ""))
	switch {
	case strings.HasPrefix(r, "uk"):
		return "GB"
	case strings.HasPrefix(r, "switzerland"):
		return "CH"
	case strings.HasPrefix(r, "norway"):
		return "NO"
	case strings.HasPrefix(r, "westeurope"), strings.HasPrefix(r, "northeurope"),
		strings.HasPrefix(r, "france"), strings.HasPrefix(r, "germany"),
		strings.HasPrefix(r, "sweden"), strings.HasPrefix(r, "italy"),
		strings.HasPrefix(r, "poland"), strings.HasPrefix(r, "spain"):
		return "EU"
	case strings.HasPrefix(r, "japan"):
		return "JP"
	case strings.HasPrefix(r, "australia"):
		return "AU"
	case strings.HasPrefix(r, "canada"):
		return "CA"
	case strings.HasPrefix(r, "korea"):
		return "KR"
	case strings.HasPrefix(r, "southindia"), strings.HasPrefix(r, "centralindia"), strings.HasPrefix(r, "westindia"):
		return "IN"
	case strings.HasPrefix(r, "brazil"):
		return "BR"
	}
	return "US"
}

// awsJurisdiction maps an AWS region to where the data is processed; nil
// when the region is unknown, so jurisdiction rules fail rather than pass.
func awsJurisdiction(region string) []string {
	r := strings.ToLower(region)
	switch {
	case r == "eu-west-2":
		return []string{"GB"}
	case r == "eu-central-2":
		return []string{"CH"}
	case strings.HasPrefix(r, "eu-"):
		return []string{"EU"}
	case strings.HasPrefix(r, "us-"):
		return []string{"US"}
	case strings.HasPrefix(r, "ca-"):
		return []string{"CA"}
	case r == "ap-northeast-1", r == "ap-northeast-3":
		return []string{"JP"}
	case r == "ap-northeast-2":
		return []string{"KR"}
	case strings.HasPrefix(r, "ap-south-"):
		return []string{"IN"}
	case r == "ap-southeast-1":
		return []string{"SG"}
	case r == "ap-southeast-2":
		return []string{"AU"}
	case strings.HasPrefix(r, "sa-"):
		return []string{"BR"}
	}
	return nil
}

// gcpJurisdiction maps a Google Cloud location to where the data is
// processed; nil for "global" and unknown locations.
func gcpJurisdiction(region string) []string {
	r := strings.ToLower(region)
	switch {
	case r == "europe-west2":
		return []string{"GB"}
	case r == "europe-west6":
		return []string{"CH"}
	case strings.HasPrefix(r, "europe-"), r == "eu":
		return []string{"EU"}
	case strings.HasPrefix(r, "us-"), r == "us":
		return []string{"US"}
	case strings.HasPrefix(r, "northamerica-northeast"):
		return []string{"CA"}
	case strings.HasPrefix(r, "asia-northeast1"), strings.HasPrefix(r, "asia-northeast2"):
		return []string{"JP"}
	case strings.HasPrefix(r, "asia-northeast3"):
		return []string{"KR"}
	case strings.HasPrefix(r, "asia-south"):
		return []string{"IN"}
	case strings.HasPrefix(r, "asia-southeast1"):
		return []string{"SG"}
	case strings.HasPrefix(r, "australia-"):
		return []string{"AU"}
	}
	return nil
}

func days(n int) *int { return &n }
func yes() *bool      { b := true; return &b }
func no() *bool       { b := false; return &b }
