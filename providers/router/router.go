package router

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/catalog"
)

// Options are what a Router needs besides the configuration. The zero
// value works.
type Options struct {
	Logger *zap.Logger
	// Now and Rand stand in for the clock and the jitter source in tests.
	Now  func() time.Time
	Rand func() float64 // in [0, 1)
	// HTTPClient makes the health probes; nil uses a client with a short
	// timeout.
	HTTPClient *http.Client
	// OnStatus is told the model, provider, online state and last error
	// whenever one of them changes (the switchyard/status notification).
	// It is called from request goroutines and must not block.
	OnStatus func(Status)
	// Workspace lists the workspace folders; each one's .switchyardignore
	// adds to [policy] local_only.
	Workspace []string
	// Previous is the router this one replaces after a configuration
	// change: providers whose configuration did not change keep their
	// client (and its HTTP connections), breaker and latency averages,
	// and the online state carries over.
	Previous *Router
	// NewProvider builds a provider; nil uses the built-in factory. Tests
	// use it to put in-memory providers behind a configuration.
	NewProvider func(name string, cfg config.Provider) (providers.Provider, error)
	// Egress is told of every call to a provider that is not local, after
	// redaction and before the call (the audit log). It must not block.
	Egress func(providers.Egress)

	ProbeInterval    time.Duration // between health probes; default 30s
	ProbeTimeout     time.Duration // for one probe; default 2s
	RetryBackoff     time.Duration // before retrying a network or server error, jittered ±50%; default 20ms
	BreakerThreshold int           // failures within BreakerWindow that open a breaker; default 3
	BreakerWindow    time.Duration // default 30s
	BreakerCooldown  time.Duration // how long an open breaker waits before a trial; default 15s
	AuthCooldown     time.Duration // how long an auth failure keeps a breaker open; default 10m
}

func (o *Options) fill() {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = 2 * time.Second
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.ProbeTimeout}
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = 30 * time.Second
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = 20 * time.Millisecond
	}
	if o.BreakerThreshold <= 0 {
		o.BreakerThreshold = 3
	}
	if o.BreakerWindow <= 0 {
		o.BreakerWindow = 30 * time.Second
	}
	if o.BreakerCooldown <= 0 {
		o.BreakerCooldown = 15 * time.Second
	}
	if o.AuthCooldown <= 0 {
		o.AuthCooldown = 10 * time.Minute
	}
}

// provider is one [providers.NAME] entry with its routing state.
type provider struct {
	name     string
	cfg      config.Provider
	impl     providers.Provider
	buildErr error
	data     config.DataPolicy
	local    bool
	where    string // why it counts as local or remote, catalog.Locality
	breaker  *breaker
	probe    *atomic.Pointer[string] // why the last health probe failed; nil pointer value when it passed
}

func (p *provider) probeFailure() string {
	if s := p.probe.Load(); s != nil {
		return *s
	}
	return ""
}

// target is one [models.NAME] entry with its routing state.
type target struct {
	name      string
	model     config.Model
	prov      *provider // nil when configErr is set
	vision    bool
	local     bool
	ttft      *ttft
	price     float64 // list price, USD per million input plus output tokens; +Inf when unknown
	configErr string
}

// price is what ranking compares last: the vendor's list price for the
// model, which only holds on the vendor's own API but orders models
// sensibly elsewhere too. Local models cost nothing; unknown prices sort
// after known ones.
func price(m config.Model) float64 {
	if e, ok := catalog.Lookup(m.ID); ok && e.Price != nil {
		return e.Price.Input + e.Price.Output
	}
	return math.Inf(1)
}

// Router implements providers.Router over one configuration. Build a new
// one when the configuration changes (with Options.Previous set to the
// old one) and Close the old one.
type Router struct {
	cfg      *config.Config
	opts     Options
	log      *zap.Logger
	provs    map[string]*provider
	targets  map[string]*target
	breakers breakerSettings

	// localOnly is [policy] local_only with each workspace's
	// .switchyardignore; it is replaced when a file changes (ignore.go).
	localOnly atomic.Pointer[localOnly]
	ignore    ignoreWatch
	pathRules []pathRule // [[policy.paths]]
	noPolicy  bool       // tests only: skip the data policy, to prove its tests can fail

	// candidates lists each task's models: [routes] in order, or every
	// model of the task's class by name. withLocal adds every other local
	// model, for requests that may only go to local models.
	candidates map[string][]*target
	withLocal  map[string][]*target

	net    *netState
	status *statusState

	probing   atomic.Bool // Start was called and Close was not
	closeOnce sync.Once
	stop      context.CancelFunc
	done      chan struct{}
}

