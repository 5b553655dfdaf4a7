package bedrock

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"switchyard/providers"
	"switchyard/providers/internal/httpstream"
)

// classify turns an SDK error into a *providers.Error. ctx is the call's
// own context, to tell the editor's cancellation and the provider's
// timeout from a failure.
func (p *Provider) classify(ctx context.Context, err error) error {
	var pe *providers.Error
	if err == nil || errors.As(err, &pe) {
		return err
	}
	e := &providers.Error{Provider: p.name, Err: err}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		e.Status = re.HTTPStatusCode()
		if re.Response != nil {
			e.RetryAfter = httpstream.RetryAfter(re.Response.Header.Get("Retry-After"))
		}
	}
	var api smithy.APIError
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		e.Kind = providers.KindCanceled
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		e.Kind = providers.KindTimeout
		e.Hint = fmt.Sprintf("raise timeout in [providers.%s]", p.name)
	case errors.As(err, &api):
		e.Message = api.ErrorMessage()
		p.classifyAPI(e, api.ErrorCode(), api.ErrorMessage())
	case strings.Contains(err.Error(), "get identity"):
		// The credential chain found nothing usable (no variables, no
		// profile, an SSO session that expired): the SDK says so only in
		// words.
		e.Kind = providers.KindAuth
		_, cause, _ := strings.Cut(err.Error(), "get identity: ")
		if p.bearer {
			e.Message = "no Bedrock API key: " + cause
		} else {
			e.Message = "no usable AWS credentials: " + cause
		}
		e.Hint = p.authHint()
	case isNetwork(err):
		e.Kind = providers.KindNetwork
		e.Hint = fmt.Sprintf("cannot reach Bedrock in %s: check the network, region, and base_url in [providers.%s]", p.region, p.name)
	default:
		e.Kind = providers.KindServer
	}
	return e
}

// classifyAPI maps Bedrock's error codes, from an HTTP error or an
// exception event in the stream.
func (p *Provider) classifyAPI(e *providers.Error, code, msg string) {
	lower := strings.ToLower(msg)
	switch code {
	case "ThrottlingException", "throttlingException", "ServiceQuotaExceededException":
		e.Kind = providers.KindRateLimited
	case "AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException",
		"InvalidSignatureException", "IncompleteSignature", "MissingAuthenticationToken",
		"InvalidClientTokenId", "SignatureDoesNotMatch":
		e.Kind = providers.KindAuth
		e.Hint = p.authHint()
	case "ResourceNotFoundException":
		e.Kind = providers.KindNotFound
		e.Hint = fmt.Sprintf("check the model id in [models] (some models need an inference profile id such as \"us.anthropic...\") and region in [providers.%s]", p.name)
	case "ValidationException", "validationException":
		switch {
		case strings.Contains(lower, "too long") || strings.Contains(lower, "too many tokens") ||
			strings.Contains(lower, "context window") || strings.Contains(lower, "context length"):
			e.Kind = providers.KindContextWindow
		case strings.Contains(lower, "on-demand throughput isn") || strings.Contains(lower, "inference profile"):
			// "Invocation of model ID ... with on-demand throughput isn't
			// supported. Retry your request with the ID or ARN of an
			// inference profile that contains this model."
			e.Kind = providers.KindNotFound
			e.Hint = "use the model's inference profile id (e.g. \"us.\" or \"eu.\" before the model id) in [models]"
		default:
			e.Kind = providers.KindBadRequest
		}
	case "ModelStreamErrorException", "modelStreamErrorException",
		"InternalServerException", "internalServerException",
		"ServiceUnavailableException", "serviceUnavailableException",
		"ModelNotReadyException", "ModelErrorException", "ModelTimeoutException":
		e.Kind = providers.KindServer
	default:
		switch {
		case e.Status == http.StatusTooManyRequests:
			e.Kind = providers.KindRateLimited
		case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
			e.Kind = providers.KindAuth
			e.Hint = p.authHint()
		case e.Status >= 400 && e.Status < 500:
			e.Kind = providers.KindBadRequest
		default:
			e.Kind = providers.KindServer
		}
	}
}

func (p *Provider) authHint() string {
	if p.bearer {
		return fmt.Sprintf("check the Bedrock API key named by api_key_env or api_key_cmd in [providers.%s]", p.name)
	}
	return fmt.Sprintf("check your AWS credentials (AWS_PROFILE, `aws sso login`, or options.profile in [providers.%s]), that the identity may call bedrock:InvokeModelWithResponseStream, and region %q", p.name, p.region)
}

// isNetwork reports a failure to send the request or read its answer at
// the connection level: refused, DNS, no route.
func isNetwork(err error) bool {
	var se *smithyhttp.RequestSendError
	return errors.As(err, &se)
}
