package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"switchyard/providers"
)

// errTruncated is the cause of a stream that ended without data: [DONE].
var errTruncated = errors.New("the stream ended before data: [DONE]")

// apiFailure is what a vendor said about a failed call, whichever way it
// reached us.
type apiFailure struct {
	status  int
	typ     string
	code    string
	message string
}

// classify turns any error of a call into a *providers.Error. ctx is the
// call's context (with the provider's own timeout), parent the caller's.
func (p *Provider) classify(parent, ctx context.Context, ex *exchange, err error) error {
	var pe *providers.Error
	if errors.As(err, &pe) {
		return err
	}
	e := &providers.Error{Provider: p.name, Err: err}
	switch {
	case errors.Is(parent.Err(), context.Canceled):
		e.Kind = providers.KindCanceled
		return e
	case errors.Is(parent.Err(), context.DeadlineExceeded):
		e.Kind = providers.KindTimeout
		return e
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		e.Kind = providers.KindTimeout
		e.Message = fmt.Sprintf("no complete answer within %s", p.timeout)
		e.Hint = fmt.Sprintf("raise timeout in [providers.%s]", p.name)
		return e
	case errors.Is(err, context.Canceled):
		e.Kind = providers.KindCanceled
		return e
	case errors.Is(err, context.DeadlineExceeded):
		e.Kind = providers.KindTimeout
		return e
	}

	if f, ok := failureOf(err); ok {
		p.apply(e, f, ex)
		return e
	}

	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errTruncated):
		e.Kind = providers.KindServer
		e.Message = errTruncated.Error()
		e.Err = nil
	case errors.As(err, &syntax), errors.As(err, &typeErr):
		e.Kind = providers.KindServer
		e.Message = "malformed stream event: " + err.Error()
	case errors.Is(err, goopenai.ErrTooManyEmptyStreamMessages):
		e.Kind = providers.KindServer
	case errors.Is(err, goopenai.ErrCompletionUnsupportedModel):
		e.Kind = providers.KindUnsupported
		e.Message = "this model only takes chat requests, not raw completions"
		e.Hint = "set fim = \"none\" for the model so completions go through chat"
	case errors.Is(err, goopenai.ErrChatCompletionInvalidModel):
		e.Kind = providers.KindUnsupported
		e.Message = "this model does not take chat requests"
	case isNetwork(err):
		e.Kind = providers.KindNetwork
		e.Hint = fmt.Sprintf("check the network and base_url in [providers.%s]", p.name)
	case ex != nil && ex.status != 0:
		// The response had begun: the body broke off.
		e.Kind = providers.KindServer
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// The server closed the connection before any response.
		e.Kind = providers.KindServer
	default:
		e.Kind = providers.KindNetwork
	}
	return e
}

// failureOf extracts the vendor's status and error fields from go-openai's
// error types, including bodies not in OpenAI's shape (Mistral's and
// Azure's gateways put message at the top level).
func failureOf(err error) (apiFailure, bool) {
	var apiErr *goopenai.APIError
	var reqErr *goopenai.RequestError
	var se *statusError
	switch {
	case errors.As(err, &reqErr):
		f := apiFailure{status: reqErr.HTTPStatusCode}
		if errors.As(reqErr.Err, &apiErr) {
			fillFromAPIError(&f, apiErr)
		} else {
			f = parseFailure(reqErr.HTTPStatusCode, reqErr.Body)
		}
		return f, true
	case errors.As(err, &apiErr):
		f := apiFailure{status: apiErr.HTTPStatusCode}
		fillFromAPIError(&f, apiErr)
		return f, true
	case errors.As(err, &se):
		return parseFailure(se.status, se.body), true
	}
	return apiFailure{}, false
}

func fillFromAPIError(f *apiFailure, e *goopenai.APIError) {
	f.typ = e.Type
	f.message = e.Message
	if e.Code != nil {
		f.code = fmt.Sprint(e.Code)
	}
	if e.InnerError != nil && e.InnerError.Code != "" && f.code == "" {
		f.code = e.InnerError.Code
	}
	if e.InnerError != nil && e.InnerError.Code == "ResponsibleAIPolicyViolation" {
		f.code = "content_filter"
	}
}

