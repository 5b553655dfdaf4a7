package anthropic

import (
	"context"
	"io"
	"sync"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/packages/ssestream"

	"switchyard/providers"
)

// stream turns the Messages event stream into text. It keeps only what it
// needs to tell a finished answer from a cut one.
type stream struct {
	p      *Provider
	ctx    context.Context // the stream's own context, cancelled by Close
	parent context.Context // the caller's, to tell its cancellation from ours
	cancel context.CancelFunc
	events *ssestream.Stream[anthropic.MessageStreamEventUnion]

	err     error // sticky: once set, every Next returns it
	refused bool  // stop_reason "refusal" was seen
	text    bool  // some text was returned

	closeOnce sync.Once
	closed    chan struct{}
}

// Next returns the next piece of text, io.EOF after message_stop, or a
// *providers.Error.
func (s *stream) Next() (string, error) {
	if s.err != nil {
		return "", s.err
	}
	for s.events.Next() {
		ev := s.events.Current()
		switch ev.Type {
		case "content_block_delta":
			// Other deltas (thinking, tool input) are not text for the
			// editor.
			if ev.Delta.Type == "text_delta" && ev.Delta.Text != "" {
				s.text = true
				return ev.Delta.Text, nil
			}
		case "message_delta":
			if ev.Delta.StopReason == anthropic.StopReasonRefusal {
				s.refused = true
			}
		case "message_stop":
			if s.refused && !s.text {
				s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindContentPolicy,
					Message: "Claude declined to answer this request"}
				return "", s.err
			}
			s.err = io.EOF
			return "", io.EOF
		}
	}
	if s.isClosed() {
		s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindCanceled, Message: "stream closed", Err: context.Canceled}
		return "", s.err
	}
	if err := s.events.Err(); err != nil {
		s.err = s.p.mapError(s.parent, s.ctx, err)
		return "", s.err
	}
	// The body ended cleanly but without message_stop: the answer is cut
	// short, and the text so far may be half a line of code.
	s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindServer,
		Message: "the answer stream ended before message_stop (truncated)"}
	return "", s.err
}

// Close drops the connection at once; it is safe to call more than once
// and while Next is blocked in another goroutine.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.cancel()
		s.events.Close()
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
