package editors

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/BurntSushi/toml"

	"switchyard/config"
)

// validSettings fails the test unless settings, as the editor would send
// them, are accepted by the server's configuration loader.
func validSettings(t *testing.T, where string, settings any) {
	t.Helper()
	raw, err := json.Marshal(settings)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	l, err := config.ParseJSON(raw, where)
	if err != nil {
		t.Fatalf("%s: the server would reject these settings: %v", where, err)
	}
	if _, _, err := config.Merge(nil, l); err != nil {
		t.Fatalf("%s: the server would reject these settings: %v", where, err)
	}
}

// TestHelixLanguagesTOML checks the Helix snippet: it parses, starts
// switchyard over stdio, carries settings the server accepts, and adds
// switchyard to each language for completion and code actions only, next
// to the language's own server.
func TestHelixLanguagesTOML(t *testing.T) {
	var doc struct {
		LanguageServer map[string]struct {
			Command string         `toml:"command"`
			Args    []string       `toml:"args"`
			Config  map[string]any `toml:"config"`
		} `toml:"language-server"`
		Language []struct {
			Name            string `toml:"name"`
			LanguageServers []any  `toml:"language-servers"`
		} `toml:"language"`
	}
	if _, err := toml.DecodeFile(filepath.Join("helix", "languages.toml"), &doc); err != nil {
		t.Fatalf("helix/languages.toml: %v", err)
	}
	ls, ok := doc.LanguageServer["switchyard"]
	if !ok {
		t.Fatal("no [language-server.switchyard]")
	}
	if ls.Command != "switchyard" || !slices.Equal(ls.Args, []string{"serve", "--stdio"}) {
		t.Errorf("server command = %q %q, want switchyard serve --stdio", ls.Command, ls.Args)
	}
	validSettings(t, "helix/languages.toml [language-server.switchyard.config]", ls.Config)
	if len(doc.Language) == 0 {
		t.Fatal("no [[language]] uses switchyard")
	}
	for _, lang := range doc.Language {
		var own, sy bool
		for _, s := range lang.LanguageServers {
			switch s := s.(type) {
			case string:
				own = own || s != "switchyard"
			case map[string]any:
				if s["name"] == "switchyard" {
					sy = true
					var feats []string
					for _, f := range s["only-features"].([]any) {
						feats = append(feats, f.(string))
					}
					if !slices.Contains(feats, "completion") || !slices.Contains(feats, "code-action") {
						t.Errorf("%s: switchyard only-features = %v, want completion and code-action", lang.Name, feats)
					}
				}
			}
		}
		if !sy || !own {
			t.Errorf("%s: language-servers = %v, want the language's own server and switchyard", lang.Name, lang.LanguageServers)
		}
	}
}

// TestZedSettingsJSON checks the Zed snippet: valid JSON, the binary with
// serve --stdio, initialization options and settings the server accepts,
// and switchyard added to each language beside its default servers.
func TestZedSettingsJSON(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("zed", "settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		LSP map[string]struct {
			Binary struct {
				Path      string   `json:"path"`
				Arguments []string `json:"arguments"`
			} `json:"binary"`
			InitializationOptions map[string]any `json:"initialization_options"`
			Settings              map[string]any `json:"settings"`
		} `json:"lsp"`
		Languages map[string]struct {
			LanguageServers []string `json:"language_servers"`
		} `json:"languages"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("zed/settings.json: %v", err)
	}
	sy, ok := doc.LSP["switchyard"]
	if !ok {
		t.Fatal(`no "lsp": {"switchyard": ...}`)
	}
	if sy.Binary.Path != "switchyard" || !slices.Equal(sy.Binary.Arguments, []string{"serve", "--stdio"}) {
		t.Errorf("binary = %q %q, want switchyard serve --stdio", sy.Binary.Path, sy.Binary.Arguments)
	}
	validSettings(t, "zed/settings.json initialization_options", sy.InitializationOptions)
	section, ok := sy.Settings["switchyard"]
	if !ok {
		t.Fatal(`zed/settings.json: settings has no "switchyard" section, which workspace/configuration asks for`)
	}
	validSettings(t, "zed/settings.json settings.switchyard", section)
	if len(doc.Languages) == 0 {
		t.Fatal("no language uses switchyard")
	}
	for name, l := range doc.Languages {
		if !slices.Contains(l.LanguageServers, "switchyard") || !slices.Contains(l.LanguageServers, "...") {
			t.Errorf("%s: language_servers = %q, want switchyard and \"...\" (the language's defaults)", name, l.LanguageServers)
		}
	}
}
