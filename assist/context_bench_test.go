package assist

import (
	"context"
	"testing"

	"switchyard/providers"
)

// BenchmarkCompleteContext is BenchmarkComplete with four other large
// open documents offered as context: what the budget adds per keystroke.
func BenchmarkCompleteContext(b *testing.B) {
	text := bigDocument()
	p := completerProvider{answering("y)", "\n")}
	r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:1.5b", "", p)}}
	cfg := quick()
	cfg.MaxPrefixTokens, cfg.MaxSuffixTokens, cfg.CacheSize, cfg.MaxContextTokens = 1536, 512, -1, 1024
	e := NewEngine(r, cfg, nil)
	req := CompletionRequest{
		Doc:     Document{URI: "file:///w/big.go", Path: "/w/big.go", LanguageID: "go", Text: text},
		Offset:  len(text)/2 + 17,
		Folders: []string{"/w"},
	}
	for _, name := range []string{"a.go", "b.go", "c.go", "d.go"} {
		req.Others = append(req.Others, OtherDocument{Document: Document{URI: "file:///w/" + name, Path: "/w/" + name, LanguageID: "go", Text: text}, Focus: len(text) / 3})
	}
	b.ReportAllocs()
	for b.Loop() {
		if got, err := e.Complete(context.Background(), req); err != nil || len(got) != 1 {
			b.Fatal(got, err)
		}
	}
}
