package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUserFilePath(t *testing.T) {
	home := t.TempDir()
	tests := []struct {
		name, flag, env, xdg string
		want                 string
	}{
		{"flag wins", "/etc/sy.toml", "/env/sy.toml", "/xdg", "/etc/sy.toml"},
		{"flag with ~", "~/sy.toml", "", "", filepath.Join(home, "sy.toml")},
		{"environment variable", "", "/env/sy.toml", "/xdg", "/env/sy.toml"},
		{"XDG_CONFIG_HOME", "", "", "/xdg", "/xdg/switchyard/config.toml"},
		{"relative XDG_CONFIG_HOME is ignored", "", "", "rel/xdg", filepath.Join(home, ".config/switchyard/config.toml")},
		{"home", "", "", "", filepath.Join(home, ".config/switchyard/config.toml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			t.Setenv(EnvConfig, tt.env)
			t.Setenv("XDG_CONFIG_HOME", tt.xdg)
			got, err := UserFilePath(tt.flag)
			if err != nil || got != tt.want {
				t.Errorf("UserFilePath(%q) = %q, %v; want %q", tt.flag, got, err, tt.want)
			}
		})
	}
}

func TestLoadUserMissingFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv(EnvConfig, "")

	l, err := LoadUser("")
	if err != nil || l.Found {
		t.Fatalf("no file at the default place: LoadUser = %+v, %v; want an empty layer, no error", l, err)
	}
	if c, err := l.Config(); err != nil || c.Completion.Debounce.D() != DefaultDebounce {
		t.Errorf("an empty layer should give the defaults, got %+v, %v", c, err)
	}

	// A path the user named must exist: a typo would otherwise silently
	// leave the defaults in force.
	if _, err := LoadUser(filepath.Join(dir, "typo.toml")); err == nil || !strings.Contains(err.Error(), "--config") {
		t.Errorf("missing --config file: err = %v, want one naming --config", err)
	}
	t.Setenv(EnvConfig, filepath.Join(dir, "typo.toml"))
	if _, err := LoadUser(""); err == nil || !strings.Contains(err.Error(), EnvConfig) {
		t.Errorf("missing $%s file: err = %v, want one naming the variable", EnvConfig, err)
	}
}

func TestLoadUserReadsTheFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv(EnvConfig, "")
	path := filepath.Join(dir, "switchyard", "config.toml")
	writeFile(t, path, "[completion]\ndebounce = \"300ms\"\n")
	l, err := LoadUser("")
	if err != nil || !l.Found || l.Source != path {
		t.Fatalf("LoadUser = %+v, %v", l, err)
	}
	c, _ := l.Config()
	if c.Completion.Debounce.D() != 300*time.Millisecond || c.Completion.Timeout.D() != DefaultTimeout {
		t.Errorf("debounce %v timeout %v; want 300ms and the default timeout", c.Completion.Debounce.D(), c.Completion.Timeout.D())
	}
}

func TestParseTOMLErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // the whole first line of Error()
	}{
		{"syntax error", "[completion]\ndebounce = \"150ms\"\nmax_tokens = \n",
			"cfg.toml:3: "},
		{"duplicate key", "[log]\nlevel = \"info\"\nlevel = \"debug\"\n", "cfg.toml:3: "},
		{"wrong type", "[completion]\n\nmax_tokens = \"many\"\n",
			"cfg.toml:3: completion.max_tokens: incompatible types"},
		{"bad duration", "[completion]\ndebounce = \"soon\"\n",
			`cfg.toml:2: completion.debounce: "soon" is not a duration`},
		{"unknown top-level key", "[completoin]\ndebounce = 1\n",
			"cfg.toml:1: completoin: unknown key: check its spelling (known here: providers, models, routes, tasks, completion, next_edit, images, policy, trust, log, audit, actions)"},
		{"unknown key in a provider", "[providers.local]\ntype = \"openai\"\nbase_ur = \"http://x\"\n",
			"cfg.toml:3: providers.local.base_ur: unknown key"},
		{"unknown key in a dotted table", "[providers.local]\ntype = \"openai\"\n\n[providers.local.data]\nlocal = true\nlcoal = true\n",
			"cfg.toml:6: providers.local.data.lcoal: unknown key"},
		{"wrong case", "[completion]\nDebounce = \"1s\"\n",
			"cfg.toml:2: completion.Debounce: unknown key"},
		{"unknown key in an inline table", "[providers]\nlocal = { type = \"openai\", url = \"http://x\" }\n",
			"cfg.toml:2: providers.local.url: unknown key"},
		{"unknown key in a quoted name", "[models.\"qwen.7b\"]\nprovider = \"local\"\nmodel = \"x\"\n",
			`cfg.toml:3: models."qwen.7b".model: unknown key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTOML([]byte(tt.text), "cfg.toml")
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			first := strings.Split(err.Error(), "\n")[0]
			if !strings.HasPrefix(first, tt.want) {
				t.Errorf("error = %q, want it to start with %q", first, tt.want)
			}
		})
	}
}

// Options are free-form, type-specific settings: any key goes, at any depth.
func TestParseTOMLAcceptsFreeFormOptions(t *testing.T) {
	_, err := ParseTOML([]byte(`
[providers.local]
type = "ollama"
[providers.local.options]
keep_alive = "30m"
num_ctx = 8192
nested = { list = [1, 2], deeper = { x = true } }
`), "cfg.toml")
	if err != nil {
		t.Fatal(err)
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name, json string
		want       func(c *Config) bool
		wantErr    string
	}{
		{"null", `null`, func(c *Config) bool { return c.Completion.Debounce.D() == DefaultDebounce }, ""},
		{"empty", ``, func(c *Config) bool { return c.Completion.MaxTokens == DefaultMaxTokens }, ""},
		{"empty object", `{}`, func(c *Config) bool { return c.Log.Level == DefaultLogLevel }, ""},
		{"duration as milliseconds", `{"completion":{"debounce":250}}`,
			func(c *Config) bool { return c.Completion.Debounce.D() == 250*time.Millisecond }, ""},
		{"duration as text", `{"completion":{"timeout":"2s"}}`,
			func(c *Config) bool { return c.Completion.Timeout.D() == 2*time.Second }, ""},
		{"null value is unset", `{"completion":{"debounce":null,"max_tokens":64}}`,
			func(c *Config) bool {
				return c.Completion.Debounce.D() == DefaultDebounce && c.Completion.MaxTokens == 64
			}, ""},
		{"a provider", `{"providers":{"local":{"type":"ollama","options":{"num_ctx":4096}}}}`,
			func(c *Config) bool { return c.Providers["local"].Options["num_ctx"] != nil }, ""},
		{"unknown key", `{"completion":{"debounse":150}}`, nil,
			"editor settings: completion.debounse: unknown key: check its spelling (known here: debounce, "},
		{"unknown key in a model", `{"models":{"coder":{"provider":"local","model":"x"}}}`, nil,
			"editor settings: models.coder.model: unknown key"},
		{"wrong type", `{"completion":{"max_tokens":"64"}}`, nil,
			"editor settings: completion.max_tokens: must be a whole number, not a string"},
		{"wrong type names the model", `{"models":{"coder":{"provider":3}}}`, nil,
			"editor settings: models.coder.provider: must be a string, not the number 3"},
		{"wrong type in a list", `{"routes":{"coding":["gpt", 2]}}`, nil,
			"editor settings: routes.coding: entry 2 must be a string, not the number 2"},
		{"fraction for a whole number", `{"providers":{"a":{"data":{"retention_days":1.5}}}}`, nil,
			"editor settings: providers.a.data.retention_days: must be a whole number, not the number 1.5"},
		{"bad duration", `{"completion":{"debounce":"fast"}}`, nil,
			`editor settings: completion.debounce: "fast" is not a duration`},
		{"not an object", `["completion"]`, nil, "editor settings: settings must be a JSON object"},
		{"not JSON", `{"completion":`, nil, "editor settings: not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseJSON([]byte(tt.json), EditorSource)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to start with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := l.Config()
			if err != nil || !tt.want(c) {
				t.Errorf("config %+v, %v: not what the settings asked for", c.Completion, err)
			}
		})
	}
}

func TestEditorSettings(t *testing.T) {
	tests := []struct {
		name, json string
		wantNil    bool
		debounce   time.Duration
	}{
		{"the switchyard section of all settings", `{"gopls":{"x":1},"switchyard":{"completion":{"debounce":90}}}`, false, 90 * time.Millisecond},
		{"a null section", `{"switchyard":null}`, false, DefaultDebounce},
		{"no section: pull it instead", `{"gopls":{"x":1}}`, true, 0},
		{"null settings", `null`, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := EditorSettings([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			if (l == nil) != tt.wantNil {
				t.Fatalf("layer = %v, want nil: %v", l, tt.wantNil)
			}
			if l == nil {
				return
			}
			c, _ := l.Config()
			if c.Completion.Debounce.D() != tt.debounce || l.Source != EditorSource {
				t.Errorf("debounce %v source %q", c.Completion.Debounce.D(), l.Source)
			}
		})
	}
	if _, err := EditorSettings([]byte(`{"switchyard":{"completoin":{}}}`)); err == nil || !strings.Contains(err.Error(), "completoin") {
		t.Errorf("unknown key inside the section: err = %v", err)
	}
}

func TestExampleFileLoadsAndValidates(t *testing.T) {
	l, err := LoadFile("example.toml")
	if err != nil {
		t.Fatal(err)
	}
	c, warnings, err := Merge(l, nil)
	if err != nil {
		t.Fatalf("example.toml does not validate:\n%v", err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	// The example documents the defaults: it must not drift from them.
	d := Defaults()
	if c.Completion.Debounce != d.Completion.Debounce || c.Completion.Timeout != d.Completion.Timeout ||
		c.Completion.MaxPrefixTokens != d.Completion.MaxPrefixTokens || c.Completion.MaxSuffixTokens != d.Completion.MaxSuffixTokens ||
		c.Completion.MaxTokens != d.Completion.MaxTokens || *c.Completion.Temperature != *d.Completion.Temperature ||
		c.Completion.CacheSize != d.Completion.CacheSize || c.Completion.MultiLine != d.Completion.MultiLine || c.Log.Level != d.Log.Level {
		t.Errorf("example.toml's [completion]/[log] differ from Defaults(): %+v", c.Completion)
	}
	if c.Audit != d.Audit {
		t.Errorf("example.toml's [audit] = %+v, Defaults() = %+v", c.Audit, d.Audit)
	}
	if c.NextEdit != d.NextEdit {
		t.Errorf("example.toml's [next_edit] = %+v, Defaults() = %+v", c.NextEdit, d.NextEdit)
	}
	if c.Images != d.Images {
		t.Errorf("example.toml's [images] = %+v, Defaults() = %+v", c.Images, d.Images)
	}
	for _, task := range Tasks {
		if len(c.Routes[task]) == 0 {
			t.Errorf("example.toml has no route for %q", task)
		}
	}
	if c.Providers["local"].BaseURL == "" || c.Providers["openai"].APIKeyEnv == "" || len(c.Trust.Folders) == 0 || len(c.Policy.LocalOnly) == 0 {
		t.Error("example.toml lost part of what it demonstrates")
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestUserLog reads [log] alone, and agrees with the full decode.
func TestUserLog(t *testing.T) {
	dir := t.TempDir()
	for i, tc := range []struct{ text, file, level string }{
		{"", "", ""},
		{"[log]\nlevel = \"debug\"\n", "", "debug"},
		{"[log]\nfile = \"/tmp/s.log\"\nlevel = \"warn\"\n", "/tmp/s.log", "warn"},
		{"[completion]\nmax_tokens = 64\n[log]\nlevel = \"error\"\n", "", "error"},
		{"[log\nlevel = \"debug\"\n", "", ""}, // does not parse
	} {
		path := filepath.Join(dir, fmt.Sprintf("c%d.toml", i))
		if err := os.WriteFile(path, []byte(tc.text), 0o600); err != nil {
			t.Fatal(err)
		}
		file, level := UserLog(path)
		if file != tc.file || level != tc.level {
			t.Errorf("%q: UserLog = %q, %q; want %q, %q", tc.text, file, level, tc.file, tc.level)
		}
		l, err := LoadUser(path)
		if err != nil {
			continue
		}
		c, err := l.Config()
		if err != nil {
			t.Fatal(err)
		}
		if c.Log.File != file || (level != "" && c.Log.Level != level) {
			t.Errorf("%q: Config().Log = %+v, UserLog = %q, %q", tc.text, c.Log, file, level)
		}
	}
	if f, l := UserLog(filepath.Join(dir, "missing.toml")); f != "" || l != "" {
		t.Errorf("missing file: %q, %q", f, l)
	}
}
