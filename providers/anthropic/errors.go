package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"switchyard/providers"
	"switchyard/providers/internal/callctx"
)

// mapError turns a failure to get an answer into a *providers.Error. parent is
// the caller's context and sctx the stream's own (bounded by timeout,
// cancelled by Close), so that the editor cancelling, the configured
// timeout firing and the service failing are told apart.
func (p *Provider) mapError(parent, sctx context.Context, err error) error {
	var pe *providers.Error
	if errors.As(err, &pe) {
		return err
	}
	if e := callctx.Ended(p.name, parent, sctx); e != nil {
		return e
	}

	// On Vertex, a token that cannot be had (expired login, revoked
	// grant) surfaces from inside the HTTP transport; it is a credentials
	// problem, not a network one.
	var retrieveErr *oauth2.RetrieveError
	if errors.As(err, &retrieveErr) {
		return &providers.Error{Provider: p.name, Kind: providers.KindAuth, Hint: p.authHint, Err: err}
	}
	var urlErr *url.Error
	var netErr net.Error
	if errors.As(err, &urlErr) || errors.As(err, &netErr) {
		return &providers.Error{Provider: p.name, Kind: providers.KindNetwork, Err: err,
			Hint: "check the network and base_url in [providers." + p.name + "]"}
	}
	return &providers.Error{Provider: p.name, Kind: providers.KindServer, Err: err}
}

// statusError reads an HTTP error answer (64 KiB of its body at most).
func (p *Provider) statusError(resp *http.Response) *providers.Error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return p.apiError(resp.StatusCode, resp.Header, raw)
}

// apiError maps an error answer: status is the HTTP status, or 0 for an
// `error` event inside a stream that had started well; the error type in
// the body then says what happened.
func (p *Provider) apiError(status int, header http.Header, raw []byte) *providers.Error {
	typ, msg := errorBody(string(raw))
	out := &providers.Error{Provider: p.name, Message: msg}
	if status >= 400 {
		out.Status = status
		out.RetryAfter = retryAfter(header, time.Now())
	}

	switch {
	case status == http.StatusTooManyRequests || typ == "rate_limit_error":
		out.Kind = providers.KindRateLimited
		if out.RetryAfter == 0 {
			out.RetryAfter = googleRetryDelay(string(raw))
		}
	case status == http.StatusUnauthorized || status == http.StatusForbidden ||
		typ == "authentication_error" || typ == "permission_error":
		out.Kind = providers.KindAuth
		out.Hint = p.authHint
	case status == http.StatusNotFound || typ == "not_found_error":
		out.Kind = providers.KindNotFound
		out.Hint = "check the model id in [models] and base_url in [providers." + p.name + "]"
	case promptTooLong(msg):
		out.Kind = providers.KindContextWindow
	case status == http.StatusRequestEntityTooLarge || typ == "request_too_large":
		// Over the API's byte limit (32 MB): images, mostly. A model with
		// a larger window would refuse it just the same.
		out.Kind = providers.KindBadRequest
		out.Hint = "send fewer or smaller images"
	case status >= 500 || typ == "overloaded_error" || typ == "api_error":
		// 529 is Anthropic's "overloaded": another vendor may well answer.
		out.Kind = providers.KindServer
	case status >= 400 || typ == "invalid_request_error":
		out.Kind = providers.KindBadRequest
	default:
		// An error event of a type this version does not know: the stream
		// failed on the service's side.
		out.Kind = providers.KindServer
	}
	if out.Message == "" && typ != "" {
		out.Message = typ
	}
	return out
}

// errorBody reads {"type":"error","error":{"type":...,"message":...}}.
func errorBody(raw string) (typ, msg string) {
	var body struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(raw), &body) == nil && (body.Error.Type != "" || body.Error.Message != "") {
		return body.Error.Type, body.Error.Message
	}
	// Not the documented shape (a proxy's HTML page, say): show the start
	// of it, which is what the user can act on.
	raw = strings.TrimSpace(raw)
	if len(raw) > 200 {
		raw = raw[:200] + "..."
	}
	return "", raw
}

// promptTooLong recognises the 400 that a larger context window would fix:
// "prompt is too long: 208310 tokens > 200000 maximum".
func promptTooLong(msg string) bool {
	msg = strings.ToLower(msg)
	for _, s := range []string{"prompt is too long", "input is too long", "context window", "context length"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// retryAfter reads Retry-After as seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// googleRetryDelay reads the google.rpc.RetryInfo detail that Vertex AI
// puts in its own 429 body instead of a Retry-After header:
// {"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":
// "type.googleapis.com/google.rpc.RetryInfo","retryDelay":"20s"}]}}.
func googleRetryDelay(raw string) time.Duration {
	var body struct {
		Error struct {
			Details []struct {
				Type       string `json:"@type"`
				RetryDelay string `json:"retryDelay"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(raw), &body) != nil {
		return 0
	}
	for _, d := range body.Error.Details {
		if !strings.HasSuffix(d.Type, "google.rpc.RetryInfo") {
			continue
		}
		if v, err := time.ParseDuration(d.RetryDelay); err == nil && v > 0 {
			return v
		}
	}
	return 0
}