var _ providers.Router = (*Router)(nil)

// New builds the router for cfg, building each configured provider once.
// A provider that cannot be built does not fail New: its models are
// removed from every plan with the reason, so one bad entry does not take
// the others down. New fails only when the workspace's .switchyardignore
// cannot be read, since ignoring it could send local-only code away.
func New(cfg *config.Config, opts Options) (*Router, error) {
	opts.fill()
	if cfg == nil {
		cfg = &config.Config{}
	}
	stamps := stampIgnoreFiles(opts.Workspace)
	lo, err := newLocalOnly(cfg.Policy, opts.Workspace)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w: fix the file's permissions, or remove it and use [policy] local_only", IgnoreFile, err)
	}
	r := &Router{
		cfg:       cfg,
		opts:      opts,
		log:       opts.Logger,
		provs:     map[string]*provider{},
		targets:   map[string]*target{},
		ignore:    ignoreWatch{checked: opts.Now(), stamps: stamps},
		pathRules: compilePathRules(cfg.Policy.Paths),
		breakers: breakerSettings{
			threshold: opts.BreakerThreshold,
			window:    opts.BreakerWindow,
			cooldown:  opts.BreakerCooldown,
			authHold:  opts.AuthCooldown,
		},
		candidates: map[string][]*target{},
		withLocal:  map[string][]*target{},
	}
	r.localOnly.Store(lo)
	prev := opts.Previous
	if prev != nil {
		r.net, r.status = prev.net, prev.status
	} else {
		r.net = &netState{online: true}
		r.status = &statusState{}
	}
	r.status.fn = opts.OnStatus
	build := opts.NewProvider
	if build == nil {
		build = newProvider
	}
	for name, pc := range cfg.Providers {
		if prev != nil {
			if old, ok := prev.provs[name]; ok && reflect.DeepEqual(old.cfg, pc) {
				r.provs[name] = old
				continue
			}
		}
		p := &provider{
			name:    name,
			cfg:     pc,
			data:    catalog.DataPolicy(pc),
			breaker: &breaker{},
			probe:   &atomic.Pointer[string]{},
		}
		p.local, p.where = catalog.Locality(name, pc)
		if !pc.Disabled {
			p.impl, p.buildErr = build(name, pc)
			if p.buildErr == nil && p.impl == nil {
				p.buildErr = fmt.Errorf("provider %s: could not be built", name)
			}
		}
		r.provs[name] = p
	}
	for name, m := range cfg.Models {
		// Fill is idempotent, so a configuration the server already
		// completed from the catalogue comes through unchanged; one that
		// was not (doctor, tests) gets the same classes and windows.
		m = catalog.Fill(m, cfg.Providers[m.Provider])
		t := &target{name: name, model: m, ttft: &ttft{}, price: price(m)}
		t.vision = m.Vision || hasClass(m, config.ClassMultimodal)
		if p, ok := r.provs[m.Provider]; ok {
			t.prov = p
			t.local = p.local
			if p.local {
				t.price = 0
			}
		} else if m.Provider == "" {
			t.configErr = fmt.Sprintf("[models.%s] names no provider: set provider to one of the [providers] entries", name)
		} else {
			t.configErr = fmt.Sprintf("[models.%s] provider %q is not configured: add [providers.%s] or fix the name", name, m.Provider, m.Provider)
		}
		if prev != nil {
			if old, ok := prev.targets[name]; ok && old.prov != nil && old.prov == t.prov && reflect.DeepEqual(old.model, m) {
				t.ttft = old.ttft
			}
		}
		r.targets[name] = t
	}
	r.buildCandidates()
	return r, nil
}

func hasClass(m config.Model, class string) bool {
	for _, c := range m.Classes {
		if c == class {
			return true
		}
	}
	return false
}

