package vertex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/anthropic"
)

// DefaultRegion is used when neither region nor GOOGLE_CLOUD_LOCATION is
// set: the global endpoint serves current Gemini and Claude models
// without tying the user to one region.
const DefaultRegion = "global"

const cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

// Provider is Vertex AI in one project and region.
type Provider struct {
	name    string
	cfg     config.Provider
	project string
	region  string
	base    string // base_url, or the region's endpoint
	// keyed: an access token comes from api_key_env or api_key_cmd on each
	// request instead of from Application Default Credentials.
	keyed bool
	hint  string

	mu     sync.Mutex
	client *http.Client        // authorised; built on the first request
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
		base:    strings.TrimSuffix(firstSet(cfg.BaseURL, endpoint(region)), "/"),
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

// endpoint is the Vertex AI service endpoint of a location, as Google's
// SDKs choose it: the global endpoint, a multi-region's, or a region's.
func endpoint(region string) string {
	switch region {
	case "global":
		return "https://aiplatform.googleapis.com"
	case "us", "eu":
		return "https://aiplatform." + region + ".rep.googleapis.com"
	}
	return "https://" + region + "-aiplatform.googleapis.com"
}

// Name is the user's name for the provider.
func (p *Provider) Name() string { return p.name }

// Chat streams the answer of a Gemini or Claude model on Vertex AI.
func (p *Provider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	if p.keyed {
		t, err := p.cfg.APIKey(ctx)
		if err != nil {
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth, Hint: p.hint, Err: err}
		}
		p.token.set(t)
	}
	if isClaude(req.Model) {
		c, err := p.claudeProvider(ctx)
		if err != nil {
			return nil, err
		}
		return c.Chat(ctx, req)
	}
	return p.chatGemini(ctx, req)
}

// isClaude tells Anthropic's models on Vertex (publisher "anthropic",
// Messages API) from Google's (publisher "google", generateContent).
func isClaude(model string) bool {
	return strings.HasPrefix(strings.ToLower(model), "claude")
}

// httpClient builds, once, the client that both model families share: it
// puts an OAuth access token on every request, the one from api_key_env
// or api_key_cmd or one from Application Default Credentials, which
// golang.org/x/oauth2/google finds and refreshes (a credentials file,
// gcloud's login, workload identity federation, the metadata server).
func (p *Provider) httpClient(ctx context.Context) (*http.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client != nil {
		return p.client, nil
	}
	var src oauth2.TokenSource = p.token
	quotaProject := os.Getenv("GOOGLE_CLOUD_QUOTA_PROJECT")
	if !p.keyed {
		creds, err := google.FindDefaultCredentials(ctx, cloudPlatformScope)
		if err != nil {
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth, Hint: p.hint, Err: err}
		}
		src = creds.TokenSource
		if quotaProject == "" {
			quotaProject = quotaProjectOf(creds.JSON)
		}
	}
	var base http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if quotaProject != "" {
		base = &quotaTransport{base: base, project: quotaProject}
	}
	p.client = &http.Client{Transport: &oauth2.Transport{Base: base, Source: src}}
	return p.client, nil
}

// quotaProjectOf reads quota_project_id from a credentials file: the
// project that user credentials bill API usage and quota to.
func quotaProjectOf(credsJSON []byte) string {
	var f struct {
		QuotaProjectID string `json:"quota_project_id"`
	}
	if len(credsJSON) > 0 && json.Unmarshal(credsJSON, &f) == nil {
		return f.QuotaProjectID
	}
	return ""
}

// quotaTransport names the quota project on each request, as Google's own
// client libraries do; without it, calls made with user credentials are
// billed to a project of gcloud's and may be refused.
type quotaTransport struct {
	base    http.RoundTripper
	project string
}

func (t *quotaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("X-Goog-User-Project") != "" {
		return t.base.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.Header.Set("X-Goog-User-Project", t.project)
	return t.base.RoundTrip(r)
}

// tokenSource hands out the access token that the latest request read
// from api_key_env or api_key_cmd, so the command runs once a request.
type tokenSource struct {
	mu  sync.Mutex
	tok string
}

func (t *tokenSource) set(tok string) {
	t.mu.Lock()
	t.tok = tok
	t.mu.Unlock()
}

func (t *tokenSource) Token() (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == "" {
		return nil, errNoToken
	}
	return &oauth2.Token{AccessToken: t.tok, TokenType: "Bearer"}, nil
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
