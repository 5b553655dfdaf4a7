package ollama

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/internal/httpstream"
)

// DefaultBaseURL is where `ollama serve` listens unless told otherwise
// (by OLLAMA_HOST, which an empty base_url follows).
const DefaultBaseURL = "http://127.0.0.1:11434"

// DefaultKeepAlive keeps a model loaded between keystrokes: Ollama's own
// default of 5 minutes unloads the completion model during a pause in
// typing, and the next completion then waits seconds for it to load.
const DefaultKeepAlive = "30m"

// Capabilities Ollama reports in /api/show.
const (
	CapabilityCompletion = "completion"
	CapabilityInsert     = "insert" // native fill-in-the-middle (suffix)
	CapabilityVision     = "vision"
	CapabilityTools      = "tools"
)

// Capabilities is what a model can do, from /api/show.
type Capabilities struct {
	// Names as Ollama lists them; nil when the server is too old to say
	// (before capabilities were added to /api/show).
	Names []string
	// ContextLength is the model's trained context window in tokens, 0
	// when unknown.
	ContextLength int
	// Template is the model's prompt template.
	Template string
}

// Has reports whether the model lists the capability.
func (c Capabilities) Has(name string) bool { return slices.Contains(c.Names, name) }

// Lacks reports whether the server listed capabilities and name is not
// among them. An old server that lists none lacks nothing as far as this
// client can tell; Ollama then refuses the request itself.
func (c Capabilities) Lacks(name string) bool { return c.Names != nil && !c.Has(name) }

// Model is one installed model, from /api/tags.
type Model struct {
	Name          string // what requests name it by, e.g. "qwen2.5-coder:7b"
	Size          int64  // bytes on disk
	Family        string
	ParameterSize string // "7.6B"
	Quantization  string // "Q4_K_M"
}

// Provider is an Ollama server.
type Provider struct {
	name      string
	c         *httpstream.Client
	keepAlive any

	mu   sync.Mutex
	caps map[string]Capabilities
}

// New builds the provider [providers.NAME] from its configuration.
// options.keep_alive sets how long Ollama keeps a model loaded after a
// request ("30m", "-1" for ever, or a number of seconds).
func New(name string, cfg config.Provider) (*Provider, error) {
	raw := cfg.BaseURL
	if raw == "" {
		raw = HostURL(os.Getenv(EnvHost))
	}
	base, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("provider %s: base_url %q is not a URL: write it as %q", name, raw, DefaultBaseURL)
	}
	keepAlive, err := parseKeepAlive(cfg.Options["keep_alive"])
	if err != nil {
		return nil, fmt.Errorf("provider %s: options.keep_alive: %w", name, err)
	}
	return &Provider{
		name: name,
		c: &httpstream.Client{
			Name:        name,
			Server:      "Ollama",
			Base:        base.String(),
			Config:      cfg,
			HTTP:        &http.Client{},
			Accept:      "application/x-ndjson",
			TimeoutHint: fmt.Sprintf("the model may still be loading; raise timeout in [providers.%s]", name),
			NetworkHint: fmt.Sprintf("cannot reach Ollama at %s: start it with `ollama serve`, or set base_url in [providers.%s]", base, name),
		},
		keepAlive: keepAlive,
		caps:      map[string]Capabilities{},
	}, nil
}

// parseKeepAlive accepts what Ollama accepts for keep_alive: a duration
// string or a number of seconds (negative: keep loaded for ever).
func parseKeepAlive(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return DefaultKeepAlive, nil
	case string:
		if _, err := time.ParseDuration(v); err != nil {
			return nil, fmt.Errorf("%q is not a duration: write it as \"30m\", or -1 to keep the model loaded", v)
		}
		return v, nil
	case int, int64, float64:
		return v, nil
	}
	return nil, fmt.Errorf("%v is not a duration: write it as \"30m\", or -1 to keep the model loaded", v)
}

func (p *Provider) Name() string { return p.name }

