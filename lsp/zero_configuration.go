package lsp

import (
	"fmt"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"switchyard/config"
)

// Zero configuration (no configuration file) looks again in the
// background for as long as the server runs: someone who opens the
// editor first and starts Ollama second gets completions without a
// restart, and a runner that stops, or gains a model, changes the routes
// too. Each round costs a few refused connections on this machine when
// nothing runs, so it can be frequent while nothing was found.

const (
	// rediscoverIdle is how often to look while nothing usable was found.
	rediscoverIdle = 10 * time.Second
	// rediscoverRunning is how often to look while detected providers
	// serve, to notice runners added or removed.
	rediscoverRunning = 45 * time.Second
	// rediscoverTimeout bounds one probe of a background round. Nothing
	// waits on it, so a runner busy loading a model gets longer than at
	// start-up before it counts as gone.
	rediscoverTimeout = 2 * time.Second
)

// keepDetecting starts the background rounds, last being what start-up
// found. It does nothing when detection is off or rediscovery disabled.
func (st *settings) keepDetecting(last Discovery) {
	if last.Disabled || st.s.opts.Rediscover < 0 {
		return
	}
	st.detecting = true
	st.s.jobs.Add(1)
	go st.rediscover(last)
}

func (st *settings) rediscoverAfter(last *Discovery) time.Duration {
	switch {
	case st.s.opts.Rediscover > 0:
		return st.s.opts.Rediscover
	case last.Usable():
		return rediscoverRunning
	}
	return rediscoverIdle
}

// rediscover runs detection every interval until the server stops, and
// replaces the detected configuration when what it sees changed.
func (st *settings) rediscover(last Discovery) {
	defer st.s.jobs.Done()
	ctx := st.s.ctx
	t := time.NewTimer(st.rediscoverAfter(&last))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l, rep := st.discover(rediscoverTimeout)
		if ctx.Err() != nil {
			// Probes cut short by shutdown found nothing: not a change.
			return
		}
		if !rep.Same(&last) {
			st.applyDetected(l, &last, &rep)
			last = rep
		}
		t.Reset(st.rediscoverAfter(&last))
	}
}

// applyDetected puts a new detected configuration in force in place of
// the old one, and says what changed.
func (st *settings) applyDetected(l *config.Layer, before, now *Discovery) {
	st.s.log.Info("zero configuration: what is detected changed", zap.Strings("completion", now.Completion))
	// nil when nothing usable is left: the defaults, as at start-up.
	if err := st.store.SetUser(l); err != nil {
		// A workspace file may name a model that went away with its
		// runner; the Store keeps the last good configuration.
		st.problem("the "+now.Source+" configuration", err)
		return
	}
	st.rebuild()
	st.announce(before, now)
}

// announce tells the user about local runners that appeared or went
// away. A runner that now serves completions is worth a message on
// screen, once for each time it appears; the rest goes to the log.
func (st *settings) announce(before, now *Discovery) {
	for _, p := range now.Providers {
		if !p.Local || !usable(p) {
			continue
		}
		if was, ok := before.Provider(p.Name); ok && usable(was) {
			continue
		}
		if id, ok := st.completesWith(p.Name); ok {
			st.show(protocol.MessageTypeInfo, fmt.Sprintf("Switchyard: found %s with %s; completions now use it", p.Label, id))
			continue
		}
		st.s.logMessage(protocol.MessageTypeInfo, fmt.Sprintf("Switchyard: found %s with %d models", p.Label, len(p.Models)))
	}
	for _, p := range before.Providers {
		if !p.Local || !usable(p) {
			continue
		}
		if is, ok := now.Provider(p.Name); ok && usable(is) {
			continue
		}
		st.s.logMessage(protocol.MessageTypeInfo, fmt.Sprintf("Switchyard: %s no longer answers; its models are not used until it is back", p.Label))
	}
}

func usable(p Discovered) bool { return p.Found && len(p.Models) > 0 }

// completesWith returns the model id that inline completion goes to
// first when it is one of provider's: editor settings or a workspace file
// may route completion elsewhere.
func (st *settings) completesWith(provider string) (string, bool) {
	cfg := st.store.Current()
	route := cfg.Routes[config.TaskCompletion]
	if len(route) == 0 {
		return "", false
	}
	m, ok := cfg.Models[route[0]]
	if !ok || m.Provider != provider {
		return "", false
	}
	return m.ID, true
}
