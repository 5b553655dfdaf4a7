package config

import (
	"maps"
	"slices"
	"time"
)

// DefaultSecretFiles are the files whose content is a secret by nature:
// environment files, private keys, package-manager and netrc
// credentials, Terraform variables. Their content stays on local models,
// as context too, unless the user's own configuration file says
// otherwise ([policy] secret_files).
//
// Credential files are named one by one: "credentials*" also matched
// credentials.go, credentials_test.go and every other source file of
// that name, which is code, not a secret. The names are those tools
// write: AWS (credentials, and credentials.csv from the console),
// Google (credentials.json, gcloud's credentials.db), Cargo
// (credentials.toml), Rails (credentials.yml.enc), Jenkins
// (credentials.xml), git's credential store (.git-credentials), Claude
// Code (.credentials.json), and the data formats such a file takes.
var DefaultSecretFiles = []string{
	".env*", "*.pem", "*.key", "id_rsa*", "id_ed25519*", ".npmrc", ".netrc",
	"credentials", "credentials.json", "credentials.yaml", "credentials.yml", "credentials.yml.enc",
	"credentials.toml", "credentials.ini", "credentials.xml", "credentials.csv", "credentials.db",
	"credentials.properties", "credentials.txt", ".credentials.json", ".git-credentials",
	"*.tfvars",
}

// SecretFileGlobs returns the secret-file globs in force: SecretFiles, or
// DefaultSecretFiles when it was never set.
func (p Policy) SecretFileGlobs() []string {
	if p.SecretFiles == nil {
		return DefaultSecretFiles
	}
	return p.SecretFiles
}

// Documented defaults. Debounce follows llm.nvim and llm-vscode (150 ms);
// the token budgets sit inside the 1024 to 2048 token window that fast
// local code models answer in well under the timeout.
const (
	DefaultDebounce        = 150 * time.Millisecond
	DefaultTimeout         = 4 * time.Second
	DefaultMaxPrefixTokens = 1536
	DefaultMaxSuffixTokens = 512
	DefaultMaxTokens       = 128
	DefaultTemperature     = 0.2
	DefaultCacheSize       = 256
	DefaultMultiLine       = "auto"
	DefaultLogLevel        = "info"
)

// Documented next-edit defaults, [next_edit]. 300 ms waits out a burst
// of typing, since each prediction costs a model call that rewrites a
// whole window. 40 lines hold a function body and the uses of a renamed
// parameter near it, and rewritten they stay within a few hundred tokens,
// which a local next-edit model writes in about a second.
const (
	DefaultNextEditDebounce     = 300 * time.Millisecond
	DefaultNextEditTimeout      = 10 * time.Second
	DefaultNextEditWindowLines  = 40
	DefaultNextEditContextLines = 20
	DefaultNextEditMaxHunks     = 8
	DefaultNextEditMaxTokens    = 1024
)

// DefaultMaxContextTokens is the budget for other open files sent with a
// completion: the parts of two or three files around where they were last
// edited, so a prompt stays near 3,000 tokens, which small local models
// read in well under the timeout.
const DefaultMaxContextTokens = 1024

// Default shares of DefaultMaxContextTokens, [completion.context].
// Definitions come first: the recall benchmark (BENCHMARKS.md) finds the
// definition a line needs in them far more often than in similar code,
// and a signature costs a few dozen tokens where an excerpt costs
// hundreds; moving a fifth of the budget from similar code and open
// files to them raised recall by about ten points in Go and Python.
const (
	DefaultContextDefinitions = 0.8
	DefaultContextSimilar     = 0.1
	DefaultContextOpenFiles   = 0.1
)

// Documented image limits, [images]. 50 MB is above any screenshot a 6K
// display makes; 50 megapixels fits a full-page screenshot of 1440x30000
// and costs at most 200 MB of RGBA to decode; 8 images keep a request well
// inside every provider's count (Bedrock, the lowest, takes 20).
const (
	DefaultImageMaxFileMB = 50
	DefaultImageMaxPixels = 50 // megapixels
	DefaultImageMaxImages = 8
)

// Documented limits on one streamed answer, per provider. A local runner
// loading a large model, or a reasoning model thinking before its first
// word, can be silent for tens of seconds, so the idle limit is a minute.
// Ten minutes and 8 MiB are far above the longest answer any model gives
// (128k output tokens are about 512 KiB) and well below "forever"; 8 MiB
// also stays above the 4 MiB the code actions accept, so that their own
// clearer refusal comes first.
const (
	DefaultStreamIdleTimeout = 60 * time.Second
	DefaultMaxAnswerTime     = 10 * time.Minute
	DefaultMaxAnswerKB       = 8192
)