// Chat streams an answer from /api/chat. Images go to models that list
// the vision capability only; others are refused before any generation.
func (p *Provider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	msgs := make([]chatMessage, 0, len(req.Messages))
	hasImages := false
	for _, m := range req.Messages {
		cm := chatMessage{Role: string(m.Role), Content: m.Content}
		for _, img := range m.Images {
			cm.Images = append(cm.Images, img.Data)
			hasImages = true
		}
		msgs = append(msgs, cm)
	}
	if hasImages {
		if err := p.require(ctx, req.Model, CapabilityVision, "images"); err != nil {
			return nil, err
		}
	}
	return p.stream(ctx, "/api/chat", req.Model, chatRequest{
		Model:     req.Model,
		Messages:  msgs,
		Stream:    ptr(true),
		KeepAlive: p.keepAlive,
		Options:   options(req.MaxTokens, req.Temperature, req.Stop),
	})
}

// Complete continues a prompt verbatim (raw mode: no chat template), for
// fill-in-the-middle prompts already rendered in the model's own tokens.
// Like FillInMiddle, it asks for the whole answer at once (see generate).
func (p *Provider) Complete(ctx context.Context, req *providers.CompletionRequest) (providers.Stream, error) {
	return p.generate(ctx, req.Model, generateRequest{
		Model:     req.Model,
		Prompt:    req.Prompt,
		Raw:       true,
		KeepAlive: p.keepAlive,
		Options:   options(req.MaxTokens, req.Temperature, req.Stop),
	})
}

// FillInMiddle asks /api/generate for the text between prefix and suffix;
// Ollama applies the model's own fill-in-the-middle template. Models
// without the insert capability are refused before any generation.
//
// With an empty prefix (the cursor at the top of a file) Ollama treats the
// request as "load the model" and answers no text; the stream then ends
// empty, which is the right answer for the editor too.
//
// req.Extra is not sent: /api/generate has no field for other files, and
// text glued before the prefix would read to the model as part of the
// current file. Callers that want repository context render the model's
// own repository template and use Complete.
func (p *Provider) FillInMiddle(ctx context.Context, req *providers.FIMRequest) (providers.Stream, error) {
	if err := p.require(ctx, req.Model, CapabilityInsert, "fill-in-the-middle"); err != nil {
		return nil, err
	}
	return p.generate(ctx, req.Model, generateRequest{
		Model:     req.Model,
		Prompt:    req.Prefix,
		Suffix:    req.Suffix,
		KeepAlive: p.keepAlive,
		Options:   options(req.MaxTokens, req.Temperature, req.Stop),
	})
}

// require fails with KindUnsupported when model lacks capability, so the
// router moves on without a call that Ollama would refuse.
func (p *Provider) require(ctx context.Context, model, capability, what string) error {
	caps, err := p.Capabilities(ctx, model)
	if err != nil {
		return err
	}
	if caps.Lacks(capability) {
		e := providers.Unsupported(p.name, fmt.Sprintf("model %s does not support %s (Ollama lists no %q capability)", model, what, capability))
		e.Hint = "route this work to another model in [routes]"
		return e
	}
	return nil
}

// Capabilities asks /api/show what model can do. Answers are remembered
// per model for the provider's life: a configuration change builds a new
// provider, and re-pulling a model under the same name is rare.
func (p *Provider) Capabilities(ctx context.Context, model string) (Capabilities, error) {
	p.mu.Lock()
	c, ok := p.caps[model]
	p.mu.Unlock()
	if ok {
		return c, nil
	}
	var show showResponse
	if err := p.getJSON(ctx, http.MethodPost, "/api/show", model, showRequest{Model: model}, &show); err != nil {
		return Capabilities{}, err
	}
	c = Capabilities{Names: show.Capabilities, Template: show.Template}
	for k, v := range show.ModelInfo {
		if n, ok := v.(float64); ok && strings.HasSuffix(k, ".context_length") {
			c.ContextLength = int(n)
		}
	}
	p.mu.Lock()
	p.caps[model] = c
	p.mu.Unlock()
	return c, nil
}

