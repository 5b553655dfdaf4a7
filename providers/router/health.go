package router

import (
	"sync"
	"time"
)

// breakerSettings tune every provider's circuit breaker.
type breakerSettings struct {
	threshold int           // failures within window that open it
	window    time.Duration // how far back failures count
	cooldown  time.Duration // how long it stays open before a trial
	authHold  time.Duration // how long an auth failure keeps it open
}

// breaker is one provider's circuit breaker. Closed, calls go through;
// open, the provider is skipped without a call (so it costs no time);
// after the cool-down it is half-open and lets one trial call through,
// whose success closes it and whose failure opens it again.
type breaker struct {
	mu        sync.Mutex
	failures  []time.Time
	openUntil time.Time
	trial     bool   // a half-open trial call is in flight
	why       string // the error that opened it, for explanations
}

// state reports, without changing anything, whether a call may go
// through now and, if not, why.
func (b *breaker) state(now time.Time) (open bool, until time.Time, why string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Before(b.openUntil) {
		return true, b.openUntil, b.why
	}
	if b.trial {
		return true, time.Time{}, "half-open, a trial call is in flight"
	}
	return false, time.Time{}, ""
}

// begin claims the right to call. It refuses while open, and lets only
// one caller through while half-open.
func (b *breaker) begin(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Before(b.openUntil) || b.trial {
		return false
	}
	if !b.openUntil.IsZero() {
		b.trial = true // half-open: this call is the trial
	}
	return true
}

// success closes the breaker.
func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = b.failures[:0]
	b.openUntil = time.Time{}
	b.trial = false
	b.why = ""
}

// release ends a call that said nothing about the provider's health (the
// editor cancelled, or the request was bad).
func (b *breaker) release() {
	b.mu.Lock()
	b.trial = false
	b.mu.Unlock()
}

// failure records a failed call. A failed trial reopens at once; so does
// force (auth, rate limit). hold is the least time to stay open (a
// Retry-After), 0 for the usual cool-down.
func (b *breaker) failure(now time.Time, s breakerSettings, force bool, hold time.Duration, why string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	trial := b.trial
	b.trial = false
	keep := b.failures[:0]
	for _, t := range b.failures {
		if now.Sub(t) < s.window {
			keep = append(keep, t)
		}
	}
	b.failures = append(keep, now)
	if !force && !trial && len(b.failures) < s.threshold {
		return
	}
	if hold < s.cooldown && !force {
		hold = s.cooldown
	}
	if hold <= 0 {
		hold = s.cooldown
	}
	if until := now.Add(hold); until.After(b.openUntil) {
		b.openUntil = until
	}
	b.why = why
}

// ttft is a moving average of one model's time to first token.
type ttft struct {
	mu  sync.Mutex
	avg time.Duration
	n   int
}

// ttftWeight is how much a new measurement moves the average: enough to
// follow a provider that slows down within a few requests, not so much
// that one slow answer reorders the candidates.
const ttftWeight = 0.3

func (t *ttft) observe(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		t.avg = d
	} else {
		t.avg = time.Duration(ttftWeight*float64(d) + (1-ttftWeight)*float64(t.avg))
	}
	t.n++
}

// get returns the average and whether there is one.
func (t *ttft) get() (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.avg, t.n > 0
}
