package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/audit"
)

// auditLog writes a log the way the server does, into a state folder of
// the test's own, and returns the clock the command should use.
func auditLog(t *testing.T) (now func() time.Time, prompt string) {
	t.Helper()
	doctorEnv(t)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	cfg := config.Defaults()
	l, err := audit.Open(cfg.Audit, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	// The prompt a request would carry; only its hash may reach the log.
	prompt = "func charge() { key := \"AKIA-not-in-the-log\" }"
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	for _, e := range []providers.Egress{
		{Time: base.Add(-30 * 24 * time.Hour), Task: "coding", Model: "gpt", Provider: "openai", Host: "api.openai.com",
			Sources: []providers.Source{{Path: "internal/billing/old.go", SHA256: sum(prompt)}}},
		{Time: base.Add(-2 * 24 * time.Hour), Task: "refactor", Model: "sonnet", Provider: "anthropic", Host: "api.anthropic.com",
			Sources:    []providers.Source{{Path: "internal/billing/charge.go", SHA256: sum(prompt)}, {Path: "cmd/main.go", SHA256: sum("x")}},
			SentSHA256: sum(prompt), Redactions: map[string]int{"aws-access-token": 1}, Admitted: []string{"policy.jurisdictions: US within EU, US ([policy])"}},
		{Time: base.Add(-time.Hour), Task: "completion", Model: "codestral", Provider: "mistral", Host: "api.mistral.ai",
			Sources: []providers.Source{{Path: "web/app.ts", SHA256: sum("y")}}},
	} {
		l.Record(e)
	}
	l.Close()
	return func() time.Time { return base }, prompt
}

func auditRun(t *testing.T, now func() time.Time, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := auditCmd(args, &out, &errOut, now)
	return out.String(), errOut.String(), code
}

func TestAuditWhichVendorSawAFolderLastWeek(t *testing.T) {
	now, prompt := auditLog(t)
	out, errOut, code := auditRun(t, now, "--since", "168h", "--file", "internal/billing/")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "TIME") {
		t.Fatalf("want the header and one row (anthropic, two days ago), got:\n%s", out)
	}
	for _, want := range []string{"refactor", "sonnet", "anthropic", "api.anthropic.com", "internal/billing/charge.go, cmd/main.go", "aws-access-token:1"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("row lacks %q: %s", want, lines[1])
		}
	}
	if strings.Contains(out, "openai") {
		t.Error("--since 168h listed a request from 30 days ago")
	}

	out, _, _ = auditRun(t, now, "--json", "--provider", "mistral")
	var e audit.Entry
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &e); err != nil || e.Provider != "mistral" || e.Sources[0].Path != "web/app.ts" {
		t.Errorf("--json --provider mistral: %v\n%s", err, out)
	}
	out, _, _ = auditRun(t, now, "--json")
	if n := strings.Count(out, "\n"); n != 3 {
		t.Errorf("--json with no filter: %d lines, want 3", n)
	}

	// Nothing of the prompt itself is in the file.
	path, _ := config.Defaults().Audit.File()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "AKIA") || strings.Contains(string(b), prompt) {
		t.Error("the audit log holds text of the prompt")
	}
}

func TestAuditCommandLine(t *testing.T) {
	now, _ := auditLog(t)
	for _, args := range [][]string{{"--since", "-1h"}, {"--since", "week"}, {"extra"}, {"--nope"}} {
		if _, _, code := auditRun(t, now, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// A log that is not there yet says why, and lists nothing.
	t.Setenv("XDG_STATE_HOME", filepath.Join(t.TempDir(), "empty"))
	out, errOut, code := auditRun(t, now)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(errOut, "no log at") {
		t.Errorf("no log: exit %d\n%s%s", code, out, errOut)
	}
}
