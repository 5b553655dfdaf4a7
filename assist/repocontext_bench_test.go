package assist

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/assist/repoindex"
	"switchyard/config"
)

// goSource is the Go installation's source tree: real code to measure on.
func goSource(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	src := filepath.Join(strings.TrimSpace(string(out)), "src")
	if err != nil {
		t.Skipf("no go command to find the Go source: %v", err)
	}
	if _, err := os.Stat(src); err != nil {
		t.Skipf("no Go source at %s", src)
	}
	return src
}

// BenchmarkPromptAssemblyIndexed is the per-keystroke cost of a prompt
// with repository context: a 10,000-line file of real Go code in a
// workspace of 2,000 files of the Go standard library, three other open
// files; cut the window, resolve the identifiers around the cursor
// through the index, pick similar windows and open-file excerpts within
// the default budget, render Qwen2.5-Coder's repository layout. It
// reports p50 and p99 over the iterations.
func BenchmarkPromptAssemblyIndexed(b *testing.B) {
	src := goSource(b)
	ix := repoindex.New(repoindex.Options{Folders: []string{src}, MaxFiles: 2000})
	ix.Build(context.Background())
	paths := slices.DeleteFunc(ix.Paths(), func(p string) bool { return !strings.HasSuffix(p, ".go") })
	var text strings.Builder
	var others []OtherDocument
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if len(others) < 3 && filepath.Dir(p) == filepath.Join(src, "bufio") {
			others = append(others, OtherDocument{Document: Document{Path: p, LanguageID: "go", Text: string(data)}})
		}
		if strings.Count(text.String(), "\n") < 10000 {
			text.Write(data)
		}
	}
	lines := strings.SplitAfter(text.String(), "\n")
	doc := strings.Join(lines[:10000], "")
	req := CompletionRequest{
		Doc:     Document{Path: filepath.Join(src, "bufio", "big.go"), LanguageID: "go", Text: doc},
		Offset:  len(strings.Join(lines[:5000], "")),
		Folders: []string{src},
		Index:   ix,
		Others:  others,
	}
	// An open document is in the index once the user pauses.
	ix.Changed(req.Doc.Path, req.Doc.Text)
	ix.Flush(true)
	// The folder's files not open are read off the keystroke path, once.
	resetNearby()
	nearbyDocs(&req, repoindex.LangGo)
	waitNearby()
	b.Logf("%d files of the folder not open read for similar code", len(nearbyDocs(&req, repoindex.LangGo)))
	cfg := withDefaults(config.Defaults().Completion)
	var took []time.Duration
	ctxTokens := 0
	b.ReportAllocs()
	for b.Loop() {
		began := time.Now()
		w := cutWindow(req.Doc.Text, req.Offset, cfg.MaxPrefixTokens, cfg.MaxSuffixTokens)
		files := gatherContext(&req, w, cfg.MaxContextTokens, cfg.Context)
		in := &promptInput{cur: newCursor(w, cfg.MultiLine), path: "bufio/big.go", others: files, repo: "src", maxTokens: 128}
		p := in.templateRequest("qwen", familyQwen)
		took = append(took, time.Since(began))
		ctxTokens = 0
		for _, f := range files {
			ctxTokens += estimateTokens(len(f.name) + headerBytes + len(f.text))
		}
		if len(p.Prompt) == 0 {
			b.Fatal("empty prompt")
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(ctxTokens), "context-tokens")
	b.ReportMetric(float64(ix.Stats().Files), "files")
	sim := 0
	for _, f := range gatherContext(&req, cutWindow(req.Doc.Text, req.Offset, cfg.MaxPrefixTokens, cfg.MaxSuffixTokens), cfg.MaxContextTokens, cfg.Context) {
		if f.source == sourceSimilar {
			sim++
		}
	}
	b.ReportMetric(float64(sim), "similar-windows")
}
