package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// exchange is what the transport saw of one call. go-openai's errors carry
// neither the response headers (Retry-After) nor whether a stream ended
// with data: [DONE], so the transport records both here, found through
// the request's context.
type exchange struct {
	key string // the credential to send, "" for none

	mu     sync.Mutex
	header http.Header
	status int
	body   *doneWatcher
}

type exchangeKey struct{}

func withExchange(ctx context.Context, ex *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, ex)
}

func exchangeFrom(ctx context.Context) *exchange {
	ex, _ := ctx.Value(exchangeKey{}).(*exchange)
	return ex
}

func (ex *exchange) responseHeader() http.Header {
	if ex == nil {
		return nil
	}
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return ex.header
}

// sawDone reports whether the response body carried data: [DONE].
func (ex *exchange) sawDone() bool {
	w := ex.watcher()
	return w != nil && w.done.Load()
}

// endedCleanly reports whether the response body reached its end as HTTP
// frames it (io.EOF), rather than being cut (io.ErrUnexpectedEOF).
func (ex *exchange) endedCleanly() bool {
	w := ex.watcher()
	return w != nil && w.eof.Load()
}

func (ex *exchange) watcher() *doneWatcher {
	if ex == nil {
		return nil
	}
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return ex.body
}

// KeyHeader says how the credential travels.
type KeyHeader int

const (
	// Bearer sends "Authorization: Bearer KEY" (OpenAI, Mistral, Entra).
	Bearer KeyHeader = iota
	// APIKey sends "api-key: KEY" (Azure OpenAI keys).
	APIKey
)

// transport adds the configured headers and the credential to every
// request, the extra body fields to every completion request, and records
// the response in the call's exchange.
type transport struct {
	base    http.RoundTripper
	headers map[string]string
	keyIn   KeyHeader
	body    map[string]json.RawMessage
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not modify the caller's request.
	req = req.Clone(req.Context())
	if len(t.body) > 0 && req.Method == http.MethodPost && req.Body != nil && strings.HasSuffix(req.URL.Path, "/completions") {
		if err := t.addFields(req); err != nil {
			return nil, err
		}
	}
	// go-openai sets an empty api-key header for Azure when it has no
	// token; the key is ours to set.
	req.Header.Del("api-key")
	for k, v := range t.headers {
		req.Header.Set(k, v)
	}
	ex := exchangeFrom(req.Context())
	if ex != nil && ex.key != "" {
		switch t.keyIn {
		case APIKey:
			req.Header.Set("api-key", ex.key)
		default:
			req.Header.Set("Authorization", "Bearer "+ex.key)
		}
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil || ex == nil {
		return resp, err
	}
	ex.mu.Lock()
	defer ex.mu.Unlock()
	ex.header = resp.Header
	ex.status = resp.StatusCode
	if resp.StatusCode < 300 && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		ex.body = &doneWatcher{ReadCloser: resp.Body}
		resp.Body = ex.body
	}
	return resp, nil
}

// addFields rewrites req's JSON body with the extra fields set. Only the
// request body changes, so streaming answers are read as before. The
// clone shares the caller's body, which is read once here as the
// transport would have, and closed, as a RoundTripper must.
func (t *transport) addFields(req *http.Request) error {
	raw, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return fmt.Errorf("reading the request body: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return fmt.Errorf("the request body is not a JSON object, so %s cannot be added", strings.Join(slices.Sorted(maps.Keys(t.body)), ", "))
	}
	maps.Copy(fields, t.body)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // leave prompts such as <|fim_prefix|> as the client wrote them
	if err := enc.Encode(fields); err != nil {
		return fmt.Errorf("encoding the request body: %w", err)
	}
	out := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	req.Body = io.NopCloser(bytes.NewReader(out))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(out)), nil }
	req.ContentLength = int64(len(out))
	return nil
}

// doneWatcher passes a Server-Sent Events body through and notes whether a
// data: [DONE] line went by. go-openai answers io.EOF both after [DONE]
// and when the body simply ends, so without this a cut stream would pass
// for a complete answer.
type doneWatcher struct {
	io.ReadCloser
	line []byte // the unfinished line so far
	done atomic.Bool
	eof  atomic.Bool // the body ended cleanly
}

func (w *doneWatcher) Read(p []byte) (int, error) {
	n, err := w.ReadCloser.Read(p)
	if !w.done.Load() {
		w.scan(p[:n])
	}
	if err == io.EOF {
		w.eof.Store(true)
	}
	return n, err
}

func (w *doneWatcher) scan(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if len(w.line) < 64 { // longer lines cannot be [DONE]
				w.line = append(w.line, b...)
			}
			return
		}
		w.line = append(w.line, b[:i]...)
		if isDone(w.line) {
			w.done.Store(true)
			return
		}
		w.line = w.line[:0]
		b = b[i+1:]
	}
}

func isDone(line []byte) bool {
	line = bytes.TrimSpace(line)
	rest, ok := bytes.CutPrefix(line, []byte("data:"))
	return ok && string(bytes.TrimSpace(rest)) == "[DONE]"
}
