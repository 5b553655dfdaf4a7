package bedrock

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"switchyard/providers"
)

// stream reads ConverseStream's event stream frame by frame, in the
// caller's goroutine: text from contentBlockDelta, the end from
// messageStop, a failure from an exception. The frames (prelude, headers,
// CRCs) are decoded by the SDK's eventstream package.
type stream struct {
	p      *Provider
	ctx    context.Context
	cancel context.CancelFunc
	body   io.ReadCloser
	dec    *eventstream.Decoder
	buf    []byte // reused for payloads
	err    error

	closeOnce sync.Once
}

func newStream(p *Provider, ctx context.Context, cancel context.CancelFunc, body io.ReadCloser) *stream {
	return &stream{p: p, ctx: ctx, cancel: cancel, body: body, dec: eventstream.NewDecoder()}
}

func (s *stream) Next() (string, error) {
	if s.err != nil {
		return "", s.err
	}
	for {
		msg, err := s.dec.Decode(s.body, s.buf[:0])
		if err != nil {
			return "", s.end(s.readError(err))
		}
		s.buf = msg.Payload
		switch headerString(msg.Headers, ":message-type") {
		case "event":
		case "exception":
			return "", s.end(s.p.exception(headerString(msg.Headers, ":exception-type"), msg.Payload))
		case "error":
			return "", s.end(s.p.exception(headerString(msg.Headers, ":error-code"), []byte(
				`{"message":`+quote(headerString(msg.Headers, ":error-message"))+`}`)))
		default:
			continue
		}
		switch headerString(msg.Headers, ":event-type") {
		case "contentBlockDelta":
			var ev contentBlockDeltaEvent
			if err := json.Unmarshal(msg.Payload, &ev); err != nil {
				return "", s.end(s.badEvent("contentBlockDelta", err))
			}
			// Reasoning and tool-use deltas are not text for the editor.
			if ev.Delta.Text != nil && *ev.Delta.Text != "" {
				return *ev.Delta.Text, nil
			}
		case "messageStop":
			var ev messageStopEvent
			if err := json.Unmarshal(msg.Payload, &ev); err != nil {
				return "", s.end(s.badEvent("messageStop", err))
			}
			return "", s.end(s.stopError(ev.StopReason))
		}
		// messageStart, contentBlockStart/Stop, metadata and events this
		// client does not know carry no text.
	}
}

// readError is what a failure to read the next frame means: the end of
// the body before messageStop, a cut connection, the call's context
// ending, or bytes that are not an event stream.
func (s *stream) readError(err error) error {
	if s.ctx.Err() != nil {
		return s.p.classify(s.ctx, s.ctx.Err())
	}
	if err == io.EOF {
		return &providers.Error{Provider: s.p.name, Kind: providers.KindServer,
			Message: "the answer stopped before Bedrock sent messageStop"}
	}
	return &providers.Error{Provider: s.p.name, Kind: providers.KindServer,
		Message: "the answer stopped before Bedrock sent messageStop: " + err.Error(), Err: err}
}

func (s *stream) badEvent(typ string, err error) error {
	return &providers.Error{Provider: s.p.name, Kind: providers.KindServer,
		Message: fmt.Sprintf("Bedrock sent a %s event that is not valid JSON", typ), Err: err}
}

// stopError says whether a finished answer is whole: a guardrail or
// content filter that cut it is the vendor's policy, not the end.
func (s *stream) stopError(reason string) error {
	switch reason {
	case "guardrail_intervened", "content_filtered":
		return &providers.Error{Provider: s.p.name, Kind: providers.KindContentPolicy,
			Message: "the answer was stopped by Bedrock (" + reason + ")"}
	}
	return io.EOF
}

// end records the stream's last result and releases the connection; the
// metadata event that follows messageStop carries only usage.
func (s *stream) end(err error) error {
	s.err = err
	s.Close()
	return err
}

// Close drops the connection, which stops the model generating.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.body.Close()
	})
	return nil
}

// headerString is the string value of the header name, or "".
func headerString(h eventstream.Headers, name string) string {
	if v := h.Get(name); v != nil {
		if sv, ok := v.(eventstream.StringValue); ok {
			return string(sv)
		}
	}
	return ""
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var _ providers.Stream = (*stream)(nil)
