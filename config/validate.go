package config

import (
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// The accepted values of the enumerated settings. They also feed the enums
// of the JSON Schema, so an editor offers exactly what Validate accepts.
var (
	ProviderTypes = []string{"openai", "azure", "anthropic", "bedrock", "vertex", "mistral", "ollama", "llamacpp"}
	Classes       = []string{ClassCompletion, ClassCoding, ClassFrontier, ClassMultimodal, ClassLongContext, ClassOpenWeight, ClassLocal, ClassNextEdit}
	FIMFormats    = []string{"", "native", "none", "qwen", "deepseek", "starcoder", "codellama", "codestral"}
	Tasks         = []string{TaskCompletion, TaskCoding, TaskRefactor, TaskImage, TaskLongContext, TaskNextEdit}
	MultiLines    = []string{"auto", "always", "never"}
	// NextEditFormats are the prompt formats of next-edit suggestions:
	// "" infers it from the model id, "chat" is any chat model.
	NextEditFormats = []string{"", "zeta", "instinct", "sweep", "chat"}
	LogLevels       = []string{"debug", "info", "warn", "error"}
)

// Bounds of [next_edit]: a window past a few hundred lines is more than
// any model rewrites within a pause in typing.
const (
	maxNextEditWindowLines  = 400
	maxNextEditContextLines = 1000
	maxNextEditHunks        = 64
)

// Upper bounds past which a value is surely a mistake (a number of seconds
// written where milliseconds were meant, a budget no model can take).
const (
	maxPromptTokens     = 1 << 20
	maxCompletionTokens = 1 << 16
	maxDebounce         = 10 * time.Second
)

// Upper bounds of [images]. Raising a limit must not reopen the hole it
// closes: 200 megapixels decode to at most 800 MB of RGBA, 200 MB is more
// than any lossless screenshot of that size, and 20 images is what
// Bedrock, the provider that takes fewest, accepts in one request.
const (
	MaxImageFileMB = 200
	MaxImagePixels = 200 // megapixels
	MaxImageCount  = 20
)

// Validate checks c and returns a *ValidationError listing every problem,
// or nil. Problems carry key paths but no source; a Store's merged
// configuration is checked with sources filled in.
func (c *Config) Validate() error {
	return c.validate(nil)
}

func (c *Config) validate(source func(key string) (string, int)) error {
	ps := &problems{source: source}
	providerNames := slices.Sorted(maps.Keys(c.Providers))
	for _, name := range providerNames {
		c.Providers[name].validate(ps, "providers."+name)
	}
	for _, name := range slices.Sorted(maps.Keys(c.Models)) {
		c.Models[name].validate(ps, "models."+name, c.Providers, providerNames)
	}
	for _, task := range slices.Sorted(maps.Keys(c.Routes)) {
		key := "routes." + task
		if !slices.Contains(Tasks, task) {
			ps.add(key, "%q is not a task: use one of %s", task, list(Tasks))
		}
		for i, name := range c.Routes[task] {
			if _, ok := c.Models[name]; !ok {
				ps.add(key, "entry %d, %q, is not a configured model (have: %s): add [models.%s] or fix the name", i+1, name, names(c.Models), name)
			}
		}
	}
	for _, task := range slices.Sorted(maps.Keys(c.Tasks)) {
		key := "tasks." + task
		if !slices.Contains(Tasks, task) {
			ps.add(key, "%q is not a task: use one of %s", task, list(Tasks))
		}
		if class := c.Tasks[task].Class; class != "" && !slices.Contains(Classes, class) {
			ps.add(key+".class", "%q is not a model class: use one of %s", class, list(Classes))
		}
	}
	c.Completion.validate(ps)
	c.NextEdit.validate(ps)
	c.Images.validate(ps)
	c.Policy.validate(ps)
	validateActions(ps, c.Actions)
	for i, f := range c.Trust.Folders {
		if strings.TrimSpace(f) == "" {
			ps.add("trust.folders", "entry %d is empty: write the folder's path", i+1)
		} else if !strings.HasPrefix(f, "~") && !isAbs(f) {
			ps.add("trust.folders", "%q is not an absolute path: write the full path (or start it with ~/)", f)
		}
	}
	if c.Audit.Enabled {
		c.Audit.validate(ps)
	}
	if !slices.Contains(LogLevels, c.Log.Level) {
		ps.add("log.level", "%q is not a log level: use one of %s", c.Log.Level, list(LogLevels))
	}
	return ps.err()
}

func (p Provider) validate(ps *problems, key string) {
	switch {
	case p.Type == "":
		ps.add(key+".type", "missing: set type to one of %s", list(ProviderTypes))
	case !slices.Contains(ProviderTypes, p.Type):
		ps.add(key+".type", "%q is not a provider type: use one of %s (OpenAI-compatible servers such as vLLM, LM Studio or OpenRouter use \"openai\")", p.Type, list(ProviderTypes))
	}
	if p.BaseURL != "" {
		u, err := url.Parse(p.BaseURL)
		switch {
		case err != nil:
			ps.add(key+".base_url", "%q is not a URL: write it as http://host:port/path", p.BaseURL)
		case u.Scheme != "http" && u.Scheme != "https":
			ps.add(key+".base_url", "%q must start with http:// or https://", p.BaseURL)
		case u.Host == "":
			ps.add(key+".base_url", "%q has no host: write it as http://host:port/path", p.BaseURL)
		}
	}
	if p.Timeout < 0 {
		ps.add(key+".timeout", "%s is negative: use a positive duration such as \"30s\", or leave it out for the type's default", p.Timeout.D())
	}
	for _, d := range []struct {
		key string
		v   Duration
	}{{"stream_idle_timeout", p.StreamIdleTimeout}, {"max_answer_time", p.MaxAnswerTime}} {
		if d.v < 0 {
			ps.add(key+"."+d.key, "%s is negative: use a positive duration such as \"2m\", or leave it out for the default", d.v.D())
		}
	}
	if p.MaxAnswerKB < 0 {
		ps.add(key+".max_answer_kb", "%d is negative: use a size in KiB such as 4096, or leave it out for the default (%d)", p.MaxAnswerKB, DefaultMaxAnswerKB)
	}
	if p.APIKeyEnv != "" && strings.ContainsAny(p.APIKeyEnv, " =$") {
		ps.add(key+".api_key_env", "must be the name of an environment variable (such as OPENAI_API_KEY), not its value")
	}
	for k := range p.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			ps.add(key+".headers", "%q is not an HTTP header name", k)
		}
	}
	p.validatePreset(ps, key)
	p.Data.validate(ps, key+".data")
}

