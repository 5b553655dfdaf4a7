package config

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Config is the whole configuration: one schema, read from the user's TOML
// file, from the editor's settings as JSON (same keys), and from a
// workspace file. Keys are snake_case in both encodings.
type Config struct {
	Providers  map[string]Provider     `toml:"providers" json:"providers,omitempty"`
	Models     map[string]Model        `toml:"models" json:"models,omitempty"`
	Routes     map[string][]string     `toml:"routes" json:"routes,omitempty"` // task -> model names, in order of preference
	Tasks      map[string]TaskSettings `toml:"tasks" json:"tasks,omitempty"`   // task -> how it is routed when [routes] does not pin it
	Completion Completion              `toml:"completion" json:"completion"`
	NextEdit   NextEdit                `toml:"next_edit" json:"next_edit"`
	Images     Images                  `toml:"images" json:"images"`
	Policy     Policy                  `toml:"policy" json:"policy"`
	Trust      Trust                   `toml:"trust" json:"trust"`
	Log        Log                     `toml:"log" json:"log"`
	Audit      Audit                   `toml:"audit" json:"audit"`
	Actions    []Action                `toml:"actions" json:"actions,omitempty"` // user-defined code actions, [[actions]]
}

// Tasks, the keys of [routes].
const (
	TaskCompletion  = "completion"   // inline completion while typing
	TaskCoding      = "coding"       // fix, explain, document, test one range
	TaskRefactor    = "refactor"     // multi-file refactor
	TaskImage       = "image"        // implement from a screenshot or mockup
	TaskLongContext = "long_context" // a question over much of the repository
	TaskNextEdit    = "next_edit"    // predict the user's next edit near the cursor
)

// Model classes, what a model can be used for.
const (
	ClassCompletion  = "completion"
	ClassCoding      = "coding"
	ClassFrontier    = "frontier"
	ClassMultimodal  = "multimodal"
	ClassLongContext = "long-context"
	ClassOpenWeight  = "open-weight"
	ClassLocal       = "local"
	ClassNextEdit    = "next-edit"
)

// Provider is one backend, [providers.NAME]. It says under which terms a
// model is reached; Model says what the model can do.
type Provider struct {
	Type      string            `toml:"type" json:"type"`                         // openai, azure, anthropic, bedrock, vertex, mistral, ollama, llamacpp
	Preset    string            `toml:"preset" json:"preset,omitempty"`           // a known OpenAI-compatible service (openrouter, groq, vllm...): fills base_url, api_key_env and the data terms left empty; see Presets
	BaseURL   string            `toml:"base_url" json:"base_url,omitempty"`       // endpoint; each type has a default
	APIKeyEnv string            `toml:"api_key_env" json:"api_key_env,omitempty"` // environment variable holding the key
	APIKeyCmd string            `toml:"api_key_cmd" json:"api_key_cmd,omitempty"` // command whose stdout is the key
	Headers   map[string]string `toml:"headers" json:"headers,omitempty"`         // extra HTTP headers
	Timeout   Duration          `toml:"timeout" json:"timeout,omitempty"`         // whole-request deadline
	// Limits on one streamed answer, so that a server that stalls or
	// never stops cannot hold a request (and the user's bill) open: no
	// text for StreamIdleTimeout, longer than MaxAnswerTime, or more
	// than MaxAnswerKB of text ends it with an error. Zero is the
	// default; see StreamLimits.
	StreamIdleTimeout Duration       `toml:"stream_idle_timeout" json:"stream_idle_timeout,omitempty"`
	MaxAnswerTime     Duration       `toml:"max_answer_time" json:"max_answer_time,omitempty"`
	MaxAnswerKB       int            `toml:"max_answer_kb" json:"max_answer_kb,omitempty"`
	Region            string         `toml:"region" json:"region,omitempty"`     // bedrock, vertex, azure
	Project           string         `toml:"project" json:"project,omitempty"`   // vertex
	Options           map[string]any `toml:"options" json:"options,omitempty"`   // type-specific settings
	Data              DataPolicy     `toml:"data" json:"data"`                   // what the provider promises about data
	Disabled          bool           `toml:"disabled" json:"disabled,omitempty"` // keep the entry but never route to it
}

// DataPolicy holds the facts about a provider that the user's Policy
// filters on. Nil means "unknown, use the type's default".
type DataPolicy struct {
	Jurisdictions []string `toml:"jurisdictions" json:"jurisdictions,omitempty"` // ISO codes or "EU", "US"
	RetentionDays *int     `toml:"retention_days" json:"retention_days,omitempty"`
	Training      *bool    `toml:"training" json:"training,omitempty"` // data may be used for training
	PrivateNet    *bool    `toml:"private_network" json:"private_network,omitempty"`
	Local         *bool    `toml:"local" json:"local,omitempty"` // nothing leaves the machine
}

