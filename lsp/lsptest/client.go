package lsptest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// ResponseError is a JSON-RPC error answer.
type ResponseError struct {
	Code    int64           `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("jsonrpc error %d: %s", e.Code, e.Message)
}

// JSON-RPC and LSP error codes a test checks for.
const (
	CodeParseError           = -32700
	CodeInvalidRequest       = -32600
	CodeMethodNotFound       = -32601
	CodeInvalidParams        = -32602
	CodeInternalError        = -32603
	CodeServerNotInitialized = -32002
	CodeUnknownErrorCode     = -32001
	CodeRequestFailed        = -32803
	CodeServerCancelled      = -32802
	CodeContentModified      = -32801
	CodeRequestCancelled     = -32800
)

// ErrClosed is returned by calls still waiting when the server closed its
// side of the connection.
var ErrClosed = errors.New("lsptest: the server closed the connection")

// Notification is a notification the server sent.
type Notification struct {
	Method string
	Params json.RawMessage
}

// Request is a request the server sent to the client, with the answer the
// client gave.
type Request struct {
	ID     json.RawMessage
	Method string
	Params json.RawMessage
	Result any
	Err    error
}

// Response is an answer from the server that matched no request of this
// client, such as the answer with a null id to a message the server could
// not parse.
type Response struct {
	ID     json.RawMessage
	Result json.RawMessage
	Error  *ResponseError
}

// Handler answers one server-to-client request. Returning a
// *ResponseError sends that error; any other error is sent as an internal
// error.
type Handler func(ctx context.Context, params json.RawMessage) (result any, err error)

// wireMessage is any JSON-RPC 2.0 message; which fields are present says
// what it is.
type wireMessage struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"` // absent: a notification; null: an answer to an unreadable message
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *ResponseError  `json:"error,omitempty"`
}

type answer struct {
	result json.RawMessage
	err    error
}

// Client is an editor-like LSP client. Its methods are safe for
// concurrent use.
type Client struct {
	tb     testing.TB
	conn   io.ReadWriteCloser
	trace  bool
	nextID atomic.Int64

	wmu sync.Mutex // one message at a time on the wire
	w   *bufio.Writer

	mu        sync.Mutex
	pending   map[int64]chan answer
	notes     []Notification
	requests  []Request
	orphans   []Response
	handlers  map[string]Handler
	changed   chan struct{} // closed and replaced whenever something arrives
	docs      map[string]*document
	encoding  string
	readErr   error
	readDone  chan struct{}
	closeOnce sync.Once

	proc *process // nil when the client was given a connection
}

type document struct {
	version int32
	text    string
}

// NewClient returns a client speaking over conn. The test's cleanup
// closes conn.
func NewClient(tb testing.TB, conn io.ReadWriteCloser) *Client {
	c := newClient(tb, conn)
	tb.Cleanup(func() { c.closeConn() })
	return c
}

func newClient(tb testing.TB, conn io.ReadWriteCloser) *Client {
	c := &Client{
		tb:       tb,
		conn:     conn,
		trace:    os.Getenv("SWITCHYARD_LSPTEST_TRACE") != "",
		w:        bufio.NewWriter(conn),
		pending:  map[int64]chan answer{},
		handlers: defaultHandlers(),
		changed:  make(chan struct{}),
		docs:     map[string]*document{},
		encoding: EncodingUTF16,
		readDone: make(chan struct{}),
	}
	go c.readLoop(bufio.NewReaderSize(conn, 64<<10))
	return c
}

func (c *Client) closeConn() {
	c.closeOnce.Do(func() { _ = c.conn.Close() })
	<-c.readDone
}

// Handle replaces the handler for server-to-client requests of method.
// A nil handler answers MethodNotFound, as a client without the feature
// would.
func (c *Client) Handle(method string, h Handler) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h == nil {
		delete(c.handlers, method)
		return
	}
	c.handlers[method] = h
}

// Pending is a request that has been sent and not yet waited for.
type Pending struct {
	ID     int64
	Method string
	c      *Client
	ch     chan answer
}

// Send sends a request and returns at once; Wait collects the answer.
// Use it to cancel or supersede a request that is in flight.
func (c *Client) Send(method string, params any) (*Pending, error) {
	id := c.nextID.Add(1)
	ch := make(chan answer, 1)
	c.mu.Lock()
	if c.readErr != nil {
		c.mu.Unlock()
		return nil, c.readErr
	}
	c.pending[id] = ch
	c.mu.Unlock()
	rawID := json.RawMessage(strconv.FormatInt(id, 10))
	if err := c.write(wireMessage{ID: rawID, Method: method, Params: mustMarshal(params)}); err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return nil, err
	}
	return &Pending{ID: id, Method: method, c: c, ch: ch}, nil
}

