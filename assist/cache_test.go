package assist

import (
	"fmt"
	"testing"
)

func TestCacheTypedAhead(t *testing.T) {
	c := newSuggestionCache(8)
	c.put("a.go", "line one\n\tfmt.Pr", "\n}\n", "intln(x)", "qwen", "local")

	tests := []struct {
		name, uri, prefix, suffix string
		want                      string
		ok                        bool
	}{
		{"exact position", "a.go", "line one\n\tfmt.Pr", "\n}\n", "intln(x)", true},
		{"typed two", "a.go", "line one\n\tfmt.Prin", "\n}\n", "tln(x)", true},
		{"window moved a line on", "a.go", "\tfmt.Printl", "\n}\n", "n(x)", true},
		{"typed all but one", "a.go", "line one\n\tfmt.Println(x", "\n}\n", ")", true},
		{"typed everything", "a.go", "line one\n\tfmt.Println(x)", "\n}\n", "", false},
		{"typed something else", "a.go", "line one\n\tfmt.Pra", "\n}\n", "", false},
		{"text after the cursor changed", "a.go", "line one\n\tfmt.Prin", ")\n}\n", "", false},
		{"other document", "b.go", "line one\n\tfmt.Pr", "\n}\n", "", false},
		{"text before changed", "a.go", "line two\n\tfmt.Prin", "\n}\n", "", false},
	}
	for _, tc := range tests {
		_, got, ok := c.get(tc.uri, tc.prefix, tc.suffix)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: get = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCacheLRU(t *testing.T) {
	c := newSuggestionCache(3)
	for i := 0; i < 3; i++ {
		c.put("a.go", fmt.Sprint("p", i), "s", fmt.Sprint("t", i), "m", "p")
	}
	// Touch p0 so p1 is the least recently used.
	if _, _, ok := c.get("a.go", "p0", "s"); !ok {
		t.Fatal("p0 missing")
	}
	c.put("a.go", "p3", "s", "t3", "m", "p")
	for i, want := range []bool{true, false, true, true} {
		if _, _, ok := c.get("a.go", fmt.Sprint("p", i), "s"); ok != want {
			t.Errorf("p%d present = %v, want %v", i, ok, want)
		}
	}
	if n := c.order.Len(); n != 3 {
		t.Errorf("entries = %d, want 3", n)
	}

	// A new answer at the same position replaces the old one.
	c.put("a.go", "p3", "s", "t3b", "m", "p")
	if _, got, _ := c.get("a.go", "p3", "s"); got != "t3b" {
		t.Errorf("p3 = %q, want the newer t3b", got)
	}

	// Many positions with the same text after the cursor (typing at the
	// end of a file) keep only the newest few.
	c.reset(100)
	for i := 0; i < 3*bucketMax; i++ {
		c.put("a.go", fmt.Sprint("q", i), "", "t", "m", "p")
	}
	if n := len(c.buckets[cacheKey{"a.go", ""}]); n != bucketMax {
		t.Errorf("bucket holds %d, want %d", n, bucketMax)
	}
	if n := c.order.Len(); n != bucketMax {
		t.Errorf("order holds %d, want %d", n, bucketMax)
	}

	c.reset(0)
	c.put("a.go", "p", "s", "t", "m", "p")
	if _, _, ok := c.get("a.go", "p", "s"); ok {
		t.Error("a cache of size 0 remembered a suggestion")
	}
}
