package lsptest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/textproto"
	"testing"
	"time"
)

// fakeServer is the other end of a pipe, scripted by the test.
type fakeServer struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
	tp   *textproto.Reader
}

func newPair(t *testing.T) (*Client, *fakeServer) {
	a, b := net.Pipe()
	t.Cleanup(func() { b.Close() })
	r := bufio.NewReader(b)
	srv := &fakeServer{t: t, conn: b, r: r, tp: textproto.NewReader(r)}
	return NewClient(t, a), srv
}

func (s *fakeServer) read() wireMessage {
	s.t.Helper()
	s.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	body, err := readMessage(s.tp, s.r)
	if err != nil {
		s.t.Fatalf("server read: %v", err)
	}
	var m wireMessage
	if err := json.Unmarshal(body, &m); err != nil {
		s.t.Fatalf("server got bad JSON %s: %v", body, err)
	}
	return m
}

func (s *fakeServer) send(body string) {
	s.t.Helper()
	s.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := s.conn.Write([]byte("Content-Length: " + itoa(len(body)) + "\r\n\r\n" + body)); err != nil {
		s.t.Fatalf("server write: %v", err)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestCallSendsNumericIDsAndDecodesResult(t *testing.T) {
	c, srv := newPair(t)
	done := make(chan error, 1)
	var got struct{ X int }
	go func() { done <- c.Call(ctx(t), "a/b", map[string]int{"n": 1}, &got) }()
	m := srv.read()
	if m.Method != "a/b" || string(m.ID) != "1" || m.JSONRPC != "2.0" {
		t.Fatalf("request = %+v, want method a/b with numeric id 1", m)
	}
	srv.send(`{"jsonrpc":"2.0","id":1,"result":{"X":7}}`)
	if err := <-done; err != nil || got.X != 7 {
		t.Fatalf("Call = %v, result %+v", err, got)
	}
}

func TestCallReturnsResponseError(t *testing.T) {
	c, srv := newPair(t)
	done := make(chan error, 1)
	go func() { done <- c.Call(ctx(t), "x", nil, nil) }()
	m := srv.read()
	srv.send(`{"jsonrpc":"2.0","id":` + string(m.ID) + `,"error":{"code":-32002,"message":"not initialized"}}`)
	var re *ResponseError
	if err := <-done; !errors.As(err, &re) || re.Code != CodeServerNotInitialized {
		t.Fatalf("Call error = %v, want code -32002", err)
	}
}

func TestCallCancelsWhenContextEnds(t *testing.T) {
	c, srv := newPair(t)
	cx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Call(cx, "slow", nil, nil) }()
	m := srv.read()
	cancel()
	n := srv.read() // the pipe is synchronous: read before Call can return
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Call error = %v, want context.Canceled", err)
	}
	var p struct {
		ID json.RawMessage `json:"id"`
	}
	json.Unmarshal(n.Params, &p)
	if n.Method != "$/cancelRequest" || string(p.ID) != string(m.ID) {
		t.Fatalf("after cancel got %s %s, want $/cancelRequest with numeric id %s", n.Method, n.Params, m.ID)
	}
}

func TestServerRequestsAreAnswered(t *testing.T) {
	c, srv := newPair(t)
	srv.send(`{"jsonrpc":"2.0","id":"s1","method":"workspace/configuration","params":{"items":[{"section":"a"},{"section":"b"}]}}`)
	if m := srv.read(); string(m.ID) != `"s1"` || string(m.Result) != "[null,null]" {
		t.Fatalf("answer = id %s result %s, want id \"s1\" and [null,null]", m.ID, m.Result)
	}
	c.Handle("workspace/configuration", func(context.Context, json.RawMessage) (any, error) {
		return []any{map[string]string{"k": "v"}}, nil
	})
	srv.send(`{"jsonrpc":"2.0","id":2,"method":"workspace/configuration","params":{"items":[{}]}}`)
	if m := srv.read(); string(m.Result) != `[{"k":"v"}]` {
		t.Fatalf("answer with handler = %s", m.Result)
	}
	srv.send(`{"jsonrpc":"2.0","id":3,"method":"window/workDoneProgress/create","params":{"token":"t"}}`)
	if m := srv.read(); string(m.Result) != "null" || m.Error != nil {
		t.Fatalf("progress create answer = %s %v, want result null", m.Result, m.Error)
	}
	srv.send(`{"jsonrpc":"2.0","id":4,"method":"no/such","params":{}}`)
	if m := srv.read(); m.Error == nil || m.Error.Code != CodeMethodNotFound {
		t.Fatalf("unknown request answer = %+v, want MethodNotFound", m)
	}
	if got := len(c.Requests("workspace/configuration")); got != 2 {
		t.Errorf("recorded %d configuration requests, want 2", got)
	}
}

