package openai

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"switchyard/providers"
)

// recvFunc reads the next event of a stream: its text, its finish_reason
// ("" until the last event) or an error (io.EOF at the end of the body).
type recvFunc func() (text, finish string, err error)

// stream adapts a go-openai stream (or Mistral's FIM stream) to
// providers.Stream: it skips events without text, tells a complete answer
// from a cut one, and maps errors to kinds.
type stream struct {
	c         *call
	recv      recvFunc
	closeBody func() error

	err    error // sticky: io.EOF or the *providers.Error that ended it
	finish string
	// ownDone is set when recv itself answers io.EOF only after
	// data: [DONE], so the transport's watcher need not vouch for it.
	ownDone bool

	closed    atomic.Bool
	closeOnce sync.Once
}

func newStream(c *call, closeBody func() error, recv recvFunc) *stream {
	return &stream{c: c, recv: recv, closeBody: closeBody}
}

// Next returns the next piece of text, io.EOF after data: [DONE], or a
// *providers.Error.
func (s *stream) Next() (string, error) {
	if s.err != nil {
		return "", s.err
	}
	for {
		if s.closed.Load() {
			s.err = s.closedErr()
			return "", s.err
		}
		text, finish, err := s.recv()
		if err != nil {
			s.err = s.end(err)
			// The answer is over either way: free the connection and the
			// timer now rather than when the caller gets to Close.
			s.release()
			return "", s.err
		}
		if finish != "" {
			s.finish = finish
		}
		if text != "" {
			return text, nil
		}
	}
}

func (s *stream) end(err error) error {
	if s.closed.Load() {
		return s.closedErr()
	}
	if err == io.EOF {
		// A body that ended cleanly without data: [DONE] is the server's
		// decision to stop there, and its text is the answer: Ollama's
		// /v1 ends so when its runner stops an answer that repeats one
		// token. Only a cut body (io.ErrUnexpectedEOF) is an error.
		if !s.ownDone && !s.c.ex.sawDone() && !s.c.ex.endedCleanly() {
			err = errTruncated
		} else if s.finish == "content_filter" {
			return &providers.Error{Provider: s.c.p.name, Kind: providers.KindContentPolicy,
				Message: "the answer was stopped by the vendor's content filter"}
		} else {
			return io.EOF
		}
	}
	return s.c.p.classify(s.c.parent, s.c.ctx, s.c.ex, err)
}

func (s *stream) closedErr() error {
	return &providers.Error{Provider: s.c.p.name, Kind: providers.KindCanceled, Message: "the stream was closed"}
}

// Close closes the response body at once, which drops the connection
// mid-stream so the server stops generating, and releases the call's
// context. It is safe to call more than once and from another goroutine
// than Next's.
func (s *stream) Close() error {
	s.closed.Store(true)
	s.release()
	return nil
}

func (s *stream) release() {
	s.closeOnce.Do(func() {
		_ = s.closeBody()
		s.c.cancel()
	})
}

// event is the part of a streamed chunk that carries text, in either of
// the OpenAI shapes, or an error.
type event struct {
	Choices []struct {
		Index int    `json:"index"`
		Text  string `json:"text"`
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Error json.RawMessage `json:"error"`
}

// sseEvents reads data: lines of a Server-Sent Events body. It answers
// io.EOF after data: [DONE] or at a clean end of the body after a whole
// line; a body that ends in the middle of a line, or is cut, is an error.
// Comments, event: and id: lines are skipped, as the SSE format allows.
func sseEvents(body io.Reader) recvFunc {
	r := bufio.NewReader(body)
	return func() (string, string, error) {
		for {
			line, err := r.ReadBytes('\n')
			if len(line) == 0 && err != nil {
				// io.EOF: the body ended cleanly after its last whole
				// line, without data: [DONE]; its text is the answer,
				// as in Next. A cut body reads io.ErrUnexpectedEOF.
				return "", "", err
			}
			if err == io.EOF {
				// A last line without its newline: the body was cut.
				return "", "", errTruncated
			}
			data, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("data:"))
			if !ok {
				continue
			}
			data = bytes.TrimSpace(data)
			if string(data) == "[DONE]" {
				return "", "", io.EOF
			}
			var ev event
			if err := json.Unmarshal(data, &ev); err != nil {
				return "", "", err
			}
			if len(ev.Error) > 0 && string(ev.Error) != "null" {
				return "", "", &statusError{body: data}
			}
			var text strings.Builder
			var finish string
			for _, ch := range ev.Choices {
				if ch.Index == 0 {
					text.WriteString(ch.Delta.Content)
					text.WriteString(ch.Text)
					finish = ch.FinishReason
				}
			}
			return text.String(), finish, nil
		}
	}
}
