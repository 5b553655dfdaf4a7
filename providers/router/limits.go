package router

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"switchyard/config"
	"switchyard/providers"
)

// Why a guarded stream was cut; the *providers.Error wraps one, so a
// caller can tell these from the provider's own failures.
var (
	ErrStreamIdle    = errors.New("the provider sent no text within stream_idle_timeout")
	ErrAnswerTooLong = errors.New("the answer passed max_answer_time or max_answer_kb")
)

// limited bounds one provider stream by the provider's limits: no text for
// idle, longer than total, or more than maxBytes of text ends it with a
// *providers.Error that names the setting to raise. It is the one place
// these limits are kept, whatever reads the wire underneath (the shared
// line reader, go-openai, or a vendor SDK), since every provider's Close
// unblocks a Next that is waiting. Timeouts are KindTimeout, so before the
// first piece the router falls back to the next model as for any timeout;
// an answer too large is KindServer.
type limited struct {
	s        providers.Stream
	name     string
	idle     time.Duration
	maxBytes int
	n        int

	idleTimer, totalTimer *time.Timer

	mu  sync.Mutex
	cut error // set, before the inner stream is closed, by a limit
	err error // sticky end
}

func limit(s providers.Stream, name string, cfg config.Provider) *limited {
	idle, total, maxBytes := cfg.StreamLimits()
	l := &limited{s: s, name: name, idle: idle, maxBytes: maxBytes}
	l.idleTimer = time.AfterFunc(idle, func() {
		l.stop(&providers.Error{Provider: name, Kind: providers.KindTimeout, Err: ErrStreamIdle,
			Message: fmt.Sprintf("sent no text for %s", idle),
			Hint:    fmt.Sprintf("raise stream_idle_timeout in [providers.%s]", name)})
	})
	l.idleTimer.Stop()
	l.totalTimer = time.AfterFunc(total, func() {
		l.stop(&providers.Error{Provider: name, Kind: providers.KindTimeout, Err: ErrAnswerTooLong,
			Message: fmt.Sprintf("the answer was still streaming after %s", total),
			Hint:    fmt.Sprintf("raise max_answer_time in [providers.%s]", name)})
	})
	return l
}

// stop records why the stream is cut, then closes it, which makes a
// waiting Next return.
func (l *limited) stop(why error) {
	l.mu.Lock()
	if l.cut == nil {
		l.cut = why
	}
	l.mu.Unlock()
	l.s.Close()
}

func (l *limited) cutErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cut
}

func (l *limited) Next() (string, error) {
	if l.err != nil {
		return "", l.err
	}
	if err := l.cutErr(); err != nil {
		return "", l.end(err)
	}
	l.idleTimer.Reset(l.idle)
	piece, err := l.s.Next()
	l.idleTimer.Stop()
	if cut := l.cutErr(); cut != nil {
		// The limit closed the stream: its error, not the provider's
		// "closed", is what happened.
		return "", l.end(cut)
	}
	if err != nil {
		return piece, l.end(err)
	}
	l.n += len(piece)
	if l.n > l.maxBytes {
		l.stop(&providers.Error{Provider: l.name, Kind: providers.KindServer, Err: ErrAnswerTooLong,
			Message: fmt.Sprintf("the answer passed the %s limit", kib(l.maxBytes)),
			Hint:    fmt.Sprintf("raise max_answer_kb in [providers.%s]", l.name)})
		return "", l.end(l.cutErr())
	}
	return piece, nil
}

func (l *limited) end(err error) error {
	l.err = err
	l.idleTimer.Stop()
	l.totalTimer.Stop()
	return err
}

func (l *limited) Close() error {
	l.idleTimer.Stop()
	l.totalTimer.Stop()
	return l.s.Close()
}

// kib writes a size the way the setting is given.
func kib(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
