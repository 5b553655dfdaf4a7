package repoindex

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
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

// BenchmarkBuild50k indexes a generated workspace of 50,000 Go files
// (500 folders of 100, about 1 KB each) with the default bound and with
// the bound raised to hold them all, and reports the time, the heap
// held, the files indexed and the slowest of the lookups a completion
// makes while the build runs (one every 5 ms): whether the index
// answers during a long build.
//
//	go test -run '^$' -bench Build50k -benchtime 1x ./assist/repoindex/
func BenchmarkBuild50k(b *testing.B) {
	dir := b.TempDir()
	for d := range 500 {
		folder := filepath.Join(dir, fmt.Sprintf("pkg%03d", d))
		if err := os.MkdirAll(folder, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 100 {
			var src strings.Builder
			fmt.Fprintf(&src, "package pkg%03d\n\nimport \"fmt\"\n\n", d)
			fmt.Fprintf(&src, "// Record%d_%d is one row.\ntype Record%d_%d struct {\n\tID   int\n\tName string\n}\n\n", d, f, d, f)
			for k := range 4 {
				fmt.Fprintf(&src, "// Handle%d_%d_%d formats a record.\nfunc Handle%d_%d_%d(r Record%d_%d) string {\n\treturn fmt.Sprintf(\"%%d %%s\", r.ID, r.Name)\n}\n\n", d, f, k, d, f, k, d, f)
			}
			if err := os.WriteFile(filepath.Join(folder, fmt.Sprintf("file%03d.go", f)), []byte(src.String()), 0o600); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, bound := range []int{0, 50000} {
		b.Run(fmt.Sprintf("max=%d", bound), func(b *testing.B) {
			for b.Loop() {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				ix := New(Options{Folders: []string{dir}, MaxFiles: bound})
				done := make(chan struct{})
				var slowest time.Duration
				lookups := 0
				go func() {
					defer close(done)
					for {
						select {
						case <-ix.Built():
							return
						case <-time.After(5 * time.Millisecond):
						}
						t := time.Now()
						ix.Lookup("Handle1_1_1")
						slowest = max(slowest, time.Since(t))
						lookups++
					}
				}()
				began := time.Now()
				ix.Build(context.Background())
				took := time.Since(began)
				<-done
				runtime.GC()
				runtime.ReadMemStats(&after)
				st := ix.Stats()
				b.ReportMetric(took.Seconds(), "build-s")
				b.ReportMetric(float64(st.Files), "files")
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
				b.ReportMetric(float64(slowest.Microseconds()), "slowest-lookup-µs")
				b.ReportMetric(float64(lookups), "lookups")
				runtime.KeepAlive(ix)
			}
		})
	}
}
