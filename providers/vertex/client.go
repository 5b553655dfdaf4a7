package vertex

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"google.golang.org/genai"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/anthropic"
)

// DefaultRegion is used when neither region nor GOOGLE_CLOUD_LOCATION is
// set: the global endpoint serves current Gemini and Claude models
// without tying the user to one region.
const DefaultRegion = "global"

// Provider is Vertex AI in one project and region.
type Provider struct {
	name    string
	cfg     config.Provider
	project string
	region  string
	// keyed: an access token comes from api_key_env or api_key_cmd on each
	// request instead of from Application Default Credentials.
	keyed bool
	hint  string

	mu     sync.Mutex
	gemini *genai.Client       // built on the first Gemini request
	claude *anthropic.Provider // built on the first Claude request
	token  *tokenSource        // the token of the latest keyed request
}

// New builds the provider [providers.NAME] for Vertex AI. project comes
// from the configuration or GOOGLE_CLOUD_PROJECT; region from the
// configuration, GOOGLE_CLOUD_LOCATION, or DefaultRegion. Credentials are
// looked up on the first request, not here.
func New(name string, cfg config.Provider) (*Provider, error) {
	project := firstSet(cfg.Project, os.Getenv("GOOGLE_CLOUD_PROJECT"))
	if project == "" {
		return nil, fmt.Errorf("provider %s: no Google Cloud project: set project in [providers.%s] or GOOGLE_CLOUD_PROJECT", name, name)
	}
	region := firstSet(cfg.Region, os.Getenv("GOOGLE_CLOUD_LOCATION"), DefaultRegion)
	p := &Provider{
		name:    name,
		cfg:     cfg,
		project: project,
		region:  region,
		keyed:   cfg.APIKeyEnv != "" || cfg.APIKeyCmd != "",
		token:   &tokenSource{},
	}
	if p.keyed {
		p.hint = "check the access token from api_key_env or api_key_cmd in [providers." + name +
			"] (gcloud auth print-access-token gives one) and that project " + project + " has Vertex AI enabled"
	} else {
		p.hint = "run `gcloud auth application-default login` for Application Default Credentials, and check that project " +
			project + " in [providers." + name + "] has Vertex AI enabled"
	}
	return p, nil
}

// Name is the user's name for the provider.
func (p *Provider) Name() string { return p.name }

// Chat streams the answer of a Gemini or Claude model on Vertex AI.
func (p *Provider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	var token string
	if p.keyed {
		t, err := p.cfg.APIKey(ctx)
		if err != nil {
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth, Hint: p.hint, Err: err}
		}
		token = t
		p.token.set(t)
	}
	if isClaude(req.Model) {
		c, err := p.claudeProvider(ctx)
		if err != nil {
			return nil, err
		}
		return c.Chat(ctx, req)
	}
	return p.chatGemini(ctx, req, token)
}

// isClaude tells Anthropic's models on Vertex (publisher "anthropic",
// Messages API) from Google's (publisher "google", generateContent).
func isClaude(model string) bool {
	return strings.HasPrefix(strings.ToLower(model), "claude")
}

// geminiClient builds the genai client once. With a token from the
// configuration it gets a plain HTTP client, which keeps genai from
// looking for Application Default Credentials; the token then rides on
// each request.
func (p *Provider) geminiClient(ctx context.Context) (*genai.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gemini != nil {
		return p.gemini, nil
	}
	cc := &genai.ClientConfig{
		Backend:  genai.BackendVertexAI,
		Project:  p.project,
		Location: p.region,
		HTTPOptions: genai.HTTPOptions{
			BaseURL: p.cfg.BaseURL,
			Headers: http.Header{},
		},
	}
	for k, v := range p.cfg.Headers {
		cc.HTTPOptions.Headers.Set(k, v)
	}
	if p.keyed {
		cc.HTTPClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	c, err := genai.NewClient(ctx, cc)
	if err != nil {
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth, Hint: p.hint,
			Err: fmt.Errorf("vertex client: %w", err)}
	}
	p.gemini = c
	return c, nil
}

func firstSet(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

var errNoToken = errors.New("no access token yet")