// Wait waits for the answer and decodes its result into result (which may
// be nil, or a *json.RawMessage to keep the JSON as sent). A JSON-RPC
// error comes back as a *ResponseError. Wait does not cancel the request
// when ctx ends; Call does.
func (p *Pending) Wait(ctx context.Context, result any) error {
	select {
	case a := <-p.ch:
		if a.err != nil {
			return a.err
		}
		if result == nil {
			return nil
		}
		if err := json.Unmarshal(a.result, result); err != nil {
			return fmt.Errorf("lsptest: decode result of %s: %w (result %s)", p.Method, err, clip(a.result))
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("lsptest: no answer to %s (id %d): %w", p.Method, p.ID, ctx.Err())
	}
}

// Call sends a request and waits for its answer. If ctx ends first, Call
// sends $/cancelRequest for it, as an editor would, and returns ctx's
// error.
func (c *Client) Call(ctx context.Context, method string, params, result any) error {
	p, err := c.Send(method, params)
	if err != nil {
		return err
	}
	err = p.Wait(ctx, result)
	if ctx.Err() != nil {
		_ = c.Cancel(p.ID)
	}
	return err
}

// Notify sends a notification.
func (c *Client) Notify(method string, params any) error {
	return c.write(wireMessage{Method: method, Params: mustMarshal(params)})
}

// Cancel sends $/cancelRequest with a numeric id, the form VS Code and
// Neovim send.
func (c *Client) Cancel(id int64) error {
	return c.Notify("$/cancelRequest", map[string]any{"id": id})
}

// WriteFramed sends body as one message exactly as given, with a correct
// Content-Length header: for malformed JSON or JSON-RPC.
func (c *Client) WriteFramed(body []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.trace {
		c.logf("lsptest → %s", clip(body))
	}
	fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n", len(body))
	c.w.Write(body)
	return c.w.Flush()
}

// WriteRaw sends b with no framing at all: for broken headers.
func (c *Client) WriteRaw(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.w.Write(b)
	return c.w.Flush()
}

func (c *Client) write(m wireMessage) error {
	m.JSONRPC = "2.0"
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("lsptest: encode %s: %w", m.Method, err)
	}
	return c.WriteFramed(body)
}

func (c *Client) readLoop(r *bufio.Reader) {
	defer close(c.readDone)
	tp := textproto.NewReader(r)
	for {
		body, err := readMessage(tp, r)
		if err != nil {
			c.fail(err)
			// Keep draining so that a server still writing is never
			// blocked on a full pipe.
			_, _ = io.Copy(io.Discard, r)
			return
		}
		if c.trace {
			c.logf("lsptest ← %s", clip(body))
		}
		var m wireMessage
		if err := json.Unmarshal(body, &m); err != nil {
			c.fail(fmt.Errorf("lsptest: the server sent a message that is not JSON-RPC: %w: %s", err, clip(body)))
			_, _ = io.Copy(io.Discard, r)
			return
		}
		switch {
		case m.Method != "" && len(m.ID) > 0:
			go c.answerRequest(m)
		case m.Method != "":
			c.record(func() { c.notes = append(c.notes, Notification{Method: m.Method, Params: m.Params}) })
		case len(m.ID) > 0:
			c.deliver(m)
		default:
			c.fail(fmt.Errorf("lsptest: message with neither id nor method: %s", clip(body)))
			_, _ = io.Copy(io.Discard, r)
			return
		}
	}
}