func (d DataPolicy) validate(ps *problems, key string) {
	jurisdictions(ps, key+".jurisdictions", d.Jurisdictions)
	if d.RetentionDays != nil && *d.RetentionDays < 0 {
		ps.add(key+".retention_days", "%d is negative: use 0 for no retention", *d.RetentionDays)
	}
}

func (m Model) validate(ps *problems, key string, providers map[string]Provider, providerNames []string) {
	switch {
	case m.Provider == "":
		ps.add(key+".provider", "missing: name one of the configured providers (have: %s)", orNone(providerNames))
	default:
		if _, ok := providers[m.Provider]; !ok {
			ps.add(key+".provider", "%q is not a configured provider (have: %s): add [providers.%s] or fix the name", m.Provider, orNone(providerNames), m.Provider)
		}
	}
	if strings.TrimSpace(m.ID) == "" {
		ps.add(key+".id", "missing: set the provider's model id, such as \"qwen2.5-coder:7b-base\" or \"gpt-4o\"")
	}
	for _, class := range m.Classes {
		if !slices.Contains(Classes, class) {
			ps.add(key+".classes", "%q is not a model class: use any of %s", class, list(Classes))
		}
	}
	if !slices.Contains(FIMFormats, m.FIM) {
		ps.add(key+".fim", "%q is not a fill-in-the-middle format: use one of %s, or leave it out to infer it from the model id", m.FIM, list(FIMFormats[1:]))
	}
	if !slices.Contains(NextEditFormats, m.NextEditFormat) {
		ps.add(key+".next_edit_format", "%q is not a next-edit prompt format: use one of %s, or leave it out to infer it from the model id", m.NextEditFormat, list(NextEditFormats[1:]))
	}
	if m.ContextWindow < 0 {
		ps.add(key+".context_window", "%d is negative: give the model's context window in tokens, or leave it out", m.ContextWindow)
	}
	if m.MaxOutput < 0 {
		ps.add(key+".max_output", "%d is negative: give the model's output limit in tokens, or leave it out", m.MaxOutput)
	}
}

