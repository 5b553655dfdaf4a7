package openai

import (
	"io"
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
		if !s.c.ex.sawDone() {
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
