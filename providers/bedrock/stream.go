package bedrock

import (
	"context"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"switchyard/providers"
)

// stream reads ConverseStream events: text from contentBlockDelta, the end
// from messageStop. The SDK decodes the event-stream frames in its own
// goroutine and hands them over a channel.
type stream struct {
	p      *Provider
	ctx    context.Context
	cancel context.CancelFunc
	es     *bedrockruntime.ConverseStreamEventStream
	events <-chan types.ConverseStreamOutput
	err    error

	closeOnce sync.Once
}

func (s *stream) Next() (string, error) {
	if s.err != nil {
		return "", s.err
	}
	for ev := range s.events {
		switch v := ev.(type) {
		case *types.ConverseStreamOutputMemberContentBlockDelta:
			if t, ok := v.Value.Delta.(*types.ContentBlockDeltaMemberText); ok && t.Value != "" {
				return t.Value, nil
			}
			// Reasoning and tool-use deltas are not text for the editor.
		case *types.ConverseStreamOutputMemberMessageStop:
			return "", s.end(s.stopError(v.Value.StopReason))
		}
	}
	if err := s.es.Err(); err != nil {
		return "", s.end(s.p.classify(s.ctx, err))
	}
	if s.ctx.Err() != nil {
		return "", s.end(s.p.classify(s.ctx, s.ctx.Err()))
	}
	return "", s.end(&providers.Error{Provider: s.p.name, Kind: providers.KindServer,
		Message: "the answer stopped before Bedrock sent messageStop"})
}

// stopError says whether a finished answer is whole: a guardrail or
// content filter that cut it is the vendor's policy, not the end.
func (s *stream) stopError(reason types.StopReason) error {
	switch reason {
	case types.StopReasonGuardrailIntervened, types.StopReasonContentFiltered:
		return &providers.Error{Provider: s.p.name, Kind: providers.KindContentPolicy,
			Message: "the answer was stopped by Bedrock (" + string(reason) + ")"}
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

// Close drops the connection, which stops the model generating. The event
// stream is closed before its context is cancelled: the SDK's decoder then
// knows the end is wanted, where a connection cut by the cancel first
// would leave it a "use of closed network connection" to report.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.es.Close()
		s.cancel()
	})
	return nil
}

var _ providers.Stream = (*stream)(nil)
