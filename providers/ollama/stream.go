package ollama

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"switchyard/providers"
)

// maxLine is the longest NDJSON line accepted. Ollama's own client allows
// 512 KiB; a line holds one token plus metadata, so this is generous.
const maxLine = 1 << 20

// stream reads an NDJSON answer from /api/generate or /api/chat, one text
// piece per line, until a line says "done":true.
type stream struct {
	p      *Provider
	ctx    context.Context
	cancel context.CancelFunc
	body   io.ReadCloser
	sc     *bufio.Scanner
	done   bool
	err    error

	closeOnce sync.Once
}

func newStream(p *Provider, ctx context.Context, cancel context.CancelFunc, resp *http.Response) *stream {
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	return &stream{p: p, ctx: ctx, cancel: cancel, body: resp.Body, sc: sc}
}

func (s *stream) Next() (string, error) {
	if s.err != nil {
		return "", s.err
	}
	if s.done {
		return "", io.EOF
	}
	for s.sc.Scan() {
		line := s.sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var l streamLine
		if err := json.Unmarshal(line, &l); err != nil {
			return "", s.fail(s.p.streamError(s.ctx, "malformed stream line from Ollama", err))
		}
		if l.Error != "" {
			return "", s.fail(s.p.streamError(s.ctx, l.Error, nil))
		}
		text := l.Response + l.Message.Content
		if l.Done {
			s.done = true
			if text == "" {
				return "", io.EOF
			}
			return text, nil
		}
		// Thinking models send lines with no answer text; they are not
		// part of what the editor shows.
		if text != "" {
			return text, nil
		}
	}
	err := s.sc.Err()
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return "", s.fail(s.p.streamError(s.ctx, "the answer stopped before Ollama said it was done", err))
}

func (s *stream) fail(err error) error {
	s.err = err
	s.Close()
	return err
}

// Close drops the connection, which makes Ollama stop generating.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.body.Close()
	})
	return nil
}

// Interface check.
var _ providers.Stream = (*stream)(nil)
