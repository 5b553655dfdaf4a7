package detect

import (
	"os"
	"path/filepath"
	"strings"

	"switchyard/config"
)

// keyedProvider is a remote provider found by its standard key variable.
// An OpenAI-compatible service is named by its preset, which supplies the
// endpoint, the variable and the data terms, the same as for a provider
// the user configures with that preset.
type keyedProvider struct {
	name, label, typ, env string
	preset                string
	models                []string // provider-side ids, best known first
}

// config returns the provider's configuration and the variable that
// holds its key.
func (k keyedProvider) config() (config.Provider, string, string) {
	if k.preset == "" {
		return config.Provider{Type: k.typ, APIKeyEnv: k.env}, k.env, k.label
	}
	ps, _ := config.LookupPreset(k.preset)
	cfg := config.Provider{Type: "openai", Preset: k.preset}.WithPreset()
	return cfg, cfg.APIKeyEnv, ps.Label
}

// keyedProviders are the remote providers added when their key variable
// is set. Their models are the catalogue's models each one serves.
var keyedProviders = []keyedProvider{
	{name: "openai", preset: "openai", models: []string{"gpt-5.2"}},
	{name: "anthropic", label: "Anthropic", typ: "anthropic", env: "ANTHROPIC_API_KEY", models: []string{"claude-sonnet-4-6"}},
	{name: "mistral", label: "Mistral", typ: "mistral", env: "MISTRAL_API_KEY", models: []string{"codestral-latest", "mistral-large-latest"}},
	// OpenRouter's data terms depend on the upstream provider it picks,
	// so the catalogue leaves them unknown, and policy rules that need
	// them do not pass, until the user sets its provider preferences.
	{name: "openrouter", preset: "openrouter",
		models: []string{"anthropic/claude-sonnet-4.6", "openai/gpt-5.2", "deepseek/deepseek-v3.2", "moonshotai/kimi-k2.5", "z-ai/glm-4.7", "qwen/qwen3-coder"}},
}

// keyed looks for the remote providers' credentials. It reads whether a
// variable is set, never keeps its value.
func keyed(o Options) []Provider {
	var out []Provider
	for _, k := range keyedProviders {
		cfg, env, label := k.config()
		p := Provider{Name: k.name, Label: label, Config: cfg}
		if strings.TrimSpace(o.Getenv(env)) == "" {
			p.Detail = env + " is not set"
			out = append(out, p)
			continue
		}
		p.Found = true
		p.Detail = "credential from " + env + " (value not shown)"
		for _, id := range k.models {
			p.Models = append(p.Models, newModel(k.name, p.Config, id, 0, false, false))
		}
		out = append(out, p)
	}
	out = append(out, bedrock(o), vertex(o))
	return out
}

// awsCredentials says where the AWS SDK's default chain would find
// credentials, or "" when it would find none that can be seen without a
// network call. Instance roles (IMDS) are not probed: that is a network
// call to a link-local address that can take seconds off a cloud host.
func awsCredentials(o Options) string {
	get := o.Getenv
	switch {
	case get("AWS_ACCESS_KEY_ID") != "" && get("AWS_SECRET_ACCESS_KEY") != "":
		return "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
	case get("AWS_PROFILE") != "":
		return "AWS_PROFILE=" + get("AWS_PROFILE")
	case get("AWS_WEB_IDENTITY_TOKEN_FILE") != "":
		return "AWS_WEB_IDENTITY_TOKEN_FILE"
	case get("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "" || get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != "":
		return "the container credentials endpoint"
	}
	files := []string{get("AWS_SHARED_CREDENTIALS_FILE"), get("AWS_CONFIG_FILE")}
	if o.Home != "" {
		files = append(files, filepath.Join(o.Home, ".aws", "credentials"), filepath.Join(o.Home, ".aws", "config"))
	}
	for _, f := range files {
		if f != "" && isFile(f) {
			return f
		}
	}
	return ""
}

// bedrockGeo is the cross-region inference profile prefix for a region:
// newer models are offered on Bedrock only through such profiles, and a
// geography's profile keeps requests inside that geography.
func bedrockGeo(region string) string {
	switch {
	case strings.HasPrefix(region, "us-"):
		return "us."
	case strings.HasPrefix(region, "eu-"):
		return "eu."
	case region == "ap-northeast-1" || region == "ap-northeast-3":
		return "jp."
	case region == "ap-southeast-2" || region == "ap-southeast-4":
		return "au."
	case strings.HasPrefix(region, "ap-"):
		return "apac."
	}
	return ""
}

func bedrock(o Options) Provider {
	region := o.Getenv("AWS_REGION")
	if region == "" {
		region = o.Getenv("AWS_DEFAULT_REGION")
	}
	p := Provider{Name: "bedrock", Label: "AWS Bedrock", Config: config.Provider{Type: "bedrock", Region: region}}
	src := awsCredentials(o)
	if src == "" {
		p.Detail = "no AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws/credentials)"
		return p
	}
	p.Found = true
	p.Detail = "AWS credentials from " + src + " (not verified: the first request will tell)"
	if region == "" {
		// Without a region the data's jurisdiction is unknown, and the
		// catalogue leaves it so: policy rules on jurisdiction then fail
		// rather than pass.
		p.Detail += "; no region: set AWS_REGION, or region in [providers.bedrock]"
	}
	p.Models = []Model{newModel("bedrock", p.Config, bedrockGeo(region)+"anthropic.claude-sonnet-4-6", 0, false, false)}
	return p
}

// googleCredentials says where Application Default Credentials would be
// found, or "".
func googleCredentials(o Options) string {
	if f := o.Getenv("GOOGLE_APPLICATION_CREDENTIALS"); f != "" && isFile(f) {
		return "GOOGLE_APPLICATION_CREDENTIALS"
	}
	dir := o.Getenv("CLOUDSDK_CONFIG")
	if dir == "" && o.Home != "" {
		dir = filepath.Join(o.Home, ".config", "gcloud")
	}
	if dir != "" && isFile(filepath.Join(dir, "application_default_credentials.json")) {
		return "gcloud application default credentials"
	}
	return ""
}

func vertex(o Options) Provider {
	project := firstSet(o.Getenv, "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")
	region := firstSet(o.Getenv, "GOOGLE_CLOUD_LOCATION", "CLOUD_ML_REGION")
	if region == "" {
		region = "global"
	}
	p := Provider{Name: "vertex", Label: "Google Vertex AI", Config: config.Provider{Type: "vertex", Project: project, Region: region}}
	src := googleCredentials(o)
	switch {
	case src == "":
		p.Detail = "no Google credentials (run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS)"
	case project == "":
		p.Detail = "Google credentials from " + src + ", but no project: set GOOGLE_CLOUD_PROJECT, or project in [providers.vertex]"
	default:
		p.Found = true
		p.Detail = "Google credentials from " + src + " (not verified: the first request will tell), project " + project + ", location " + region
		p.Models = []Model{newModel("vertex", p.Config, "claude-sonnet-4-6", 0, false, false)}
	}
	return p
}

func firstSet(get func(string) string, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(get(n)); v != "" {
			return v
		}
	}
	return ""
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