// StreamLimits returns the provider's limits on one streamed answer, the
// defaults filled in for what is not set.
func (p Provider) StreamLimits() (idle, total time.Duration, maxBytes int) {
	idle, total, kb := p.StreamIdleTimeout.D(), p.MaxAnswerTime.D(), p.MaxAnswerKB
	if idle <= 0 {
		idle = DefaultStreamIdleTimeout
	}
	if total <= 0 {
		total = DefaultMaxAnswerTime
	}
	if kb <= 0 {
		kb = DefaultMaxAnswerKB
	}
	return idle, total, kb << 10
}

// Defaults returns a new configuration holding the documented defaults and
// no providers, models or routes.
func Defaults() *Config {
	temp := DefaultTemperature
	return &Config{
		Completion: Completion{
			Debounce:        Duration(DefaultDebounce),
			Timeout:         Duration(DefaultTimeout),
			MaxPrefixTokens: DefaultMaxPrefixTokens,
			MaxSuffixTokens: DefaultMaxSuffixTokens,
			MaxTokens:       DefaultMaxTokens,
			Temperature:     &temp,
			CacheSize:       DefaultCacheSize,
			MultiLine:       DefaultMultiLine,

			MaxContextTokens: DefaultMaxContextTokens,
			Context: ContextShares{
				Definitions: DefaultContextDefinitions,
				Similar:     DefaultContextSimilar,
				OpenFiles:   DefaultContextOpenFiles,
			},
		},
		NextEdit: NextEdit{
			Debounce:     Duration(DefaultNextEditDebounce),
			Timeout:      Duration(DefaultNextEditTimeout),
			WindowLines:  DefaultNextEditWindowLines,
			ContextLines: DefaultNextEditContextLines,
			MaxHunks:     DefaultNextEditMaxHunks,
			MaxTokens:    DefaultNextEditMaxTokens,
		},
		Images: Images{
			MaxFileMB: DefaultImageMaxFileMB,
			MaxPixels: DefaultImageMaxPixels,
			MaxImages: DefaultImageMaxImages,
		},
		Log: Log{Level: DefaultLogLevel},
		Audit: Audit{
			Enabled:   true,
			MaxSizeMB: DefaultAuditMaxSizeMB,
			MaxFiles:  DefaultAuditMaxFiles,
		},
	}
}

// Clone returns a deep copy of c, so that a snapshot handed to a request
// is never changed under it by a later configuration update.
func (c *Config) Clone() *Config {
	if c == nil {
		return nil
	}
	out := *c
	if c.Providers != nil {
		out.Providers = make(map[string]Provider, len(c.Providers))
		for name, p := range c.Providers {
			out.Providers[name] = p.clone()
		}
	}
	if c.Models != nil {
		out.Models = make(map[string]Model, len(c.Models))
		for name, m := range c.Models {
			m.Classes = cloneStrings(m.Classes)
			out.Models[name] = m
		}
	}
	if c.Routes != nil {
		out.Routes = make(map[string][]string, len(c.Routes))
		for task, names := range c.Routes {
			out.Routes[task] = cloneStrings(names)
		}
	}
	out.Completion.Temperature = clonePtr(c.Completion.Temperature)
	out.NextEdit.Temperature = clonePtr(c.NextEdit.Temperature)
	out.Policy.Jurisdictions = cloneStrings(c.Policy.Jurisdictions)
	out.Policy.MaxRetentionDays = clonePtr(c.Policy.MaxRetentionDays)
	out.Policy.LocalOnly = cloneStrings(c.Policy.LocalOnly)
	out.Policy.SecretFiles = slices.Clone(c.Policy.SecretFiles) // keeps an empty list empty, not nil
	out.Policy.Tasks = cloneTaskPolicies(c.Policy.Tasks)
	out.Policy.Paths = clonePathPolicies(c.Policy.Paths)
	if c.Tasks != nil {
		out.Tasks = maps.Clone(c.Tasks)
	}
	out.Trust.Folders = cloneStrings(c.Trust.Folders)
	return &out
}

func (p Provider) clone() Provider {
	if p.Headers != nil {
		h := make(map[string]string, len(p.Headers))
		for k, v := range p.Headers {
			h[k] = v
		}
		p.Headers = h
	}
	if p.Options != nil {
		p.Options = cloneAny(p.Options).(map[string]any)
	}
	p.Data.Jurisdictions = cloneStrings(p.Data.Jurisdictions)
	p.Data.RetentionDays = clonePtr(p.Data.RetentionDays)
	p.Data.Training = clonePtr(p.Data.Training)
	p.Data.PrivateNet = clonePtr(p.Data.PrivateNet)
	p.Data.Local = clonePtr(p.Data.Local)
	return p
}

// cloneAny copies the values TOML and JSON decode into an `any`: maps and
// slices are copied, everything else is an immutable value.
func cloneAny(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = cloneAny(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = cloneAny(e)
		}
		return s
	case []map[string]any:
		s := make([]map[string]any, len(v))
		for i, e := range v {
			s[i] = cloneAny(e).(map[string]any)
		}
		return s
	}
	return v
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