// Model is one model reached through one provider, [models.NAME].
type Model struct {
	Provider      string   `toml:"provider" json:"provider"`
	ID            string   `toml:"id" json:"id"` // the provider-side model id
	Classes       []string `toml:"classes" json:"classes,omitempty"`
	FIM           string   `toml:"fim" json:"fim,omitempty"` // template family; "" infers it from ID, "native" uses the provider's FIM endpoint, "none" uses chat
	ContextWindow int      `toml:"context_window" json:"context_window,omitempty"`
	MaxOutput     int      `toml:"max_output" json:"max_output,omitempty"`
	Vision        bool     `toml:"vision" json:"vision,omitempty"`
	// NextEditFormat is the prompt format for next-edit suggestions;
	// "" infers it from ID (Zeta, Instinct, Sweep), "chat" asks any chat
	// model.
	NextEditFormat string `toml:"next_edit_format" json:"next_edit_format,omitempty"`
}

// Completion tunes inline completion.
type Completion struct {
	Debounce        Duration `toml:"debounce" json:"debounce,omitempty"`                   // wait after the last keystroke
	Timeout         Duration `toml:"timeout" json:"timeout,omitempty"`                     // give up on a completion after this
	MaxPrefixTokens int      `toml:"max_prefix_tokens" json:"max_prefix_tokens,omitempty"` // budget for text before the cursor
	MaxSuffixTokens int      `toml:"max_suffix_tokens" json:"max_suffix_tokens,omitempty"` // budget for text after the cursor
	MaxTokens       int      `toml:"max_tokens" json:"max_tokens,omitempty"`               // longest suggestion
	Temperature     *float64 `toml:"temperature" json:"temperature,omitempty"`
	CacheSize       int      `toml:"cache_size" json:"cache_size,omitempty"` // suggestions remembered
	MultiLine       string   `toml:"multi_line" json:"multi_line,omitempty"` // "auto", "always", "never"
	// MaxContextTokens is the budget for other open files of the same
	// language sent as context; 0 sends none. A Config built in code
	// leaves it 0; Defaults and every loaded file start from
	// DefaultMaxContextTokens.
	MaxContextTokens int `toml:"max_context_tokens" json:"max_context_tokens,omitempty"`
	// Context divides MaxContextTokens between the sources of
	// repository context, [completion.context].
	Context ContextShares `toml:"context" json:"context,omitempty"`
}

// NextEdit tunes next-edit suggestions, [next_edit]: the edit the user
// will likely make next, possibly away from the cursor and over several
// lines, predicted from their recent edits.
type NextEdit struct {
	// Enabled turns the switchyard/nextEdit request on; off, the server
	// answers null at once. Off by default: it costs one model call per
	// pause in typing.
	Enabled  bool     `toml:"enabled" json:"enabled,omitempty"`
	Debounce Duration `toml:"debounce" json:"debounce,omitempty"` // the clients wait this long after the last keystroke
	Timeout  Duration `toml:"timeout" json:"timeout,omitempty"`   // give up on a prediction after this
	// WindowLines is the editable window: the lines around the cursor
	// the model may rewrite. A suggestion outside it is dropped.
	WindowLines int `toml:"window_lines" json:"window_lines,omitempty"`
	// ContextLines are the lines shown above and below the window, read
	// but not editable.
	ContextLines int `toml:"context_lines" json:"context_lines,omitempty"`
	// MaxHunks is how many recent edits (coalesced hunks, from every open
	// document) go into the prompt.
	MaxHunks    int      `toml:"max_hunks" json:"max_hunks,omitempty"`
	MaxTokens   int      `toml:"max_tokens" json:"max_tokens,omitempty"` // the longest answer, in tokens
	Temperature *float64 `toml:"temperature" json:"temperature,omitempty"`
}

// ContextShares are the parts of completion.max_context_tokens each
// source of repository context may take first, as fractions. What one
// source leaves unused goes to the next, in the order listed. All zero
// (a Config built in code) means the defaults.
type ContextShares struct {
	Definitions float64 `toml:"definitions" json:"definitions,omitempty"` // definitions of what the code near the cursor uses
	Similar     float64 `toml:"similar" json:"similar,omitempty"`         // code like the code before the cursor, from open files
	OpenFiles   float64 `toml:"open_files" json:"open_files,omitempty"`   // other open files around their last edit
}

// Images bounds what the image actions read from the editor, [images],
// before any model is chosen. In a file each must be positive; in a Config
// built in code, zero means the default. An untrusted workspace file may
// only lower these.
type Images struct {
	MaxFileMB int `toml:"max_file_mb" json:"max_file_mb,omitempty"` // encoded size of one image, in MB (MiB)
	MaxPixels int `toml:"max_pixels" json:"max_pixels,omitempty"`   // width*height in the header, in megapixels
	MaxImages int `toml:"max_images" json:"max_images,omitempty"`   // images in one request
}

