package lsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
)

// stream frames JSON-RPC messages with Content-Length headers, like
// jsonrpc2.NewStream, with one difference that matters to an editor:
// jsonrpc2's conn tears the whole connection down when one message fails
// to decode, so a single malformed message from a buggy client would kill
// the server. Here a message that is framed correctly but is not valid
// JSON-RPC is answered with ParseError or InvalidRequest and the stream
// reads on. Only a broken frame (bad header, short body) ends the stream,
// because after that there is no way to find the next message.
type stream struct {
	in      *bufio.Reader
	out     io.Writer
	closer  io.Closer
	writeMu sync.Mutex // Write is called by the conn, answers to bad input by Read
	log     func(msg string, err error)
}

func newStream(rwc io.ReadWriteCloser, log func(string, error)) *stream {
	return &stream{in: bufio.NewReaderSize(rwc, 64<<10), out: rwc, closer: rwc, log: log}
}

// maxMessage bounds one message; a 10 MB document in a didOpen must fit,
// with room for JSON escaping.
const maxMessage = 256 << 20

func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		data, n, err := s.readFrame()
		if err != nil {
			return nil, n, err
		}
		msg, err := jsonrpc2.DecodeMessage(data)
		if err == nil {
			return msg, n, nil
		}
		s.rejectMessage(data, err)
	}
}

// readFrame reads the headers and the body of one message.
func (s *stream) readFrame() ([]byte, int64, error) {
	var total, length int64 = 0, -1
	sawHeader := false
	for {
		line, err := s.in.ReadString('\n')
		total += int64(len(line))
		if err != nil {
			if err == io.EOF && !sawHeader && strings.TrimSpace(line) == "" {
				return nil, total, io.EOF
			}
			return nil, total, fmt.Errorf("reading message header: %w", err)
		}
		line = strings.TrimSpace(line)
		if line == "" {
			if !sawHeader {
				// Blank lines between messages are harmless.
				continue
			}
			if length < 0 {
				return nil, total, errors.New("message header has no Content-Length")
			}
			break
		}
		sawHeader = true
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, total, fmt.Errorf("invalid message header line %q", line)
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			length, err = strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || length < 0 || length > maxMessage {
				return nil, total, fmt.Errorf("invalid Content-Length %q", value)
			}
		}
		// Content-Type and unknown headers are ignored, as the base
		// protocol allows.
	}
	// The body is read as it arrives, not allocated at the size the
	// header claims: a header that claims 256 MB and is followed by
	// nothing must not cost 256 MB.
	var body bytes.Buffer
	body.Grow(int(min(length, 1<<20)))
	if _, err := io.CopyN(&body, s.in, length); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, total, fmt.Errorf("reading message body: %w", err)
	}
	return body.Bytes(), total + length, nil
}

// rejectMessage answers a message that is framed but not valid JSON-RPC:
// ParseError when it is not JSON at all, InvalidRequest otherwise, with
// the request's id when one can be read (else null, as JSON-RPC says).
func (s *stream) rejectMessage(data []byte, cause error) {
	code, msg := jsonrpc2.ParseError, "parse error: the message is not valid JSON"
	id := json.RawMessage("null")
	if json.Valid(data) {
		code, msg = jsonrpc2.InvalidRequest, "invalid request: not a JSON-RPC 2.0 request, notification or response"
		var probe struct {
			ID     json.RawMessage `json:"id"`
			Method *string         `json:"method"`
		}
		if json.Unmarshal(data, &probe) == nil {
			if probe.Method == nil {
				// A response we cannot read: there is no one to answer.
				s.log("dropping an unreadable response", cause)
				return
			}
			if validID(probe.ID) {
				id = probe.ID
			}
		}
	}
	s.log("answering an invalid message", cause)
	body, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   jsonrpc2.Error  `json:"error"`
	}{"2.0", id, jsonrpc2.Error{Code: code, Message: msg}})
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_ = s.writeFrame(body)
}

// validID reports whether raw is a JSON-RPC id worth echoing back.
func validID(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	switch v.(type) {
	case string, float64:
		return true
	}
	return false
}

func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("encoding message: %w", err)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.writeFrame(body); err != nil {
		return 0, err
	}
	return int64(len(body)), nil
}

// writeFrame writes header and body in one Write, so a reader never sees
// a header without its body. Callers hold writeMu.
func (s *stream) writeFrame(body []byte) error {
	buf := make([]byte, 0, len(body)+32)
	buf = append(buf, "Content-Length: "...)
	buf = strconv.AppendInt(buf, int64(len(body)), 10)
	buf = append(buf, "\r\n\r\n"...)
	buf = append(buf, body...)
	if _, err := s.out.Write(buf); err != nil {
		return fmt.Errorf("writing message: %w", err)
	}
	return nil
}

func (s *stream) Close() error { return s.closer.Close() }
