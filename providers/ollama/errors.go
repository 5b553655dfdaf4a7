package ollama

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

// statusError maps a non-2xx answer to a provider error. Ollama's body is
// {"error":"..."}; a proxy in front of it may send anything, so an
// undecodable body is shown trimmed instead.
func (p *Provider) statusError(resp *http.Response, model string) *providers.Error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body errorBody
	msg := strings.TrimSpace(string(raw))
	if json.Unmarshal(raw, &body) == nil && body.Error != "" {
		msg = body.Error
	}
	if len(msg) > 500 {
		msg = msg[:500] + "..."
	}
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
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"))
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

// transportError classifies a failure to get any answer at all.
func (p *Provider) transportError(ctx context.Context, err error) *providers.Error {
	e := &providers.Error{Provider: p.name, Err: err}
	switch {
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		e.Kind = providers.KindCanceled
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		e.Kind = providers.KindTimeout
		e.Hint = fmt.Sprintf("the model may still be loading; raise timeout in [providers.%s]", p.name)
	default:
		e.Kind = providers.KindNetwork
		e.Hint = fmt.Sprintf("cannot reach Ollama at %s: start it with `ollama serve`, or set base_url in [providers.%s]", p.base, p.name)
	}
	return e
}

// streamError is a failure after the answer began: an error line from the
// runner, a cut connection, or a stream that ended without "done".
func (p *Provider) streamError(ctx context.Context, msg string, err error) *providers.Error {
	if ctx.Err() != nil {
		return p.transportError(ctx, ctx.Err())
	}
	return &providers.Error{Provider: p.name, Kind: providers.KindServer, Message: msg, Err: err}
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
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