// Policy is what the user allows to happen to their code.
type Policy struct {
	Jurisdictions    []string `toml:"jurisdictions" json:"jurisdictions,omitempty"` // allowed; empty allows any
	MaxRetentionDays *int     `toml:"max_retention_days" json:"max_retention_days,omitempty"`
	ZeroRetention    bool     `toml:"zero_retention" json:"zero_retention,omitempty"`
	NoTraining       bool     `toml:"no_training" json:"no_training,omitempty"`
	LocalOnly        []string `toml:"local_only" json:"local_only,omitempty"` // path globs whose content stays on local models
	Offline          bool     `toml:"offline" json:"offline,omitempty"`       // use local models only
	// SecretFiles are globs of files that are secrets by nature (.env,
	// private keys), kept on local models like local_only. nil means
	// DefaultSecretFiles; an empty list, set in the user's own file,
	// turns the default off. See SecretFileGlobs.
	SecretFiles []string `toml:"secret_files" json:"secret_files"`

	// Overrides that only ever tighten the rules above: for one task
	// ([policy.tasks.NAME]) or for content from matching files
	// ([[policy.paths]]). See Narrow.
	Tasks map[string]PolicyOverride `toml:"tasks" json:"tasks,omitempty"`
	Paths []PathPolicy              `toml:"paths" json:"paths,omitempty"`
}

// PolicyOverride is a stricter policy for one task, [policy.tasks.NAME].
// Each key can only narrow [policy]: a list of jurisdictions is
// intersected with it, a retention limit counts only when smaller, and
// the booleans only turn rules on.
type PolicyOverride struct {
	Jurisdictions    []string `toml:"jurisdictions" json:"jurisdictions,omitempty"`
	MaxRetentionDays *int     `toml:"max_retention_days" json:"max_retention_days,omitempty"`
	ZeroRetention    bool     `toml:"zero_retention" json:"zero_retention,omitempty"`
	NoTraining       bool     `toml:"no_training" json:"no_training,omitempty"`
	LocalOnly        bool     `toml:"local_only" json:"local_only,omitempty"` // local models only
}

// PathPolicy is a stricter policy for content from the files that Glob
// matches, one [[policy.paths]] entry. Glob is written as in
// [policy] local_only; the other keys are those of PolicyOverride.
type PathPolicy struct {
	Glob             string   `toml:"glob" json:"glob"`
	Jurisdictions    []string `toml:"jurisdictions" json:"jurisdictions,omitempty"`
	MaxRetentionDays *int     `toml:"max_retention_days" json:"max_retention_days,omitempty"`
	ZeroRetention    bool     `toml:"zero_retention" json:"zero_retention,omitempty"`
	NoTraining       bool     `toml:"no_training" json:"no_training,omitempty"`
	LocalOnly        bool     `toml:"local_only" json:"local_only,omitempty"`
}

// Override returns the rules of a path entry without its glob.
func (p PathPolicy) Override() PolicyOverride {
	return PolicyOverride{Jurisdictions: p.Jurisdictions, MaxRetentionDays: p.MaxRetentionDays,
		ZeroRetention: p.ZeroRetention, NoTraining: p.NoTraining, LocalOnly: p.LocalOnly}
}

// TaskSettings changes how one task is routed, [tasks.NAME].
type TaskSettings struct {
	// Class is the model class the task asks for when [routes] does not
	// list its models, such as "coding" for refactor on a budget; ""
	// keeps the task's own class.
	Class string `toml:"class" json:"class,omitempty"`
}

// Trust lists workspace folders whose .switchyard.toml may set endpoints,
// headers and credentials. Only the user's own file can set it.
type Trust struct {
	Folders []string `toml:"folders" json:"folders,omitempty"`
}

// Log says where the server's log goes.
type Log struct {
	Level string `toml:"level" json:"level,omitempty"`
	File  string `toml:"file" json:"file,omitempty"`
}

// Duration is a time.Duration written as "150ms" or "2s" (TOML and JSON),
// or as a number of milliseconds (JSON, where editors' settings UIs give
// numbers).
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	s := string(b)
	if ms, err := strconv.ParseFloat(s, 64); err == nil {
		*d = Duration(ms * float64(time.Millisecond))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration: write it as \"150ms\" or \"2s\"", s)
	}
	*d = Duration(v)
	return nil
}

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return d.UnmarshalText([]byte(s))
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return fmt.Errorf("%s is not a duration: write it as \"150ms\" or a number of milliseconds", b)
	}
	*d = Duration(ms * float64(time.Millisecond))
	return nil
}

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }
