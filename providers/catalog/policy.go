package catalog

import (
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
// A provider whose base_url points at this machine (localhost, 127.0.0.0/8,
// ::1) is local whatever its type: nothing leaves the machine. A field left
// nil means "unknown": the router treats an unknown fact as failing any
// policy rule that depends on it, never as passing.
func DataPolicy(p config.Provider) config.DataPolicy {
	d := defaults(p)
	u := p.Data
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
	return d
}

// IsLocal reports whether the provider keeps everything on this machine,
// after the user's overrides.
func IsLocal(p config.Provider) bool {
	d := DataPolicy(p)
	return d.Local != nil && *d.Local
}

func defaults(p config.Provider) config.DataPolicy {
	if p.Type == "ollama" || p.Type == "llamacpp" || IsLoopback(p.BaseURL) {
		return local()
	}
	switch p.Type {
	case "openai":
		// OpenAI's defaults hold only for OpenAI's own endpoint: the same
		// wire protocol served by someone else comes with that someone's
		// terms, which we do not know.
		if !hostIs(p.BaseURL, "", "api.openai.com") {
			return remote(nil, nil, nil)
		}
		// API inputs and outputs are kept up to 30 days for abuse
		// monitoring and are not used for training unless the customer
		// opts in; processed in the US unless data residency is bought.
		// https://developers.openai.com/api/docs/guides/your-data
		return remote([]string{"US"}, days(30), no())
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

// hostIs reports whether baseURL's host is one of hosts; "" stands for an
// empty base_url (the type's default endpoint).
func hostIs(baseURL string, hosts ...string) bool {
	host := ""
	if baseURL != "" {
		u, err := url.Parse(baseURL)
		if err != nil {
			return false
		}
		host = u.Hostname()
	}
	for _, h := range hosts {
		if strings.EqualFold(host, h) {
			return true
		}
	}
	return false
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
