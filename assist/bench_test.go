package assist

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"switchyard/providers"
)

// bigDocument is 10,000 lines of Go-like code, about 10 MB.
func bigDocument() string {
	var b strings.Builder
	pad := strings.Repeat("x", 960)
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "\tv%05d := compute(%q) // 日本語\n", i, pad)
	}
	return b.String()
}

// BenchmarkPromptBuild is the per-keystroke cost of a fill-in-the-middle
// prompt on a large document: cut the window, read the cursor's line,
// render the template.
func BenchmarkPromptBuild(b *testing.B) {
	text := bigDocument()
	off := len(text)/2 + 17
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		w := cutWindow(text, off, 1536, 512)
		in := &promptInput{cur: newCursor(w, "auto"), path: "pkg/big.go", maxTokens: 128}
		if req := in.templateRequest("qwen2.5-coder:1.5b", familyQwen); len(req.Prompt) == 0 {
			b.Fatal("empty prompt")
		}
	}
}

// BenchmarkComplete is the engine's whole overhead for one request on a
// large document, with a model that answers at once and no cache.
func BenchmarkComplete(b *testing.B) {
	text := bigDocument()
	p := completerProvider{answering("y)", "\n")}
	r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:1.5b", "", p)}}
	cfg := quick()
	cfg.MaxPrefixTokens, cfg.MaxSuffixTokens, cfg.CacheSize = 1536, 512, -1
	e := NewEngine(r, cfg, nil)
	req := CompletionRequest{Doc: Document{URI: "file:///big.go", Path: "/big.go", Text: text}, Offset: len(text)/2 + 17}
	b.ReportAllocs()
	for b.Loop() {
		if got, err := e.Complete(context.Background(), req); err != nil || len(got) != 1 {
			b.Fatal(got, err)
		}
	}
}
