package bedrock

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"switchyard/providers"
	"switchyard/providers/internal/httpstream"
)

// sendError is a failure to send the request or to read the answer's
// headers at the connection level: refused, DNS, no route, TLS.
type sendError struct{ err error }

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// classify turns a failure of the call into a *providers.Error. ctx is the
// call's own context, to tell the editor's cancellation and the provider's
// timeout from a failure.
func (p *Provider) classify(ctx context.Context, err error) error {
	var pe *providers.Error
	if err == nil || errors.As(err, &pe) {
		return err
	}
	e := &providers.Error{Provider: p.name, Err: err}
	var se *sendError
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		e.Kind = providers.KindCanceled
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		e.Kind = providers.KindTimeout
		e.Hint = fmt.Sprintf("raise timeout in [providers.%s]", p.name)
	case errors.As(err, &se):
		e.Kind = providers.KindNetwork
		e.Hint = fmt.Sprintf("cannot reach Bedrock in %s: check the network, region, and base_url in [providers.%s]", p.region, p.name)
	default:
		e.Kind = providers.KindServer
	}
	return e
}

// statusError reads an HTTP error answer as the restJson1 protocol writes
// it: the error's code in X-Amzn-ErrorType (else __type or code in the
// body), the message in the body's message.
func (p *Provider) statusError(resp *http.Response) error {
	e := &providers.Error{Provider: p.name, Status: resp.StatusCode,
		RetryAfter: httpstream.RetryAfter(resp.Header.Get("Retry-After"))}
	var b errorBody
	e.Message = httpstream.ErrorMessage(resp.Body, &b, b.message)
	code := errorCode(resp.Header.Get("X-Amzn-Errortype"))
	if code == "" {
		code = errorCode(b.code())
	}
	p.classifyAPI(e, code, e.Message)
	return e
}

// exception is an error sent inside the event stream after the answer
// began, with its code in :exception-type and its message in the payload.
func (p *Provider) exception(code string, payload []byte) error {
	e := &providers.Error{Provider: p.name}
	var b errorBody
	e.Message = httpstream.ErrorMessage(strings.NewReader(string(payload)), &b, b.message)
	if code == "" {
		code = errorCode(b.code())
	}
	p.classifyAPI(e, code, e.Message)
	return e
}

func (b *errorBody) message() string {
	if b.Message != "" {
		return b.Message
	}
	return b.Message2
}

func (b *errorBody) code() string {
	if b.Type != "" {
		return b.Type
	}
	return b.Code
}

// errorCode is the bare name of an AWS error code, without the namespace
// before "#" or the URI after ":".
func errorCode(v string) string {
	v, _, _ = strings.Cut(v, ":")
	if i := strings.LastIndexByte(v, '#'); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
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
		return fmt.Sprintf("check the Bedrock API key named by api_key_env or api_key_cmd in [providers.%s] (or AWS_BEARER_TOKEN_BEDROCK)", p.name)
	}
	return fmt.Sprintf("check your AWS credentials (AWS_PROFILE, `aws sso login`, or options.profile in [providers.%s]), that the identity may call bedrock:InvokeModelWithResponseStream, and region %q", p.name, p.region)
}
