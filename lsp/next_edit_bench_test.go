package lsp_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

// BenchmarkNextEditOverhead is what the server adds to one
// switchyard/nextEdit in a 10,000-line file: a keystroke (an incremental
// didChange, far from the cursor) followed by the request, timed from the
// keystroke to the answer, with a provider that answers at once with the
// window rewritten. The overhead metrics subtract the fake's own median
// round trip, as BenchmarkCompletionOverhead does.
func BenchmarkNextEditOverhead(b *testing.B) {
	text := goFile(10000)
	lines := strings.SplitAfter(text, "\n")
	// The cursor on line 5000; the window is the default 40 lines, a
	// quarter of them above it. The rewrite changes the line two below.
	const cursorLine = 5000
	window := lines[cursorLine-10 : cursorLine+30]
	rewritten := slices.Clone(window)
	rewritten[12] = strings.Replace(rewritten[12], "x +=", "k +=", 1)
	if rewritten[12] == window[12] {
		b.Fatalf("line %q has no x +=", window[12])
	}
	fake := providertest.NewOpenAIFixed(b, "<|editable_region_start|>\n", strings.Join(rewritten, ""), "<|editable_region_end|>\n")
	c := lsptest.Start(b, lsptest.Options{Config: writeConfig(b, nextEditConfig(fake.URL, "enabled = true")), Quiet: true})
	if _, err := c.Initialize(timeout(b, 30*time.Second), lsptest.InitOptions{RootURI: fileURI(b.TempDir())}); err != nil {
		b.Fatalf("initialize: %v", err)
	}
	uri := fileURI(filepath.Join(b.TempDir(), "big.go"))
	if err := c.Open(uri, "go", text); err != nil {
		b.Fatal(err)
	}
	cursor := len(strings.Join(lines[:cursorLine], "")) + 2
	ctx := timeout(b, 10*time.Minute)
	at := c.Pos(uri, len(strings.Join(lines[:100], ""))+1)
	after := lsptest.Position{Line: at.Line, Character: at.Character + 1}
	keystrokes := [2]lsptest.ContentChange{
		{Range: &lsptest.Range{Start: at, End: at}, Text: "y"},
		{Range: &lsptest.Range{Start: at, End: after}, Text: ""},
	}
	pos := c.Pos(uri, cursor)
	version := c.Version(uri)
	ask := func(v int32) map[string]any {
		return map[string]any{"textDocument": map[string]any{"uri": uri, "version": v}, "position": pos}
	}
	check := func(raw json.RawMessage) {
		var r nextEditReply
		if err := json.Unmarshal(raw, &r); err != nil || len(r.Edits) != 1 || r.Edits[0].NewText != "k" {
			b.Fatalf("got %s (%v), want x renamed to k", raw, err)
		}
	}
	for range 20 { // warm up
		var raw json.RawMessage
		if err := c.Call(ctx, "switchyard/nextEdit", ask(version), &raw); err != nil {
			b.Fatal(err)
		}
		check(raw)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		version++
		change := map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": version},
			"contentChanges": keystrokes[i%2 : i%2+1],
		}
		params := ask(version)
		var raw json.RawMessage
		began := time.Now()
		if err := c.Notify("textDocument/didChange", change); err != nil {
			b.Fatal(err)
		}
		if err := c.Call(ctx, "switchyard/nextEdit", params, &raw); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(began))
		check(raw)
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
