package assist

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"switchyard/assist/repoindex"
)

// nearIdentifiersPlain is the plain definition of nearIdentifiers: list
// every word on both sides, then merge them by distance. The real one
// walks outwards and stops early; both must give the same list.
func nearIdentifiersPlain(text string, off int) []candidate {
	type hit struct {
		name, qual string
		dist       int
	}
	scan := func(s string) []hit {
		var hits []hit
		repoindex.Words(s, func(i, j int) {
			hits = append(hits, hit{name: s[i:j], qual: repoindex.Qualifier(s, i), dist: i})
		})
		return hits
	}
	from := max(0, off-nearBefore)
	from = strings.LastIndexByte(text[:from], '\n') + 1
	to := min(len(text), off+nearAfter)
	before, after := scan(text[from:off]), scan(text[off:to])
	seen := map[string]bool{}
	var out []candidate
	i, j := len(before)-1, 0
	for (i >= 0 || j < len(after)) && len(out) < maxCandidates {
		var h hit
		if j >= len(after) || i >= 0 && (off-from)-before[i].dist <= 2*after[j].dist {
			h, i = before[i], i-1
		} else {
			h, j = after[j], j+1
		}
		if k := h.qual + "." + h.name; !seen[k] {
			seen[k] = true
			out = append(out, candidate{name: h.name, qual: h.qual, rank: len(out)})
		}
	}
	return out
}

func TestNearIdentifiersMatchesThePlainDefinition(t *testing.T) {
	var texts []string
	for _, name := range []string{"net/http/server.go", "fmt/print.go", "strings/strings.go"} {
		b, err := os.ReadFile(filepath.Join(goSource(t), name))
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	texts = append(texts, "", "x", "a.b c::d e->f", "9ab cd 9 ef")
	for _, text := range texts {
		for off := 0; off <= len(text); off += 1 + len(text)/97 {
			got, want := nearIdentifiers(text, off), nearIdentifiersPlain(text, off)
			if !slices.Equal(got, want) {
				t.Fatalf("offset %d of a %d-byte text: got %d candidates %v,\nwant %d %v", off, len(text), len(got), got, len(want), want)
			}
		}
	}
}
