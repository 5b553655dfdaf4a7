package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/catalog"
)

// DefaultBaseURL is where [providers.NAME] with type "openai" points when
// base_url is not set.
const DefaultBaseURL = "https://api.openai.com/v1"

// Provider is an OpenAI-compatible backend.
type Provider struct {
	name         string
	baseURL      string
	client       *goopenai.Client
	http         *http.Client
	timeout      time.Duration
	keyRequired  bool
	keyHint      string
	notFoundHint string
	getKey       func(ctx context.Context) (string, error)

	mu        sync.Mutex
	cachedKey string // cached after the first success, dropped on 401/403
}

// Options let a package for a service that speaks the OpenAI protocol
// with another URL layout or credential (azure, mistral) build on this
// one's transport, streams and errors.
type Options struct {
	// Client is go-openai's configuration: BaseURL, APIType, APIVersion,
	// AzureModelMapperFunc. Its HTTPClient is replaced; its token is not
	// used (the transport sends the key).
	Client goopenai.ClientConfig
	// KeyHeader says how the key travels.
	KeyHeader KeyHeader
	// Key returns the credential for a call; nil uses cfg.APIKey.
	Key func(ctx context.Context) (string, error)
	// KeyHint tells the user which setting supplies the key; "" derives
	// it from api_key_env / api_key_cmd.
	KeyHint string
	// NotFoundHint is the hint of a 404; "" names the model id and
	// base_url.
	NotFoundHint string
	// Body holds fields added to the JSON body of every chat and text
	// completion request, for a service's own fields that go-openai's
	// request types lack (OpenRouter's provider). They replace a field
	// of the same name.
	Body map[string]any
}

// New builds the provider [providers.NAME] from its configuration. A
// preset fills base_url and api_key_env where they are empty; for
// OpenRouter, the provider preferences in options.provider go into the
// body of every chat and text completion request.
func New(name string, cfg config.Provider) (*Provider, error) {
	cfg = cfg.WithPreset()
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	opts := Options{Client: goopenai.DefaultConfig("")}.withBase(base)
	if cfg.IsOpenRouter() {
		prefs, err := cfg.OpenRouter()
		if err != nil {
			return nil, fmt.Errorf("provider %s: %w: fix options.provider in [providers.%s]", name, err, name)
		}
		if prefs != nil {
			opts.Body = map[string]any{"provider": prefs}
		}
	}
	return NewWith(name, cfg, opts)
}

func (o Options) withBase(base string) Options {
	o.Client.BaseURL = base
	return o
}

// NewWith builds a provider that speaks the OpenAI protocol with the
// given go-openai configuration. Extra headers and the timeout come from
// cfg, as for New.
func NewWith(name string, cfg config.Provider, opts Options) (*Provider, error) {
	base := strings.TrimRight(opts.Client.BaseURL, "/")
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("provider %s: base_url %q is not an http(s) URL: set base_url in [providers.%s], e.g. %q",
			name, base, name, DefaultBaseURL)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("provider %s: timeout is negative: set timeout in [providers.%s] to e.g. \"30s\", or leave it out", name, name)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	headers := make(map[string]string, len(cfg.Headers))
	for k, v := range cfg.Headers {
		headers[k] = v
	}
	body := make(map[string]json.RawMessage, len(opts.Body))
	for k, v := range opts.Body {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("provider %s: encoding %s for the request body: %w", name, k, err)
		}
		body[k] = raw
	}
	hc := &http.Client{Transport: &transport{base: tr, headers: headers, keyIn: opts.KeyHeader, body: body}}
	cc := opts.Client
	cc.BaseURL = base
	cc.HTTPClient = hc
	p := &Provider{
		name:         name,
		baseURL:      base,
		client:       goopenai.NewClientWithConfig(cc),
		http:         hc,
		timeout:      cfg.Timeout.D(),
		keyRequired:  !catalog.IsLoopback(base),
		keyHint:      opts.KeyHint,
		notFoundHint: opts.NotFoundHint,
		getKey:       opts.Key,
	}
	if p.getKey == nil {
		p.getKey = cfg.APIKey
	}
	if p.keyHint == "" {
		p.keyHint = KeyHint(name, cfg)
	}
	if p.notFoundHint == "" {
		p.notFoundHint = fmt.Sprintf("check the model's id in [models.*] and base_url in [providers.%s]", name)
	}
	return p, nil
}

// KeyHint names the setting that supplies a provider's key.
func KeyHint(name string, cfg config.Provider) string {
	switch {
	case cfg.APIKeyCmd != "":
		return fmt.Sprintf("check the command in api_key_cmd of [providers.%s]", name)
	case cfg.APIKeyEnv != "":
		return fmt.Sprintf("set the environment variable %s, or change api_key_env in [providers.%s]", cfg.APIKeyEnv, name)
	}
	return fmt.Sprintf("set api_key_env (or api_key_cmd) in [providers.%s]", name)
}

func (p *Provider) Name() string { return p.name }

// BaseURL is the endpoint the provider calls, without a trailing slash.
func (p *Provider) BaseURL() string { return p.baseURL }

// key returns the credential for a call: cached, else resolved. A remote
// host without one fails here, before any request.
func (p *Provider) key(ctx context.Context) (string, error) {
	p.mu.Lock()
	key := p.cachedKey
	p.mu.Unlock()
	if key != "" {
		return key, nil
	}
	key, err := p.getKey(ctx)
	if err != nil {
		if !p.keyRequired {
			// Local runners take requests without a key; send none.
			return "", nil
		}
		msg := err.Error()
		if errors.Is(err, config.ErrNoKey) {
			msg = "no API key configured for a remote endpoint"
		}
		return "", &providers.Error{Provider: p.name, Kind: providers.KindAuth, Message: msg, Hint: p.keyHint}
	}
	p.mu.Lock()
	p.cachedKey = key
	p.mu.Unlock()
	return key, nil
}

// forgetKey drops the cached key after the vendor refused it, so a key
// rotated in the environment or password manager is picked up next call.
func (p *Provider) forgetKey() {
	p.mu.Lock()
	p.cachedKey = ""
	p.mu.Unlock()
}
