package anthropic

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/internal/callctx"
)

const (
	// DefaultBaseURL is where requests go when base_url is not set.
	DefaultBaseURL = "https://api.anthropic.com"
	// DefaultAPIKeyEnv is the variable read when neither api_key_env nor
	// api_key_cmd is set.
	DefaultAPIKeyEnv = "ANTHROPIC_API_KEY"
	// DefaultMaxTokens is sent when the request names no limit: the API
	// requires max_tokens, and 4096 is within every current Claude model's
	// output limit.
	DefaultMaxTokens = 4096

	// cacheMinBytes is the size from which a block is marked for prompt
	// caching. The API ignores breakpoints on prefixes shorter than 1024
	// tokens (more for some models), and a cache write costs extra, so
	// smaller blocks are not worth marking. Four bytes a token is the usual
	// estimate for code and English.
	cacheMinBytes = 1024 * 4
)

// Provider is Claude reached through the Anthropic Messages API.
type Provider struct {
	name   string
	cfg    config.Provider
	client anthropic.Client
	// keyed is true when each request carries the key from cfg; false when
	// the client options bring their own credentials (Claude on Vertex).
	keyed bool
	// authHint tells the user what to do when the service refuses the
	// credentials.
	authHint string
}

// New builds the provider [providers.NAME] for Anthropic's own API. The key
// is read from api_key_cmd or api_key_env (default ANTHROPIC_API_KEY) on
// every request, so a rotated key is picked up without a restart.
func New(name string, cfg config.Provider) (*Provider, error) {
	if cfg.APIKeyEnv == "" && cfg.APIKeyCmd == "" {
		cfg.APIKeyEnv = DefaultAPIKeyEnv
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	hint := "set " + cfg.APIKeyEnv + " or api_key_env in [providers." + name + "]"
	if cfg.APIKeyCmd != "" {
		hint = "check the key printed by api_key_cmd in [providers." + name + "]"
	}
	p := NewWithOptions(name, cfg, hint, option.WithBaseURL(base))
	p.keyed = true
	return p, nil
}

// NewWithOptions builds a provider whose credentials and endpoint come from
// opts rather than from cfg's key: Claude on Vertex passes the SDK's vertex
// option here. cfg still gives the headers and the timeout. authHint is
// shown when the service refuses the credentials.
func NewWithOptions(name string, cfg config.Provider, authHint string, opts ...option.RequestOption) *Provider {
	base := []option.RequestOption{
		// The SDK would otherwise read ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL
		// and profile files on its own; the configuration is the one source
		// of truth, so that a workspace cannot be surprised by the
		// environment.
		option.WithoutEnvironmentDefaults(),
		option.WithHTTPClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}),
		// The router is the one retry loop (DESIGN.md decision 7).
		option.WithMaxRetries(0),
	}
	for k, v := range cfg.Headers {
		base = append(base, option.WithHeader(k, v))
	}
	return &Provider{
		name:     name,
		cfg:      cfg,
		client:   anthropic.NewClient(append(base, opts...)...),
		authHint: authHint,
	}
}

// Name is the user's name for the provider.
func (p *Provider) Name() string { return p.name }

// Chat streams Claude's answer to req.
func (p *Provider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	params, err := p.params(req)
	if err != nil {
		return nil, err
	}
	var opts []option.RequestOption
	if p.keyed {
		key, err := p.cfg.APIKey(ctx)
		if err != nil {
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth, Hint: p.authHint, Err: err}
		}
		opts = append(opts, option.WithAPIKey(key))
	}

	// The stream's own context: Close cancels it so that the connection is
	// dropped at once, and timeout bounds the whole answer, not just the
	// first byte.
	sctx, cancel := callctx.WithTimeout(ctx, p.cfg.Timeout.D())
	s := p.client.Messages.NewStreaming(sctx, params, opts...)
	st := &stream{p: p, ctx: sctx, parent: ctx, cancel: cancel, events: s, closed: make(chan struct{})}
	if err := s.Err(); err != nil {
		st.Close()
		return nil, p.mapError(ctx, sctx, err)
	}
	return st, nil
}

// params builds the Messages request. System messages become the system
// prompt; images go before the text of their message, as the API advises.
func (p *Provider) params(req *providers.ChatRequest) (anthropic.MessageNewParams, error) {
	maxTokens := req.MaxTokens
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	params := anthropic.MessageNewParams{
		Model:     anthropic.Model(req.Model),
		MaxTokens: int64(maxTokens),
	}
	if req.Temperature != nil {
		params.Temperature = anthropic.Float(*req.Temperature)
	}
	if len(req.Stop) > 0 {
		params.StopSequences = req.Stop
	}

	var system []string
	cachedUser := false
	for _, m := range req.Messages {
		if m.Role == providers.RoleSystem {
			if m.Content != "" {
				system = append(system, m.Content)
			}
			continue
		}
		var blocks []anthropic.ContentBlockParamUnion
		for _, img := range m.Images {
			if !supportedImage(img.MIME) {
				return params, providers.Unsupported(p.name, "image type "+img.MIME+" (Claude takes image/png, image/jpeg, image/gif and image/webp)")
			}
			blocks = append(blocks, anthropic.NewImageBlockBase64(img.MIME, base64.StdEncoding.EncodeToString(img.Data)))
		}
		if m.Content != "" {
			text := anthropic.TextBlockParam{Text: m.Content}
			// The first big user block is the gathered context (files,
			// documentation) that the following requests on the same work
			// repeat word for word: worth a cache breakpoint.
			if m.Role == providers.RoleUser && !cachedUser && len(m.Content) >= cacheMinBytes {
				text.CacheControl = anthropic.NewCacheControlEphemeralParam()
				cachedUser = true
			}
			blocks = append(blocks, anthropic.ContentBlockParamUnion{OfText: &text})
		}
		if len(blocks) == 0 {
			// The API rejects empty content; an empty turn carries nothing.
			continue
		}
		switch m.Role {
		case providers.RoleAssistant:
			params.Messages = append(params.Messages, anthropic.NewAssistantMessage(blocks...))
		default:
			params.Messages = append(params.Messages, anthropic.NewUserMessage(blocks...))
		}
	}
	if len(system) > 0 {
		block := anthropic.TextBlockParam{Text: strings.Join(system, "\n\n")}
		if len(block.Text) >= cacheMinBytes {
			block.CacheControl = anthropic.NewCacheControlEphemeralParam()
		}
		params.System = []anthropic.TextBlockParam{block}
	}
	if len(params.Messages) == 0 {
		return params, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Message: "the request has no user or assistant message with content"}
	}
	return params, nil
}

func supportedImage(mime string) bool {
	switch mime {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return true
	}
	return false
}
