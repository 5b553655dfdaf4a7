package router

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/ollama"
)

// warmer is implemented by local runners that can load a model before
// the first request needs it (Ollama: a generate request with no prompt
// and a long keep_alive).
type warmer interface {
	Warm(ctx context.Context, model string) error
}

// defaultBaseURL is where a provider type answers when base_url is
// empty, for probes only; each provider package owns its real default.
func defaultBaseURL(p config.Provider) string {
	switch p.Type {
	case "ollama":
		return ollama.HostURL(os.Getenv(ollama.EnvHost))
	case "llamacpp":
		return "http://127.0.0.1:8080"
	case "openai":
		return "https://api.openai.com/v1"
	case "anthropic":
		return "https://api.anthropic.com"
	case "mistral":
		return "https://api.mistral.ai/v1"
	case "bedrock":
		region := p.Region
		if region == "" {
			region = "us-east-1"
		}
		return "https://bedrock-runtime." + region + ".amazonaws.com"
	case "vertex":
		if p.Region == "" || p.Region == "global" {
			return "https://aiplatform.googleapis.com"
		}
		return "https://" + p.Region + "-aiplatform.googleapis.com"
	}
	return ""
}

// probeURL is the cheapest request that shows a local runner is ready:
// Ollama lists its models, llama.cpp's /health answers 200 only once the
// model is loaded, and OpenAI-compatible servers list models.
func probeURL(p config.Provider) string {
	base := p.BaseURL
	if base == "" {
		base = defaultBaseURL(p)
	}
	if base == "" {
		return ""
	}
	base = strings.TrimRight(base, "/")
	switch p.Type {
	case "ollama":
		return base + "/api/tags"
	case "llamacpp":
		return strings.TrimSuffix(base, "/v1") + "/health"
	}
	if strings.HasSuffix(base, "/v1") {
		return base + "/models"
	}
	return base + "/v1/models"
}

func (r *Router) probeLoop(ctx context.Context) {
	defer close(r.done)
	tick := time.NewTicker(r.opts.ProbeInterval)
	defer tick.Stop()
	warmed := ""
	for {
		r.probeLocal(ctx)
		if !r.net.isOnline() {
			r.probeRemote(ctx)
		}
		warmed = r.warm(ctx, warmed)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// probeLocal checks every enabled local runner at once and removes the
// ones that do not answer from plans until they do, so a stopped runner
// costs no time on the next completion.
func (r *Router) probeLocal(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range r.provs {
		if !p.local || p.cfg.Disabled || p.impl == nil {
			continue
		}
		u := probeURL(p.cfg)
		if u == "" {
			continue
		}
		wg.Add(1)
		go func(p *provider, u string) {
			defer wg.Done()
			if err := r.get(ctx, u, true); err != nil {
				if ctx.Err() != nil {
					return
				}
				why := fmt.Sprintf("local runner %s did not answer its health probe (%v): start it, or fix base_url in [providers.%s]", p.name, err, p.name)
				if p.probe.Swap(&why) == nil {
					r.log.Info("local runner down", zap.String("provider", p.name), zap.Error(err))
				}
				return
			}
			if p.probe.Swap(nil) != nil {
				r.log.Info("local runner ready", zap.String("provider", p.name))
			}
		}(p, u)
	}
	wg.Wait()
}

// probeRemote asks the remote providers' hosts, one after another, until
// one answers; any HTTP answer at all (even 401 or 404) shows the way out
// is back. A provider the policy excludes is never contacted, not even
// by a probe that carries no content.
func (r *Router) probeRemote(ctx context.Context) {
	for _, p := range r.provs {
		if p.local || p.cfg.Disabled || p.impl == nil {
			continue
		}
		if rule, _ := policyCheck(&r.cfg.Policy, &basePolicy, p); rule != "" {
			continue
		}
		base := p.cfg.BaseURL
		if base == "" {
			base = defaultBaseURL(p.cfg)
		}
		if base == "" {
			continue
		}
		if err := r.get(ctx, base, false); err == nil {
			r.setOnline(true, "")
			return
		}
	}
}

// get fetches u; with ready, anything but a 2xx is a failure (llama.cpp
// answers 503 while it loads the model).
func (r *Router) get(ctx context.Context, u string, ready bool) error {
	if _, err := url.Parse(u); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.ProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := r.opts.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if ready && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

// warm loads the local model that inline completion would use now, once
// each time that choice changes, and returns the model warmed.
func (r *Router) warm(ctx context.Context, last string) string {
	d := r.Plan(providers.Need{Task: config.TaskCompletion})
	if d.Picked == "" || d.Picked == last {
		return last
	}
	t := r.targets[d.Picked]
	w, ok := t.prov.impl.(warmer)
	if !t.local || !ok {
		return d.Picked
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := w.Warm(wctx, t.model.ID); err != nil {
		r.log.Info("could not warm the completion model", zap.String("model", t.name), zap.Error(err))
		return last
	}
	r.log.Info("warmed the completion model", zap.String("model", t.name))
	return d.Picked
}
