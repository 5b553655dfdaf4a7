package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"go.lsp.dev/jsonrpc2"
)

// pipe is an in-memory connection: reads come from in, writes go to out.
type pipe struct {
	in  io.Reader
	out bytes.Buffer
}

func (p *pipe) Read(b []byte) (int, error)  { return p.in.Read(b) }
func (p *pipe) Write(b []byte) (int, error) { return p.out.Write(b) }
func (p *pipe) Close() error                { return nil }

// FuzzStreamRead frames and decodes arbitrary client input. Reading never
// panics and always ends; every message read survives a write and a read
// back unchanged; every answer to a bad message is itself a well-framed
// JSON-RPC response.
func FuzzStreamRead(f *testing.F) {
	for _, seed := range []string{
		"Content-Length: 52\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}",
		"Content-Length: 40\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}",
		"\r\n\r\ncontent-length:7\n\nnot json",
		"Content-Length: 30\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"x\":1}",
		"Content-Length: 38\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":null}",
		"Content-Length: -1\r\n\r\n",
		"Content-Length: 268435456\r\n\r\n{}",
		"Content-Type: x\r\n\r\n{}",
		"no colon\r\n\r\n",
		"Content-Length: 10\r\n\r\n{}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		conn := &pipe{in: bytes.NewReader(data)}
		s := newStream(conn, func(string, error) {})
		ctx := context.Background()
		for i := 0; ; i++ {
			if i > len(data) {
				t.Fatalf("more messages (%d) than input bytes (%d)", i, len(data))
			}
			msg, _, err := s.Read(ctx)
			if err != nil {
				break
			}
			var echo pipe
			w := newStream(&echo, func(string, error) {})
			if _, err := w.Write(ctx, msg); err != nil {
				t.Fatalf("writing back %v: %v", msg, err)
			}
			back, _, err := newStream(&pipe{in: &echo.out}, func(string, error) {}).Read(ctx)
			if err != nil {
				t.Fatalf("reading back what was written: %v", err)
			}
			a, _ := json.Marshal(msg)
			b, _ := json.Marshal(back)
			if !bytes.Equal(a, b) {
				t.Fatalf("message changed on a round trip: %s became %s", a, b)
			}
		}
		// What the server answered to bad input: error responses, read
		// by hand because jsonrpc2 cannot decode the null id JSON-RPC
		// prescribes when the request's id is unreadable.
		answers := newStream(&pipe{in: &conn.out}, func(string, error) {})
		for {
			body, _, err := answers.readFrame()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("the server's answers are badly framed: %v", err)
			}
			var resp map[string]json.RawMessage
			var rpcErr jsonrpc2.Error
			hasID := false
			if err := json.Unmarshal(body, &resp); err == nil {
				_, hasID = resp["id"]
			}
			if !hasID || string(resp["jsonrpc"]) != `"2.0"` || json.Unmarshal(resp["error"], &rpcErr) != nil {
				t.Fatalf("the server answered bad input with %s, want an error response", body)
			}
		}
	})
}
