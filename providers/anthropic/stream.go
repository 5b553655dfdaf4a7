package anthropic

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sync"

	"switchyard/providers"
	"switchyard/providers/internal/callctx"
)

// maxEventLine is the longest line of the event stream accepted. A text
// delta is a few bytes; message_start repeats the request's metadata.
const maxEventLine = 1 << 20

// stream turns the Messages event stream into text. It keeps only what it
// needs to tell a finished answer from a cut one.
type stream struct {
	p      *Provider
	ctx    context.Context // the stream's own context, cancelled by Close
	parent context.Context // the caller's, to tell its cancellation from ours
	cancel context.CancelFunc
	body   io.ReadCloser
	sc     *bufio.Scanner
	data   []byte // the data of the event being read

	err     error // sticky: once set, every Next returns it
	refused bool  // stop_reason "refusal" was seen
	text    bool  // some text was returned

	closeOnce sync.Once
	closed    chan struct{}
}

func newStream(p *Provider, parent, ctx context.Context, cancel context.CancelFunc, body io.ReadCloser) *stream {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 16<<10), maxEventLine)
	return &stream{p: p, ctx: ctx, parent: parent, cancel: cancel, body: body, sc: sc, closed: make(chan struct{})}
}

// Next returns the next piece of text, io.EOF after message_stop, or a
// *providers.Error.
func (s *stream) Next() (string, error) {
	if s.err != nil {
		return "", s.err
	}
	for {
		data, ok := s.event()
		if !ok {
			break
		}
		var ev streamEvent
		if err := json.Unmarshal(data, &ev); err != nil {
			return "", s.fail(&providers.Error{Provider: s.p.name, Kind: providers.KindServer,
				Message: "Claude's answer holds an event that is not valid JSON", Err: err})
		}
		switch ev.Type {
		case "content_block_delta":
			// Other deltas (thinking, tool input) are not text for the
			// editor.
			if ev.Delta.Type == "text_delta" && ev.Delta.Text != "" {
				s.text = true
				return ev.Delta.Text, nil
			}
		case "message_delta":
			if ev.Delta.StopReason == "refusal" {
				s.refused = true
			}
		case "message_stop":
			if s.refused && !s.text {
				return "", s.fail(&providers.Error{Provider: s.p.name, Kind: providers.KindContentPolicy,
					Message: "Claude declined to answer this request"})
			}
			s.err = io.EOF
			s.Close()
			return "", io.EOF
		case "error":
			// An error event has the body of an error answer; the HTTP
			// status was 200.
			return "", s.fail(s.p.apiError(0, nil, data))
		}
	}
	if s.isClosed() {
		return "", s.fail(&providers.Error{Provider: s.p.name, Kind: providers.KindCanceled, Message: "stream closed", Err: context.Canceled})
	}
	if e := callctx.Ended(s.p.name, s.parent, s.ctx); e != nil {
		return "", s.fail(e)
	}
	if err := s.sc.Err(); err != nil {
		// The connection broke mid-answer, or a line was too long.
		return "", s.fail(&providers.Error{Provider: s.p.name, Kind: providers.KindServer,
			Message: "the answer stream broke before message_stop", Err: err})
	}
	// The body ended cleanly but without message_stop: the answer is cut
	// short, and the text so far may be half a line of code.
	return "", s.fail(&providers.Error{Provider: s.p.name, Kind: providers.KindServer,
		Message: "the answer stream ended before message_stop (truncated)"})
}

// event reads the next server-sent event with data and returns its data
// (the data lines joined by newlines, as the SSE specification says);
// false at the end of the body. The event: line is not needed, since the
// data names its own type.
func (s *stream) event() ([]byte, bool) {
	s.data = s.data[:0]
	seen := false
	for s.sc.Scan() {
		line := s.sc.Bytes()
		if len(line) == 0 {
			if seen {
				return s.data, true
			}
			continue
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		if string(name) != "data" {
			continue // event:, id:, retry: and comments
		}
		value = bytes.TrimPrefix(value, []byte(" "))
		if seen {
			s.data = append(s.data, '\n')
		}
		s.data = append(s.data, value...)
		seen = true
	}
	// An event not closed by a blank line is dropped, as the
	// specification says: it may be cut.
	return nil, false
}

func (s *stream) fail(err error) error {
	s.err = err
	s.Close()
	return err
}

// Close drops the connection at once; it is safe to call more than once
// and while Next is blocked in another goroutine.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.cancel()
		s.body.Close()
	})
	return nil
}

func (s *stream) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}
