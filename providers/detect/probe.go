package detect

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/catalog"
	"switchyard/providers/llamacpp"
	"switchyard/providers/mistral"
	"switchyard/providers/ollama"
	"switchyard/providers/openai"
)

func probeRunner(ctx context.Context, r Runner, timeout time.Duration) Provider {
	p := probe(ctx, r.Name, config.Provider{Type: r.Type, BaseURL: r.BaseURL}, timeout)
	p.Label = r.Label
	if !p.Found && r.Start != "" {
		p.Detail += ": " + r.Start
	}
	return p
}

// Probe asks a provider what it serves: a local runner for its models and
// their capabilities, a remote OpenAI-compatible or Mistral endpoint for
// its model list (with the configured key, sent only to that endpoint).
// Providers whose credentials come from a cloud chain (Bedrock, Vertex)
// or that have no cheap listing call (Anthropic) are only checked for a
// credential. It is what `switchyard doctor` reports for each configured
// provider.
func Probe(ctx context.Context, name string, cfg config.Provider, timeout time.Duration) Provider {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return probe(ctx, name, cfg, timeout)
}

func probe(ctx context.Context, name string, cfg config.Provider, timeout time.Duration) Provider {
	p := Provider{Name: name, Label: cfg.Type, Config: cfg, Local: catalog.IsLocal(cfg)}
	if cfg.Disabled {
		p.Detail = fmt.Sprintf("disabled = true in [providers.%s]", name)
		return p
	}
	switch {
	case cfg.Type == "ollama":
		probeOllama(ctx, &p, timeout)
	case cfg.Type == "llamacpp":
		probeLlamaCpp(ctx, &p, timeout)
	case cfg.Type == "openai" && p.Local:
		probeOpenAI(ctx, &p, timeout)
	case cfg.Type == "openai" || cfg.Type == "mistral":
		if credential(&p) {
			probeOpenAI(ctx, &p, timeout)
		}
	default:
		credential(&p)
	}
	return p
}

// credential fills in where a remote provider's key comes from, and
// reports whether there is one. Values are never read into the report.
func credential(p *Provider) bool {
	cfg := p.Config
	switch {
	case cfg.APIKeyCmd != "":
		p.Found = true
		p.Detail = fmt.Sprintf("credential from api_key_cmd in [providers.%s] (run on the first request)", p.Name)
	case cfg.APIKeyEnv != "":
		if _, err := cfg.APIKey(context.Background()); err != nil {
			p.Detail = fmt.Sprintf("%s is not set: set it, or change api_key_env in [providers.%s]", cfg.APIKeyEnv, p.Name)
			return false
		}
		p.Found = true
		p.Detail = "credential from " + cfg.APIKeyEnv + " (value not shown)"
	case cfg.Type == "bedrock" || cfg.Type == "vertex":
		o := Options{}
		o.fill()
		src, label, fix := awsCredentials(o), "AWS", "set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run `aws configure`"
		if cfg.Type == "vertex" {
			src, label, fix = googleCredentials(o), "Google", "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS"
		}
		if src == "" {
			// An instance or workload role may still supply them; that
			// cannot be seen without a network call.
			p.Detail = "no " + label + " credentials seen on this machine (a cloud instance role may still supply them): " + fix
			return false
		}
		p.Found = true
		p.Detail = label + " credentials from " + src + " (not verified: the first request will tell)"
	default:
		p.Detail = fmt.Sprintf("no credential: set api_key_env (or api_key_cmd) in [providers.%s]", p.Name)
		return false
	}
	return true
}

// why says in words why a probe failed, for the report.
func why(err error, base string) string {
	switch providers.KindOf(err) {
	case providers.KindNetwork:
		return "nothing answers at " + base
	case providers.KindTimeout:
		return "no answer in time from " + base
	case providers.KindAuth:
		var pe *providers.Error
		if errors.As(err, &pe) && pe.Hint != "" {
			return "the credential was refused: " + pe.Hint
		}
		return "the credential was refused"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time from " + base
	}
	return err.Error()
}

func baseURL(cfg config.Provider, def string) string {
	if cfg.BaseURL != "" {
		return cfg.BaseURL
	}
	return def
}

