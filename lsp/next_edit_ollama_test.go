package lsp_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/providers/ollama/ollamatest"
)

// The stdlib rename replay, and two real multi-site changes when their
// corpus is there, against a real Ollama serving a tiny model of random
// weights, through the zeta format (a raw /api/generate prompt)
// and the chat format (/api/chat). Its words are nonsense, so what is
// asserted is the path: every request answered, the runner called the
// way the format says, no error shown to the user. The log gives how
// many suggestions matched (the model's quality, here nil) and the time.
func TestRealOllamaNextEdit(t *testing.T) {
	srv := ollamatest.Start(t, ollamatest.Options{})
	var cases []historyCase
	for _, c := range stdlibRenameCases(t, 2) {
		cases = append(cases, renameAsHistory(c))
	}
	// Two real multi-site changes too, when their corpus is here.
	if dir, ok := historyCorpusDir(); ok {
		cases = append(cases, historyCases(t, dir)[:2]...)
	}
	for _, tt := range []struct {
		format, model, endpoint string
	}{
		{"zeta", ollamatest.FIMModel, "/api/generate"},
		{"chat", ollamatest.ChatModel, "/api/chat"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			cfg := fmt.Sprintf(`[providers.local]
type = "ollama"
base_url = %q
timeout = "80s"

[models.tiny]
provider = "local"
id = %q
next_edit_format = %q
classes = ["next-edit", "local"]

[routes]
next_edit = ["tiny"]

[next_edit]
enabled = true
timeout = "80s"
max_tokens = 256
`, srv.URL, tt.model, tt.format)
			s, readLog := realSession(t, srv, cfg)
			var (
				answered, suggested, matched int
				lat                          []time.Duration
			)
			for _, c := range cases {
				uri := fileURI(filepath.Join(s.dir, strings.NewReplacer(":", "_", "/", "_", "@", "_").Replace(strings.TrimSuffix(c.name, ".go"))+".go"))
				if err := s.Open(uri, "go", c.text); err != nil {
					t.Fatal(err)
				}
				now, next, cursor := makeFirstChange(t, s, uri, c)
				truth := now[:next.start] + next.text + now[next.end:]
				began := time.Now()
				got, _ := s.nextEditWithin(t, uri, cursor, 90*time.Second) // fails the test on an error reply
				lat = append(lat, time.Since(began))
				answered++
				if got != nil {
					suggested++
					if applyAll(now, got.Edits, s.Encoding()) == truth {
						matched++
					}
				}
				if err := s.CloseDocument(uri); err != nil {
					t.Fatal(err)
				}
			}
			slices.Sort(lat)
			t.Logf("real Ollama %s, %s format: %d of %d requests answered, %d suggestions, %d exact matches; p50 %.0f ms, max %.0f ms",
				ollamatest.Version, tt.format, answered, len(cases), suggested, matched, ms(percentile(lat, 50)), ms(lat[len(lat)-1]))
			if n := strings.Count(srv.Log(), tt.endpoint); n < len(cases) {
				t.Errorf("Ollama logged %d %s calls, want at least %d", n, tt.endpoint, len(cases))
			}
			for _, m := range s.ShowMessages() {
				if m.Type <= 2 {
					t.Errorf("the user was shown %q", m.Message)
				}
			}
			if !strings.Contains(readLog(), `"format": "`+tt.format+`"`) {
				t.Errorf("the server's log does not name the %s format:\n%s", tt.format, lastLines(readLog(), 20))
			}
		})
	}
}