func (r *Router) buildCandidates() {
	names := make([]string, 0, len(r.targets))
	for n := range r.targets {
		names = append(names, n)
	}
	sort.Strings(names)
	var locals []*target
	for _, n := range names {
		if t := r.targets[n]; t.local || hasClass(t.model, config.ClassLocal) {
			locals = append(locals, t)
		}
	}
	for task := range taskClass {
		class, _, _ := r.classFor(task)
		var list []*target
		if pinned := r.cfg.Routes[task]; len(pinned) > 0 {
			seen := map[string]bool{}
			for _, n := range pinned {
				if seen[n] {
					continue
				}
				seen[n] = true
				t, ok := r.targets[n]
				if !ok {
					t = &target{name: n, ttft: &ttft{}, configErr: fmt.Sprintf("[routes] %s names %q, which is not in [models]: add [models.%s] or fix the name", task, n, n)}
				}
				list = append(list, t)
			}
		} else {
			for _, n := range names {
				if t := r.targets[n]; hasClass(t.model, class) {
					list = append(list, t)
				}
			}
		}
		r.candidates[task] = list
		all := append([]*target(nil), list...)
		for _, t := range locals {
			dup := false
			for _, u := range list {
				dup = dup || u == t
			}
			if !dup {
				all = append(all, t)
			}
		}
		r.withLocal[task] = all
	}
}

func (r *Router) now() time.Time { return r.opts.Now() }

// Config returns the configuration the router was built from.
func (r *Router) Config() *config.Config { return r.cfg }

// Explain plans a request for task whose content comes from path (may be
// ""), for `switchyard doctor --route` and switchyard.explainRoute.
func (r *Router) Explain(task, path string) Decision {
	need := providers.Need{Task: task}
	if path != "" {
		need.Paths = []string{path}
	}
	r.refreshIgnore(r.now())
	d := r.Plan(need)
	for i := range d.Candidates {
		if c := &d.Candidates[i]; c.Kept {
			c.Admitted = r.Admitted(need, c.Model)
		}
	}
	return d
}

// LocalOnlyRule says why content from path must stay on local models for
// task: the [policy] local_only glob or .switchyardignore line it
// matches, or the task's or path's override that keeps it local. It is
// "" when path's content may go to any model the policy allows.
func (r *Router) LocalOnlyRule(task, path string) string {
	r.refreshIgnore(r.now())
	lo := r.localOnly.Load()
	if rule := lo.rule(path); rule != "" {
		return path + " matches " + rule
	}
	return r.policyFor(providers.Need{Task: task, Paths: []string{path}}, lo).local
}

// Stream calls the planned candidates in turn until one produces its
// first piece of text, and returns a stream that replays that piece. It
// re-plans before each fallback, so policy, breakers and the online state
// are applied to every candidate it tries. After the first piece, errors
// are the caller's: nothing has been shown yet only until then.
func (r *Router) Stream(ctx context.Context, need providers.Need, call providers.Call) (providers.Stream, providers.Target, error) {
	ex := &exclusions{}
	var last error
	r.refreshIgnore(r.now())
	for {
		if err := ctx.Err(); err != nil {
			return nil, providers.Target{}, err
		}
		now := r.now()
		d := r.plan(need, ex, now)
		if d.Picked == "" {
			err := &NoRouteError{Decision: d, Last: last}
			if last == nil {
				r.setLastError("", err)
			}
			return nil, providers.Target{}, err
		}
		t := r.targets[d.Picked]
		if !t.prov.breaker.begin(now) {
			// Another request took the half-open trial between plan and
			// call: skip it here, as an open breaker would be.
			ex.fail(t.name, fmt.Sprintf("provider %s is half-open and its trial call is in flight", t.prov.name))
			continue
		}
		target := providers.Target{Name: t.name, Model: t.model, Provider: r.egressFor(t, need)}
		s, err := r.attempt(ctx, t, target, call)
		if err == nil {
			r.succeeded(t, need.Task)
			return s, target, nil
		}
		last = err
		kind := providers.KindOf(err)
		if kind == providers.KindCanceled || ctx.Err() != nil {
			t.prov.breaker.release()
			return nil, target, err
		}
		r.failed(t, err, kind)
		switch kind {
		case providers.KindBadRequest:
			// The request itself is wrong; another model would refuse it
			// too, and trying would only hide the cause.
			return nil, target, err
		case providers.KindContextWindow:
			if w := t.model.ContextWindow; w > ex.minWindow {
				ex.minWindow = w
			} else if w == 0 && need.PromptTokens > ex.minWindow {
				ex.minWindow = need.PromptTokens
			}
		case providers.KindContentPolicy:
			if ex.vendors == nil {
				ex.vendors = map[string]string{}
			}
			ex.vendors[t.prov.cfg.Type] = fmt.Sprintf("%s (%s) refused the content in this request: another vendor is tried", t.prov.name, t.prov.cfg.Type)
		}
		ex.fail(t.name, "failed in this request: "+err.Error())
	}
}

