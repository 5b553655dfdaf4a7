package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/providers/detect"
)

func TestDoctorRedact(t *testing.T) {
	dir := doctorEnv(t)
	writeConfig(t, dir, "[providers.box]\ntype = \"ollama\"\n")
	opts := detect.Options{Runners: nothingRunning(t), Getenv: envOf(nil), Home: t.TempDir()}
	key := "AK" + "IA" + "Q3EGRN7XK4WZ5T2M" // joined so no literal looks like a key
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nvar key = \""+key+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := doctorRun(t, opts, "--redact", src)
	if code != 0 || strings.Contains(out, key) {
		t.Fatalf("exit %d, and the output must not show the key:\n%s", code, out)
	}
	for _, want := range []string{"var key = \"<SECRET_1>\"\n", "line 3: <SECRET_1> (aws-access-token)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	env := filepath.Join(dir, ".env")
	if err := os.WriteFile(env, []byte("TOKEN=abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ = doctorRun(t, opts, "--redact", env)
	if !strings.Contains(out, "local-only") || !strings.Contains(out, "secret_files") || strings.Contains(out, "abc") {
		t.Errorf("a secret file: want it reported local-only, its content unshown:\n%s", out)
	}
}
