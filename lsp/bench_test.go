package lsp_test

// Benchmarks that drive the built binary over stdio as an editor does.
// Being benchmarks, they run only with -bench; see BENCHMARKS.md for the
// commands and the numbers measured.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

// benchServer starts the server quietly (its log would cost more than
// what is measured) against a fake that answers at once.
func benchServer(b *testing.B, fakeURL string) *lsptest.Client {
	b.Helper()
	cfg := writeConfig(b, configText(nil, provider{"fake", fakeURL, fimModel}))
	c := lsptest.Start(b, lsptest.Options{Config: cfg, Quiet: true})
	if _, err := c.Initialize(timeout(b, 30*time.Second), lsptest.InitOptions{RootURI: fileURI(b.TempDir())}); err != nil {
		b.Fatalf("initialize: %v", err)
	}
	return c
}

// openBigFile starts a server on the fake at fakeURL with a 10,000-line
// Go file open, and returns the file's URI and a cursor at the end of a
// line in its middle.
func openBigFile(b *testing.B, fakeURL string) (c *lsptest.Client, uri string, cursor int) {
	b.Helper()
	c = benchServer(b, fakeURL)
	text := goFile(10000)
	uri = fileURI(filepath.Join(b.TempDir(), "big.go"))
	if err := c.Open(uri, "go", text); err != nil {
		b.Fatal(err)
	}
	cursor = len(text) / 2
	cursor += strings.IndexByte(text[cursor:], '\n')
	return c, uri, cursor
}

