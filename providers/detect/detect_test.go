package detect

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers/providertest"
)

// deadPort returns a base URL on 127.0.0.1 where nothing listens.
func deadPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// silentPort returns a base URL whose server accepts connections and
// never answers, as a wedged runner does.
func silentPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return "http://" + ln.Addr().String()
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func find(rep Report, name string) Provider {
	for _, p := range rep.Providers {
		if p.Name == name {
			return p
		}
	}
	return Provider{}
}

func TestDiscoverPicksACoderWithInsertOverAGeneralModel(t *testing.T) {
	ol := providertest.NewOllama(t,
		providertest.OllamaModel{Name: "llama3.1:8b", Capabilities: []string{"completion", "tools"}, ContextLength: 131072},
		providertest.OllamaModel{Name: "nomic-embed-text:latest", Capabilities: []string{"embedding"}},
		providertest.OllamaModel{Name: "qwen2.5-coder:7b", Capabilities: []string{"completion", "insert"}, ContextLength: 32768, Family: "qwen2"},
		providertest.OllamaModel{Name: "qwen2.5-coder:1.5b-base", Capabilities: []string{"completion", "insert"}, ContextLength: 32768, Family: "qwen2"},
		providertest.OllamaModel{Name: "llava:7b", Capabilities: []string{"completion", "vision"}, ContextLength: 4096},
	)
	lc := providertest.NewLlamaCpp(t)
	lm := providertest.NewOpenAI(t)
	lm.SetModels("deepseek-coder-v2-lite-instruct", "text-embedding-nomic-embed-text-v1.5")

	l, rep := Discover(context.Background(), Options{
		Runners: []Runner{
			{Name: "ollama", Type: "ollama", BaseURL: ol.URL, Label: "Ollama"},
			{Name: "llamacpp", Type: "llamacpp", BaseURL: lc.URL, Label: "llama.cpp"},
			{Name: "lmstudio", Type: "openai", BaseURL: lm.URL, Label: "LM Studio"},
			{Name: "vllm", Type: "openai", BaseURL: deadPort(t) + "/v1", Label: "vLLM", Start: "start it with `vllm serve MODEL`"},
		},
		Getenv: env(nil),
		Home:   t.TempDir(),
	})
	if l == nil || !rep.Usable() {
		t.Fatalf("nothing usable found; report %+v", rep)
	}
	// Both Qwen coders fill in the middle natively; the smaller answers
	// sooner. The general model comes after every coder.
	want := []string{"ollama/qwen2.5-coder:1.5b-base", "ollama/qwen2.5-coder:7b"}
	if len(rep.Completion) < 4 || !slices.Equal(rep.Completion[:2], want) {
		t.Fatalf("completion route %v, want it to start with %v", rep.Completion, want)
	}
	if i, j := slices.Index(rep.Completion, "ollama/llama3.1:8b"), slices.Index(rep.Completion, "lmstudio/deepseek-coder-v2-lite-instruct"); i < j {
		t.Errorf("general model llama3.1 (at %d) is ranked over a code model (at %d): %v", i, j, rep.Completion)
	}

	cfg, err := l.Config()
	if err != nil {
		t.Fatalf("the detected layer does not decode: %v", err)
	}
	if _, _, err := config.Merge(l, nil); err != nil {
		t.Fatalf("the detected layer does not validate: %v", err)
	}
	if got := cfg.Routes[config.TaskCompletion]; !slices.Equal(got, rep.Completion) {
		t.Errorf("routes.completion %v, want %v", got, rep.Completion)
	}
	if _, ok := cfg.Models["ollama/nomic-embed-text:latest"]; ok {
		t.Error("an embedding model was offered for text")
	}
	if _, ok := cfg.Models["lmstudio/text-embedding-nomic-embed-text-v1.5"]; ok {
		t.Error("an LM Studio embedding model was offered for text")
	}
	coder := cfg.Models["ollama/qwen2.5-coder:7b"]
	if !slices.Contains(coder.Classes, config.ClassCompletion) || !slices.Contains(coder.Classes, config.ClassLocal) || coder.ContextWindow != 32768 {
		t.Errorf("qwen2.5-coder: %+v, want completion and local classes and the runner's 32768 context", coder)
	}
	if llava := cfg.Models["ollama/llava:7b"]; !llava.Vision || !slices.Contains(llava.Classes, config.ClassMultimodal) {
		t.Errorf("llava, which the runner says sees images: %+v", llava)
	}
	lcm := cfg.Models["llamacpp/qwen2.5-coder-7b-q8_0.gguf"]
	if lcm.Provider != "llamacpp" || lcm.ContextWindow != 8192 || lcm.FIM != "qwen" {
		t.Errorf("llama.cpp model %+v, want the served GGUF with its n_ctx 8192 and the qwen FIM family", lcm)
	}
	if p := cfg.Providers["ollama"]; p.Type != "ollama" || p.BaseURL != ol.URL {
		t.Errorf("ollama provider %+v", p)
	}

	vllm := find(rep, "vllm")
	if vllm.Found || !strings.Contains(vllm.Detail, "nothing answers") || !strings.Contains(vllm.Detail, "vllm serve") {
		t.Errorf("vLLM report %+v, want not found, why, and how to start it", vllm)
	}
	if _, ok := cfg.Providers["vllm"]; ok {
		t.Error("a runner that did not answer is in the configuration")
	}
}

