package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"switchyard/assist"
	"switchyard/config"
	"switchyard/providers"
)

// A tiny JSON-RPC client over net.Pipe, so the tests drive the server
// in-process exactly as an editor would over stdio.

type wire struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *wireError      `json:"error,omitempty"`
}

type wireError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *wireError) Error() string { return fmt.Sprintf("code %d: %s", e.Code, e.Message) }

type testClient struct {
	t    testing.TB
	conn net.Conn
	wmu  sync.Mutex
	seq  atomic.Int64

	mu       sync.Mutex
	pending  map[string]chan wire
	notes    []wire
	changed  chan struct{} // closed and replaced on each notification
	handlers map[string]func(params json.RawMessage) (any, error)

	served chan error // Serve's result
}

type harness struct {
	*testClient
	engine *testEngine
}

// startServer runs a server on one end of a pipe and a client on the
// other. newRouter builds the fake router for each configuration.
func startServer(t testing.TB, newRouter RouterFactory, opts ...func(*Options)) *harness {
	t.Helper()
	srvConn, cliConn := net.Pipe()
	eng := &testEngine{}
	o := Options{
		Logger:       zaptest.NewLogger(t),
		NoUserConfig: true,
		Backend:      factoryBackend{newRouter: newRouter},
		Engine:       eng,
	}
	for _, f := range opts {
		f(&o)
	}
	c := &testClient{
		t:        t,
		conn:     cliConn,
		pending:  map[string]chan wire{},
		changed:  make(chan struct{}),
		handlers: map[string]func(json.RawMessage) (any, error){},
		served:   make(chan error, 1),
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { c.served <- Serve(ctx, srvConn, o) }()
	go c.readLoop()
	t.Cleanup(func() {
		cancel()
		cliConn.Close()
		select {
		case <-c.served:
		case <-time.After(5 * time.Second):
			t.Error("server did not stop")
		}
	})
	return &harness{testClient: c, engine: eng}
}

func (c *testClient) readLoop() {
	r := bufio.NewReader(c.conn)
	tp := textproto.NewReader(r)
	for {
		h, err := tp.ReadMIMEHeader()
		if err != nil {
			return
		}
		n, _ := strconv.Atoi(h.Get("Content-Length"))
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		var m wire
		if err := json.Unmarshal(body, &m); err != nil {
			c.t.Errorf("server sent invalid JSON %q: %v", body, err)
			return
		}
		switch {
		case m.Method != "" && m.ID != nil:
			go c.answer(m)
		case m.Method != "":
			c.mu.Lock()
			c.notes = append(c.notes, m)
			close(c.changed)
			c.changed = make(chan struct{})
			c.mu.Unlock()
		default:
			c.mu.Lock()
			ch := c.pending[string(m.ID)]
			delete(c.pending, string(m.ID))
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			} else {
				c.mu.Lock()
				c.notes = append(c.notes, m) // an answer to no request: a parse error
				close(c.changed)
				c.changed = make(chan struct{})
				c.mu.Unlock()
			}
		}
	}
}

// answer replies to a request from the server.
func (c *testClient) answer(m wire) {
	c.mu.Lock()
	h := c.handlers[m.Method]
	c.mu.Unlock()
	var res any
	var err error
	if h != nil {
		res, err = h(m.Params)
	}
	out := map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": res}
	if err != nil {
		out = map[string]any{"jsonrpc": "2.0", "id": m.ID, "error": map[string]any{"code": -32603, "message": err.Error()}}
	}
	c.write(out)
}

func (c *testClient) write(v any) {
	body, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.writeFramed(body)
}

func (c *testClient) writeFramed(body []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := fmt.Fprintf(c.conn, "Content-Length: %d\r\n\r\n%s", len(body), body); err != nil {
		c.t.Errorf("write: %v", err)
	}
}

// send starts a request with the given raw id and returns the channel its
// answer arrives on.
func (c *testClient) send(id json.RawMessage, method string, params any) <-chan wire {
	ch := c.expect(id)
	c.write(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	return ch
}

// expect returns the channel the answer with id will arrive on.
func (c *testClient) expect(id json.RawMessage) <-chan wire {
	ch := make(chan wire, 1)
	c.mu.Lock()
	c.pending[string(id)] = ch
	c.mu.Unlock()
	return ch
}

// start sends a request with the next numeric id.
func (c *testClient) start(method string, params any) (json.RawMessage, <-chan wire) {
	id := json.RawMessage(strconv.FormatInt(c.seq.Add(1), 10))
	return id, c.send(id, method, params)
}

// wait returns the answer, failing the test after a few seconds.
func (c *testClient) wait(ch <-chan wire) wire {
	c.t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(5 * time.Second):
		c.t.Fatal("no answer within 5s")
	}
	return wire{}
}

// call sends a request and decodes its result; an error answer is
// returned as *wireError.
func (c *testClient) call(method string, params, result any) error {
	c.t.Helper()
	_, ch := c.start(method, params)
	m := c.wait(ch)
	if m.Error != nil {
		return m.Error
	}
	if result != nil {
		if err := json.Unmarshal(m.Result, result); err != nil {
			c.t.Fatalf("%s: decoding result %s: %v", method, m.Result, err)
		}
	}
	return nil
}

