package httpstream

import (
	"bufio"
	"context"
	"io"
	"sync"

	"switchyard/providers"
)

// MaxLine is the longest line accepted. A line holds one piece of text
// and some metadata; the last one may carry generation settings and
// timings, a few KiB. Ollama's own client allows 512 KiB.
const MaxLine = 1 << 20

// Decoder reads one line of an answer: the text it holds, whether it is
// the answer's last, or the failure it reports. A line with neither text
// nor end (a blank separator, a comment, a line of thinking) returns "",
// false, nil. ctx is the stream's, for StreamError.
type Decoder func(ctx context.Context, line []byte) (text string, done bool, err error)

// stream is an answer read line by line, until a line says it is done
// or the body ends.
type stream struct {
	c      *Client
	ctx    context.Context
	cancel context.CancelFunc
	body   io.ReadCloser
	sc     *bufio.Scanner
	decode Decoder
	done   bool
	err    error

	closeOnce sync.Once
}

func newStream(c *Client, ctx context.Context, cancel context.CancelFunc, body io.ReadCloser, decode Decoder) *stream {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	return &stream{c: c, ctx: ctx, cancel: cancel, body: body, sc: sc, decode: decode}
}

func (s *stream) Next() (string, error) {
	if s.err != nil {
		return "", s.err
	}
	if s.done {
		return "", io.EOF
	}
	for s.sc.Scan() {
		text, done, err := s.decode(s.ctx, s.sc.Bytes())
		if err != nil {
			return "", s.fail(err)
		}
		if done {
			// The answer is whole: the connection is of no more use.
			s.done = true
			s.Close()
			if text == "" {
				return "", io.EOF
			}
			return text, nil
		}
		if text != "" {
			return text, nil
		}
	}
	err := s.sc.Err()
	if err == nil && s.ctx.Err() == nil {
		// The body ended cleanly (HTTP's own end of body arrived) without
		// the line that says done: the server chose to stop there, and the
		// text so far is its answer. Ollama does this when its runner
		// gives up on an answer that repeats one token over and over
		// (llm/server.go in Ollama 0.17, "token repeat limit reached"), and
		// code with runs of blank lines or indentation does just that. A
		// connection cut mid-answer is a read error, not this.
		s.done = true
		s.Close()
		return "", io.EOF
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return "", s.fail(s.c.StreamError(s.ctx, "the answer stopped before "+s.c.Server+" said it was done", err))
}

func (s *stream) fail(err error) error {
	s.err = err
	s.Close()
	return err
}

// Close drops the connection, which makes the server stop generating.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.body.Close()
	})
	return nil
}

var _ providers.Stream = (*stream)(nil)
