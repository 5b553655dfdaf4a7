package assist

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Shown answers pile up in the cache folder one file per Explain; those
// older than a week go, the rest and anything else in the folder stay.
func TestPruneAnswersRemovesOnlyOldAnswers(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	files := map[string]time.Duration{
		"explain-1.md": 8 * 24 * time.Hour,  // old answer: removed
		"explain-2.md": time.Hour,           // recent answer: kept
		"notes.txt":    30 * 24 * time.Hour, // not an answer: kept
	}
	for name, age := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	pruneAnswers(dir, now.Add(-answerKeep))
	for name, wantKept := range map[string]bool{"explain-1.md": false, "explain-2.md": true, "notes.txt": true} {
		_, err := os.Stat(filepath.Join(dir, name))
		if kept := err == nil; kept != wantKept {
			t.Errorf("%s kept = %v, want %v", name, kept, wantKept)
		}
	}
}