func TestDiscoverGeneralModelWhenNoCoder(t *testing.T) {
	ol := providertest.NewOllama(t, providertest.OllamaModel{Name: "llama3.1:8b", Capabilities: []string{"completion", "tools"}})
	_, rep := Discover(context.Background(), Options{
		Runners: []Runner{{Name: "ollama", Type: "ollama", BaseURL: ol.URL}},
		Getenv:  env(nil), Home: t.TempDir(),
	})
	if !slices.Equal(rep.Completion, []string{"ollama/llama3.1:8b"}) {
		t.Errorf("completion route %v: a general model must still serve when it is all there is", rep.Completion)
	}
}

func TestDiscoverDoesNotStall(t *testing.T) {
	start := time.Now()
	l, rep := Discover(context.Background(), Options{
		Runners: []Runner{
			{Name: "a", Type: "ollama", BaseURL: silentPort(t)},
			{Name: "b", Type: "llamacpp", BaseURL: silentPort(t)},
			{Name: "c", Type: "openai", BaseURL: silentPort(t) + "/v1"},
		},
		Getenv: env(nil), Home: t.TempDir(), Timeout: 100 * time.Millisecond,
	})
	if took := time.Since(start); took > time.Second {
		t.Errorf("Discover took %v against runners that never answer", took)
	}
	if l != nil || rep.Usable() {
		t.Errorf("wedged runners were taken as usable: %+v", rep)
	}
	for _, p := range rep.Providers[:3] {
		if !strings.Contains(p.Detail, "no answer in time") {
			t.Errorf("%s: %q, want it to say nothing answered in time", p.Name, p.Detail)
		}
	}
}

