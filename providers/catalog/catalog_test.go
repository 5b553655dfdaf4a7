package catalog

import (
	"slices"
	"testing"

	"switchyard/config"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		id   string
		want string // catalogue id, "" for no match
		fim  string
	}{
		// One model, however a provider spells it.
		{"qwen2.5-coder:7b", "qwen2.5-coder", "qwen"},
		{"qwen2.5-coder:1.5b-base-q8_0", "qwen2.5-coder", "qwen"},
		{"Qwen/Qwen2.5-Coder-7B", "qwen2.5-coder", "qwen"},
		{"hf.co/bartowski/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M", "qwen2.5-coder", "qwen"},
		{"/models/qwen2.5-coder-7b-q8_0.gguf", "qwen2.5-coder", "qwen"},
		{"claude-sonnet-4-6", "claude-sonnet-4-6", ""},
		{"anthropic.claude-sonnet-4-6", "claude-sonnet-4-6", ""},
		{"us.anthropic.claude-sonnet-4-6-v1:0", "claude-sonnet-4-6", ""},
		{"global.anthropic.claude-sonnet-4-6", "claude-sonnet-4-6", ""},
		{"claude-sonnet-4-6@20260217", "claude-sonnet-4-6", ""},
		{"anthropic/claude-sonnet-4.6", "claude-sonnet-4-6", ""},
		{"gpt-5.2", "gpt-5.2", ""},
		{"openai/gpt-5.2", "gpt-5.2", ""},
		{"gpt-5.2-2025-12-11", "gpt-5.2", ""},
		{"meta.llama4-maverick-17b-instruct-v1:0", "llama-4-maverick", ""},
		{"meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4-scout", ""},
		{"llama4:latest", "llama-4-scout", ""},
		{"mistral-large-latest", "mistral-large-2512", ""},
		{"mistral.mistral-large-2407-v1:0", "mistral-large-2411", ""},
		{"deepseek-ai/DeepSeek-V3.2", "deepseek-v3.2", ""},
		{"deepseek-chat", "deepseek-v3.2", ""},
		{"qwen3:8b", "qwen3", ""},
		{"Qwen/Qwen3-Coder-30B-A3B-Instruct", "qwen3-coder", "qwen"},
		{"moonshotai/Kimi-K2.5", "kimi-k2.5", ""},
		{"zai-org/GLM-4.7", "glm-4.7", ""},
		{"codestral-latest", "codestral", "codestral"},
		{"codestral:22b", "codestral-22b", "codestral"},
		{"deepseek-coder-v2:16b", "deepseek-coder-v2", "deepseek"},
		{"deepseek-coder:6.7b-base", "deepseek-coder", "deepseek"},
		{"starcoder2:3b", "starcoder2", "starcoder"},
		{"bigcode/starcoder2-15b", "starcoder2", "starcoder"},
		{"codellama:7b-code", "codellama", "codellama"},
		// Near misses are not matches: a prefix must end at a separator.
		{"gpt-5", "", ""},
		{"qwen2.5:7b", "", ""},
		{"kimi-k2", "", ""},
		{"claude-sonnet-4-5", "", ""},
		{"llama3.1:8b", "", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		e, ok := Lookup(tc.id)
		if tc.want == "" {
			if ok {
				t.Errorf("Lookup(%q) = %q, want no match", tc.id, e.ID)
			}
			continue
		}
		if !ok || e.ID != tc.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tc.id, e.ID, ok, tc.want)
			continue
		}
		if e.FIM != tc.fim {
			t.Errorf("Lookup(%q).FIM = %q, want %q", tc.id, e.FIM, tc.fim)
		}
	}
}

