package azure

import (
	"context"
	"fmt"
	"os"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/openai"
)

// DefaultAPIVersion is the api-version sent when options.api_version is
// not set: the latest generally available data-plane inference version.
const DefaultAPIVersion = "2024-10-21"

// Provider is an Azure OpenAI resource.
type Provider struct{ *openai.Provider }

var (
	_ providers.Provider      = (*Provider)(nil)
	_ providers.Completer     = (*Provider)(nil)
	_ providers.FillInMiddler = (*Provider)(nil)
)

// New builds the provider [providers.NAME] of type "azure". base_url is
// the resource endpoint, https://RESOURCE.openai.azure.com. Options:
//
//	deployments = { "gpt-4o" = "my-gpt4o" }  # model id -> deployment; default: the model id
//	api_version = "2024-10-21"
//	token_env   = "AZURE_OPENAI_TOKEN"       # a Microsoft Entra token instead of a key
func New(name string, cfg config.Provider) (*Provider, error) {
	if cfg.BaseURL == "" {
		return nil, fmt.Errorf("provider %s: Azure needs the resource endpoint: set base_url in [providers.%s] to https://RESOURCE.openai.azure.com", name, name)
	}
	deployments, err := stringMap(cfg.Options["deployments"])
	if err != nil {
		return nil, fmt.Errorf("provider %s: options.deployments %v: write it as a table of model id = \"deployment\" in [providers.%s]", name, err, name)
	}
	version, err := optString(cfg.Options, "api_version")
	if err != nil {
		return nil, fmt.Errorf("provider %s: %v in [providers.%s]", name, err, name)
	}
	if version == "" {
		version = DefaultAPIVersion
	}
	tokenEnv, err := optString(cfg.Options, "token_env")
	if err != nil {
		return nil, fmt.Errorf("provider %s: %v in [providers.%s]", name, err, name)
	}

	// The base URL is the endpoint without go-openai's /openai prefix,
	// which go-openai adds; a copied ".../openai" is forgiven.
	base := strings.TrimSuffix(strings.TrimRight(cfg.BaseURL, "/"), "/openai")
	cc := goopenai.DefaultAzureConfig("", base)
	cc.APIVersion = version
	cc.AzureModelMapperFunc = func(model string) string {
		if d, ok := deployments[model]; ok {
			return d
		}
		return model
	}
	opts := openai.Options{
		Client:       cc,
		KeyHeader:    openai.APIKey,
		NotFoundHint: fmt.Sprintf("check options.deployments (model id = deployment name) and base_url in [providers.%s]; the deployment must exist in the resource", name),
	}
	if tokenEnv != "" {
		cc.APIType = goopenai.APITypeAzureAD
		opts.Client = cc
		opts.KeyHeader = openai.Bearer
		opts.Key = func(context.Context) (string, error) {
			tok := strings.TrimSpace(os.Getenv(tokenEnv))
			if tok == "" {
				return "", fmt.Errorf("environment variable %s is not set", tokenEnv)
			}
			return tok, nil
		}
		opts.KeyHint = fmt.Sprintf("set %s to a Microsoft Entra token (e.g. az account get-access-token --resource https://cognitiveservices.azure.com), or change options.token_env in [providers.%s]", tokenEnv, name)
	}
	p, err := openai.NewWith(name, cfg, opts)
	if err != nil {
		return nil, err
	}
	return &Provider{p}, nil
}

func optString(opts map[string]any, key string) (string, error) {
	v, ok := opts[key]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("options.%s must be a string, not %T", key, v)
	}
	return s, nil
}

// stringMap reads a table of strings as TOML or JSON decodes it.
func stringMap(v any) (map[string]string, error) {
	out := map[string]string{}
	switch m := v.(type) {
	case nil:
		return out, nil
	case map[string]string:
		for k, s := range m {
			out[k] = s
		}
		return out, nil
	case map[string]any:
		for k, x := range m {
			s, ok := x.(string)
			if !ok || s == "" {
				return nil, fmt.Errorf("entry %q is %v, not a deployment name", k, x)
			}
			out[k] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("is a %T, not a table", v)
}
