package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// valid returns a small configuration that passes Validate, for tests to
// break one rule at a time.
func valid() *Config {
	c := Defaults()
	c.Providers = map[string]Provider{
		"local":  {Type: "openai", BaseURL: "http://127.0.0.1:11434/v1"},
		"openai": {Type: "openai", APIKeyEnv: "OPENAI_API_KEY"},
	}
	c.Models = map[string]Model{
		"coder": {Provider: "local", ID: "qwen2.5-coder:7b-base", Classes: []string{ClassCompletion}},
		"gpt":   {Provider: "openai", ID: "gpt-4o", Classes: []string{ClassCoding, ClassFrontier}},
	}
	c.Routes = map[string][]string{TaskCompletion: {"coder"}, TaskCoding: {"gpt", "coder"}}
	return c
}

func TestValidateAcceptsDefaultsAndAValidConfig(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	if err := valid().Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

func TestValidateRules(t *testing.T) {
	n := func(v int) *int { return &v }
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name    string
		break_  func(c *Config)
		key     string
		message string // a part of the message the user reads
	}{
		{"unknown provider type", func(c *Config) { c.Providers["local"] = Provider{Type: "olama"} },
			"providers.local.type", `"olama" is not a provider type: use one of "openai"`},
		{"missing provider type", func(c *Config) { c.Providers["local"] = Provider{} },
			"providers.local.type", "missing: set type"},
		{"base_url without scheme", func(c *Config) { c.Providers["local"] = Provider{Type: "openai", BaseURL: "127.0.0.1:11434"} },
			"providers.local.base_url", ""},
		{"base_url with another scheme", func(c *Config) { c.Providers["local"] = Provider{Type: "openai", BaseURL: "ftp://host/v1"} },
			"providers.local.base_url", "must start with http:// or https://"},
		{"base_url without host", func(c *Config) { c.Providers["local"] = Provider{Type: "openai", BaseURL: "http:///v1"} },
			"providers.local.base_url", "has no host"},
		{"negative provider timeout", func(c *Config) { c.Providers["local"] = Provider{Type: "openai", Timeout: -1} },
			"providers.local.timeout", "negative"},
		{"key value in api_key_env", func(c *Config) { c.Providers["openai"] = Provider{Type: "openai", APIKeyEnv: "sk-abc def"} },
			"providers.openai.api_key_env", "name of an environment variable"},
		{"bad header name", func(c *Config) {
			c.Providers["local"] = Provider{Type: "openai", Headers: map[string]string{"X Bad": "1"}}
		},
			"providers.local.headers", `"X Bad" is not an HTTP header name`},
		{"empty provider jurisdiction", func(c *Config) {
			c.Providers["openai"] = Provider{Type: "openai", Data: DataPolicy{Jurisdictions: []string{"US", " "}}}
		}, "providers.openai.data.jurisdictions", "entry 2 is empty"},
		{"negative provider retention", func(c *Config) {
			c.Providers["openai"] = Provider{Type: "openai", Data: DataPolicy{RetentionDays: n(-1)}}
		},
			"providers.openai.data.retention_days", "negative"},
		{"model names a missing provider", func(c *Config) { c.Models["coder"] = Model{Provider: "loacl", ID: "x"} },
			"models.coder.provider", `"loacl" is not a configured provider (have: local, openai)`},
		{"model without provider", func(c *Config) { c.Models["coder"] = Model{ID: "x"} },
			"models.coder.provider", "missing: name one of the configured providers (have: local, openai)"},
		{"model without id", func(c *Config) { c.Models["coder"] = Model{Provider: "local"} },
			"models.coder.id", "missing"},
		{"unknown class", func(c *Config) { c.Models["coder"] = Model{Provider: "local", ID: "x", Classes: []string{"fast"}} },
			"models.coder.classes", `"fast" is not a model class`},
		{"unknown fim", func(c *Config) { c.Models["coder"] = Model{Provider: "local", ID: "x", FIM: "qwen2"} },
			"models.coder.fim", `"qwen2" is not a fill-in-the-middle format`},
		{"negative context window", func(c *Config) { c.Models["coder"] = Model{Provider: "local", ID: "x", ContextWindow: -5} },
			"models.coder.context_window", "negative"},
		{"negative max output", func(c *Config) { c.Models["coder"] = Model{Provider: "local", ID: "x", MaxOutput: -5} },
			"models.coder.max_output", "negative"},
		{"unknown task", func(c *Config) { c.Routes["completions"] = []string{"coder"} },
			"routes.completions", `"completions" is not a task`},
		{"route names a missing model", func(c *Config) { c.Routes[TaskCoding] = []string{"gpt", "claude"} },
			"routes.coding", `entry 2, "claude", is not a configured model (have: coder, gpt)`},
		{"negative debounce", func(c *Config) { c.Completion.Debounce = Duration(-time.Millisecond) },
			"completion.debounce", "negative"},
		{"debounce in seconds by mistake", func(c *Config) { c.Completion.Debounce = Duration(150 * time.Second) },
			"completion.debounce", "longer than 10s"},
		{"zero completion timeout", func(c *Config) { c.Completion.Timeout = 0 },
			"completion.timeout", "must be more than 0"},
		{"negative prefix budget", func(c *Config) { c.Completion.MaxPrefixTokens = -1 },
			"completion.max_prefix_tokens", "negative"},
		{"huge suffix budget", func(c *Config) { c.Completion.MaxSuffixTokens = 1 << 30 },
			"completion.max_suffix_tokens", "more than"},
		{"zero max tokens", func(c *Config) { c.Completion.MaxTokens = 0 },
			"completion.max_tokens", "at least 1"},
		{"temperature too high", func(c *Config) { c.Completion.Temperature = f(3) },
			"completion.temperature", "outside 0 to 2"},
		{"negative cache", func(c *Config) { c.Completion.CacheSize = -1 },
			"completion.cache_size", "negative"},
		{"unknown multi_line", func(c *Config) { c.Completion.MultiLine = "sometimes" },
			"completion.multi_line", `use one of "auto", "always" or "never"`},
		{"empty policy jurisdiction", func(c *Config) { c.Policy.Jurisdictions = []string{""} },
			"policy.jurisdictions", "entry 1 is empty"},
		{"negative max retention", func(c *Config) { c.Policy.MaxRetentionDays = n(-1) },
			"policy.max_retention_days", "negative"},
		{"bad local_only glob", func(c *Config) { c.Policy.LocalOnly = []string{"secrets/[a"} },
			"policy.local_only", "not a valid glob"},
		{"class override for an unknown task", func(c *Config) { c.Tasks = map[string]TaskSettings{"poetry": {Class: ClassCoding}} },
			"tasks.poetry", `"poetry" is not a task`},
		{"class override naming an unknown class", func(c *Config) { c.Tasks = map[string]TaskSettings{TaskRefactor: {Class: "genius"}} },
			"tasks.refactor.class", `"genius" is not a model class`},
		{"policy override for an unknown task", func(c *Config) {
			c.Policy.Tasks = map[string]PolicyOverride{"poetry": {LocalOnly: true}}
		}, "policy.tasks.poetry", `"poetry" is not a task`},
		{"policy override that sets nothing", func(c *Config) {
			c.Policy.Tasks = map[string]PolicyOverride{TaskRefactor: {}}
		}, "policy.tasks.refactor", "sets no rule"},
		{"policy override with negative retention", func(c *Config) {
			c.Policy.Tasks = map[string]PolicyOverride{TaskRefactor: {MaxRetentionDays: n(-2)}}
		}, "policy.tasks.refactor", "max_retention_days -2 is negative"},
		{"path override without a glob", func(c *Config) { c.Policy.Paths = []PathPolicy{{ZeroRetention: true}} },
			"policy.paths", "entry 1: glob is missing"},
		{"path override with a bad glob", func(c *Config) {
			c.Policy.Paths = []PathPolicy{{Glob: "internal/**", LocalOnly: true}, {Glob: "a/[b", NoTraining: true}}
		}, "policy.paths", `entry 2: glob "a/[b" is not a valid glob`},
		{"path override that sets nothing", func(c *Config) { c.Policy.Paths = []PathPolicy{{Glob: "internal/**"}} },
			"policy.paths", "entry 1: sets no rule"},
		{"path override with an empty jurisdiction", func(c *Config) {
			c.Policy.Paths = []PathPolicy{{Glob: "internal/**", Jurisdictions: []string{"EU", " "}}}
		}, "policy.paths", "entry 1: jurisdictions entry 2 is empty"},
		{"relative trusted folder", func(c *Config) { c.Trust.Folders = []string{"code/repo"} },
			"trust.folders", "not an absolute path"},
		{"unknown log level", func(c *Config) { c.Log.Level = "verbose" },
			"log.level", `"verbose" is not a log level`},
		{"zero image file size", func(c *Config) { c.Images.MaxFileMB = 0 },
			"images.max_file_mb", "0 must be at least 1 MB"},
		{"negative image file size", func(c *Config) { c.Images.MaxFileMB = -5 },
			"images.max_file_mb", "-5 must be at least 1 MB"},
		{"image file size past the bound", func(c *Config) { c.Images.MaxFileMB = MaxImageFileMB + 1 },
			"images.max_file_mb", "201 is more than 200 MB, past which a decompression bomb"},
		{"zero megapixels", func(c *Config) { c.Images.MaxPixels = 0 },
			"images.max_pixels", "0 must be at least 1 megapixels"},
		{"megapixels written as pixels", func(c *Config) { c.Images.MaxPixels = 50_000_000 },
			"images.max_pixels", "50000000 is more than 200 megapixels"},
		{"zero images", func(c *Config) { c.Images.MaxImages = 0 },
			"images.max_images", "0 must be at least 1 images"},
		{"more images than any provider takes", func(c *Config) { c.Images.MaxImages = 21 },
			"images.max_images", "21 is more than 20 images"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.break_(c)
			err := c.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want a *ValidationError", err)
			}
			if len(ve.Problems) != 1 {
				t.Fatalf("want exactly one problem, got:\n%v", err)
			}
			p := ve.Problems[0]
			if p.Key != tt.key || !strings.Contains(p.Message, tt.message) {
				t.Errorf("problem = %q, want key %q and a message containing %q", p.String(), tt.key, tt.message)
			}
		})
	}
}