// Models lists the installed models from /api/tags, sorted by name. It is
// also the cheap probe that says whether the runner is up.
func (p *Provider) Models(ctx context.Context) ([]Model, error) {
	var tags tagsResponse
	if err := p.getJSON(ctx, http.MethodGet, "/api/tags", "", nil, &tags); err != nil {
		return nil, err
	}
	out := make([]Model, 0, len(tags.Models))
	for _, m := range tags.Models {
		name := m.Model
		if name == "" {
			name = m.Name
		}
		out = append(out, Model{
			Name:          name,
			Size:          m.Size,
			Family:        m.Details.Family,
			ParameterSize: m.Details.ParameterSize,
			Quantization:  m.Details.QuantizationLevel,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Warm loads model into memory and keeps it there for keep_alive, so the
// first completion after start does not wait for the load. Ollama treats
// a generate request without a prompt as "load only".
func (p *Provider) Warm(ctx context.Context, model string) error {
	return p.getJSON(ctx, http.MethodPost, "/api/generate", model, generateRequest{
		Model:     model,
		Stream:    ptr(false),
		KeepAlive: p.keepAlive,
	}, nil)
}

// generate asks /api/generate for a completion's whole answer at once
// ("stream": false) and returns it as a Stream of one piece.
//
// A streamed answer would leave the editor's cancels stuck on the server:
// Ollama (0.17.4 and later; ollama/ollama issue 17131) stops reading its
// generation's tokens when a streaming client leaves between two of them,
// so the generation blocks on its next token for ever and holds the
// model's runner slot, and with one slot (the default) every later
// request to the model waits behind it. Inline completions are cancelled
// at every newer keystroke and closed early once their answer is whole,
// so a user typing would sooner or later wedge the model. Ollama's
// non-streaming path reads every token to the end whatever the client
// does: leaving cancels the generation and frees the slot.
//
// What this costs: Ollama generates to a stop sequence (req.Stop, in
// options.stop) or num_predict (max_tokens), not to the point where the
// caller has seen enough. The wait happens inside this call, so the
// router's stream_idle_timeout never runs over it; the caller's deadline
// (completion.timeout) and the provider's timeout bound it. Chat, for
// code actions and refactors, streams: those show progress as the text
// comes and are rarely cancelled.
func (p *Provider) generate(ctx context.Context, model string, body generateRequest) (providers.Stream, error) {
	body.Stream = ptr(false)
	return p.c.OpenWhole(ctx, "/api/generate", body, p.statusErrors(model), p.decodeWhole)
}

// stream posts body to path and returns the NDJSON answer as a Stream.
func (p *Provider) stream(ctx context.Context, path, model string, body any) (providers.Stream, error) {
	return p.c.Open(ctx, path, body, p.statusErrors(model), p.decodeLine)
}

// getJSON makes a call with a single JSON answer and decodes it into out
// (when out is not nil).
func (p *Provider) getJSON(ctx context.Context, method, path, model string, body, out any) error {
	return p.c.GetJSON(ctx, method, path, body, out, p.statusErrors(model))
}

// options builds Ollama's options object; unset values are left out so
// the model's Modelfile defaults apply.
func options(maxTokens int, temperature *float64, stop []string) map[string]any {
	o := map[string]any{}
	if maxTokens > 0 {
		o["num_predict"] = maxTokens
	}
	if temperature != nil {
		o["temperature"] = *temperature
	}
	if len(stop) > 0 {
		o["stop"] = stop
	}
	if len(o) == 0 {
		return nil
	}
	return o
}

func ptr[T any](v T) *T { return &v }

// Interface checks.
var (
	_ providers.Provider      = (*Provider)(nil)
	_ providers.Completer     = (*Provider)(nil)
	_ providers.FillInMiddler = (*Provider)(nil)
)