func TestDiscoverKeysWithoutValues(t *testing.T) {
	const secret = "sk-test-0123456789abcdef"
	home := t.TempDir()
	l, rep := Discover(context.Background(), Options{
		Runners: []Runner{},
		Getenv: env(map[string]string{
			"OPENAI_API_KEY":     secret,
			"OPENROUTER_API_KEY": secret + "-or",
			"MISTRAL_API_KEY":    "   ", // blank is not set
			"AWS_PROFILE":        "dev",
			"AWS_REGION":         "eu-central-1",
		}),
		Home: home,
	})
	if l == nil {
		t.Fatalf("keys in the environment gave no configuration: %+v", rep)
	}
	cfg, err := l.Config()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(cfg)
	text := string(raw)
	for _, p := range rep.Providers {
		text += p.Detail
	}
	if strings.Contains(text, secret) {
		t.Fatalf("a key value reached the configuration or the report: %s", text)
	}
	if p := cfg.Providers["openai"]; p.APIKeyEnv != "OPENAI_API_KEY" {
		t.Errorf("openai provider %+v, want api_key_env OPENAI_API_KEY", p)
	}
	if p := cfg.Providers["openrouter"]; p.BaseURL != "https://openrouter.ai/api/v1" || p.APIKeyEnv != "OPENROUTER_API_KEY" {
		t.Errorf("openrouter provider %+v", p)
	}
	if _, ok := cfg.Providers["mistral"]; ok {
		t.Error("a blank MISTRAL_API_KEY was taken as a key")
	}
	if _, ok := cfg.Providers["anthropic"]; ok {
		t.Error("anthropic was added without ANTHROPIC_API_KEY")
	}
	if m := cfg.Models["bedrock/eu.anthropic.claude-sonnet-4-6"]; m.Provider != "bedrock" || !slices.Contains(m.Classes, config.ClassFrontier) {
		t.Errorf("bedrock model %+v, want Claude through the EU inference profile", m)
	}
	if p := cfg.Providers["bedrock"]; p.Region != "eu-central-1" {
		t.Errorf("bedrock region %q", p.Region)
	}
	// GPT-5.2 through OpenAI and through OpenRouter: one model, two routes.
	if a, b := cfg.Models["openai/gpt-5.2"], cfg.Models["openrouter/openai/gpt-5.2"]; a.ContextWindow != b.ContextWindow || a.ContextWindow == 0 {
		t.Errorf("the two routes to GPT-5.2 disagree: %+v, %+v", a, b)
	}
	if len(rep.Completion) == 0 {
		t.Error("with remote keys only, completion has no route at all")
	}
	if find(rep, "vertex").Found {
		t.Error("vertex found without Google credentials")
	}
}

func TestDiscoverDisabled(t *testing.T) {
	ol := providertest.NewOllama(t, providertest.OllamaModel{Name: "qwen2.5-coder:7b", Capabilities: []string{"completion", "insert"}})
	l, rep := Discover(context.Background(), Options{
		Runners: []Runner{{Name: "ollama", Type: "ollama", BaseURL: ol.URL}},
		Getenv:  env(map[string]string{EnvDisable: "1"}),
	})
	if l != nil || !rep.Disabled || ol.Count("/api/tags") != 0 {
		t.Errorf("%s=1 still probed (%d requests) or configured", EnvDisable, ol.Count("/api/tags"))
	}
}

func TestGoogleChain(t *testing.T) {
	home := t.TempDir()
	_, rep := Discover(context.Background(), Options{Runners: []Runner{}, Getenv: env(nil), Home: home})
	if find(rep, "vertex").Found {
		t.Fatal("vertex found with no credentials")
	}
	if err := writeFile(home+"/.config/gcloud/application_default_credentials.json", `{"type":"authorized_user"}`); err != nil {
		t.Fatal(err)
	}
	_, rep = Discover(context.Background(), Options{Runners: []Runner{}, Getenv: env(nil), Home: home})
	if v := find(rep, "vertex"); v.Found || !strings.Contains(v.Detail, "GOOGLE_CLOUD_PROJECT") {
		t.Errorf("vertex without a project: %+v, want not usable and told to set GOOGLE_CLOUD_PROJECT", v)
	}
	_, rep = Discover(context.Background(), Options{Runners: []Runner{}, Getenv: env(map[string]string{"GOOGLE_CLOUD_PROJECT": "p1", "GOOGLE_CLOUD_LOCATION": "europe-west4"}), Home: home})
	if v := find(rep, "vertex"); !v.Found || v.Config.Project != "p1" || v.Config.Region != "europe-west4" {
		t.Errorf("vertex with ADC and a project: %+v", v)
	}
}