func (ex *exclusions) fail(model, why string) {
	if ex.failed == nil {
		ex.failed = map[string]string{}
	}
	ex.failed[model] = why
}

// attempt calls one target and waits for its first piece of text. A
// network or server error is retried once on the same target after a
// jittered pause, since most are momentary.
func (r *Router) attempt(ctx context.Context, t *target, target providers.Target, call providers.Call) (providers.Stream, error) {
	for try := 0; ; try++ {
		start := r.now()
		s, err := call(ctx, target)
		if err == nil {
			s = limit(s, t.prov.name, t.prov.cfg)
			var first string
			first, err = firstPiece(s)
			if err == nil || err == io.EOF {
				t.ttft.observe(r.now().Sub(start))
				return &replay{r: r, t: t, s: s, first: first, eof: err == io.EOF}, nil
			}
			s.Close()
		}
		kind := providers.KindOf(err)
		if try > 0 || (kind != providers.KindNetwork && kind != providers.KindServer) || ctx.Err() != nil {
			return nil, err
		}
		r.log.Debug("retrying", zap.String("model", t.name), zap.String("provider", t.prov.name), zap.Stringer("kind", kind))
		pause := time.Duration(float64(r.opts.RetryBackoff) * (0.5 + r.opts.Rand()))
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// firstPiece reads until the first non-empty piece: some servers open
// with empty deltas (a role, a ping) that say nothing about success.
func firstPiece(s providers.Stream) (string, error) {
	for {
		piece, err := s.Next()
		if piece != "" || err != nil {
			return piece, err
		}
	}
}

// succeeded records a call that produced its first piece. The status
// names the model that answered the user's last request; a next-edit
// prediction is not one the user made (it runs on every pause in typing,
// often on another model), so it must not make the status bar flip.
func (r *Router) succeeded(t *target, task string) {
	t.prov.breaker.success()
	t.prov.probe.Store(nil)
	if !t.local {
		r.setOnline(true, "")
	}
	r.status.update(func(s *Status) {
		if task != config.TaskNextEdit {
			s.Model, s.Provider = t.name, t.prov.name
		}
		s.Online = r.net.isOnline()
		if s.errProvider == t.prov.name {
			s.LastError, s.errProvider = "", ""
		}
	})
}

// failed records a failed call in the provider's breaker and, for a
// remote network failure, marks the machine offline.
func (r *Router) failed(t *target, err error, kind providers.Kind) {
	now := r.now()
	p := t.prov
	msg := err.Error()
	r.log.Info("provider call failed", zap.String("model", t.name), zap.String("provider", p.name), zap.Stringer("kind", kind), zap.String("error", msg))
	switch kind {
	case providers.KindAuth:
		p.breaker.failure(now, r.breakers, true, r.breakers.authHold, msg)
	case providers.KindRateLimited:
		var pe *providers.Error
		hold := time.Duration(0)
		if errors.As(err, &pe) {
			hold = pe.RetryAfter
		}
		p.breaker.failure(now, r.breakers, true, hold, msg)
	case providers.KindNetwork:
		p.breaker.failure(now, r.breakers, false, 0, msg)
		if !p.local {
			r.setOnline(false, fmt.Sprintf("provider %s: %s", p.name, shortCause(err)))
		}
	case providers.KindServer, providers.KindTimeout, providers.KindUnknown:
		p.breaker.failure(now, r.breakers, false, 0, msg)
	default:
		// Not found, context window, content policy, unsupported: the
		// provider is healthy; the request did not suit it.
		p.breaker.release()
	}
	if kind != providers.KindUnsupported {
		r.setLastError(p.name, err)
	}
}

func shortCause(err error) string {
	var pe *providers.Error
	if errors.As(err, &pe) && pe.Err != nil {
		return pe.Err.Error()
	}
	return err.Error()
}

// replay is the stream handed to the caller: the first piece, already
// read, then the provider's stream. It records a failure after the first
// piece (a cut stream) in the provider's breaker.
type replay struct {
	r     *Router
	t     *target
	s     providers.Stream
	first string
	eof   bool
	sent  bool
}

func (s *replay) Next() (string, error) {
	if !s.sent {
		s.sent = true
		if s.first != "" {
			return s.first, nil
		}
	}
	if s.eof {
		return "", io.EOF
	}
	piece, err := s.s.Next()
	if err == io.EOF {
		s.eof = true
	} else if err != nil {
		if kind := providers.KindOf(err); kind != providers.KindCanceled {
			s.r.failed(s.t, err, kind)
		}
	}
	return piece, err
}

func (s *replay) Close() error { return s.s.Close() }

// Close stops the health probes. Requests in flight finish.
func (r *Router) Close() error {
	r.closeOnce.Do(func() {
		if r.stop != nil {
			r.stop()
			<-r.done
			r.probing.Store(false)
		}
	})
	return nil
}

// netState is whether this machine can reach remote providers. It
// outlives a configuration change: the network did not change with it.
type netState struct {
	mu     sync.Mutex
	online bool
	why    string
	since  time.Time
}

func (n *netState) isOnline() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.online
}

// online reports whether remote providers are candidates now. Without
// the probes that Start runs, nothing would ever notice the way back, so
// a passive offline mark then lapses after ProbeInterval and the next
// request tries the remote candidates again.
func (r *Router) online(now time.Time) bool {
	n := r.net
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.online || (!r.probing.Load() && now.Sub(n.since) >= r.opts.ProbeInterval)
}

func (n *netState) reason() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.why
}

