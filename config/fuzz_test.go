package config

import (
	"testing"
)

// FuzzParseTOML loads arbitrary files as the user's file and as a
// workspace file: errors, never panics, and whatever loads merges and
// validates without one either.
func FuzzParseTOML(f *testing.F) {
	for _, seed := range []string{
		"[providers.local]\ntype = \"ollama\"\n\n[models.coder]\nprovider = \"local\"\nid = \"qwen2.5-coder:7b\"\nclasses = [\"completion\"]\n\n[routes]\ncompletion = [\"coder\"]\n",
		"[completion]\ndebounce = 150\ntimeout = \"4s\"\ntemperature = 0.2\n[policy]\njurisdictions = [\"EU\"]\nmax_retention_days = 30\n",
		"[providers.gw]\ntype = \"openai\"\nbase_url = \"http://127.0.0.1:4000/v1\"\n[providers.gw.data]\njurisdictions = [\"CN\"]\nretention_days = 90\n",
		"[[actions]]\nname = \"x\"\nprompt = \"y\"\n[images]\nmax_file_mb = 1\n",
		"[providers.a]\ntype = 3\n[models]\nx = 1\n",
		"a.b.c = [1, \"x\", {d = 2}]\n'quoted key' = 1979-05-27T07:32:00Z\n",
		"[policy.tasks.completion]\nlocal_only = true\n[policy.paths.\"internal/**\"]\nlocal_only = true\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseTOML(data, "config.toml")
		if err != nil {
			return
		}
		for key := range l.tree {
			l.Line(key)
		}
		_, _ = l.Config()
		_, _, _ = Merge(l, nil)
		ws, err := ParseTOML(data, "/ws/"+WorkspaceFile)
		if err != nil {
			t.Fatalf("the same file parsed once and then failed: %v", err)
		}
		ws.Folder = "/ws"
		_, _, _ = Merge(nil, nil, ws)
	})
}

// FuzzEditorSettings loads arbitrary JSON as the editor's settings.
func FuzzEditorSettings(f *testing.F) {
	for _, seed := range []string{
		`{"switchyard":{"completion":{"debounce":"150ms","max_tokens":64}}}`,
		`{"switchyard":{"providers":{"o":{"type":"openai","headers":{"X":"y"}}},"routes":{"coding":["m"]}}}`,
		`{"switchyard":null}`,
		`{"other":{"x":1}}`,
		`null`,
		`{"switchyard":{"completion":{"temperature":null,"debounce":-1}}}`,
		`[1,2]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := EditorSettings(data)
		if err != nil || l == nil {
			return
		}
		_, _ = l.Config()
		_, _, _ = Merge(nil, l)
	})
}
