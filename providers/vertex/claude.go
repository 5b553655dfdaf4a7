package vertex

import (
	"context"
	"fmt"
	"sync"

	"github.com/anthropics/anthropic-sdk-go/option"
	anthropicvertex "github.com/anthropics/anthropic-sdk-go/vertex"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"switchyard/providers"
	"switchyard/providers/anthropic"
)

const cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

// claudeProvider builds, once, the anthropic provider that speaks the
// Messages API to Vertex: the SDK's vertex option rewrites each request to
// .../publishers/anthropic/models/MODEL:streamRawPredict and signs it.
func (p *Provider) claudeProvider(ctx context.Context) (*anthropic.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.claude != nil {
		return p.claude, nil
	}
	creds := &google.Credentials{ProjectID: p.project, TokenSource: p.token}
	if !p.keyed {
		// vertex.WithGoogleAuth would panic without credentials; looking
		// them up here turns that into an error the user can act on.
		found, err := google.FindDefaultCredentials(ctx, cloudPlatformScope)
		if err != nil {
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth, Hint: p.hint, Err: err}
		}
		creds = found
	}
	vopt, err := withCredentials(p.region, p.project, creds)
	if err != nil {
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth, Hint: p.hint, Err: err}
	}
	opts := []option.RequestOption{vopt}
	if p.cfg.BaseURL != "" {
		// After the vertex option, which sets the regional endpoint.
		opts = append(opts, option.WithBaseURL(p.cfg.BaseURL))
	}
	p.claude = anthropic.NewWithOptions(p.name, p.cfg, p.hint, opts...)
	return p.claude, nil
}

// withCredentials is the SDK's vertex.WithCredentials, which panics when
// it cannot build its HTTP client; a bad credential file must not take the
// language server down with it.
func withCredentials(region, project string, creds *google.Credentials) (opt option.RequestOption, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("vertex credentials: %v", r)
		}
	}()
	return anthropicvertex.WithCredentials(context.Background(), region, project, creds), nil
}

// tokenSource hands the SDK the access token that the latest request read
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