// parseFailure reads an error body of any of the common shapes:
// {"error":{"message","type","code"}}, {"error":"text"},
// {"message","type","code"} and {"detail": ...}; else the raw text.
func parseFailure(status int, body []byte) apiFailure {
	f := apiFailure{status: status}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		f.message = strings.TrimSpace(string(body))
		return f
	}
	obj := top
	if raw, ok := top["error"]; ok {
		var inner map[string]json.RawMessage
		if json.Unmarshal(raw, &inner) == nil {
			obj = inner
		} else {
			f.message = text(raw)
		}
	}
	if f.message == "" {
		f.message = text(obj["message"])
	}
	if f.message == "" {
		f.message = text(obj["detail"])
	}
	f.typ = text(obj["type"])
	f.code = text(obj["code"])
	return f
}

// text renders a JSON value as plain text: strings unquoted, null as "".
func text(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// apply sets kind, status, hint and Retry-After from the vendor's answer.
func (p *Provider) apply(e *providers.Error, f apiFailure, ex *exchange) {
	e.Status = f.status
	e.Message = p.redact(f.message, ex)
	if len(e.Message) > 500 {
		e.Message = e.Message[:500] + "…"
	}
	// The go-openai error repeats the message; keeping it as Err would
	// print it twice and could carry what redact removed.
	e.Err = nil
	lower := strings.ToLower(f.code + " " + f.typ + " " + f.message)
	switch {
	case f.status == http.StatusUnauthorized || f.status == http.StatusForbidden:
		e.Kind = providers.KindAuth
		e.Hint = p.keyHint
		p.forgetKey()
	case f.status == http.StatusNotFound:
		e.Kind = providers.KindNotFound
		e.Hint = p.notFoundHint
	case f.status == http.StatusTooManyRequests:
		e.Kind = providers.KindRateLimited
		e.RetryAfter = RetryAfter(ex.responseHeader(), time.Now())
		if f.code == "insufficient_quota" {
			e.Hint = "the account's quota is used up: check the plan and billing"
		}
	case f.status == http.StatusRequestTimeout:
		e.Kind = providers.KindTimeout
	case isContextWindow(lower):
		e.Kind = providers.KindContextWindow
	case isContentPolicy(lower):
		e.Kind = providers.KindContentPolicy
	case f.status >= 500:
		e.Kind = providers.KindServer
	case f.status >= 400:
		e.Kind = providers.KindBadRequest
	default:
		// An error event inside a 200 stream: its type says what it is.
		switch {
		case strings.Contains(lower, "rate_limit"):
			e.Kind = providers.KindRateLimited
		default:
			e.Kind = providers.KindServer
		}
	}
}

func isContextWindow(lower string) bool {
	for _, s := range []string{
		"context_length_exceeded",       // OpenAI, Azure
		"maximum context length",        // vLLM, OpenAI's message
		"exceed_context_size_error",     // llama.cpp
		"exceeds the available context", // llama.cpp's message
		"context window",
	} {
		if strings.Contains(lower, s) {
			return true
		}
	}
	return false
}

func isContentPolicy(lower string) bool {
	for _, s := range []string{"content_filter", "content_policy_violation", "responsibleaipolicyviolation"} {
		if strings.Contains(lower, s) {
			return true
		}
	}
	return false
}

func isNetwork(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		return true
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ECONNRESET):
		return true
	}
	return false
}

// RetryAfter reads how long to wait from a 429's headers: retry-after-ms
// (OpenAI), else Retry-After as seconds or an HTTP date. It is 0 when
// absent or in the past.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if v := strings.TrimSpace(h.Get("retry-after-ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}

// keyPattern matches OpenAI-style secret keys that a vendor may echo back
// partly masked ("Incorrect API key provided: sk-abc***xyz"). It is
// compiled on the first error, not at start-up.
var keyPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b(sk|rk)-[A-Za-z0-9_\-*]{6,}`)
})

// redact removes the call's credential, and anything shaped like a key,
// from a vendor's message before it can reach a log or the editor.
func (p *Provider) redact(msg string, ex *exchange) string {
	if ex != nil && len(ex.key) >= 4 {
		msg = strings.ReplaceAll(msg, ex.key, "[redacted]")
	}
	return keyPattern().ReplaceAllString(msg, "[redacted key]")
}

// statusError is a failed response to a request made without go-openai
// (Mistral's FIM endpoint).
type statusError struct {
	status int
	body   []byte
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d", e.status) }