func TestImageLimitsAcceptTheirBounds(t *testing.T) {
	for _, im := range []Images{{MaxFileMB: 1, MaxPixels: 1, MaxImages: 1}, {MaxFileMB: MaxImageFileMB, MaxPixels: MaxImagePixels, MaxImages: MaxImageCount}} {
		c := valid()
		c.Images = im
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", im, err)
		}
	}
}

func TestValidationErrorPrintsOneProblemALine(t *testing.T) {
	c := valid()
	c.Log.Level = "loud"
	c.Models["coder"] = Model{Provider: "loacl", ID: "x"}
	err := c.Validate()
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		`models.coder.provider: "loacl" is not a configured provider (have: local, openai): add [providers.loacl] or fix the name`,
		`log.level: "loud" is not a log level: use one of "debug", "info", "warn" or "error"`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("Error() =\n%s\nwant\n%s", err, strings.Join(want, "\n"))
	}
}

func TestCloneIsDeep(t *testing.T) {
	c := valid()
	c.Providers["openai"] = Provider{Type: "openai", Headers: map[string]string{"X-A": "1"},
		Options: map[string]any{"nested": map[string]any{"k": []any{1}}}}
	c.Policy.LocalOnly = []string{"secrets/**"}
	cp := c.Clone()
	cp.Providers["openai"].Headers["X-A"] = "2"
	cp.Providers["openai"].Options["nested"].(map[string]any)["k"].([]any)[0] = 2
	cp.Models["coder"].Classes[0] = "changed"
	cp.Routes[TaskCoding][0] = "changed"
	*cp.Completion.Temperature = 1
	cp.Policy.LocalOnly[0] = "changed"
	switch {
	case c.Providers["openai"].Headers["X-A"] != "1",
		c.Providers["openai"].Options["nested"].(map[string]any)["k"].([]any)[0] != 1,
		c.Models["coder"].Classes[0] != ClassCompletion,
		c.Routes[TaskCoding][0] != "gpt",
		*c.Completion.Temperature != DefaultTemperature,
		c.Policy.LocalOnly[0] != "secrets/**":
		t.Error("changing the clone changed the original")
	}
}

