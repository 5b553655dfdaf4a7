package detect

import (
	"cmp"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchyard/config"
	"switchyard/providers/catalog"
	"switchyard/providers/ollama"
)

// EnvDisable names the environment variable that, set to anything but
// "" or "0", turns detection off: no port is probed and no key looked at.
const EnvDisable = "SWITCHYARD_NO_DETECT"

// Source is the Layer source of a detected configuration, as problems and
// doctor name it.
const Source = "auto-detected"

// DefaultTimeout bounds one probe. Runners on this machine answer in a
// few milliseconds; one that takes longer is not ready for completions
// anyway, and start-up must not wait for it.
const DefaultTimeout = 300 * time.Millisecond

// Runner is a local runner to look for.
type Runner struct {
	Name    string // the provider name it gets, [providers.NAME]
	Type    string // its config type: "ollama", "llamacpp" or "openai"
	BaseURL string
	Label   string // what people call it
	Start   string // how to start it, for the report
}

// DefaultRunners are the runners looked for, on their default ports;
// Ollama where OLLAMA_HOST says, as its own command line finds it.
func DefaultRunners() []Runner { return defaultRunners(os.Getenv) }

func defaultRunners(getenv func(string) string) []Runner {
	return []Runner{
		{Name: "ollama", Type: "ollama", BaseURL: ollama.HostURL(getenv(ollama.EnvHost)), Label: "Ollama",
			Start: "start it with `ollama serve` and pull a code model: `ollama pull qwen2.5-coder:1.5b-base`"},
		{Name: "llamacpp", Type: "llamacpp", BaseURL: "http://127.0.0.1:8080", Label: "llama.cpp",
			Start: "start it with `llama-server -m MODEL.gguf --port 8080`"},
		{Name: "lmstudio", Type: "openai", BaseURL: presetURL("lmstudio"), Label: "LM Studio",
			Start: "start its server from the Developer tab, or `lms server start`"},
		{Name: "vllm", Type: "openai", BaseURL: presetURL("vllm"), Label: "vLLM",
			Start: "start it with `vllm serve MODEL`"},
	}
}

// presetURL is the endpoint of a local server's preset, so detection
// probes the same address a configured preset would use.
func presetURL(name string) string {
	p, _ := config.LookupPreset(name)
	return p.BaseURL
}

// Options says where to look. The zero value looks in the usual places.
type Options struct {
	Runners []Runner            // nil: DefaultRunners(), OLLAMA_HOST read through Getenv
	Getenv  func(string) string // nil: os.Getenv
	// Home is the home directory, for ~/.aws and the gcloud application
	// default credentials; "" asks the operating system.
	Home    string
	Timeout time.Duration // one probe's deadline; 0: DefaultTimeout
	// NoKeys skips the credential checks (a runner-only view).
	NoKeys bool
}

func (o *Options) fill() {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Runners == nil {
		o.Runners = defaultRunners(o.Getenv)
	}
	if o.Home == "" {
		o.Home, _ = os.UserHomeDir()
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
}

// Provider is what was found (or not) for one provider.
type Provider struct {
	Name    string // [providers.NAME]
	Label   string // "Ollama", "OpenAI"
	Config  config.Provider
	Local   bool
	Found   bool   // the runner answers, or the credential is there
	Detail  string // what was seen, or why not and what to do
	Models  []Model
	Checked bool // a request reached the provider (false: only the credential was looked at)
}

// Model is one model a provider offers.
type Model struct {
	Name   string       // [models.NAME]: "provider/id"
	Model  config.Model // already completed from the catalogue
	Insert bool         // the runner says it fills in the middle natively
	Size   float64      // billions of parameters, 0 when the runner does not say
}

// Report is what Discover found, in the order it looked.
type Report struct {
	Providers []Provider
	// Completion lists the models for inline completion, best first: a
	// code model that fills in the middle before a general one, local
	// before remote.
	Completion []string
	Disabled   bool // EnvDisable was set
}

// Usable reports whether anything was found that can serve a request.
func (r *Report) Usable() bool {
	for _, p := range r.Providers {
		if p.Found && len(p.Models) > 0 {
			return true
		}
	}
	return false
}

// Provider returns what the report says of the provider named name.
func (r *Report) Provider(name string) (Provider, bool) {
	for _, p := range r.Providers {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}

// Same reports whether two reports found the same providers serving the
// same models, with the same completion route, so that a caller running
// Discover again knows whether its configuration would change. Details
// (why a runner did not answer) do not count.
func (r *Report) Same(o *Report) bool {
	return r.Disabled == o.Disabled && slices.Equal(r.Completion, o.Completion) && slices.Equal(r.found(), o.found())
}

// found lists "provider/model" for everything usable, in report order.
func (r *Report) found() []string {
	var out []string
	for _, p := range r.Providers {
		if !p.Found {
			continue
		}
		out = append(out, p.Name+"/")
		for _, m := range p.Models {
			out = append(out, m.Name)
		}
	}
	return out
}

// Disabled reports whether detection is turned off by EnvDisable.
func Disabled(getenv func(string) string) bool {
	if getenv == nil {
		getenv = os.Getenv
	}
	v := strings.TrimSpace(getenv(EnvDisable))
	return v != "" && v != "0"
}

// Discover probes the local runners in parallel and looks for
// credentials, and returns the configuration they make (nil when nothing
// usable was found) with the report of what was seen. The layer holds
// providers, models and the completion route; other tasks choose among
// the models by class. It never returns an error: whatever did not
// answer is in the report with the reason.
func Discover(ctx context.Context, opts Options) (*config.Layer, Report) {
	opts.fill()
	if Disabled(opts.Getenv) {
		return nil, Report{Disabled: true}
	}
	found := make([]Provider, len(opts.Runners))
	var wg sync.WaitGroup
	for i, r := range opts.Runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			found[i] = probeRunner(ctx, r, opts.Timeout)
		}()
	}
	wg.Wait()
	rep := Report{Providers: found}
	if !opts.NoKeys {
		rep.Providers = append(rep.Providers, keyed(opts)...)
	}
	rep.Completion = completionRoute(rep.Providers)
	return layer(&rep), rep
}

