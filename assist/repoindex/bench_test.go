package repoindex

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// goroot is the Go installation's source, real code of the size the
// benchmarks need.
func goroot(b testing.TB) string {
	b.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Skipf("no go command to find the Go source: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "src")
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("no Go source at %s", dir)
	}
	return dir
}

// BenchmarkBuild indexes 2,000 files of the Go standard library and
// reports the heap the index holds.
func BenchmarkBuild(b *testing.B) {
	dir := goroot(b)
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ix := New(Options{Folders: []string{dir}, MaxFiles: 2000})
		ix.Build(context.Background())
		runtime.GC()
		runtime.ReadMemStats(&after)
		st := ix.Stats()
		b.ReportMetric(float64(st.Files), "files")
		b.ReportMetric(float64(st.Defs), "defs")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(st.Bytes)/(1<<20), "source-MiB")
		runtime.KeepAlive(ix)
	}
}
