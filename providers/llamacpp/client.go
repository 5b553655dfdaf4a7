package llamacpp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	goopenai "github.com/sashabaranov/go-openai"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/internal/httpstream"
	"switchyard/providers/openai"
)

// DefaultBaseURL is where llama-server listens unless told otherwise.
const DefaultBaseURL = "http://127.0.0.1:8080"

// Props is what llama-server says about the model it serves, from /props.
type Props struct {
	ContextSize  int    // n_ctx of a slot, in tokens
	Slots        int    // requests served in parallel
	ModelPath    string // the GGUF file
	ChatTemplate string // the Jinja chat template
	BuildInfo    string
	// Vision is whether a multimodal projector is loaded; VisionKnown is
	// false for builds too old to say.
	Vision      bool
	VisionKnown bool
}

// Provider is a llama-server.
type Provider struct {
	name string
	c    *httpstream.Client // the native endpoints
	// v1 serves chat and raw completions through the OpenAI-compatible
	// endpoints, which apply the model's chat template.
	v1 *openai.Provider

	mu    sync.Mutex
	props *Props // from the last successful /props
}

// New builds the provider [providers.NAME] from its configuration.
func New(name string, cfg config.Provider) (*Provider, error) {
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	// A base_url copied from an OpenAI-compatible setup ends in /v1; the
	// native endpoints live one level up.
	raw = strings.TrimSuffix(strings.TrimRight(raw, "/"), "/v1")
	base, err := url.Parse(raw)
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, fmt.Errorf("provider %s: base_url %q is not an http(s) URL: set base_url in [providers.%s], e.g. %q", name, raw, name, DefaultBaseURL)
	}
	p := &Provider{name: name, c: &httpstream.Client{
		Name:        name,
		Server:      "llama-server",
		Base:        base.String(),
		Config:      cfg,
		HTTP:        &http.Client{},
		TimeoutHint: fmt.Sprintf("raise timeout in [providers.%s]", name),
		NetworkHint: fmt.Sprintf("cannot reach llama-server at %s: start it, or set base_url in [providers.%s]", base, name),
	}}
	cc := goopenai.DefaultConfig("")
	cc.BaseURL = raw + "/v1"
	p.v1, err = openai.NewWith(name, cfg, openai.Options{
		Client: cc,
		// llama-server runs without a key unless started with --api-key,
		// on whatever host it is; only send one when one is configured.
		Key:          p.c.APIKey,
		NotFoundHint: fmt.Sprintf("check that base_url in [providers.%s] points at llama-server", name),
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Provider) Name() string { return p.name }

// Chat streams an answer from /v1/chat/completions. Images are refused
// before any call when the server says it has no vision projector loaded.
func (p *Provider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	if hasImages(req) {
		props, err := p.cachedProps(ctx)
		if err != nil {
			return nil, err
		}
		if props.VisionKnown && !props.Vision {
			e := providers.Unsupported(p.name, "the model llama-server serves does not take images (no multimodal projector loaded)")
			e.Hint = "start llama-server with --mmproj, or route image work to another model in [routes]"
			return nil, e
		}
	}
	s, err := p.v1.Chat(ctx, req)
	return s, p.loadingHint(err)
}

// Complete continues a raw prompt through /v1/completions, for
// fill-in-the-middle prompts rendered from a model family's template.
func (p *Provider) Complete(ctx context.Context, req *providers.CompletionRequest) (providers.Stream, error) {
	s, err := p.v1.Complete(ctx, req)
	return s, p.loadingHint(err)
}

// FillInMiddle streams /infill: the server renders the model's own
// fill-in-the-middle and repository tokens, with req.Extra as other files.
func (p *Provider) FillInMiddle(ctx context.Context, req *providers.FIMRequest) (providers.Stream, error) {
	body := infillRequest{
		Model:       req.Model,
		InputPrefix: req.Prefix,
		InputSuffix: req.Suffix,
		NPredict:    req.MaxTokens,
		Temperature: req.Temperature,
		Stop:        req.Stop,
		Stream:      true,
		// Successive completions in one file share most of the prefix;
		// reusing the slot's cache makes them fast.
		CachePrompt: true,
	}
	for _, f := range req.Extra {
		body.InputExtra = append(body.InputExtra, extraFile{Filename: f.Path, Text: f.Text})
	}
	return p.c.Open(ctx, "/infill", body, p.statusError, p.decodeEvent)
}

// Health asks /health whether the model is loaded. It returns nil when the
// server is ready, an error for which Loading is true while the model
// loads, and a KindNetwork error when nothing answers.
func (p *Provider) Health(ctx context.Context) error {
	return p.c.GetJSON(ctx, http.MethodGet, "/health", nil, nil, p.statusError)
}

// Props reads /props: the context size, the chat template and whether
// the server can see images.
func (p *Provider) Props(ctx context.Context) (Props, error) {
	var raw propsResponse
	if err := p.c.GetJSON(ctx, http.MethodGet, "/props", nil, &raw, p.statusError); err != nil {
		return Props{}, err
	}
	props := Props{
		ContextSize:  raw.DefaultGenerationSettings.NCtx,
		Slots:        raw.TotalSlots,
		ModelPath:    raw.ModelPath,
		ChatTemplate: raw.ChatTemplate,
		BuildInfo:    raw.BuildInfo,
	}
	if raw.Modalities != nil {
		props.Vision, props.VisionKnown = raw.Modalities.Vision, true
	}
	p.mu.Lock()
	p.props = &props
	p.mu.Unlock()
	return props, nil
}

// cachedProps returns the last /props answer, asking once if there is
// none. A server restarted with another model is seen at the next Props
// call (the health probe's), not on every chat.
func (p *Provider) cachedProps(ctx context.Context) (Props, error) {
	p.mu.Lock()
	props := p.props
	p.mu.Unlock()
	if props != nil {
		return *props, nil
	}
	return p.Props(ctx)
}

// loadingHint gives a chat or completion error from providers/openai the
// loading hint that the native endpoints carry.
func (p *Provider) loadingHint(err error) error {
	var pe *providers.Error
	if err == nil || !Loading(err) || !errors.As(err, &pe) || errors.Is(err, ErrLoading) {
		return err
	}
	c := *pe
	c.Err = fmt.Errorf("%w: %w", ErrLoading, pe.Err)
	if pe.Err == nil {
		c.Err = ErrLoading
	}
	c.Hint = "the model is loading; wait for it, or check the llama-server log if it never finishes"
	return &c
}

func hasImages(req *providers.ChatRequest) bool {
	for _, m := range req.Messages {
		if len(m.Images) > 0 {
			return true
		}
	}
	return false
}

var (
	_ providers.Provider      = (*Provider)(nil)
	_ providers.Completer     = (*Provider)(nil)
	_ providers.FillInMiddler = (*Provider)(nil)
)
