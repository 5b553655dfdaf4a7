package bedrock

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/internal/callctx"
)

// signingName is the service name in SigV4 signatures for Bedrock Runtime.
const signingName = "bedrock"

// bearerEnv is the variable the AWS SDKs read a Bedrock API key from when
// the client is given none.
const bearerEnv = "AWS_BEARER_TOKEN_BEDROCK"

// Provider is Amazon Bedrock in one region.
type Provider struct {
	name     string
	cfg      config.Provider
	region   string
	timeout  time.Duration
	endpoint string // scheme://host[/path], no trailing slash
	bearer   bool   // authenticates with a Bedrock API key, not SigV4
	envKey   string // the key from AWS_BEARER_TOKEN_BEDROCK, when no key is configured
	creds    aws.CredentialsProvider
	http     aws.HTTPClient
	signer   *v4.Signer
}

// New builds the provider [providers.NAME] from its configuration:
// region (else AWS_REGION or the profile's), base_url for a VPC or
// PrivateLink endpoint, options.profile for a named AWS profile, and
// api_key_env / api_key_cmd for a Bedrock API key instead of AWS
// credentials. Credentials are resolved at the first call, not here.
//
// The AWS SDK's config module does the real work of AWS: the credential
// chain (environment, shared files, SSO, assume-role, web identity,
// container and instance roles), the region, the endpoint settings and
// the HTTP client (AWS_CA_BUNDLE); aws/signer/v4 signs and
// aws/protocol/eventstream frames the answer. The ConverseStream call
// itself is one JSON POST, written here (types.go, stream.go): the
// service/bedrockruntime client would add only that, at the price of
// about 2 ms of package initialisation in every start of the binary.
func New(name string, cfg config.Provider) (*Provider, error) {
	opts := []func(*awsconfig.LoadOptions) error{
		// The router is the one retry loop (DESIGN.md decision 7); the
		// credential chain's own calls (SSO, STS) are not retried either.
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
	endpoint, err := resolveEndpoint(cfg.BaseURL, awsCfg)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", name, err)
	}
	p := &Provider{
		name:     name,
		cfg:      cfg,
		region:   awsCfg.Region,
		timeout:  cfg.Timeout.D(),
		endpoint: endpoint,
		creds:    awsCfg.Credentials,
		http:     awsCfg.HTTPClient,
		signer:   v4.NewSigner(),
	}
	if p.http == nil {
		p.http = http.DefaultClient
	}
	p.bearer = cfg.APIKeyEnv != "" || cfg.APIKeyCmd != ""
	if !p.bearer {
		// As the SDK's Bedrock clients do, a key in the standard variable
		// replaces AWS credentials.
		if p.envKey = os.Getenv(bearerEnv); p.envKey != "" {
			p.bearer = true
		}
	}
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
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // the prompt is sent as written
	if err := enc.Encode(in); err != nil {
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Err: err}
	}
	ctx, cancel := callctx.WithTimeout(ctx, p.timeout)
	resp, err := p.send(ctx, req.Model, body.Bytes())
	if err != nil {
		err = p.classify(ctx, err)
		cancel()
		return nil, err
	}
	if resp.StatusCode >= 300 {
		err := p.statusError(resp)
		resp.Body.Close()
		cancel()
		return nil, err
	}
	return newStream(p, ctx, cancel, resp.Body), nil
}

// send signs the request (SigV4, or the API key as a bearer token) and
// sends it. The path carries the model id escaped as one segment: ARNs
// hold "/" and ":".
func (p *Provider) send(ctx context.Context, model string, body []byte) (*http.Response, error) {
	path := "/model/" + escapeSegment(model) + "/converse-stream"
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest,
			Message: "cannot build the request URL", Hint: fmt.Sprintf("check base_url in [providers.%s]", p.name), Err: err}
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/vnd.amazon.eventstream")
	for k, v := range p.cfg.Headers {
		r.Header.Set(k, v)
	}
	if p.bearer {
		key, err := p.apiKey(ctx)
		if err != nil {
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth,
				Message: "no Bedrock API key: " + err.Error(), Hint: p.authHint()}
		}
		if r.URL.Scheme != "https" {
			// A bearer key is a password: never in clear over the network.
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest,
				Message: "a Bedrock API key is only sent over HTTPS", Hint: fmt.Sprintf("use an https:// base_url in [providers.%s]", p.name)}
		}
		r.Header.Set("Authorization", "Bearer "+key)
	} else {
		if p.creds == nil {
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth,
				Message: "no usable AWS credentials", Hint: p.authHint()}
		}
		creds, err := p.creds.Retrieve(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth,
				Message: "no usable AWS credentials: " + err.Error(), Hint: p.authHint()}
		}
		sum := sha256.Sum256(body)
		if err := p.signer.SignHTTP(ctx, creds, r, hex.EncodeToString(sum[:]), signingName, p.region, time.Now()); err != nil {
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindAuth,
				Message: "signing the request: " + err.Error(), Hint: p.authHint()}
		}
	}
	resp, err := p.http.Do(r)
	if err != nil {
		return nil, &sendError{err}
	}
	return resp, nil
}

