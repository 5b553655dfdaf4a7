package lsp

import (
	"errors"
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

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

// first reports whether key was not shown within the quiet period, and
// records it as shown now.
func (n *notices) first(key string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.now()
	if at, ok := n.shown[key]; ok && now.Sub(at) < n.quiet {
		return false
	}
	n.shown[key] = now
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
// and kind of failure. The providers.Error message names the provider and
// carries the hint (which setting to fix); it never holds a credential.
func (s *server) reportProblem(err error) {
	key := "error:" + err.Error()
	var pe *providers.Error
	if errors.As(err, &pe) {
		key = "provider:" + pe.Provider + ":" + pe.Kind.String()
	}
	if !s.notices.first(key) {
		return
	}
	s.showMessage(protocol.MessageTypeError, "Switchyard: "+err.Error())
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
