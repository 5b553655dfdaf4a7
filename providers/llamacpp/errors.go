package llamacpp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"switchyard/providers"
	"switchyard/providers/internal/httpstream"
)

// ErrLoading is wrapped by the error of a call made while llama-server is
// still loading its model (HTTP 503, "Loading model").
var ErrLoading = errors.New("llama.cpp is still loading the model")

// Loading reports whether err says the server is up but its model is not
// loaded yet: worth waiting for, unlike a server that is down.
func Loading(err error) bool {
	if errors.Is(err, ErrLoading) {
		return true
	}
	// Chat goes through providers/openai, which knows nothing of loading.
	var pe *providers.Error
	return errors.As(err, &pe) && pe.Status == http.StatusServiceUnavailable &&
		strings.Contains(strings.ToLower(pe.Message), "loading model")
}

// statusError maps a non-2xx answer to a provider error.
func (p *Provider) statusError(resp *http.Response) error {
	var body errorBody
	msg := httpstream.ErrorMessage(resp.Body, &body, func() string { return body.Error.Message })
	e := &providers.Error{Provider: p.name, Status: resp.StatusCode, Message: msg}
	p.classify(e, resp.StatusCode, body.Error.Type, msg)
	if e.Kind == providers.KindRateLimited {
		e.RetryAfter = httpstream.RetryAfter(resp.Header.Get("Retry-After"))
	}
	return e
}

// classify sets the kind and hint of e from llama-server's status and
// error type; mid-stream errors carry the same fields in their event.
func (p *Provider) classify(e *providers.Error, status int, typ, msg string) {
	lower := strings.ToLower(msg)
	switch {
	case status == http.StatusServiceUnavailable && (typ == "unavailable_error" || strings.Contains(lower, "loading model")):
		e.Kind = providers.KindServer
		e.Err = ErrLoading
		e.Hint = "the model is loading; wait for it, or check the llama-server log if it never finishes"
	case typ == "exceed_context_size_error" || strings.Contains(lower, "context size"):
		e.Kind = providers.KindContextWindow
	case status == http.StatusUnauthorized || status == http.StatusForbidden || typ == "authentication_error":
		e.Kind = providers.KindAuth
		e.Hint = fmt.Sprintf("set api_key_env or api_key_cmd in [providers.%s] to the key llama-server was started with (--api-key)", p.name)
	case status == http.StatusNotImplemented || typ == "not_supported_error":
		// llama-server answers 501 when the loaded model has no
		// fill-in-the-middle tokens.
		e.Kind = providers.KindUnsupported
		e.Hint = "load a model with fill-in-the-middle tokens, or set fim in [models] to a template family"
	case status == http.StatusNotFound:
		e.Kind = providers.KindNotFound
		e.Hint = fmt.Sprintf("check that base_url in [providers.%s] points at llama-server", p.name)
	case status == http.StatusTooManyRequests:
		e.Kind = providers.KindRateLimited
	case status >= 400 && status < 500:
		e.Kind = providers.KindBadRequest
	default:
		e.Kind = providers.KindServer
	}
}
