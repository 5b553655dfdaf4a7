package assist

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
)

// goFunctions is n lines of Go: small functions whose parameter is used
// on the lines below its signature, some 30 bytes a line.
func goFunctions(n int) string {
	var b strings.Builder
	b.WriteString("package big\n\n")
	for i := 2; i < n; {
		fmt.Fprintf(&b, "func f%d(factor int) int {\n", i)
		fmt.Fprintf(&b, "\tx := %d * factor\n", i)
		b.WriteString("\tif factor > 0 {\n\t\tx += factor\n\t}\n\treturn x\n}\n\n")
		i += 8
	}
	return b.String()
}

// BenchmarkNextEditOverhead is the server's own cost of one next-edit
// prediction on a 10,000-line file, the model excluded: the window and
// its context, the prompt with eight recent edits, the router call to a
// provider that answers at once with the true rewrite, parsing the
// answer, the diff to edits and the drop rules. It reports the median
// and 99th percentile of single predictions.
func BenchmarkNextEditOverhead(b *testing.B) {
	text := goFunctions(10000)
	h := &EditHistory{}
	ty := &typer{h: h, uri: "file:///w/big.go", text: text, path: "/w/big.go"}
	// Seven earlier renames elsewhere, then the one at the cursor.
	for k := 1; k <= 8; k++ {
		at := strings.Index(ty.text[len(ty.text)*k/9:], "(factor int)") + len(ty.text)*k/9 + 1
		ty.backspace(at+len("factor"), len("factor"))
		ty.typeAt(at, "k")
	}
	cursor := strings.LastIndex(ty.text[:len(ty.text)*8/9+200], "(k int)") + 2
	cfg := config.Defaults()
	w := cutNextEditWindow(ty.text, cursor, cfg.NextEdit.WindowLines, cfg.NextEdit.ContextLines)
	// The true region: the rename carried down to the uses below.
	end := strings.Index(w.text[w.cursor:], "\n}\n") + w.cursor
	truth := w.text[:w.cursor] + strings.ReplaceAll(w.text[w.cursor:end], "factor", "k") + w.text[end:]
	p := &fakeProvider{name: "local", answer: func() *fakeStream {
		return newStream(regionStart+"\n", truth, regionEnd+"\n")
	}}
	r := &fakeRouter{targets: []providers.Target{{Name: "m", Model: config.Model{ID: "gpt-4o-mini"}, Provider: p}}}
	other := goFunctions(2000)
	req := NextEditRequest{
		Doc:     Document{URI: ty.uri, Path: "/w/big.go", LanguageID: "go", Text: ty.text},
		Offset:  cursor,
		History: h.Recent(historyForBench),
		Others:  []OtherDocument{{Document: Document{URI: "file:///w/other.go", Path: "/w/other.go", LanguageID: "go", Text: other}, Focus: len(other) / 2}},
		Folders: []string{"/w"},
	}
	st := NextEditSettings{NextEdit: cfg.NextEdit, MaxContextTokens: cfg.Completion.MaxContextTokens, Context: cfg.Completion.Context}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		began := time.Now()
		res, err := PredictNextEdit(context.Background(), r, st, req, nil)
		lat = append(lat, time.Since(began))
		if err != nil || res == nil || len(res.Edits) != 3 {
			b.Fatalf("got %+v, %v; want the three uses renamed", res, err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)])/1e6, "p99-ms")
}

const historyForBench = 64

// BenchmarkEditHistoryRecord is the cost of one keystroke in a
// 10,000-line file to the edit history: typing a name and taking it
// back, so the history stays the same size.
func BenchmarkEditHistoryRecord(b *testing.B) {
	text := goFunctions(10000)
	h := &EditHistory{}
	at := strings.Index(text[len(text)/2:], "factor") + len(text)/2
	typed := text[:at] + "y" + text[at:]
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			h.Record("file:///big.go", "/big.go", text, typed, at, at, 1)
		} else {
			h.Record("file:///big.go", "/big.go", typed, text, at, at+1, 0)
		}
	}
}