// readMessage reads one Content-Length framed body. Header names are
// matched case-insensitively, as the base protocol's HTTP-like headers are.
func readMessage(tp *textproto.Reader, r *bufio.Reader) ([]byte, error) {
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		if errors.Is(err, io.EOF) && len(h) == 0 {
			return nil, ErrClosed
		}
		return nil, fmt.Errorf("lsptest: read header: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("Content-Length")))
	if err != nil || n < 0 {
		return nil, fmt.Errorf("lsptest: bad Content-Length header %q", h.Get("Content-Length"))
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("lsptest: read %d-byte body: %w", n, err)
	}
	return body, nil
}

func (c *Client) deliver(m wireMessage) {
	id, err := strconv.ParseInt(string(m.ID), 10, 64)
	c.mu.Lock()
	ch, ok := c.pending[id]
	if ok && err == nil {
		delete(c.pending, id)
	}
	c.mu.Unlock()
	if !ok || err != nil {
		c.record(func() { c.orphans = append(c.orphans, Response{ID: m.ID, Result: m.Result, Error: m.Error}) })
		return
	}
	if m.Error != nil {
		ch <- answer{err: m.Error}
		return
	}
	result := m.Result
	if result == nil {
		result = json.RawMessage("null")
	}
	ch <- answer{result: result}
}

func (c *Client) answerRequest(m wireMessage) {
	c.mu.Lock()
	h := c.handlers[m.Method]
	c.mu.Unlock()
	var result any
	var err error
	if h == nil {
		err = &ResponseError{Code: CodeMethodNotFound, Message: "lsptest: no handler for " + m.Method}
	} else {
		result, err = h(context.Background(), m.Params)
	}
	c.record(func() {
		c.requests = append(c.requests, Request{ID: m.ID, Method: m.Method, Params: m.Params, Result: result, Err: err})
	})
	reply := wireMessage{ID: m.ID}
	if err != nil {
		var re *ResponseError
		if !errors.As(err, &re) {
			re = &ResponseError{Code: CodeInternalError, Message: err.Error()}
		}
		reply.Error = re
	} else if reply.Result = mustMarshal(result); reply.Result == nil {
		reply.Result = json.RawMessage("null") // a response must carry result or error
	}
	_ = c.write(reply) // the connection may be gone: the read loop reports that
}

// record runs f under the lock and wakes everyone waiting for news.
func (c *Client) record(f func()) {
	c.mu.Lock()
	f()
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

func (c *Client) fail(err error) {
	c.mu.Lock()
	c.readErr = err
	for id, ch := range c.pending {
		ch <- answer{err: err}
		delete(c.pending, id)
	}
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

// Notifications returns the notifications received so far, in order,
// only those of the given methods when any are named.
func (c *Client) Notifications(methods ...string) []Notification {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Notification
	for _, n := range c.notes {
		if len(methods) == 0 || contains(methods, n.Method) {
			out = append(out, n)
		}
	}
	return out
}

// ShowMessages returns the params of every window/showMessage so far.
func (c *Client) ShowMessages() []ShowMessageParams {
	var out []ShowMessageParams
	for _, n := range c.Notifications("window/showMessage") {
		var p ShowMessageParams
		_ = json.Unmarshal(n.Params, &p)
		out = append(out, p)
	}
	return out
}

// Requests returns the server-to-client requests answered so far, only
// those of the given methods when any are named.
func (c *Client) Requests(methods ...string) []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Request
	for _, r := range c.requests {
		if len(methods) == 0 || contains(methods, r.Method) {
			out = append(out, r)
		}
	}
	return out
}

// Orphans returns answers that matched no request of this client.
func (c *Client) Orphans() []Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Response(nil), c.orphans...)
}

// WaitNotification waits for the first notification of method, after
// the first skip ones of that method, for which match returns true (match
// may be nil). It returns at once if one has already arrived.
func (c *Client) WaitNotification(ctx context.Context, method string, match func(Notification) bool) (Notification, error) {
	var found Notification
	err := c.WaitFor(ctx, func() bool {
		for _, n := range c.Notifications(method) {
			if match == nil || match(n) {
				found = n
				return true
			}
		}
		return false
	})
	if err != nil {
		return found, fmt.Errorf("lsptest: waiting for %s: %w", method, err)
	}
	return found, nil
}

// WaitFor waits until cond, checked each time a message arrives, is true.
// cond may call the client's reading methods.
func (c *Client) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		c.mu.Lock()
		changed, readErr := c.changed, c.readErr
		c.mu.Unlock()
		if cond() {
			return nil
		}
		if readErr != nil {
			return readErr
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Done is closed once the server's side of the connection has closed.
func (c *Client) Done() <-chan struct{} { return c.readDone }

func (c *Client) logf(format string, args ...any) {
	c.tb.Helper()
	c.tb.Logf(format, args...)
}

func defaultHandlers() map[string]Handler {
	null := func(context.Context, json.RawMessage) (any, error) { return nil, nil }
	return map[string]Handler{
		// One null per item: "the client has no setting for this", which
		// a server must take as "keep your defaults".
		"workspace/configuration": func(_ context.Context, params json.RawMessage) (any, error) {
			var p struct {
				Items []json.RawMessage `json:"items"`
			}
			if err := json.Unmarshal(params, &p); err != nil {
				return nil, &ResponseError{Code: CodeInvalidParams, Message: err.Error()}
			}
			return make([]any, len(p.Items)), nil
		},
		"workspace/applyEdit": func(context.Context, json.RawMessage) (any, error) {
			return map[string]any{"applied": true}, nil
		},
		"window/workDoneProgress/create": null,
		"client/registerCapability":      null,
		"client/unregisterCapability":    null,
		"window/showMessageRequest":      null,
	}
}

func mustMarshal(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("lsptest: cannot encode %T: %v", v, err))
	}
	return b
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// clip shortens a message for the log: a 10 MB document would drown it.
func clip(b []byte) string {
	const max = 2000
	if len(b) <= max {
		return string(b)
	}
	return string(b[:max]) + fmt.Sprintf("... (%d bytes)", len(b))
}
