package redact

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestKeywordsFindEvery compares the scan with the plain definition (every
// keyword at every position, in any case) on Go source and on text made
// of keyword pieces in random case, where a filter that let a keyword
// through at the wrong place, or missed one at the end of the text, shows.
func TestKeywordsFindEvery(t *testing.T) {
	rs := rules()
	var words []keyword
	for _, g := range rs.words.groups {
		words = append(words, g...)
	}
	type hit struct{ pos, n, length int }
	naive := func(text string) []hit {
		var out []hit
		low := strings.ToLower(text)
		for pos := range text {
			for _, w := range words {
				if strings.HasPrefix(low[pos:], w.text) {
					out = append(out, hit{pos, w.n, len(w.text)})
				}
			}
		}
		return out
	}
	scan := func(text string) []hit {
		var out []hit
		rs.words.each(text, func(pos, n, length int) { out = append(out, hit{pos, n, length}) })
		return out
	}
	sort := func(hs []hit) []hit {
		slices.SortFunc(hs, func(a, b hit) int {
			if a.pos != b.pos {
				return a.pos - b.pos
			}
			return a.n - b.n
		})
		return hs
	}

	texts := []string{prompt(t, 2000), "", "s", "s.", "xs.", "SK", "key", "a KEY"}
	r := rand.New(rand.NewPCG(11, 12))
	for range 300 {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			w := words[r.IntN(len(words))].text
			if r.IntN(2) == 0 {
				w = w[:1+r.IntN(len(w))] // only the start of one
			}
			for _, c := range []byte(w) {
				if r.IntN(2) == 0 {
					c = strings.ToUpper(string(c))[0]
				}
				b.WriteByte(c)
			}
			if r.IntN(3) == 0 {
				b.WriteString(pick(r, " ._-=:/\"'\n"+alnum, 1+r.IntN(3)))
			}
		}
		texts = append(texts, b.String())
	}
	found := 0
	for _, text := range texts {
		want, got := sort(naive(text)), sort(scan(text))
		if !slices.Equal(got, want) {
			t.Fatalf("in %.200q: found %v, want %v", text, got, want)
		}
		found += len(want)
	}
	if found < 1000 {
		t.Fatalf("only %d keywords in the test texts: the test tests little", found)
	}
}
