package vertex

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"switchyard/providers"
	"switchyard/providers/internal/callctx"
	"switchyard/providers/internal/httpstream"
)

// mapError turns a failed call into a *providers.Error. parent is the
// caller's context and sctx the stream's own (bounded by timeout,
// cancelled by Close).
func (p *Provider) mapError(parent, sctx context.Context, err error) error {
	var pe *providers.Error
	if errors.As(err, &pe) {
		return err
	}
	if e := callctx.Ended(p.name, parent, sctx); e != nil {
		return e
	}

	var apiErr *apiError
	if errors.As(err, &apiErr) {
		return p.apiError(apiErr)
	}
	// A token that cannot be had (expired login, revoked grant) surfaces
	// from inside the HTTP transport; it is a credentials problem, not a
	// network one.
	var retrieveErr *oauth2.RetrieveError
	if errors.As(err, &retrieveErr) || errors.Is(err, errNoToken) {
		return &providers.Error{Provider: p.name, Kind: providers.KindAuth, Hint: p.hint, Err: err}
	}
	var urlErr *url.Error
	var netErr net.Error
	if errors.As(err, &urlErr) || errors.As(err, &netErr) {
		return &providers.Error{Provider: p.name, Kind: providers.KindNetwork, Err: err,
			Hint: "check the network and region/base_url in [providers." + p.name + "]"}
	}
	return &providers.Error{Provider: p.name, Kind: providers.KindServer, Err: err}
}

// statusError reads an answer other than 200 (64 KiB of it at most): a
// Google API error, or whatever a proxy on the way sent.
func statusError(resp *http.Response) *apiError {
	var body struct {
		Error *apiError `json:"error"`
	}
	msg := httpstream.ErrorMessage(resp.Body, &body, func() string {
		if body.Error == nil {
			return ""
		}
		return body.Error.Message
	})
	if e := body.Error; e != nil {
		if e.Code == 0 {
			e.Code = resp.StatusCode
		}
		e.Message = msg
		return e
	}
	return &apiError{Code: resp.StatusCode, Message: msg}
}

// apiError maps a Google API error, {"error":{"code","message","status",
// "details"}}, by its HTTP code and canonical status.
func (p *Provider) apiError(e *apiError) *providers.Error {
	out := &providers.Error{Provider: p.name, Status: e.Code, Message: e.Message, Err: e}
	if e.Code < 100 || e.Code > 599 {
		out.Status = 0
	}
	switch {
	case e.Code == http.StatusTooManyRequests || e.Status == "RESOURCE_EXHAUSTED":
		out.Kind = providers.KindRateLimited
		out.RetryAfter = retryDelay(e.Details)
	case e.Code == http.StatusUnauthorized || e.Code == http.StatusForbidden ||
		e.Status == "UNAUTHENTICATED" || e.Status == "PERMISSION_DENIED":
		out.Kind = providers.KindAuth
		out.Hint = p.hint
	case e.Code == http.StatusNotFound || e.Status == "NOT_FOUND":
		out.Kind = providers.KindNotFound
		out.Hint = "check the model id in [models] and the region in [providers." + p.name + "]: not every model is served in every region"
	case tokenLimit(e.Message):
		out.Kind = providers.KindContextWindow
	case e.Code == 499 || e.Status == "CANCELLED":
		out.Kind = providers.KindCanceled
	case e.Code >= 500 || e.Status == "UNAVAILABLE" || e.Status == "INTERNAL" || e.Status == "DEADLINE_EXCEEDED":
		out.Kind = providers.KindServer
	case e.Code >= 400 || e.Status == "INVALID_ARGUMENT" || e.Status == "FAILED_PRECONDITION":
		out.Kind = providers.KindBadRequest
	default:
		// An error chunk inside a stream that had started well.
		out.Kind = providers.KindServer
	}
	return out
}

// tokenLimit recognises the 400 that a larger context window would fix:
// "The input token count (1234567) exceeds the maximum number of tokens
// allowed (1048576)."
func tokenLimit(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "token count") && strings.Contains(msg, "exceeds") ||
		strings.Contains(msg, "prompt is too long") ||
		strings.Contains(msg, "context window") || strings.Contains(msg, "context length")
}

// retryDelay reads google.rpc.RetryInfo from an error's details, the way
// Google APIs say when to come back: {"@type":
// "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "31s"}.
func retryDelay(details []map[string]any) time.Duration {
	for _, d := range details {
		if t, _ := d["@type"].(string); !strings.HasSuffix(t, "google.rpc.RetryInfo") {
			continue
		}
		s, _ := d["retryDelay"].(string)
		if v, err := time.ParseDuration(s); err == nil && v > 0 {
			return v
		}
	}
	return 0
}
