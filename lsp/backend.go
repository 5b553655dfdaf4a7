package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"go.uber.org/zap"

	"switchyard/config"
	"switchyard/providers"
)

// Backend is what the server asks of the parts that reach models: a
// router for each configuration in force, what that router would do with
// a request, and, for the user with no configuration file, what runs on
// this machine (zero configuration). The switchyard command puts the
// providers/router and providers/detect packages behind it; a test can
// run the server over anything that behaves alike. The server itself
// knows the protocol, the settings and the completion engine.
type Backend interface {
	// NewRouter builds the router for a merged configuration. Its
	// background work (health probes) lasts until ctx ends or the router
	// is closed; the server closes the router it replaces when that is an
	// io.Closer.
	NewRouter(ctx context.Context, cfg *config.Config, env RouterEnv) (providers.Router, error)
	// Explain says, without a call, which model a request for task
	// carrying the content of path would go to through r, and why every
	// other candidate was removed. ok is false when r cannot say (one
	// this backend did not build, or nil).
	Explain(r providers.Router, task, path string) (rt Route, ok bool)
	// NoRoute reports whether err says that no model could serve a
	// request because every candidate was ruled out, and which were.
	NoRoute(err error) (NoRoute, bool)
	// Discover looks once for local runners and standard API keys and
	// returns the configuration they make, nil when nothing usable was
	// found. timeout bounds one probe; 0 is the backend's default, short
	// enough for start-up to wait on.
	Discover(ctx context.Context, timeout time.Duration) (*config.Layer, Discovery)
}

// RouterEnv is what a router needs from the server besides the
// configuration.
type RouterEnv struct {
	Logger *zap.Logger
	// Workspace lists the workspace folders (their .switchyardignore).
	Workspace []string
	// Previous is the router being replaced, nil at first: providers
	// whose configuration did not change keep their health state. It may
	// be one this backend did not build (the server's stand-in for a
	// configuration that was rejected), which carries nothing over.
	Previous providers.Router
	// OnStatus is told whenever what switchyard/status shows changes. It
	// is called from request goroutines and does not block.
	OnStatus func(Status)
}

// Status is the switchyard/status notification: the model and provider
// requests go to, whether remote providers are reachable, and the last
// provider error. The editor plugins render it.
type Status struct {
	Model     string `json:"model,omitempty"`
	Provider  string `json:"provider,omitempty"`
	Online    bool   `json:"online"`
	LastError string `json:"lastError,omitempty"`
	// NextEdit is set while next-edit suggestions are on, whichever layer
	// of the configuration turned them on: config.toml alone must be
	// enough, and the plugins cannot read it. The server fills it in.
	NextEdit *NextEditStatus `json:"nextEdit,omitempty"`
}

// NextEditStatus is what the plugins need to ask for next edits: how
// long to wait after the last keystroke.
type NextEditStatus struct {
	DebounceMS int64 `json:"debounceMs"`
}

// Route is a router's answer for one task, before any call.
type Route struct {
	// Model and Provider are tried first; "" when no model can serve it.
	Model, Provider string
	// Decision is every candidate with what removed it, as JSON: what
	// switchyard.explainRoute returns and `switchyard doctor --route`
	// prints.
	Decision json.RawMessage
}

// NoRoute says why no model could serve a request.
type NoRoute struct {
	Task    string
	Problem string // why no candidate could be listed at all, if so
	// Candidates are the models ruled out, each with the rule that
	// removed it.
	Candidates []RuledOut
}

// RuledOut is one model a request could not go to.
type RuledOut struct {
	Model, Provider string
	Rule            string // the rule that removed it, as the decision names it
	// Breaker: its provider failed recently, its circuit breaker open or
	// (a local runner) its health probe unanswered. A failure the user
	// was just told of rules it out: no second message for one cause.
	Breaker bool
}

// Discovery is what one round of zero configuration saw.
type Discovery struct {
	Providers []Discovered
	// Completion lists the models for inline completion, best first.
	Completion []string
	// Disabled: the user turned detection off and nothing was looked at.
	Disabled bool
	// Source names the detected configuration in messages.
	Source string
}

// Discovered is what was seen of one provider.
type Discovered struct {
	Name   string // [providers.NAME]
	Label  string // what people call it: "Ollama"
	Local  bool
	Found  bool     // the runner answers, or the credential is there
	Detail string   // what was seen, or why not and what to do
	Models []string // the models it offers, [models.NAME]
}

// Usable reports whether anything was found that can serve a request.
func (d *Discovery) Usable() bool { return slices.ContainsFunc(d.Providers, usable) }

// Provider returns what the discovery says of the provider named name.
func (d *Discovery) Provider(name string) (Discovered, bool) {
	i := slices.IndexFunc(d.Providers, func(p Discovered) bool { return p.Name == name })
	if i < 0 {
		return Discovered{}, false
	}
	return d.Providers[i], true
}

// Same reports whether two rounds found the same providers serving the
// same models, with the same completion route: whether the configuration
// they make differs. Details (why a runner did not answer) do not count.
func (d *Discovery) Same(o *Discovery) bool {
	return d.Disabled == o.Disabled && slices.Equal(d.Completion, o.Completion) && slices.Equal(d.found(), o.found())
}

// found lists "provider/model" for everything usable, in order.
func (d *Discovery) found() []string {
	var out []string
	for _, p := range d.Providers {
		if !p.Found {
			continue
		}
		out = append(out, p.Name+"/")
		out = append(out, p.Models...)
	}
	return out
}

// errNoBackend is why nothing is routed by a server given no Backend.
var errNoBackend = errors.New("this server was started without a backend to reach models")

// noBackend is the Backend of a server given none: no router can be
// built and nothing is looked for.
type noBackend struct{}

func (noBackend) NewRouter(context.Context, *config.Config, RouterEnv) (providers.Router, error) {
	return nil, errNoBackend
}
func (noBackend) Explain(providers.Router, string, string) (Route, bool) { return Route{}, false }
func (noBackend) NoRoute(error) (NoRoute, bool)                          { return NoRoute{}, false }
func (noBackend) Discover(context.Context, time.Duration) (*config.Layer, Discovery) {
	return nil, Discovery{Disabled: true}
}
