package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/providers/detect"
	"switchyard/providers/providertest"
)

// doctorEnv points the user configuration at an empty folder, so that
// the test machine's own file is never read.
func doctorEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("SWITCHYARD_CONFIG", "")
	t.Setenv(detect.EnvDisable, "")
	return dir
}

func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

func nothingRunning(t *testing.T) []detect.Runner {
	return []detect.Runner{
		{Name: "ollama", Type: "ollama", BaseURL: deadURL(t), Label: "Ollama", Start: "start it with `ollama serve`"},
		{Name: "llamacpp", Type: "llamacpp", BaseURL: deadURL(t), Label: "llama.cpp"},
	}
}

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func doctorRun(t *testing.T, opts detect.Options, args ...string) (string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runDoctor(args, &out, &errOut, opts)
	return out.String() + errOut.String(), code
}

func TestDoctorNothingUsable(t *testing.T) {
	dir := doctorEnv(t)
	out, code := doctorRun(t, detect.Options{Runners: nothingRunning(t), Getenv: envOf(nil), Home: t.TempDir()})
	if code == 0 {
		t.Fatalf("exit code 0 with nothing usable:\n%s", out)
	}
	for _, want := range []string{
		filepath.Join(dir, "switchyard", "config.toml") + " does not exist",
		"Ollama (ollama, local)",
		"nothing answers at",
		"OPENAI_API_KEY is not set",
		"Usable: no",
		"ollama serve",
		`type = "ollama"`, // the lines of configuration that would fix it
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDoctorZeroConfiguration(t *testing.T) {
	doctorEnv(t)
	const secret = "sk-doctor-secret-4242"
	ol := providertest.NewOllama(t,
		providertest.OllamaModel{Name: "llama3.1:8b", Capabilities: []string{"completion", "tools"}},
		providertest.OllamaModel{Name: "qwen2.5-coder:7b", Capabilities: []string{"completion", "insert"}, ContextLength: 32768},
	)
	out, code := doctorRun(t, detect.Options{
		Runners: []detect.Runner{{Name: "ollama", Type: "ollama", BaseURL: ol.URL, Label: "Ollama"}},
		Getenv:  envOf(map[string]string{"ANTHROPIC_API_KEY": secret}),
		Home:    t.TempDir(),
	})
	if code != 0 {
		t.Fatalf("exit code %d with Ollama running:\n%s", code, out)
	}
	if strings.Contains(out, secret) {
		t.Fatalf("the key's value was printed:\n%s", out)
	}
	for _, want := range []string{
		"Ollama (ollama, local) " + ol.URL + ": reachable: answers with 2 models",
		"ollama/qwen2.5-coder:7b: Qwen2.5-Coder; classes completion, coding, open-weight, local; context 32768; fill-in-the-middle: qwen",
		"data: local (nothing leaves this machine)",
		"credential from ANTHROPIC_API_KEY (value not shown)",
		"Claude Sonnet 4.6",
		"jurisdiction US; retention 30 days; no training on your data",
		"Inline completion tries, in order: ollama/qwen2.5-coder:7b, ollama/llama3.1:8b",
		"yours to confirm",
		"Usable: yes",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func writeConfig(t *testing.T, dir, text string) {
	t.Helper()
	path := filepath.Join(dir, "switchyard", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDoctorConfigured(t *testing.T) {
	dir := doctorEnv(t)
	const secret = "sk-configured-secret-77"
	srv := providertest.NewOpenAI(t)
	t.Setenv("SWITCHYARD_DOCTOR_KEY", secret)
	writeConfig(t, dir, `
[providers.corp]
type = "openai"
base_url = "`+srv.URL+`"
api_key_env = "SWITCHYARD_DOCTOR_KEY"
data = { local = false, jurisdictions = ["EU"], retention_days = 0 }

[providers.box]
type = "ollama"
base_url = "`+deadURL(t)+`"

[models.big]
provider = "corp"
id = "gpt-5.2"

[models.coder]
provider = "box"
id = "qwen2.5-coder:7b"
`)
	opts := detect.Options{Runners: nothingRunning(t), Getenv: envOf(nil), Home: t.TempDir()}
	out, code := doctorRun(t, opts)
	if code != 0 {
		t.Fatalf("exit code %d with a reachable configured provider:\n%s", code, out)
	}
	if strings.Contains(out, secret) {
		t.Fatalf("the key's value was printed:\n%s", out)
	}
	for _, want := range []string{
		"corp (openai, remote) " + srv.URL + ": reachable",
		"credential from SWITCHYARD_DOCTOR_KEY (value not shown)",
		"jurisdiction EU; no retention",
		"big (gpt-5.2): GPT-5.2; classes frontier, coding, multimodal, long-context",
		"box (ollama, local)",
		"not usable: nothing answers at",
		"Detected (not used: your configuration file is in force)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got := srv.Last(t).Header.Get("Authorization"); got != "Bearer "+secret {
		t.Errorf("the probe did not send the configured key to its provider (Authorization %q)", got)
	}

	// The key removed: nothing is usable, and doctor says which variable.
	t.Setenv("SWITCHYARD_DOCTOR_KEY", "")
	out, code = doctorRun(t, opts)
	if code == 0 || !strings.Contains(out, "SWITCHYARD_DOCTOR_KEY is not set") {
		t.Errorf("exit code %d without the key:\n%s", code, out)
	}
}

func TestDoctorRoute(t *testing.T) {
	dir := doctorEnv(t)
	writeConfig(t, dir, `
[providers.box]
type = "ollama"
[providers.cloud]
type = "anthropic"
api_key_env = "SWITCHYARD_DOCTOR_KEY"
[models.coder]
provider = "box"
id = "qwen2.5-coder:7b"
[models.claude]
provider = "cloud"
id = "claude-sonnet-4-6"
[policy]
local_only = ["secret/**"]
`)
	opts := detect.Options{Runners: nothingRunning(t), Getenv: envOf(nil), Home: t.TempDir()}
	out, code := doctorRun(t, opts, "--route", "coding")
	if code != 0 || !strings.Contains(out, "task coding") || !strings.Contains(out, "picked: ") {
		t.Errorf("--route coding: exit %d\n%s", code, out)
	}
	out, _ = doctorRun(t, opts, "--route", "coding", "--path", filepath.Join(dir, "secret", "keys.go"))
	if !strings.Contains(out, "claude via cloud (remote): removed by policy.local_only") {
		t.Errorf("--path under local_only did not remove the remote model:\n%s", out)
	}
	if _, code := doctorRun(t, opts, "--route", "poetry"); code != 2 {
		t.Errorf("an unknown task gave exit code %d, want 2", code)
	}
}

// A gateway on a loopback port whose terms the user declared is remote:
// the declared terms are checked against the policy, and doctor says why
// the provider counts as remote.
func TestDoctorRouteLoopbackGatewayWithDeclaredTerms(t *testing.T) {
	dir := doctorEnv(t)
	writeConfig(t, dir, `
[policy]
jurisdictions = ["EU", "US"]
max_retention_days = 30

[providers.gw]
type = "openai"
base_url = "`+deadURL(t)+`/v1"
[providers.gw.data]
jurisdictions = ["CN"]
retention_days = 90

[models.gwcoder]
provider = "gw"
id = "qwen2.5-coder-32b"
classes = ["completion"]
`)
	opts := detect.Options{Runners: nothingRunning(t), Getenv: envOf(nil), Home: t.TempDir()}
	out, code := doctorRun(t, opts, "--route", "completion")
	if code != 1 || strings.Contains(out, "gw (local)") {
		t.Errorf("the gateway is still admitted or listed as local (exit %d):\n%s", code, out)
	}
	for _, want := range []string{
		"gwcoder via gw (remote): removed by policy.jurisdictions: provider gw processes data in CN",
		"gw: remote: declares jurisdictions, retention_days in [providers.gw.data] and not local = true",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor --route completion does not say %q:\n%s", want, out)
		}
	}
}
