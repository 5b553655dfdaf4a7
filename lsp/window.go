package lsp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"switchyard/config"
	"switchyard/providers"
)

// What the user sees: window/showMessage for what needs their action,
// window/logMessage for the rest. Completion runs on every keystroke, so
// the same problem must not pop up on every keystroke: notices remembers
// what was shown and stays quiet about it for a while.

const defaultProblemQuiet = 5 * time.Minute

type notices struct {
	mu    sync.Mutex
	quiet time.Duration
	shown map[string]time.Time
	now   func() time.Time
}

func newNotices(quiet time.Duration) *notices {
	if quiet <= 0 {
		quiet = defaultProblemQuiet
	}
	return &notices{quiet: quiet, shown: make(map[string]time.Time), now: time.Now}
}

// recent reports whether key was shown within the quiet period.
func (n *notices) recent(key string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	at, ok := n.shown[key]
	return ok && n.now().Sub(at) < n.quiet
}

// mark records keys as shown now.
func (n *notices) mark(keys ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.now()
	for _, k := range keys {
		n.shown[k] = now
	}
}

// first reports whether key was not shown within the quiet period, and
// records it as shown now.
func (n *notices) first(key string) bool {
	if n.recent(key) {
		return false
	}
	n.mark(key)
	return true
}

// forget lets a problem be shown again at once (after the user changed
// the configuration, say).
func (n *notices) forget() {
	n.mu.Lock()
	clear(n.shown)
	n.mu.Unlock()
}

// reportProblem shows a failed completion to the user once per provider
// and kind of failure, however it is worded from one request to the next.
// The providers.Error message names the provider and carries the hint
// (which setting to fix); it never holds a credential.
func (s *server) reportProblem(err error, path string) {
	msg := err.Error()
	var pe *providers.Error
	nr, noRoute := s.backend.NoRoute(err)
	switch {
	case errors.As(err, &pe):
		// Also marks the provider, so that the breaker this failure opens
		// (the next requests' "failed recently") stays quiet too.
		key := "provider:" + pe.Provider + ":" + pe.Kind.String()
		if s.notices.recent(key) {
			return
		}
		s.notices.mark(key, "provider:"+pe.Provider)
	case noRoute:
		// No call was made: every candidate was ruled out. Key on who was
		// ruled out by which rule, not on the words (which count down).
		var parts []string
		quiet := len(nr.Candidates) > 0
		for _, c := range nr.Candidates {
			parts = append(parts, c.Provider+"/"+c.Model+"="+c.Rule)
			if !c.Breaker || !s.notices.recent("provider:"+c.Provider) {
				quiet = false
			}
		}
		if quiet || !s.notices.first("route:"+nr.Task+":"+nr.Problem+":"+strings.Join(parts, ",")) {
			return
		}
	case providers.KindOf(err) == providers.KindTimeout || errors.Is(err, context.DeadlineExceeded):
		// The engine's deadline: say which model and provider were too
		// slow, since that is what the user would change.
		model, provider := s.settings.route(config.TaskCompletion, path)
		if provider != "" {
			msg = fmt.Sprintf("provider %s (model %s): %s", provider, model, msg)
		}
		if !s.notices.first("timeout:" + provider) {
			return
		}
	default:
		if !s.notices.first("error:" + msg) {
			return
		}
	}
	s.showMessage(protocol.MessageTypeError, "Switchyard: "+msg)
}

// showMessage sends window/showMessage; it never blocks on the client.
func (s *server) showMessage(t protocol.MessageType, msg string) {
	s.notify("window/showMessage", &protocol.ShowMessageParams{Type: t, Message: msg})
}

// logMessage sends window/logMessage, for the editor's output panel.
func (s *server) logMessage(t protocol.MessageType, msg string) {
	s.notify("window/logMessage", &protocol.LogMessageParams{Type: t, Message: msg})
}

func (s *server) notify(method string, params any) {
	if s.conn == nil {
		return
	}
	if err := s.conn.Notify(s.ctx, method, params); err != nil {
		s.log.Debug("notification not sent", zap.String("method", method), zap.Error(err))
	}
}