func (c Completion) validate(ps *problems) {
	switch {
	case c.Debounce < 0:
		ps.add("completion.debounce", "%s is negative: use 0 to ask at once, or a duration such as \"150ms\"", c.Debounce.D())
	case c.Debounce.D() > maxDebounce:
		ps.add("completion.debounce", "%s is longer than %s: write it in milliseconds, such as \"150ms\" or 150", c.Debounce.D(), maxDebounce)
	}
	if c.Timeout <= 0 {
		ps.add("completion.timeout", "%s must be more than 0: use a duration such as \"4s\"", c.Timeout.D())
	}
	tokens := func(key string, n, most int) {
		if n < 0 {
			ps.add(key, "%d is negative: use a number of tokens", n)
		} else if n > most {
			ps.add(key, "%d is more than %d tokens: use a smaller budget", n, most)
		}
	}
	tokens("completion.max_prefix_tokens", c.MaxPrefixTokens, maxPromptTokens)
	tokens("completion.max_suffix_tokens", c.MaxSuffixTokens, maxPromptTokens)
	tokens("completion.max_context_tokens", c.MaxContextTokens, maxPromptTokens)
	tokens("completion.max_tokens", c.MaxTokens, maxCompletionTokens)
	for key, v := range map[string]float64{"definitions": c.Context.Definitions, "similar": c.Context.Similar, "open_files": c.Context.OpenFiles} {
		if v < 0 || v > 1 {
			ps.add("completion.context."+key, "%g is outside 0 to 1: it is the fraction of max_context_tokens this source may take first", v)
		}
	}
	if c.MaxTokens == 0 {
		ps.add("completion.max_tokens", "must be at least 1: a suggestion of no tokens shows nothing")
	}
	if c.Temperature != nil && (*c.Temperature < 0 || *c.Temperature > 2) {
		ps.add("completion.temperature", "%g is outside 0 to 2: use a low value such as 0.2 for completions", *c.Temperature)
	}
	if c.CacheSize < 0 {
		ps.add("completion.cache_size", "%d is negative: use 0 to turn the cache off", c.CacheSize)
	}
	if !slices.Contains(MultiLines, c.MultiLine) {
		ps.add("completion.multi_line", "%q is not a choice: use one of %s", c.MultiLine, list(MultiLines))
	}
}

func (n NextEdit) validate(ps *problems) {
	switch {
	case n.Debounce < 0:
		ps.add("next_edit.debounce", "%s is negative: use 0 to ask at once, or a duration such as \"300ms\"", n.Debounce.D())
	case n.Debounce.D() > maxDebounce:
		ps.add("next_edit.debounce", "%s is longer than %s: write it in milliseconds, such as \"300ms\" or 300", n.Debounce.D(), maxDebounce)
	}
	if n.Timeout <= 0 {
		ps.add("next_edit.timeout", "%s must be more than 0: use a duration such as \"10s\"", n.Timeout.D())
	}
	count := func(key string, v, least, most int, what string) {
		if v < least || v > most {
			ps.add(key, "%d is outside %d to %d %s", v, least, most, what)
		}
	}
	count("next_edit.window_lines", n.WindowLines, 1, maxNextEditWindowLines, "lines: the model rewrites this many lines around the cursor, such as 40")
	count("next_edit.context_lines", n.ContextLines, 0, maxNextEditContextLines, "lines: shown above and below the window, such as 20")
	count("next_edit.max_hunks", n.MaxHunks, 0, maxNextEditHunks, "recent edits")
	count("next_edit.max_tokens", n.MaxTokens, 1, maxCompletionTokens, "tokens: the answer is the whole rewritten window, so allow some 20 tokens a line")
	if n.Temperature != nil && (*n.Temperature < 0 || *n.Temperature > 2) {
		ps.add("next_edit.temperature", "%g is outside 0 to 2: use 0 for steady predictions", *n.Temperature)
	}
}

