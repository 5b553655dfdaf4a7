package audit

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFilter(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	e := Entry{Time: now, Provider: "anthropic", Sources: []Source{{Path: "internal/billing/charge.go"}, {Path: "cmd/main.go"}}}
	for _, tc := range []struct {
		f    Filter
		want bool
	}{
		{Filter{}, true},
		{Filter{File: "internal/billing/"}, true},
		{Filter{File: "internal/billing"}, true},
		{Filter{File: "./internal/billing/charge.go"}, true},
		{Filter{File: "internal/bill"}, false}, // a name prefix is not a folder
		{Filter{File: "internal/billing/charge"}, false},
		{Filter{File: "internal/payments/"}, false},
		{Filter{Provider: "anthropic"}, true},
		{Filter{Provider: "openai"}, false},
		{Filter{Since: now.Add(-time.Hour)}, true},
		{Filter{Since: now.Add(time.Second)}, false},
		{Filter{Since: now.Add(-time.Hour), File: "cmd/", Provider: "anthropic"}, true},
	} {
		if got := tc.f.Match(e); got != tc.want {
			t.Errorf("%+v: Match = %v, want %v", tc.f, got, tc.want)
		}
	}
}

func TestReadSkipsBrokenLinesAndReadsRotatedFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	write := func(name, body string) {
		if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(Rotated(path, 2), `{"time":"2026-12-01T00:00:00Z","provider":"oldest"}`+"\n")
	write(Rotated(path, 1), `{"time":"2026-12-02T00:00:00Z","provider":"older"}`+"\n"+`{"time":"2026-12-02T0`+"\n")
	write(path, `{"time":"2026-12-03T00:00:00Z","provider":"newest"}`+"\n\n")
	got, skipped, err := Read(path, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 1 || len(got) != 3 || got[0].Provider != "oldest" || got[2].Provider != "newest" {
		t.Errorf("got %+v, %d skipped", got, skipped)
	}
	if got, _, err := Read(filepath.Join(dir, "none.jsonl"), Filter{}); err != nil || len(got) != 0 {
		t.Errorf("a log not written yet: %v, %v", got, err)
	}
}