// setOnline records the online state and tells the editor on a change.
func (r *Router) setOnline(online bool, why string) {
	n := r.net
	n.mu.Lock()
	changed := n.online != online
	n.online, n.why = online, why
	if changed || !online {
		// Each new sign of being offline restarts the lapse in online().
		n.since = r.now()
	}
	n.mu.Unlock()
	if changed {
		if online {
			r.log.Info("back online: remote providers are candidates again")
		} else {
			r.log.Info("offline: only local models are candidates", zap.String("cause", why))
		}
		r.status.update(func(s *Status) { s.Online = online })
	}
}

// Status is what the switchyard/status notification tells the editor.
type Status struct {
	Model     string `json:"model,omitempty"`
	Provider  string `json:"provider,omitempty"`
	Online    bool   `json:"online"`
	LastError string `json:"last_error,omitempty"`

	errProvider string // whose failure LastError is, so its success clears it
}

type statusState struct {
	mu  sync.Mutex
	cur Status
	set bool
	fn  func(Status)
}

// update applies f and calls the callback if anything the editor sees
// changed. The callback runs under the lock so that the editor receives
// changes in the order they happened.
func (s *statusState) update(f func(*Status)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.cur
	f(&next)
	changed := !s.set || next.Model != s.cur.Model || next.Provider != s.cur.Provider ||
		next.Online != s.cur.Online || next.LastError != s.cur.LastError
	s.cur, s.set = next, true
	if changed && s.fn != nil {
		s.fn(next)
	}
}

func (r *Router) setLastError(provider string, err error) {
	r.status.update(func(s *Status) {
		s.Online = r.net.isOnline()
		s.LastError, s.errProvider = err.Error(), provider
	})
}

// Status returns the current status.
func (r *Router) Status() Status {
	r.status.mu.Lock()
	defer r.status.mu.Unlock()
	s := r.status.cur
	if !r.status.set {
		s.Online = r.net.isOnline()
	}
	return s
}

// Start begins the health probes: local runners now and every
// ProbeInterval, and, while offline, remote hosts to notice the way back.
// It also warms the local model that inline completion would use. Close
// stops them.
func (r *Router) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	r.stop = cancel
	r.probing.Store(true)
	r.done = make(chan struct{})
	go func() {
		r.warmRedaction()
		r.probeLoop(ctx)
	}()
}
