package anthropic

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

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

// Options are where a provider built by NewWithOptions sends its requests
// and how.
type Options struct {
	// BaseURL is the URL that /v1/messages is appended to.
	BaseURL string
	// HTTP sends the requests; it brings the credentials when the key
	// from the configuration is not used (Claude on Vertex signs in its
	// transport). Nil is a client of its own.
	HTTP *http.Client
	// Middleware, when set, sends each request in the place of HTTP.Do,
	// and may rewrite it first; next is HTTP.Do.
	Middleware func(r *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error)
}

// Provider is Claude reached through the Anthropic Messages API.
type Provider struct {
	name string
	cfg  config.Provider
	opts Options
	// keyed is true when each request carries the key from cfg; false when
	// the options bring their own credentials (Claude on Vertex).
	keyed bool
	// authHint tells the user what to do when the service refuses the
	// credentials.
	authHint string
}

// New builds the provider [providers.NAME] for Anthropic's own API. The key
// is read from api_key_cmd or api_key_env (default ANTHROPIC_API_KEY) on
// every request, so a rotated key is picked up without a restart. Only the
// configuration is read: not ANTHROPIC_BASE_URL or other variables of the
// SDKs, so that a workspace cannot be surprised by the environment.
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
	p := NewWithOptions(name, cfg, hint, Options{BaseURL: base})
	p.keyed = true
	return p, nil
}

// NewWithOptions builds a provider whose credentials and endpoint come from
// opts rather than from cfg's key: Claude on Vertex passes its own here.
// cfg still gives the headers and the timeout. authHint is shown when the
// service refuses the credentials.
//
// The Messages call is one JSON POST answered with server-sent events,
// written here rather than through anthropic-sdk-go: the SDK did no more
// for this use (no signing, no credential chain; its retries were off),
// and its dependencies (a YAML parser, JSON schema reflection) cost every
// start of the binary about 1.5 ms of package initialisation.
func NewWithOptions(name string, cfg config.Provider, authHint string, opts Options) *Provider {
	if opts.HTTP == nil {
		opts.HTTP = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	return &Provider{name: name, cfg: cfg, opts: opts, authHint: authHint}
}

// Name is the user's name for the provider.
func (p *Provider) Name() string { return p.name }

// Chat streams Claude's answer to req.
func (p *Provider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	params, err := p.params(req)
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // the prompt is sent as written
	if err := enc.Encode(params); err != nil {
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Err: err}
	}
	var key string
	if p.keyed {
		if key, err = p.cfg.APIKey(ctx); err != nil {
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth, Hint: p.authHint, Err: err}
		}
	}

	// The stream's own context: Close cancels it so that the connection is
	// dropped at once, and timeout bounds the whole answer, not just the
	// first byte.
	sctx, cancel := callctx.WithTimeout(ctx, p.cfg.Timeout.D())
	r, err := http.NewRequestWithContext(sctx, http.MethodPost, p.opts.BaseURL+"/v1/messages", bytes.NewReader(body.Bytes()))
	if err != nil {
		cancel()
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Err: err,
			Hint: "check base_url in [providers." + p.name + "]"}
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "text/event-stream")
	r.Header.Set("Anthropic-Version", apiVersion)
	if p.keyed {
		r.Header.Set("X-Api-Key", key)
	}
	for k, v := range p.cfg.Headers {
		r.Header.Set(k, v)
	}
	var resp *http.Response
	if p.opts.Middleware != nil {
		resp, err = p.opts.Middleware(r, p.opts.HTTP.Do)
	} else {
		resp, err = p.opts.HTTP.Do(r)
	}
	if err != nil {
		cancel()
		return nil, p.mapError(ctx, sctx, err)
	}
	if resp.StatusCode >= 300 {
		err := p.statusError(resp)
		resp.Body.Close()
		cancel()
		return nil, err
	}
	return newStream(p, ctx, sctx, cancel, resp.Body), nil
}

// params builds the Messages request. System messages become the system
// prompt; images go before the text of their message, as the API advises.
func (p *Provider) params(req *providers.ChatRequest) (*messagesRequest, error) {
	maxTokens := req.MaxTokens
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	params := &messagesRequest{Model: req.Model, MaxTokens: maxTokens, Temperature: req.Temperature, Stream: true}
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
		var blocks []contentBlock
		for _, img := range m.Images {
			if !supportedImage(img.MIME) {
				return nil, providers.Unsupported(p.name, "image type "+img.MIME+" (Claude takes image/png, image/jpeg, image/gif and image/webp)")
			}
			blocks = append(blocks, contentBlock{Type: "image", Source: &imageSource{
				Type: "base64", MediaType: img.MIME, Data: base64.StdEncoding.EncodeToString(img.Data)}})
		}
		if m.Content != "" {
			text := contentBlock{Type: "text", Text: m.Content}
			// The first big user block is the gathered context (files,
			// documentation) that the following requests on the same work
			// repeat word for word: worth a cache breakpoint.
			if m.Role == providers.RoleUser && !cachedUser && len(m.Content) >= cacheMinBytes {
				text.CacheControl = &cacheControl{Type: "ephemeral"}
				cachedUser = true
			}
			blocks = append(blocks, text)
		}
		if len(blocks) == 0 {
			// The API rejects empty content; an empty turn carries nothing.
			continue
		}
		role := "user"
		if m.Role == providers.RoleAssistant {
			role = "assistant"
		}
		params.Messages = append(params.Messages, message{Role: role, Content: blocks})
	}
	if len(system) > 0 {
		block := textBlock{Type: "text", Text: strings.Join(system, "\n\n")}
		if len(block.Text) >= cacheMinBytes {
			block.CacheControl = &cacheControl{Type: "ephemeral"}
		}
		params.System = []textBlock{block}
	}
	if len(params.Messages) == 0 {
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Message: "the request has no user or assistant message with content"}
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