// apiKey is the configured Bedrock API key, else AWS_BEARER_TOKEN_BEDROCK's.
func (p *Provider) apiKey(ctx context.Context) (string, error) {
	if p.cfg.APIKeyEnv == "" && p.cfg.APIKeyCmd == "" {
		return p.envKey, nil
	}
	return p.cfg.APIKey(ctx)
}

// escapeSegment escapes s as one path segment the way AWS REST protocols
// do: everything but the unreserved characters of RFC 3986.
func escapeSegment(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// resolveEndpoint is where requests go: base_url, else the endpoint the
// AWS configuration names for Bedrock Runtime (AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
// the profile's services section, AWS_ENDPOINT_URL, endpoint_url), else
// the regional endpoint, with FIPS and dual-stack as the configuration
// asks. These are the rules of the SDK's Bedrock Runtime endpoint
// resolver.
func resolveEndpoint(baseURL string, awsCfg aws.Config) (string, error) {
	base := baseURL
	if base == "" {
		base = configuredEndpoint(awsCfg)
	}
	fips, dual := endpointVariants(awsCfg.ConfigSources)
	if base != "" {
		if fips || dual {
			return "", fmt.Errorf("a custom endpoint cannot be combined with use_fips_endpoint or use_dualstack_endpoint: remove one")
		}
		u, err := url.Parse(base)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return "", fmt.Errorf("endpoint %q is not a URL such as https://bedrock-runtime.us-east-1.amazonaws.com: check base_url", base)
		}
		return strings.TrimRight(base, "/"), nil
	}
	host := "bedrock-runtime"
	if fips {
		host += "-fips"
	}
	dns, dualDNS := partitionSuffixes(awsCfg.Region)
	if dual {
		dns = dualDNS
	}
	return "https://" + host + "." + awsCfg.Region + "." + dns, nil
}

// configuredEndpoint is the endpoint URL the shared configuration or the
// environment sets for Bedrock Runtime, if any, honouring
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func configuredEndpoint(awsCfg aws.Config) string {
	ctx := context.Background()
	for _, src := range awsCfg.ConfigSources {
		if s, ok := src.(interface {
			GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
		}); ok {
			if ignore, found, _ := s.GetIgnoreConfiguredEndpoints(ctx); found && ignore {
				return ""
			}
		}
	}
	for _, src := range awsCfg.ConfigSources {
		if s, ok := src.(interface {
			GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
		}); ok {
			if v, found, err := s.GetServiceBaseEndpoint(ctx, "Bedrock Runtime"); err == nil && found && v != "" {
				return v
			}
		}
	}
	if awsCfg.BaseEndpoint != nil {
		return *awsCfg.BaseEndpoint
	}
	return ""
}

// endpointVariants reads use_fips_endpoint and use_dualstack_endpoint
// (or AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT).
func endpointVariants(sources []any) (fips, dual bool) {
	ctx := context.Background()
	fipsFound, dualFound := false, false
	for _, src := range sources {
		if s, ok := src.(interface {
			GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error)
		}); ok && !fipsFound {
			if v, found, err := s.GetUseFIPSEndpoint(ctx); err == nil && found {
				fips, fipsFound = v == aws.FIPSEndpointStateEnabled, true
			}
		}
		if s, ok := src.(interface {
			GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error)
		}); ok && !dualFound {
			if v, found, err := s.GetUseDualStackEndpoint(ctx); err == nil && found {
				dual, dualFound = v == aws.DualStackEndpointStateEnabled, true
			}
		}
	}
	return fips, dual
}

// partitionSuffixes are the DNS suffixes (plain and dual-stack) of the AWS
// partition that region belongs to, from the SDK's partitions.json; a
// region of no known partition is taken as the commercial one, as the
// SDK does.
func partitionSuffixes(region string) (dns, dualStack string) {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "amazonaws.com.cn", "api.amazonwebservices.com.cn"
	case strings.HasPrefix(region, "eusc-"):
		return "amazonaws.eu", "api.amazonwebservices.eu"
	case strings.HasPrefix(region, "us-isob-"):
		return "sc2s.sgov.gov", "api.aws.scloud"
	case strings.HasPrefix(region, "us-isof-"):
		return "csp.hci.ic.gov", "api.aws.hci.ic.gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "c2s.ic.gov", "api.aws.ic.gov"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"
	}
	return "amazonaws.com", "api.aws"
}

var _ providers.Provider = (*Provider)(nil)