// goFile is a Go source file of n lines.
func goFile(n int) string {
	var sb strings.Builder
	sb.WriteString("package main\n\nimport \"fmt\"\n\n")
	for i := 4; i < n-1; i++ {
		if i%10 == 4 {
			fmt.Fprintf(&sb, "func f%d(x int) int {\n", i)
		} else if i%10 == 3 {
			sb.WriteString("}\n")
		} else {
			fmt.Fprintf(&sb, "\tx += %d // héllo wörld %d\n", i, i*7)
		}
	}
	sb.WriteString("\n")
	return sb.String()
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted ds.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fakeRoundTrips measures the fake provider's own time as the server's
// HTTP client sees it: n streamed /v1/completions requests over one
// kept-alive connection, read to the end. It is the floor under any
// completion, and what the overhead metrics subtract.
func fakeRoundTrips(b *testing.B, url string, n int) []time.Duration {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	body := `{"model":"` + fimModel + `","prompt":"<|fim_prefix|>x<|fim_suffix|>y<|fim_middle|>","max_tokens":128,"stream":true}`
	out := make([]time.Duration, 0, n)
	for range n {
		began := time.Now()
		resp, err := client.Post(url+"/completions", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out = append(out, time.Since(began))
	}
	slices.Sort(out)
	return out
}

// BenchmarkCompletionOverhead is what the server adds to one inline
// completion in a 10,000-line file: a keystroke (an incremental
// didChange) followed by textDocument/inlineCompletion, timed from the
// keystroke to the answer, with a provider that answers at once. The
// overhead metrics subtract the fake's own median round trip, measured
// by fakeRoundTrips with a plain HTTP client.
func BenchmarkCompletionOverhead(b *testing.B) {
	fake := providertest.NewOpenAIFixed(b, "Println(x)")
	c, uri, cursor := openBigFile(b, fake.URL)
	ctx := timeout(b, 10*time.Minute)

	// Warm up: connections, the first-use costs of a new process.
	for range 20 {
		if _, err := c.InlineCompletion(ctx, uri, c.Pos(uri, cursor)); err != nil {
			b.Fatal(err)
		}
	}
	// Type one character and take it back on alternate keystrokes, so
	// the document stays the same size. Messages are built outside the
	// timing, so that what is timed is the server, not the test client.
	at := c.Pos(uri, cursor)
	after := lsptest.Position{Line: at.Line, Character: at.Character + 1}
	keystrokes := [2]lsptest.ContentChange{
		{Range: &lsptest.Range{Start: at, End: at}, Text: "y"},
		{Range: &lsptest.Range{Start: at, End: after}, Text: ""},
	}
	asks := [2]lsptest.InlineCompletionParams{
		lsptest.InlineParams(uri, after, lsptest.InlineInvoked),
		lsptest.InlineParams(uri, at, lsptest.InlineInvoked),
	}
	version := c.Version(uri)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		version++
		change := map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": version},
			"contentChanges": keystrokes[i%2 : i%2+1],
		}
		var raw json.RawMessage
		began := time.Now()
		if err := c.Notify("textDocument/didChange", change); err != nil {
			b.Fatal(err)
		}
		if err := c.Call(ctx, "textDocument/inlineCompletion", asks[i%2], &raw); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(began))
		if list, err := lsptest.DecodeInlineCompletion(raw); err != nil || len(list.Items) != 1 {
			b.Fatalf("got %s (%v), want one suggestion", raw, err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	base := percentile(fakeRoundTrips(b, fake.URL, 200), 50)
	b.ReportMetric(ms(percentile(lat, 50)), "e2e-p50-ms")
	b.ReportMetric(ms(percentile(lat, 99)), "e2e-p99-ms")
	b.ReportMetric(ms(base), "fake-p50-ms")
	b.ReportMetric(ms(max(0, percentile(lat, 50)-base)), "overhead-p50-ms")
	b.ReportMetric(ms(max(0, percentile(lat, 99)-base)), "overhead-p99-ms")
}

// BenchmarkColdStart is the time from starting the process to the answer
// to initialize, as an editor opening a file sees it.
func BenchmarkColdStart(b *testing.B) {
	fake := providertest.NewOpenAIFixed(b, "x")
	cfg := writeConfig(b, configText(nil, provider{"fake", fake.URL, fimModel}))
	lsptest.Binary(b) // build outside the timing
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		began := time.Now()
		c := lsptest.Start(b, lsptest.Options{Config: cfg, Quiet: true})
		if _, err := c.Initialize(timeout(b, 30*time.Second), lsptest.InitOptions{}); err != nil {
			b.Fatalf("initialize: %v", err)
		}
		lat = append(lat, time.Since(began))
		b.StopTimer()
		stopServer(b, c)
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(percentile(lat, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 99)), "p99-ms")
}

// stopServer ends a server the way an editor does, and waits for it.
func stopServer(b *testing.B, c *lsptest.Client) {
	ctx := timeout(b, 10*time.Second)
	_ = c.Shutdown(ctx)
	_ = c.Notify("exit", nil)
	// An editor closes the pipes after exit, which also ends a server
	// that did not act on exit at once.
	c.CloseStdin()
	if _, err := c.WaitExit(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMemory reports the server's resident memory (VmRSS) after
// initialize with nothing open, and with 100 open files of 5,000 lines.
// It measures once per call, however many iterations the framework asks
// for: a measurement starts a server and takes over a second, so the
// framework stops at one or two calls, and ns/op means nothing here.
func BenchmarkMemory(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("no /proc/PID/status here: resident memory is read from it")
	}
	idle, loaded, textMB := measureMemory(b)
	b.ReportMetric(idle, "idle-RSS-MB")
	b.ReportMetric(loaded, "100x5000-lines-RSS-MB")
	b.ReportMetric(textMB, "text-MB")
	b.ReportMetric(measureTypedMemory(b), "typed-RSS-MB")
}

// measureTypedMemory is the resident memory of a server that has served
// 500 keystrokes, each with an inline completion, in one 10,000-line
// file, once it is idle again: what the collector's target leaves
// resident after work, where idle-RSS-MB is before any.
func measureTypedMemory(b *testing.B) float64 {
	fake := providertest.NewOpenAIFixed(b, "x")
	c, uri, cursor := openBigFile(b, fake.URL)
	at := c.Pos(uri, cursor)
	ctx := timeout(b, 5*time.Minute)
	for i := range 500 {
		pos := lsptest.Position{Line: at.Line, Character: at.Character + uint32(i)}
		if err := c.Change(uri, lsptest.ContentChange{Range: &lsptest.Range{Start: pos, End: pos}, Text: "y"}); err != nil {
			b.Fatal(err)
		}
		next := lsptest.Position{Line: pos.Line, Character: pos.Character + 1}
		if _, err := c.InlineCompletion(ctx, uri, next); err != nil {
			b.Fatal(err)
		}
	}
	settle(b, c)
	rss := rssMB(b, c.PID())
	stopServer(b, c)
	return rss
}

func measureMemory(b *testing.B) (idle, loaded, textMB float64) {
	fake := providertest.NewOpenAIFixed(b, "x")
	text := goFile(5000)
	c := benchServer(b, fake.URL)
	settle(b, c)
	idle = rssMB(b, c.PID())
	dir := b.TempDir()
	for f := range 100 {
		uri := fileURI(filepath.Join(dir, fmt.Sprintf("f%03d.go", f)))
		if err := c.Open(uri, "go", text); err != nil {
			b.Fatal(err)
		}
	}
	settle(b, c)
	loaded = rssMB(b, c.PID())
	stopServer(b, c)
	return idle, loaded, float64(len(text)*100) / (1 << 20)
}

// settle waits until the server has handled everything sent so far: a
// request it does not know is answered in order after the notifications
// before it. Then it gives the garbage collector's background work a
// moment, as an editor's idle pause would.
func settle(b *testing.B, c *lsptest.Client) {
	b.Helper()
	err := c.Call(timeout(b, 30*time.Second), "switchyard/benchmarkBarrier", map[string]any{}, nil)
	var re *lsptest.ResponseError
	if err != nil && !errors.As(err, &re) {
		b.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
}

// rssMB reads VmRSS of pid from /proc, in MiB.
func rssMB(b *testing.B, pid int) float64 {
	b.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				b.Fatalf("VmRSS line %q: %v", sc.Text(), err)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}
