package main

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"go.uber.org/zap"

	"switchyard/config"
	"switchyard/lsp"
	"switchyard/providers"
	"switchyard/providers/audit"
	"switchyard/providers/detect"
	"switchyard/providers/router"
)

// backend is where the server meets the providers: the router for each
// configuration, and zero-configuration detection. It is the one place
// the lsp package and the providers packages are put together.
type backend struct {
	// discover runs one round of zero configuration; nil is
	// detect.Discover, looking in the usual places (tests point it at
	// fake runners).
	discover func(ctx context.Context, opts detect.Options) (*config.Layer, detect.Report)
	// audit records every request that leaves the machine; each new
	// configuration's [audit] settings are put in force on it. nil
	// records nothing.
	audit *audit.Log
}

var _ lsp.Backend = backend{}

// NewRouter builds and starts the router, carrying the health state of
// the one it replaces.
func (b backend) NewRouter(ctx context.Context, cfg *config.Config, env lsp.RouterEnv) (providers.Router, error) {
	prev, _ := env.Previous.(*router.Router)
	var onStatus func(router.Status)
	if env.OnStatus != nil {
		onStatus = func(st router.Status) {
			env.OnStatus(lsp.Status{Model: st.Model, Provider: st.Provider, Online: st.Online, LastError: st.LastError})
		}
	}
	opts := router.Options{
		Logger:    env.Logger,
		Workspace: env.Workspace,
		Previous:  prev,
		OnStatus:  onStatus,
	}
	if b.audit != nil {
		if err := b.audit.Configure(cfg.Audit); err != nil && env.Logger != nil {
			// The log records; it does not gate. Requests still go by
			// the policy, and the server's log says why none are
			// recorded.
			env.Logger.Warn("audit log off", zap.Error(err))
		}
		opts.Egress = b.audit.Record
	}
	r, err := router.New(cfg, opts)
	if err != nil {
		return nil, err
	}
	r.Start(ctx)
	return r, nil
}

// Explain is the router's Decision, the same one `switchyard doctor
// --route` prints.
func (backend) Explain(r providers.Router, task, path string) (lsp.Route, bool) {
	rr, ok := r.(*router.Router)
	if !ok {
		return lsp.Route{}, false
	}
	d := rr.Explain(task, path)
	rt := lsp.Route{Decision: json.RawMessage(d.JSON())}
	for _, c := range d.Candidates {
		if c.Model == d.Picked {
			rt.Model, rt.Provider = c.Model, c.Provider
			break
		}
	}
	return rt, true
}

// NoRoute unpacks the router's NoRouteError.
func (backend) NoRoute(err error) (lsp.NoRoute, bool) {
	var nr *router.NoRouteError
	if !errors.As(err, &nr) {
		return lsp.NoRoute{}, false
	}
	out := lsp.NoRoute{Task: nr.Decision.Task, Problem: nr.Decision.Problem}
	for _, c := range nr.Decision.Candidates {
		out.Candidates = append(out.Candidates, lsp.RuledOut{
			Model: c.Model, Provider: c.Provider, Rule: c.Rule,
			Breaker: c.Rule == router.RuleBreaker || c.Rule == router.RuleProbe,
		})
	}
	return out, true
}

// Discover runs detect.Discover and reports what the server shows of it.
func (b backend) Discover(ctx context.Context, timeout time.Duration) (*config.Layer, lsp.Discovery) {
	run := detect.Discover
	if b.discover != nil {
		run = b.discover
	}
	l, rep := run(ctx, detect.Options{Timeout: timeout})
	d := lsp.Discovery{Completion: rep.Completion, Disabled: rep.Disabled, Source: detect.Source}
	for _, p := range rep.Providers {
		f := lsp.Discovered{Name: p.Name, Label: p.Label, Local: p.Local, Found: p.Found, Detail: p.Detail}
		for _, m := range p.Models {
			f.Models = append(f.Models, m.Name)
		}
		d.Providers = append(d.Providers, f)
	}
	return l, d
}
