package llamacpp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"switchyard/providers"
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
func (p *Provider) statusError(resp *http.Response) *providers.Error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body errorBody
	msg := strings.TrimSpace(string(raw))
	if json.Unmarshal(raw, &body) == nil && body.Error.Message != "" {
		msg = body.Error.Message
	}
	if len(msg) > 500 {
		msg = msg[:500] + "..."
	}
	e := &providers.Error{Provider: p.name, Status: resp.StatusCode, Message: msg}
	p.classify(e, resp.StatusCode, body.Error.Type, msg)
	if e.Kind == providers.KindRateLimited {
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"))
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

// transportError classifies a failure to get any answer at all.
func (p *Provider) transportError(ctx context.Context, err error) *providers.Error {
	e := &providers.Error{Provider: p.name, Err: err}
	switch {
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		e.Kind = providers.KindCanceled
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		e.Kind = providers.KindTimeout
		e.Hint = fmt.Sprintf("raise timeout in [providers.%s]", p.name)
	default:
		e.Kind = providers.KindNetwork
		e.Hint = fmt.Sprintf("cannot reach llama-server at %s: start it, or set base_url in [providers.%s]", p.base, p.name)
	}
	return e
}

// streamError is a failure after the answer began: an error event, a cut
// connection, or a stream that ended without the last event.
func (p *Provider) streamError(ctx context.Context, msg string, err error) *providers.Error {
	if ctx.Err() != nil {
		return p.transportError(ctx, ctx.Err())
	}
	return &providers.Error{Provider: p.name, Kind: providers.KindServer, Message: msg, Err: err}
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