func TestProbeConfiguredRemote(t *testing.T) {
	srv := providertest.NewOpenAI(t)
	cfg := config.Provider{Type: "openai", BaseURL: srv.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY", Data: config.DataPolicy{Local: new(bool)}}
	t.Setenv("SWITCHYARD_TEST_KEY", "")
	p := Probe(context.Background(), "corp", cfg, time.Second)
	if p.Found || !strings.Contains(p.Detail, "SWITCHYARD_TEST_KEY is not set") {
		t.Errorf("no key: %+v", p)
	}
	if len(srv.Requests()) != 0 {
		t.Error("a request went out without a key")
	}
	t.Setenv("SWITCHYARD_TEST_KEY", "sk-corp-secret")
	p = Probe(context.Background(), "corp", cfg, time.Second)
	if !p.Found || !p.Checked || strings.Contains(p.Detail, "sk-corp-secret") {
		t.Errorf("with a key: %+v", p)
	}
	if got := srv.Last(t).Header.Get("Authorization"); got != "Bearer sk-corp-secret" {
		t.Errorf("the key did not reach its own provider: Authorization %q", got)
	}
	srv.Enqueue(providertest.Fail(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided"))
	p = Probe(context.Background(), "corp", cfg, time.Second)
	if p.Found || !strings.Contains(p.Detail, "refused") || !strings.Contains(p.Detail, "SWITCHYARD_TEST_KEY") || strings.Contains(p.Detail, "sk-corp-secret") {
		t.Errorf("a refused key: %+v, want not usable, naming the variable and not the value", p)
	}
}

func writeFile(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(text), 0o600)
}

func TestProbeCloudChains(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
		"GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG"} {
		t.Setenv(v, "")
	}
	b := Probe(context.Background(), "aws", config.Provider{Type: "bedrock", Region: "eu-west-1"}, 0)
	if b.Found || !strings.Contains(b.Detail, "aws configure") {
		t.Errorf("bedrock with no credentials: %+v", b)
	}
	if err := writeFile(filepath.Join(home, ".aws", "credentials"), "[default]\naws_access_key_id = AKIAEXAMPLE\n"); err != nil {
		t.Fatal(err)
	}
	b = Probe(context.Background(), "aws", config.Provider{Type: "bedrock", Region: "eu-west-1"}, 0)
	if !b.Found || b.Checked || strings.Contains(b.Detail, "AKIAEXAMPLE") {
		t.Errorf("bedrock with ~/.aws/credentials: %+v, want found, not contacted, no key in the report", b)
	}
	v := Probe(context.Background(), "gcp", config.Provider{Type: "vertex", Project: "p"}, 0)
	if v.Found || !strings.Contains(v.Detail, "application-default login") {
		t.Errorf("vertex with no credentials: %+v", v)
	}
}

// TestReportSame checks what the server relies on to rebuild only when a
// runner appeared, went away or changed its models.
func TestReportSame(t *testing.T) {
	dead := deadPort(t)
	ol := providertest.NewOllama(t, providertest.OllamaModel{Name: "qwen2.5-coder:1.5b-base", Capabilities: []string{"completion", "insert"}, Family: "qwen2"})
	discover := func(url string) Report {
		_, rep := Discover(context.Background(), Options{
			Runners: []Runner{{Name: "ollama", Type: "ollama", BaseURL: url, Label: "Ollama"}},
			Getenv:  env(nil), Home: t.TempDir(), NoKeys: true,
		})
		return rep
	}
	none, none2 := discover(dead), discover(dead)
	found, found2 := discover(ol.URL), discover(ol.URL)
	if !none.Same(&none2) || !found.Same(&found2) {
		t.Error("two rounds that saw the same thing differ")
	}
	if none.Same(&found) || found.Same(&none) {
		t.Error("a runner that appeared is not a change")
	}
	if p, ok := found.Provider("ollama"); !ok || !p.Found || p.Label != "Ollama" {
		t.Errorf("Provider(ollama) = %+v, %v", p, ok)
	}
	if _, ok := found.Provider("nowhere"); ok {
		t.Error("Provider found a provider that was not looked for")
	}
}

func TestDiscoverFindsOllamaWhereOllamaHostSays(t *testing.T) {
	ol := providertest.NewOllama(t, providertest.OllamaModel{Name: "qwen2.5-coder:1.5b-base", Capabilities: []string{"completion", "insert"}})
	host := strings.TrimPrefix(ol.URL, "http://")
	_, rep := Discover(context.Background(), Options{Getenv: env(map[string]string{"OLLAMA_HOST": host}), Home: t.TempDir(), NoKeys: true})
	if p := find(rep, "ollama"); !p.Found || p.Config.BaseURL != ol.URL {
		t.Errorf("ollama report %+v, want found at %s", p, ol.URL)
	}
}
