package ollama

import (
	"fmt"
	"net/http"
	"strings"

	"switchyard/providers"
	"switchyard/providers/internal/httpstream"
)

// statusError maps a non-2xx answer to a provider error. Ollama's body is
// {"error":"..."}; a proxy in front of it may send anything, so an
// undecodable body is shown trimmed instead.
func (p *Provider) statusError(resp *http.Response, model string) *providers.Error {
	var body errorBody
	msg := httpstream.ErrorMessage(resp.Body, &body, func() string { return body.Error })
	e := &providers.Error{Provider: p.name, Status: resp.StatusCode, Message: msg}
	switch code := resp.StatusCode; {
	case code == http.StatusNotFound:
		e.Kind = providers.KindNotFound
		if model != "" {
			e.Hint = fmt.Sprintf("run `ollama pull %s`, or change the model id in [models]", model)
		} else {
			e.Hint = fmt.Sprintf("check base_url in [providers.%s]", p.name)
		}
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		e.Kind = providers.KindAuth
		e.Hint = fmt.Sprintf("set api_key_env, api_key_cmd or headers in [providers.%s] for the proxy in front of Ollama", p.name)
	case code == http.StatusTooManyRequests:
		e.Kind = providers.KindRateLimited
		e.RetryAfter = httpstream.RetryAfter(resp.Header.Get("Retry-After"))
	case code == http.StatusBadRequest && strings.Contains(msg, "does not support"):
		// Ollama's own capability check ("does not support insert"), for
		// servers too old to list capabilities in /api/show.
		e.Kind = providers.KindUnsupported
	case code == http.StatusBadRequest && strings.Contains(msg, "context length"):
		e.Kind = providers.KindContextWindow
	case code == 499:
		e.Kind = providers.KindCanceled
	case code >= 400 && code < 500:
		e.Kind = providers.KindBadRequest
	default:
		e.Kind = providers.KindServer
	}
	return e
}

// statusErrors is statusError for calls about model ("" for none).
func (p *Provider) statusErrors(model string) func(*http.Response) error {
	return func(resp *http.Response) error { return p.statusError(resp, model) }
}
