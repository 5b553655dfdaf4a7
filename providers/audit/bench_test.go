package audit

import (
	"path/filepath"
	"testing"
)

// BenchmarkRecord is what the audit log adds to a request: Record on the
// request's goroutine, the write happening on the log's own.
func BenchmarkRecord(b *testing.B) {
	l, err := Open(on(filepath.Join(b.TempDir(), "audit.jsonl"), 10, 2), Options{Buffer: 1 << 16})
	if err != nil {
		b.Fatal(err)
	}
	e := egress(0, "anthropic", "internal/billing/charge.go", "cmd/main.go")
	b.ReportAllocs()
	for b.Loop() {
		l.Record(e)
	}
	b.StopTimer()
	l.Close()
	b.ReportMetric(float64(l.Dropped()), "dropped")
}