// The model list the product promises, each with the facts routing needs.
func TestCatalogueCoversPromisedModels(t *testing.T) {
	for _, id := range []string{
		"claude-sonnet-4-6", "gpt-5.2", "llama-4-maverick", "mistral-large-latest", "deepseek-v3.2",
		"qwen3", "kimi-k2.5", "glm-4.7", "qwen2.5-coder", "codestral", "deepseek-coder-v2", "starcoder2",
	} {
		e, ok := Lookup(id)
		if !ok {
			t.Errorf("%s is not in the catalogue", id)
			continue
		}
		if len(e.Classes) == 0 || e.ContextWindow == 0 || e.Name == "" {
			t.Errorf("%s lacks classes, context window or name: %+v", id, e)
		}
		for _, c := range e.Classes {
			if !slices.Contains(config.Classes, c) || c == config.ClassLocal {
				t.Errorf("%s has class %q: use the config classes, and never local (a route is local, not a model)", id, c)
			}
		}
		if e.FIM != "" && !slices.Contains(config.FIMFormats, e.FIM) {
			t.Errorf("%s has FIM family %q, which the configuration does not accept", id, e.FIM)
		}
		if e.Vision != slices.Contains(e.Classes, config.ClassMultimodal) {
			t.Errorf("%s: vision %v disagrees with its classes %v", id, e.Vision, e.Classes)
		}
	}
}

func TestCanonicalJoinsRoutes(t *testing.T) {
	// Claude through Anthropic, Bedrock and Vertex is one model.
	ids := []string{"claude-sonnet-4-6", "us.anthropic.claude-sonnet-4-6-v1:0", "claude-sonnet-4-6@20260217"}
	for _, id := range ids {
		if got := Canonical(id); got != "claude-sonnet-4-6" {
			t.Errorf("Canonical(%q) = %q", id, got)
		}
	}
	if a, b := Canonical("my-fine-tune:v2"), Canonical("My_Fine_Tune:v2"); a != b {
		t.Errorf("unknown ids differing only in spelling give %q and %q", a, b)
	}
}

func TestFill(t *testing.T) {
	ollama := config.Provider{Type: "ollama"}
	anthropic := config.Provider{Type: "anthropic"}
	tests := []struct {
		name    string
		m       config.Model
		p       config.Provider
		classes []string
		ctx     int
		fim     string
		vision  bool
	}{
		{"catalogue fills what is missing", config.Model{ID: "claude-sonnet-4-6"}, anthropic,
			[]string{"frontier", "coding", "multimodal", "long-context"}, 1_000_000, "", true},
		{"a local route adds local", config.Model{ID: "qwen2.5-coder:7b"}, ollama,
			[]string{"completion", "coding", "open-weight", "local"}, 32_768, "qwen", false},
		{"the user's classes and window win", config.Model{ID: "qwen2.5-coder:7b", Classes: []string{"completion"}, ContextWindow: 4096}, ollama,
			[]string{"completion", "local"}, 4096, "qwen", false},
		{"the user's fim wins", config.Model{ID: "qwen2.5-coder:7b", FIM: "none"}, ollama,
			[]string{"completion", "coding", "open-weight", "local"}, 32_768, "none", false},
		{"classes = [] keeps a model out of every class", config.Model{ID: "gpt-5.2", Classes: []string{}}, config.Provider{Type: "openai"},
			[]string{}, 400_000, "", false},
		{"unknown model is left as written", config.Model{ID: "my-model", Classes: []string{"coding"}}, anthropic,
			[]string{"coding"}, 0, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Fill(tc.m, tc.p)
			if !slices.Equal(got.Classes, tc.classes) || got.ContextWindow != tc.ctx || got.FIM != tc.fim || got.Vision != tc.vision {
				t.Errorf("Fill = classes %v ctx %d fim %q vision %v; want %v %d %q %v",
					got.Classes, got.ContextWindow, got.FIM, got.Vision, tc.classes, tc.ctx, tc.fim, tc.vision)
			}
		})
	}
}

func TestApplyLeavesTheSharedConfigAlone(t *testing.T) {
	cfg := config.Defaults()
	cfg.Providers = map[string]config.Provider{"local": {Type: "ollama"}}
	cfg.Models = map[string]config.Model{"coder": {Provider: "local", ID: "qwen2.5-coder:1.5b-base"}}
	out := Apply(cfg)
	if got := out.Models["coder"].Classes; !slices.Contains(got, "completion") || !slices.Contains(got, "local") {
		t.Errorf("applied classes %v, want completion and local", got)
	}
	if cfg.Models["coder"].Classes != nil {
		t.Errorf("Apply changed its input: %v", cfg.Models["coder"].Classes)
	}
	if err := out.Validate(); err != nil {
		t.Errorf("the applied configuration does not validate: %v", err)
	}
}