func TestAuditSettings(t *testing.T) {
	for _, tc := range []struct {
		toml, want string // want: "" for valid, else part of the message
	}{
		{"[audit]\nenabled = false\nmax_files = 0", ""},
		{"[audit]\npath = \"~/logs/audit.jsonl\"", ""},
		{"[audit]\nmax_size_mb = 0", "audit.max_size_mb: 0 must be at least 1 MB"},
		{"[audit]\nmax_size_mb = 5000", "audit.max_size_mb: 5000 is more than 1024 MB"},
		{"[audit]\nmax_files = 0", "audit.max_files: 0 must be at least 1"},
		{"[audit]\npath = \"logs/audit.jsonl\"", "audit.path: \"logs/audit.jsonl\" is not an absolute path"},
		{"[audit]\npath = \"/var/log/\"", "audit.path: \"/var/log/\" names a folder"},
	} {
		l, err := ParseTOML([]byte(tc.toml), "cfg.toml")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = Merge(l, nil)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.toml, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want it to say %q", tc.toml, err, tc.want)
		}
	}
}

func TestAuditFile(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	if got, _ := (Audit{}).File(); got != "/state/switchyard/audit.jsonl" {
		t.Errorf("with XDG_STATE_HOME: %s", got)
	}
	t.Setenv("XDG_STATE_HOME", "relative")
	home, _ := os.UserHomeDir()
	if got, _ := (Audit{}).File(); got != filepath.Join(home, ".local/state/switchyard/audit.jsonl") {
		t.Errorf("with a relative XDG_STATE_HOME: %s", got)
	}
	if got, _ := (Audit{Path: "~/a.jsonl"}).File(); got != filepath.Join(home, "a.jsonl") {
		t.Errorf("path with ~: %s", got)
	}
}