func probeOllama(ctx context.Context, p *Provider, timeout time.Duration) {
	base := baseURL(p.Config, ollama.DefaultBaseURL)
	o, err := ollama.New(p.Name, p.Config)
	if err != nil {
		p.Detail = err.Error()
		return
	}
	c, cancel := context.WithTimeout(ctx, timeout)
	models, err := o.Models(c)
	cancel()
	if err != nil {
		p.Detail = why(err, base)
		return
	}
	p.Found, p.Checked = true, true
	// One deadline for all the /api/show calls, made in parallel.
	c, cancel = context.WithTimeout(ctx, timeout)
	defer cancel()
	caps := make([]ollama.Capabilities, len(models))
	var wg sync.WaitGroup
	for i, m := range models {
		wg.Add(1)
		go func() {
			defer wg.Done()
			caps[i], _ = o.Capabilities(c, m.Name)
		}()
	}
	wg.Wait()
	for i, m := range models {
		cp := caps[i]
		if cp.Lacks(ollama.CapabilityCompletion) {
			continue // an embedding model: it cannot write text
		}
		dm := newModel(p.Name, p.Config, m.Name, cp.ContextLength, cp.Has(ollama.CapabilityVision), cp.Has(ollama.CapabilityInsert))
		dm.Size = paramSize(m.ParameterSize)
		p.Models = append(p.Models, dm)
	}
	p.Detail = served(len(p.Models), "`ollama pull qwen2.5-coder:1.5b-base`")
}

func probeLlamaCpp(ctx context.Context, p *Provider, timeout time.Duration) {
	base := baseURL(p.Config, llamacpp.DefaultBaseURL)
	l, err := llamacpp.New(p.Name, p.Config)
	if err != nil {
		p.Detail = err.Error()
		return
	}
	c, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := l.Health(c); err != nil {
		if llamacpp.Loading(err) {
			p.Found, p.Checked = true, true
			p.Detail = "llama-server is loading its model: it will be ready in a moment"
			return
		}
		p.Detail = why(err, base)
		return
	}
	props, err := l.Props(c)
	if err != nil {
		// Something answers /health on this port, but not as llama-server.
		p.Detail = "something answers at " + base + ", but not as llama-server: " + why(err, base)
		return
	}
	p.Found, p.Checked = true, true
	id := path.Base(strings.ReplaceAll(props.ModelPath, "\\", "/"))
	if props.ModelPath == "" {
		id = "default"
	}
	p.Models = []Model{newModel(p.Name, p.Config, id, props.ContextSize, props.Vision, false)}
	p.Detail = served(1, "")
}

// modelLister is what the OpenAI-compatible and Mistral clients share.
type modelLister interface {
	Models(ctx context.Context) ([]openai.Model, error)
}

func probeOpenAI(ctx context.Context, p *Provider, timeout time.Duration) {
	var (
		l    modelLister
		err  error
		base string
	)
	if p.Config.Type == "mistral" {
		base = baseURL(p.Config, "https://api.mistral.ai/v1")
		l, err = mistral.New(p.Name, p.Config)
	} else {
		base = baseURL(p.Config, openai.DefaultBaseURL)
		l, err = openai.New(p.Name, p.Config)
	}
	if err != nil {
		p.Detail = err.Error()
		return
	}
	c, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	models, err := l.Models(c)
	if err != nil {
		p.Found = false
		p.Detail = why(err, base)
		return
	}
	p.Found, p.Checked = true, true
	if !p.Local {
		// A remote list runs to hundreds of ids; the report needs only
		// that the credential works. The configured models say which are used.
		p.Detail = fmt.Sprintf("answers at %s; %s", base, p.Detail)
		return
	}
	for _, m := range models {
		if strings.Contains(strings.ToLower(m.ID), "embed") {
			continue
		}
		p.Models = append(p.Models, newModel(p.Name, p.Config, m.ID, 0, false, false))
	}
	p.Detail = served(len(p.Models), "")
}

func served(n int, pull string) string {
	switch {
	case n == 0 && pull != "":
		return "answers, but has no model that writes text: " + pull
	case n == 0:
		return "answers, but serves no model that writes text: load one"
	case n == 1:
		return "answers with 1 model"
	}
	return fmt.Sprintf("answers with %d models", n)
}
