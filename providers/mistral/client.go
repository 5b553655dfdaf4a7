package mistral

import (
	"context"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/openai"
)

// DefaultBaseURL is where [providers.NAME] with type "mistral" points when
// base_url is not set. Codestral's own endpoint,
// https://codestral.mistral.ai/v1, takes a separate key.
const DefaultBaseURL = "https://api.mistral.ai/v1"

// Provider is Mistral's API.
type Provider struct {
	oa *openai.Provider
}

var (
	_ providers.Provider      = (*Provider)(nil)
	_ providers.FillInMiddler = (*Provider)(nil)
)

// New builds the provider [providers.NAME] of type "mistral".
func New(name string, cfg config.Provider) (*Provider, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	oa, err := openai.New(name, cfg)
	if err != nil {
		return nil, err
	}
	return &Provider{oa: oa}, nil
}

func (p *Provider) Name() string { return p.oa.Name() }

// Chat streams POST /v1/chat/completions.
func (p *Provider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	return p.oa.Chat(ctx, req)
}

// FillInMiddle streams POST /v1/fim/completions: Mistral renders the
// model's own fill-in-the-middle prompt from prompt and suffix. Extra
// context files have no field there and are left out.
func (p *Provider) FillInMiddle(ctx context.Context, req *providers.FIMRequest) (providers.Stream, error) {
	return p.oa.PostStream(ctx, "/fim/completions", fimRequest{
		Model:       req.Model,
		Prompt:      req.Prefix,
		Suffix:      req.Suffix,
		MaxTokens:   req.MaxTokens,
		Temperature: req.Temperature,
		Stop:        req.Stop,
		Stream:      true,
	})
}

// Models lists GET /v1/models.
func (p *Provider) Models(ctx context.Context) ([]openai.Model, error) {
	return p.oa.Models(ctx)
}
