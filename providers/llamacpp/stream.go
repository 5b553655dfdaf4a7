package llamacpp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"switchyard/providers"
)

// maxEvent is the longest event line accepted; the last event of an
// answer carries the generation settings and timings, a few KiB.
const maxEvent = 1 << 20

// stream reads the Server-Sent Events of a streamed /infill answer until
// an event says "stop": true. Unlike the /v1 endpoints, the native ones
// send no data: [DONE].
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
	sc.Buffer(make([]byte, 0, 64<<10), maxEvent)
	return &stream{p: p, ctx: ctx, cancel: cancel, body: resp.Body, sc: sc}
}

var (
	dataField  = []byte("data:")
	errorField = []byte("error:") // how older llama-server builds sent a mid-stream failure
)

func (s *stream) Next() (string, error) {
	if s.err != nil {
		return "", s.err
	}
	if s.done {
		return "", io.EOF
	}
	for s.sc.Scan() {
		line := s.sc.Bytes()
		var payload []byte
		switch {
		case bytes.HasPrefix(line, dataField):
			payload = bytes.TrimSpace(line[len(dataField):])
		case bytes.HasPrefix(line, errorField):
			payload = []byte(`{"error":` + string(bytes.TrimSpace(line[len(errorField):])) + `}`)
		default:
			continue // blank separators, comments, other fields
		}
		var c infillChunk
		if err := json.Unmarshal(payload, &c); err != nil {
			return "", s.fail(s.p.streamError(s.ctx, "malformed event from llama-server", err))
		}
		if c.Error != nil {
			e := &providers.Error{Provider: s.p.name, Message: c.Error.Message}
			s.p.classify(e, c.Error.Code, c.Error.Type, c.Error.Message)
			if e.Kind != providers.KindContextWindow && e.Kind != providers.KindServer {
				// Whatever its code, a failure after the answer began is
				// the server's: the request itself was accepted.
				e.Kind = providers.KindServer
			}
			return "", s.fail(e)
		}
		if c.Stop {
			s.done = true
			s.Close()
			if c.Content == "" {
				return "", io.EOF
			}
			return c.Content, nil
		}
		if c.Content != "" {
			return c.Content, nil
		}
	}
	err := s.sc.Err()
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return "", s.fail(s.p.streamError(s.ctx, "the answer stopped before llama-server said it was done", err))
}

func (s *stream) fail(err error) error {
	s.err = err
	s.Close()
	return err
}

// Close drops the connection, which makes llama-server stop generating
// and free the slot.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.body.Close()
	})
	return nil
}

var _ providers.Stream = (*stream)(nil)