func (im Images) validate(ps *problems) {
	limit := func(key string, n, most int, unit, example string) {
		switch {
		case n < 1:
			ps.add(key, "%d must be at least 1 %s: use a positive number such as %s, or leave it out for the default", n, unit, example)
		case n > most:
			ps.add(key, "%d is more than %d %s, past which a decompression bomb or a runaway request could exhaust memory: use at most %d", n, most, unit, most)
		}
	}
	limit("images.max_file_mb", im.MaxFileMB, MaxImageFileMB, "MB", "20")
	limit("images.max_pixels", im.MaxPixels, MaxImagePixels, "megapixels", "25")
	limit("images.max_images", im.MaxImages, MaxImageCount, "images", "4")
}

func (p Policy) validate(ps *problems) {
	jurisdictions(ps, "policy.jurisdictions", p.Jurisdictions)
	if p.MaxRetentionDays != nil && *p.MaxRetentionDays < 0 {
		ps.add("policy.max_retention_days", "%d is negative: use 0 to allow no retention (or set zero_retention)", *p.MaxRetentionDays)
	}
	for key, globs := range map[string][]string{"policy.local_only": p.LocalOnly, "policy.secret_files": p.SecretFiles} {
		for _, glob := range globs {
			if strings.TrimSpace(glob) == "" {
				ps.add(key, "an entry is empty: write a path glob such as \"secrets/**\"")
			} else if _, err := path.Match(glob, ""); err != nil {
				ps.add(key, "%q is not a valid glob: check its brackets and escapes", glob)
			}
		}
	}
	for _, task := range slices.Sorted(maps.Keys(p.Tasks)) {
		key := "policy.tasks." + task
		if !slices.Contains(Tasks, task) {
			ps.add(key, "%q is not a task: use one of %s", task, list(Tasks))
		}
		p.Tasks[task].validate(ps, key, "")
	}
	for i, pp := range p.Paths {
		where := fmt.Sprintf("entry %d: ", i+1)
		switch {
		case strings.TrimSpace(pp.Glob) == "":
			ps.add("policy.paths", "%sglob is missing: write a path glob such as \"internal/**\"", where)
		default:
			if _, err := path.Match(pp.Glob, ""); err != nil {
				ps.add("policy.paths", "%sglob %q is not a valid glob: check its brackets and escapes", where, pp.Glob)
			}
		}
		pp.Override().validate(ps, "policy.paths", where)
	}
}

func (o PolicyOverride) validate(ps *problems, key, where string) {
	for i, j := range o.Jurisdictions {
		if strings.TrimSpace(j) == "" {
			ps.add(key, "%sjurisdictions entry %d is empty: write a code such as \"EU\", \"US\" or \"DE\"", where, i+1)
		}
	}
	if o.MaxRetentionDays != nil && *o.MaxRetentionDays < 0 {
		ps.add(key, "%smax_retention_days %d is negative: use 0 to allow no retention", where, *o.MaxRetentionDays)
	}
	if o.IsZero() {
		ps.add(key, "%ssets no rule, so it changes nothing: add jurisdictions, max_retention_days, zero_retention, no_training or local_only, or remove it", where)
	}
}

func jurisdictions(ps *problems, key string, js []string) {
	for i, j := range js {
		if strings.TrimSpace(j) == "" {
			ps.add(key, "entry %d is empty: write a code such as \"EU\", \"US\" or \"DE\"", i+1)
		}
	}
}

// list writes choices as "a, b or c" with each quoted.
func list(choices []string) string {
	q := make([]string, len(choices))
	for i, c := range choices {
		q[i] = `"` + c + `"`
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func names[V any](m map[string]V) string {
	return orNone(slices.Sorted(maps.Keys(m)))
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