// layer turns what was found into a configuration layer, by way of the
// same JSON decoding editor settings get, so that it is checked like any
// other source.
func layer(rep *Report) *config.Layer {
	if !rep.Usable() {
		return nil
	}
	type settings struct {
		Providers map[string]config.Provider `json:"providers"`
		Models    map[string]config.Model    `json:"models"`
		Routes    map[string][]string        `json:"routes,omitempty"`
	}
	s := settings{Providers: map[string]config.Provider{}, Models: map[string]config.Model{}}
	for _, p := range rep.Providers {
		if !p.Found || len(p.Models) == 0 {
			continue
		}
		s.Providers[p.Name] = p.Config
		for _, m := range p.Models {
			s.Models[m.Name] = m.Model
		}
	}
	if len(rep.Completion) > 0 {
		s.Routes = map[string][]string{config.TaskCompletion: rep.Completion}
	}
	data, err := json.Marshal(s)
	if err != nil {
		return nil
	}
	l, err := config.ParseJSON(data, Source)
	if err != nil {
		// Only a bug here could produce a layer the schema rejects; the
		// report still says what was found.
		return nil
	}
	return l
}

// fimScore ranks a model for inline completion: a code model trained to
// fill in the middle that the runner can serve natively, then one of
// either, then a general model, which can only continue the prefix.
func fimScore(m Model) int {
	known := m.Model.FIM != "" && m.Model.FIM != "none" && m.Model.FIM != "native"
	completion := slices.Contains(m.Model.Classes, config.ClassCompletion)
	switch {
	case known && completion && m.Insert:
		return 4
	case known && completion:
		return 3
	case m.Insert:
		return 2
	case known || completion:
		return 1
	}
	return 0
}

// completionRoute orders the models for inline completion: local ones by
// fill-in-the-middle score, smaller first among equals (completion waits
// on every token), then remote models of the completion class. Remote
// general models are listed only when there is nothing else, since a
// chat answer from far away is a poor completion but better than none.
func completionRoute(ps []Provider) []string {
	var local, remote, remoteOther []Model
	for _, p := range ps {
		if !p.Found {
			continue
		}
		for _, m := range p.Models {
			switch {
			case p.Local:
				local = append(local, m)
			case slices.Contains(m.Model.Classes, config.ClassCompletion):
				remote = append(remote, m)
			case slices.Contains(m.Model.Classes, config.ClassCoding):
				remoteOther = append(remoteOther, m)
			}
		}
	}
	slices.SortStableFunc(local, func(a, b Model) int {
		if c := cmp.Compare(fimScore(b), fimScore(a)); c != 0 {
			return c
		}
		if a.Size > 0 && b.Size > 0 {
			return cmp.Compare(a.Size, b.Size)
		}
		return 0
	})
	all := append(local, remote...)
	if len(all) == 0 {
		all = remoteOther
	}
	names := make([]string, len(all))
	for i, m := range all {
		names[i] = m.Name
	}
	return names
}

// newModel builds a detected model, completed from the catalogue. What
// the runner reports (context, vision, native fill-in-the-middle) wins
// over the table, since it describes the model as it is actually served.
func newModel(provider string, p config.Provider, id string, contextLen int, vision, insert bool) Model {
	m := config.Model{Provider: provider, ID: id, ContextWindow: contextLen}
	if _, ok := catalog.Lookup(id); !ok {
		// A model the catalogue does not know is still the user's own
		// choice of model: good enough for coding questions when nothing
		// else is there, and for completion when it can fill in the middle.
		m.Classes = []string{config.ClassCoding, config.ClassOpenWeight}
		if insert {
			m.Classes = append(m.Classes, config.ClassCompletion)
			m.FIM = "native"
		}
		if vision {
			m.Classes = append(m.Classes, config.ClassMultimodal)
		}
		m.Vision = vision
	}
	m = catalog.Fill(m, p)
	if vision && !m.Vision {
		m.Vision = true
		if !slices.Contains(m.Classes, config.ClassMultimodal) {
			m.Classes = append(m.Classes, config.ClassMultimodal)
		}
	}
	return Model{Name: provider + "/" + id, Model: m, Insert: insert}
}

// paramSize reads Ollama's "7.6B" or "494.03M" as billions.
func paramSize(s string) float64 {
	s = strings.TrimSpace(strings.ToUpper(s))
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "B"):
		s = strings.TrimSuffix(s, "B")
	case strings.HasSuffix(s, "M"):
		s, mult = strings.TrimSuffix(s, "M"), 0.001
	default:
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return v * mult
}
