package assist

import (
	"context"
	"io"
	"sync"
	"sync/atomic"

	"switchyard/config"
	"switchyard/providers"
)

// fakeStream hands out pieces one Next at a time. If hang is set, Next
// blocks after the pieces run out until Close, the way an HTTP body
// blocks until the connection is closed.
type fakeStream struct {
	mu     sync.Mutex
	pieces []string
	next   int
	hang   bool
	closed chan struct{}
	once   sync.Once
}

func newStream(pieces ...string) *fakeStream {
	return &fakeStream{pieces: pieces, closed: make(chan struct{})}
}

func (s *fakeStream) Next() (string, error) {
	s.mu.Lock()
	if s.isClosed() {
		s.mu.Unlock()
		return "", io.ErrClosedPipe
	}
	if s.next < len(s.pieces) {
		p := s.pieces[s.next]
		s.next++
		s.mu.Unlock()
		return p, nil
	}
	s.mu.Unlock()
	if s.hang {
		<-s.closed
		return "", io.ErrClosedPipe
	}
	return "", io.EOF
}

func (s *fakeStream) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}

func (s *fakeStream) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// read is how many pieces were taken from the stream.
func (s *fakeStream) read() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next
}

// fakeProvider records what it was asked and answers with the stream
// that answer builds. The types below add the optional interfaces.
type fakeProvider struct {
	name   string
	answer func() *fakeStream
	err    error

	mu      sync.Mutex
	chats   []*providers.ChatRequest
	prompts []*providers.CompletionRequest
	fims    []*providers.FIMRequest
	last    *fakeStream
}

func (p *fakeProvider) Name() string { return p.name }

func (p *fakeProvider) respond() (providers.Stream, error) {
	if p.err != nil {
		return nil, p.err
	}
	s := p.answer()
	p.last = s
	return s, nil
}

func (p *fakeProvider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.chats = append(p.chats, req)
	return p.respond()
}

type completerProvider struct{ *fakeProvider }

func (p completerProvider) Complete(ctx context.Context, req *providers.CompletionRequest) (providers.Stream, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prompts = append(p.prompts, req)
	return p.respond()
}

type fimProvider struct{ *fakeProvider }

func (p fimProvider) FillInMiddle(ctx context.Context, req *providers.FIMRequest) (providers.Stream, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fims = append(p.fims, req)
	return p.respond()
}

type fullProvider struct{ *fakeProvider }

func (p fullProvider) Complete(ctx context.Context, req *providers.CompletionRequest) (providers.Stream, error) {
	return completerProvider(p).Complete(ctx, req)
}

func (p fullProvider) FillInMiddle(ctx context.Context, req *providers.FIMRequest) (providers.Stream, error) {
	return fimProvider(p).FillInMiddle(ctx, req)
}

// fakeRouter tries its targets in order, falling back on errors other
// than cancellation and bad requests, like the real router does before
// the first piece.
type fakeRouter struct {
	targets []providers.Target
	calls   atomic.Int32
	needs   []providers.Need
	mu      sync.Mutex
}

func (r *fakeRouter) Stream(ctx context.Context, need providers.Need, call providers.Call) (providers.Stream, providers.Target, error) {
	r.mu.Lock()
	r.needs = append(r.needs, need)
	r.mu.Unlock()
	var last error
	for _, t := range r.targets {
		r.calls.Add(1)
		s, err := call(ctx, t)
		if err == nil {
			return s, t, nil
		}
		last = err
		switch providers.KindOf(err) {
		case providers.KindCanceled, providers.KindBadRequest:
			return nil, providers.Target{}, err
		}
	}
	return nil, providers.Target{}, last
}

func target(name, id, fim string, p providers.Provider) providers.Target {
	return providers.Target{Name: name, Model: config.Model{ID: id, FIM: fim}, Provider: p}
}

// answering is a provider of the given kind that answers every call with
// the same pieces.
func answering(pieces ...string) *fakeProvider {
	return &fakeProvider{name: "local", answer: func() *fakeStream { return newStream(pieces...) }}
}
