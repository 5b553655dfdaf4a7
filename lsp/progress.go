package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"
)

// Work-done progress ($/progress, LSP 3.15) for the requests that call a
// model outside completion: a code action being resolved or a command
// being executed can take many seconds, and the user must see that
// something runs and be able to stop it. The token is the one the client
// put in the request's workDoneToken, or else one the server creates with
// window/workDoneProgress/create when the client says it can show
// progress. window/workDoneProgress/cancel on that token cancels the
// request as $/cancelRequest would, which closes the model's stream.

// errProgressCancelled is the cause of a request cancelled from its
// progress indicator.
var errProgressCancelled = errors.New("cancelled from the progress indicator")

// progressTokens maps a token to the request it reports on, for
// window/workDoneProgress/cancel.
type progressTokens struct {
	mu     sync.Mutex
	cancel map[string]context.CancelCauseFunc
	next   atomic.Int64
}

func (t *progressTokens) add(key string, cancel context.CancelCauseFunc) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cancel == nil {
		t.cancel = make(map[string]context.CancelCauseFunc)
	}
	t.cancel[key] = cancel
}

func (t *progressTokens) remove(key string) {
	t.mu.Lock()
	delete(t.cancel, key)
	t.mu.Unlock()
}

func (t *progressTokens) get(key string) context.CancelCauseFunc {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cancel[key]
}

// tokenKey normalises a token (a JSON number or string) to a map key.
func tokenKey(raw json.RawMessage) (string, bool) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v), true
	case float64:
		return fmt.Sprintf("#%v", v), true
	}
	return "", false
}

// progress reports on one request. A nil *progress reports nothing, so
// callers need not care whether the client can show it.
type progress struct {
	s     *server
	token json.RawMessage
	key   string

	// Reports are sent by one goroutine, the newest replacing any not yet
	// sent, so a model that streams fast never waits on the client.
	latest  chan protocol.WorkDoneProgressReport
	done    chan struct{} // closed by end
	stopped chan struct{} // closed when send has returned
	once    sync.Once
}

// beginProgress starts progress for a request whose context ctx it may
// cancel with cancel. clientToken is the request's workDoneToken (nil
// when it had none). It returns nil when the client can show no
// progress. It must be called outside the read loop: creating a token is
// a request to the client, whose answer the read loop delivers.
func (s *server) beginProgress(ctx context.Context, clientToken json.RawMessage, title string, cancel context.CancelCauseFunc) *progress {
	token := clientToken
	if isNull(token) {
		if !s.caps.Window.WorkDoneProgress {
			return nil
		}
		token, _ = json.Marshal(fmt.Sprintf("switchyard/%d", s.act.tokens.next.Add(1)))
		params := map[string]json.RawMessage{"token": token}
		if _, err := s.conn.Call(ctx, "window/workDoneProgress/create", params, nil); err != nil {
			// The client refused the token: run without progress.
			s.log.Debug("window/workDoneProgress/create failed", zap.Error(err))
			return nil
		}
	}
	key, ok := tokenKey(token)
	if !ok {
		s.log.Debug("ignoring a workDoneToken that is neither a number nor a string", zap.ByteString("token", token))
		return nil
	}
	p := &progress{
		s:       s,
		token:   token,
		key:     key,
		latest:  make(chan protocol.WorkDoneProgressReport, 1),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	s.act.tokens.add(key, cancel)
	s.notify("$/progress", p.params(&protocol.WorkDoneProgressBegin{
		Kind:        protocol.WorkDoneProgressKindBegin,
		Title:       title,
		Cancellable: true,
	}))
	go p.send()
	return p
}

func (p *progress) params(value any) map[string]any {
	return map[string]any{"token": p.token, "value": value}
}

// send forwards reports until end.
func (p *progress) send() {
	defer close(p.stopped)
	for {
		select {
		case r := <-p.latest:
			p.s.notify("$/progress", p.params(&r))
		case <-p.done:
			return
		}
	}
}

// report shows a step; it never blocks.
func (p *progress) report(message string, percent int) {
	if p == nil {
		return
	}
	r := protocol.WorkDoneProgressReport{Kind: protocol.WorkDoneProgressKindReport, Message: message, Cancellable: true}
	if percent > 0 {
		r.Percentage = uint32(min(percent, 100))
	}
	for {
		select {
		case p.latest <- r:
			return
		default:
		}
		// Drop the report not yet sent: only the newest matters.
		select {
		case <-p.latest:
		default:
		}
	}
}

// end closes the progress with a last message. It is safe to call more
// than once; only the first call counts.
func (p *progress) end(message string) {
	if p == nil {
		return
	}
	p.once.Do(func() {
		close(p.done)
		// No report may follow the end on the wire.
		<-p.stopped
		p.s.act.tokens.remove(p.key)
		p.s.notify("$/progress", p.params(&protocol.WorkDoneProgressEnd{Kind: protocol.WorkDoneProgressKindEnd, Message: message}))
	})
}

// cancelProgress handles window/workDoneProgress/cancel: the user pressed
// the cancel button of a progress the server began.
func cancelProgress(s *server, _ context.Context, raw json.RawMessage) error {
	var p struct {
		Token json.RawMessage `json:"token"`
	}
	if err := decodeParams("window/workDoneProgress/cancel", raw, &p); err != nil {
		return err
	}
	key, ok := tokenKey(p.Token)
	if !ok {
		return fmt.Errorf("window/workDoneProgress/cancel: token %s is not a number or a string", p.Token)
	}
	if cancel := s.act.tokens.get(key); cancel != nil {
		cancel(errProgressCancelled)
	}
	return nil
}

// cancelledError is the answer to a request its progress cancelled:
// RequestCancelled, as for $/cancelRequest.
func cancelledError(method string, ctx context.Context) error {
	return jsonrpc2.NewError(codeRequestCancelled, method+": "+context.Cause(ctx).Error())
}