func (c *testClient) notify(method string, params any) {
	c.write(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

func (c *testClient) handle(method string, h func(json.RawMessage) (any, error)) {
	c.mu.Lock()
	c.handlers[method] = h
	c.mu.Unlock()
}

// notifications returns what the server sent with method.
func (c *testClient) notifications(method string) []wire {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []wire
	for _, n := range c.notes {
		if n.Method == method {
			out = append(out, n)
		}
	}
	return out
}

// waitNotification waits for a notification with method that matches.
func (c *testClient) waitNotification(method string, match func(json.RawMessage) bool) json.RawMessage {
	c.t.Helper()
	deadline := time.After(5 * time.Second)
	seen := 0
	for {
		c.mu.Lock()
		notes, changed := c.notes, c.changed
		c.mu.Unlock()
		for _, n := range notes[seen:] {
			if n.Method == method && (match == nil || match(n.Params)) {
				return n.Params
			}
		}
		seen = len(notes)
		select {
		case <-changed:
		case <-deadline:
			c.t.Fatalf("no %s notification within 5s", method)
			return nil
		}
	}
}

// showMessages returns the window/showMessage texts of the given type
// (0: any).
func (c *testClient) showMessages(typ int) []string {
	var out []string
	for _, n := range c.notifications("window/showMessage") {
		var p struct {
			Type    int    `json:"type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(n.Params, &p)
		if typ == 0 || p.Type == typ {
			out = append(out, p.Message)
		}
	}
	return out
}

// initialize runs the handshake with the given capabilities and options.
func (c *testClient) initialize(caps map[string]any, initOptions any) initializeResult {
	c.t.Helper()
	params := map[string]any{"processId": nil, "capabilities": caps}
	if initOptions != nil {
		params["initializationOptions"] = initOptions
	}
	var res initializeResult
	if err := c.call("initialize", params, &res); err != nil {
		c.t.Fatalf("initialize: %v", err)
	}
	c.notify("initialized", map[string]any{})
	return res
}

func (c *testClient) open(uri, text string) {
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "go", "version": 1, "text": text,
	}})
}

func posParams(uri string, line, char int) map[string]any {
	return map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"position":     map[string]any{"line": line, "character": char},
	}
}

func inlineParams(uri string, line, char int) map[string]any {
	p := posParams(uri, line, char)
	p["context"] = map[string]any{"triggerKind": inlineTriggerAutomatic}
	return p
}

// testEngine stands in for assist.Engine: it asks the router once and
// answers the whole text at the cursor, and records what it was asked.
type testEngine struct {
	r    atomic.Pointer[providers.Router]
	mu   sync.Mutex
	reqs []assist.CompletionRequest
}

func (e *testEngine) Update(r providers.Router, _ config.Completion) { e.r.Store(&r) }

func (e *testEngine) Complete(ctx context.Context, req assist.CompletionRequest) ([]assist.Suggestion, error) {
	e.mu.Lock()
	e.reqs = append(e.reqs, req)
	e.mu.Unlock()
	r := *e.r.Load()
	s, target, err := r.Stream(ctx, providers.Need{Task: config.TaskCompletion}, nil)
	if err != nil {
		return nil, err
	}
	text, err := providers.ReadAll(s)
	if err != nil {
		return nil, err
	}
	return []assist.Suggestion{{Text: text, Start: req.Offset, End: req.Offset, Model: target.Name, Provider: target.Provider.Name()}}, nil
}

func (e *testEngine) last() assist.CompletionRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.reqs) == 0 {
		return assist.CompletionRequest{}
	}
	return e.reqs[len(e.reqs)-1]
}

// fakeRouter answers with fixed text, an error, or blocks until the
// request is cancelled.
type fakeRouter struct {
	text     string
	model    string
	provider string
	err      error
	block    bool
	started  chan struct{} // gets a value as each call starts, if set
	stopped  chan error    // gets ctx's error when a blocked call ends, if set
	calls    atomic.Int32
}

func (r *fakeRouter) Stream(ctx context.Context, _ providers.Need, _ providers.Call) (providers.Stream, providers.Target, error) {
	r.calls.Add(1)
	if r.started != nil {
		r.started <- struct{}{}
	}
	if r.block {
		<-ctx.Done()
		if r.stopped != nil {
			r.stopped <- ctx.Err()
		}
		return nil, providers.Target{}, ctx.Err()
	}
	if r.err != nil {
		return nil, providers.Target{}, r.err
	}
	return &textStream{text: r.text}, providers.Target{Name: r.model, Provider: namedProvider(r.provider)}, nil
}

type textStream struct {
	text string
	done bool
}

func (s *textStream) Next() (string, error) {
	if s.done {
		return "", io.EOF
	}
	s.done = true
	return s.text, nil
}

func (s *textStream) Close() error { return nil }

type namedProvider string

func (p namedProvider) Name() string { return string(p) }
func (p namedProvider) Chat(context.Context, *providers.ChatRequest) (providers.Stream, error) {
	return nil, errors.New("not used")
}

// fixed returns a factory that always builds r.
// RouterFactory builds the router for a merged configuration: the part
// of a Backend most of these tests need.
type RouterFactory func(cfg *config.Config) (providers.Router, error)

// factoryBackend builds routers with a RouterFactory; it explains
// nothing and detects nothing.
type factoryBackend struct {
	noBackend
	newRouter RouterFactory
}

func (b factoryBackend) NewRouter(_ context.Context, cfg *config.Config, _ RouterEnv) (providers.Router, error) {
	return b.newRouter(cfg)
}

func fixed(r providers.Router) RouterFactory {
	return func(*config.Config) (providers.Router, error) { return r, nil }
}

// startBenchServer runs a quiet server with one open document.
func startBenchServer(b *testing.B, text string) *harness {
	h := startServer(b, fixed(&fakeRouter{text: "x", model: "m", provider: "p"}), func(o *Options) { o.Logger = zap.NewNop() })
	h.initialize(map[string]any{}, nil)
	h.open("file:///bench.go", text)
	return h
}

func mustJSON(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
}

func errCode(err error) int {
	var we *wireError
	if errors.As(err, &we) {
		return we.Code
	}
	return 0
}