func TestNotificationsAndOrphans(t *testing.T) {
	c, srv := newPair(t)
	srv.send(`{"jsonrpc":"2.0","method":"window/logMessage","params":{"type":4,"message":"hi"}}`)
	srv.send(`{"jsonrpc":"2.0","method":"window/showMessage","params":{"type":1,"message":"provider openai: auth"}}`)
	srv.send(`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`)
	n, err := c.WaitNotification(ctx(t), "window/showMessage", nil)
	if err != nil {
		t.Fatal(err)
	}
	if msgs := c.ShowMessages(); len(msgs) != 1 || msgs[0].Type != MessageError || msgs[0].Message != "provider openai: auth" {
		t.Fatalf("ShowMessages = %+v (from %s)", msgs, n.Params)
	}
	if err := c.WaitFor(ctx(t), func() bool { return len(c.Orphans()) == 1 }); err != nil {
		t.Fatal(err)
	}
	if o := c.Orphans()[0]; string(o.ID) != "null" || o.Error.Code != CodeParseError {
		t.Fatalf("orphan = %+v", o)
	}
	if got := len(c.Notifications()); got != 2 {
		t.Errorf("%d notifications recorded, want 2", got)
	}
}

func TestCallFailsWhenServerCloses(t *testing.T) {
	c, srv := newPair(t)
	done := make(chan error, 1)
	go func() { done <- c.Call(ctx(t), "x", nil, nil) }()
	srv.read()
	srv.conn.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("Call error = %v, want ErrClosed", err)
	}
}

func TestChangeTracksTextInNegotiatedEncoding(t *testing.T) {
	c, srv := newPair(t)
	go func() {
		m := srv.read() // initialize
		srv.send(`{"jsonrpc":"2.0","id":` + string(m.ID) + `,"result":{"capabilities":{"positionEncoding":"utf-8"}}}`)
		for {
			srv.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := readMessage(srv.tp, srv.r); err != nil {
				return
			}
		}
	}()
	res, err := c.Initialize(ctx(t), InitOptions{PositionEncodings: []string{"utf-8", "utf-16"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.PositionEncoding() != EncodingUTF8 || c.Encoding() != EncodingUTF8 {
		t.Fatalf("encoding = %s", res.PositionEncoding())
	}
	c.Open("file:///a", "go", "é\n")
	c.Change("file:///a", ContentChange{Range: &Range{Position{0, 2}, Position{0, 2}}, Text: "x"})
	if got := c.Text("file:///a"); got != "éx\n" || c.Version("file:///a") != 2 {
		t.Fatalf("text %q version %d", got, c.Version("file:///a"))
	}
}

func TestInlineItemInsertTextShapes(t *testing.T) {
	list, err := DecodeInlineCompletion(json.RawMessage(`{"items":[{"insertText":"a"},{"insertText":{"kind":"snippet","value":"b$0"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if list.Items[0].InsertText != "a" || list.Items[0].Snippet || list.Items[1].InsertText != "b$0" || !list.Items[1].Snippet {
		t.Fatalf("items = %+v", list.Items)
	}
	arr, err := DecodeCompletion(json.RawMessage(`[{"label":"x"}]`))
	if err != nil || len(arr.Items) != 1 || arr.Items[0].Label != "x" {
		t.Fatalf("array completion = %+v, %v", arr, err)
	}
}
