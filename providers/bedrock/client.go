package bedrock

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/auth/bearer"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/internal/callctx"
)

// Provider is Amazon Bedrock in one region.
type Provider struct {
	name    string
	region  string
	timeout time.Duration
	bearer  bool // authenticates with a Bedrock API key, not SigV4
	client  *bedrockruntime.Client
}

// New builds the provider [providers.NAME] from its configuration:
// region (else AWS_REGION or the profile's), base_url for a VPC or
// PrivateLink endpoint, options.profile for a named AWS profile, and
// api_key_env / api_key_cmd for a Bedrock API key instead of AWS
// credentials. Credentials are resolved at the first call, not here.
func New(name string, cfg config.Provider) (*Provider, error) {
	opts := []func(*awsconfig.LoadOptions) error{
		// The router is the one retry loop (DESIGN.md decision 7).
		awsconfig.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
	}
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	if v, ok := cfg.Options["profile"]; ok {
		profile, isString := v.(string)
		if !isString || profile == "" {
			return nil, fmt.Errorf("provider %s: options.profile must be the name of a profile in ~/.aws/config", name)
		}
		opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
	}
	// Loading reads environment variables and the shared files only; no
	// network call happens until a request needs credentials.
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		return nil, fmt.Errorf("provider %s: loading the AWS configuration: %w: check AWS_PROFILE and ~/.aws/config, or options.profile in [providers.%s]", name, err, name)
	}
	if awsCfg.Region == "" {
		return nil, fmt.Errorf("provider %s: no AWS region: set region in [providers.%s] (e.g. \"us-east-1\"), or AWS_REGION", name, name)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("provider %s: timeout is negative: set timeout in [providers.%s] to e.g. \"60s\", or leave it out", name, name)
	}
	p := &Provider{name: name, region: awsCfg.Region, timeout: cfg.Timeout.D()}
	p.bearer = cfg.APIKeyEnv != "" || cfg.APIKeyCmd != ""
	p.client = bedrockruntime.NewFromConfig(awsCfg, func(o *bedrockruntime.Options) {
		o.Retryer = aws.NopRetryer{}
		o.APIOptions = append(o.APIOptions, addReadOnlyBody)
		if cfg.BaseURL != "" {
			o.BaseEndpoint = aws.String(strings.TrimRight(cfg.BaseURL, "/"))
		}
		for k, v := range cfg.Headers {
			o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue(k, v))
		}
		if p.bearer {
			o.BearerAuthTokenProvider = bearer.TokenProviderFunc(func(ctx context.Context) (bearer.Token, error) {
				key, err := cfg.APIKey(ctx)
				if err != nil {
					return bearer.Token{}, err
				}
				return bearer.Token{Value: key}, nil
			})
			o.AuthSchemePreference = []string{"httpBearerAuth"}
		}
	})
	return p, nil
}

func (p *Provider) Name() string { return p.name }

// Region is the AWS region requests go to.
func (p *Provider) Region() string { return p.region }

// Chat streams an answer through ConverseStream. req.Model is a model id,
// an inference profile id ("us.anthropic.claude-..."), or an ARN.
func (p *Provider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	in, err := p.converseInput(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := callctx.WithTimeout(ctx, p.timeout)
	out, err := p.client.ConverseStream(ctx, in)
	if err != nil {
		err = p.classify(ctx, err)
		cancel()
		return nil, err
	}
	es := out.GetStream()
	return &stream{p: p, ctx: ctx, cancel: cancel, es: es, events: es.Events()}, nil
}

var _ providers.Provider = (*Provider)(nil)
