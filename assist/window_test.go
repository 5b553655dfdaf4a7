package assist

import (
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCutWindow(t *testing.T) {
	tests := []struct {
		name             string
		doc              string // "|" marks the cursor
		prefixT, suffixT int
		prefix, suffix   string
	}{
		{"start of file", "|package main\n\nfunc main() {}\n", 100, 100, "", "package main\n\nfunc main() {}\n"},
		{"end of file", "package main\n\nfunc main() {}\n|", 100, 100, "package main\n\nfunc main() {}\n", ""},
		{"empty file", "|", 100, 100, "", ""},
		{"cut at line starts", "aaaa\nbbbb\ncccc\ndd|dd\neeee\nffff\n", 2, 1, "cccc\ndd", "dd\n"},
		{"budget exactly on lines", "aaaa\nbbbb\ncccc\ndd|dd\neeee\nffff\n", 3, 2, "bbbb\ncccc\ndd", "dd\neeee\n"},
		{"budget ends on a line start", "aaaa\nbbbb\n|cccc\ndddd\n", 2, 2, "bbbb\n", "cccc\n"},
		{"cursor line longer than budget", "x\n" + "abcdefghijkl|mnopqrstuvwx\ny\n", 2, 2, "efghijkl", "mnopqrst"},
		{"two-byte runes", "ééééé|ééééé", 1, 1, "éé", "éé"},
		{"three-byte runes", "日本語|日本語", 1, 1, "語", "日"},
		{"four-byte runes", "🌍🌍🌍|🌍🌍🌍", 1, 1, "🌍", "🌍"},
		{"rune wider than budget", "🌍|🌍", 0, 0, "", ""},
		{"CRLF", "a\r\nb\r\nc|\r\nd\r\n", 1, 2, "b\r\nc", "\r\nd\r\n"},
		{"zero budget", "abc\n|def\n", 0, 0, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := strings.Index(tc.doc, "|")
			text := tc.doc[:i] + tc.doc[i+1:]
			w := cutWindow(text, i, tc.prefixT, tc.suffixT)
			if w.prefix != tc.prefix || w.suffix != tc.suffix {
				t.Errorf("window = %q | %q, want %q | %q", w.prefix, w.suffix, tc.prefix, tc.suffix)
			}
		})
	}
}

// TestCutWindowProperties checks on random documents that the window
// sits around the cursor, keeps within its budget, and never splits a
// rune.
func TestCutWindowProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []string{"a", "b", " ", "\t", "\n", "\r\n", "é", "日", "🌍", "{", "}"}
	for n := 0; n < 2000; n++ {
		var b strings.Builder
		for k := rng.Intn(200); k > 0; k-- {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		text := b.String()
		off := rng.Intn(len(text) + 1)
		for off < len(text) && !utf8.RuneStart(text[off]) {
			off++
		}
		pt, st := rng.Intn(12), rng.Intn(12)
		w := cutWindow(text, off, pt, st)
		if !strings.HasSuffix(text[:off], w.prefix) || !strings.HasPrefix(text[off:], w.suffix) {
			t.Fatalf("window %q|%q is not around offset %d of %q", w.prefix, w.suffix, off, text)
		}
		if len(w.prefix) > pt*bytesPerToken || len(w.suffix) > st*bytesPerToken {
			t.Fatalf("window %q|%q over budget %d/%d tokens", w.prefix, w.suffix, pt, st)
		}
		if !utf8.ValidString(w.prefix) || !utf8.ValidString(w.suffix) {
			t.Fatalf("window %q|%q splits a rune", w.prefix, w.suffix)
		}
		// The prefix starts a line unless the cursor's line alone is
		// over budget.
		start := off - len(w.prefix)
		if start > 0 && text[start-1] != '\n' && strings.Contains(w.prefix, "\n") {
			t.Fatalf("prefix %q starts mid-line", w.prefix)
		}
		end := off + len(w.suffix)
		if end < len(text) && w.suffix != "" && !strings.HasSuffix(w.suffix, "\n") && strings.Contains(text[off:end], "\n") {
			t.Fatalf("suffix %q ends mid-line", w.suffix)
		}
	}
}

func TestCursorMode(t *testing.T) {
	tests := []struct {
		doc, mode          string
		multi, afterOpener bool
	}{
		{"x := foo(|)\n", "auto", true, true},
		{"func f() {\n\t|\n}\n", "auto", true, false},
		{"func f() {\n|\n}\n", "auto", true, false},
		{"func f() {|\n", "auto", true, true},
		{"func f() {|}\n", "auto", true, true},
		{"def f(x):|\n", "auto", true, true},
		{"xs.map(x =>|\n", "auto", true, true},
		{"fn f() ->|\n", "auto", true, true},
		{"if x then|\n", "auto", true, true},
		{"xs.each do|\n", "auto", true, true},
		{"items = [|]\n", "auto", true, true},
		{"x := 1|\n", "auto", false, false},
		{"undo|\n", "auto", false, false},
		{"fmt.Pr|intln(x)\n", "auto", false, false},
		{"foo(|a)\n", "auto", false, true},
		{"|x := 1\n", "auto", false, false},
		{"print(\"|\")\n", "auto", false, false},
		{"x := 1|\n", "always", true, false},
		{"func f() {|\n", "never", false, true},
		{"\t|\n", "never", false, false},
	}
	for _, tc := range tests {
		i := strings.Index(tc.doc, "|")
		text := tc.doc[:i] + tc.doc[i+1:]
		c := newCursor(cutWindow(text, i, 100, 100), tc.mode)
		if c.multi != tc.multi || c.afterOpener != tc.afterOpener {
			t.Errorf("%q (%s): multi %v afterOpener %v, want %v %v", tc.doc, tc.mode, c.multi, c.afterOpener, tc.multi, tc.afterOpener)
		}
	}
}

func TestCursorLineContext(t *testing.T) {
	c := newCursor(window{prefix: "a\r\n\tfoo(", suffix: "x)\r\nb\r\n"}, "auto")
	if c.linePrefix != "\tfoo(" || c.lineSuffix != "x)" || c.below != "b\r\n" || !c.crlf {
		t.Errorf("cursor = %+v", c)
	}
	c = newCursor(window{prefix: "", suffix: "x\n"}, "auto")
	if c.crlf {
		t.Error("an LF file taken for CRLF")
	}
}
