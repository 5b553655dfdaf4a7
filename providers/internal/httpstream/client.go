package httpstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/internal/callctx"
)

// Client makes the calls of one configured provider.
type Client struct {
	Name   string          // the provider's name, as in [providers.NAME]
	Server string          // what answers, in messages: "llama-server", "Ollama"
	Base   string          // the base URL, without a trailing slash
	Config config.Provider // headers, timeout, and the key settings
	HTTP   *http.Client
	Accept string // the Accept header of every call; "" sends none

	// TimeoutHint and NetworkHint say what to do when no answer came:
	// the timeout passed, or nothing answered at Base.
	TimeoutHint, NetworkHint string

	keyMu sync.Mutex // held while api_key_cmd runs
	key   string
}

// APIKey resolves the key in api_key_env or api_key_cmd, if one is
// configured, once; a failure is not remembered, so fixing the setting
// takes effect. No key setting is no key, not an error: local runners
// take requests without one.
func (c *Client) APIKey(ctx context.Context) (string, error) {
	if c.Config.APIKeyEnv == "" && c.Config.APIKeyCmd == "" {
		return "", nil
	}
	c.keyMu.Lock()
	defer c.keyMu.Unlock()
	if c.key != "" {
		return c.key, nil
	}
	key, err := c.Config.APIKey(ctx)
	if err != nil {
		return "", err
	}
	c.key = key
	return key, nil
}

// WithTimeout bounds ctx by the provider's timeout, when it has one. The
// cancel function also drops the connection of a stream.
func (c *Client) WithTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return callctx.WithTimeout(ctx, c.Config.Timeout.D())
}

// Do sends body (nil for none) as JSON to path below Base, with the
// configured headers and key.
func (c *Client) Do(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return nil, &providers.Error{Provider: c.Name, Kind: providers.KindBadRequest, Err: err}
		}
	}
	hreq, err := http.NewRequestWithContext(ctx, method, c.Base+path, &buf)
	if err != nil {
		return nil, &providers.Error{Provider: c.Name, Kind: providers.KindBadRequest, Err: err}
	}
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	if c.Accept != "" {
		hreq.Header.Set("Accept", c.Accept)
	}
	for k, v := range c.Config.Headers {
		hreq.Header.Set(k, v)
	}
	key, err := c.APIKey(ctx)
	if err != nil {
		return nil, &providers.Error{Provider: c.Name, Kind: providers.KindAuth, Err: err,
			Hint: fmt.Sprintf("fix api_key_env or api_key_cmd in [providers.%s]", c.Name)}
	}
	if key != "" {
		hreq.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := c.HTTP.Do(hreq)
	if err != nil {
		return nil, c.TransportError(ctx, err)
	}
	return resp, nil
}

// GetJSON makes a call with a single JSON answer and decodes it into out
// (when out is not nil). statusError maps an answer other than 200.
func (c *Client) GetJSON(ctx context.Context, method, path string, body, out any, statusError func(*http.Response) error) error {
	ctx, cancel := c.WithTimeout(ctx)
	defer cancel()
	resp, err := c.Do(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return statusError(resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return c.StreamError(ctx, "malformed answer from "+c.Server+" "+path, err)
	}
	return nil
}

// Open posts body to path and returns the streamed answer, read line by
// line through decode. statusError maps an answer other than 200.
func (c *Client) Open(ctx context.Context, path string, body any, statusError func(*http.Response) error, decode Decoder) (providers.Stream, error) {
	ctx, cancel := c.WithTimeout(ctx)
	resp, err := c.Do(ctx, http.MethodPost, path, body)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer cancel()
		defer resp.Body.Close()
		return nil, statusError(resp)
	}
	return newStream(c, ctx, cancel, resp.Body, decode), nil
}

// TransportError classifies a failure to get any answer at all.
func (c *Client) TransportError(ctx context.Context, err error) *providers.Error {
	e := &providers.Error{Provider: c.Name, Err: err}
	switch {
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		e.Kind = providers.KindCanceled
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		e.Kind = providers.KindTimeout
		e.Hint = c.TimeoutHint
	default:
		e.Kind = providers.KindNetwork
		e.Hint = c.NetworkHint
	}
	return e
}

// StreamError is a failure after the answer began: an error from the
// server, a cut connection, or an answer that ended before its last line.
// Once ctx has ended, that is what it is.
func (c *Client) StreamError(ctx context.Context, msg string, err error) *providers.Error {
	if ctx.Err() != nil {
		return c.TransportError(ctx, ctx.Err())
	}
	return &providers.Error{Provider: c.Name, Kind: providers.KindServer, Message: msg, Err: err}
}

// ErrorMessage reads an error answer's body (64 KiB at most) and returns
// what to show: message() when the body decodes into v and message() is
// not empty, else the body itself, trimmed; cut to 500 bytes either way.
// v holds what decoded, for the caller's own fields.
func ErrorMessage(body io.Reader, v any, message func() string) string {
	raw, _ := io.ReadAll(io.LimitReader(body, 64<<10))
	msg := strings.TrimSpace(string(raw))
	if json.Unmarshal(raw, v) == nil {
		if m := message(); m != "" {
			msg = m
		}
	}
	if len(msg) > 500 {
		msg = msg[:500] + "..."
	}
	return msg
}

// RetryAfter reads a Retry-After value as seconds or an HTTP date; it is
// 0 when absent, malformed or past.
func RetryAfter(v string) time.Duration {
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
