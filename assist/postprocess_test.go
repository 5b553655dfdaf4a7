package assist

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// cleanAt post-processes a finished answer for a document with "|" at
// the cursor.
func cleanAt(doc, raw string, chat bool, mode string) string {
	i := strings.Index(doc, "|")
	text := doc[:i] + doc[i+1:]
	w := cutWindow(text, i, 1000, 1000)
	a := &answer{cur: newCursor(w, mode), chat: chat, indent: detectIndent(w), final: true}
	got, _ := clean(raw, a)
	return got
}

// TestClean is a table of what real models write and what the user
// should see.
func TestClean(t *testing.T) {
	const goFunc = "func add(a, b int) int {\n\treturn a + |\n}\n"
	tests := []struct {
		name string
		doc  string
		raw  string
		chat bool
		mode string // "" is auto
		want string
	}{
		// Wrapping that chat models add.
		{"fenced", goFunc, "```go\nb\n```", true, "", "b"},
		{"fenced with chatter", goFunc, "Sure! Here's the completion:\n\n```go\nb\n```\nThis adds b.", true, "", "b"},
		{"chatter line without fence", goFunc, "Here is the code:\nb", true, "", "b"},
		{"fence without language", "func f() {\n\t|\n}\n", "```\n\tx := 1\n\treturn x\n```", true, "", "x := 1\n\treturn x"},
		{"trailing explanation", "func f() {\n\t|\n}\n", "x := 1\n\treturn x\n\nThis returns one.", true, "", "x := 1\n\treturn x"},
		{"code then fence", goFunc, "b\n```", true, "", "b"},
		{"fence from a code model", goFunc, "```go\nb\n```", false, "", "b"},
		{"marker echoed", goFunc, holeMarker + "b", true, "", "b"},
		// Text restated from before the cursor.
		{"chat restates the line", goFunc, "\treturn a + b", true, "", "b"},
		{"chat restates the line without indentation", goFunc, "return a + b", true, "", "b"},
		{"chat restates the last word", "func f() {\n\tfmt.Prin|\n}\n", "Println(x)", true, "", "tln(x)"},
		{"chat restates lines", "func f() {|\n}\n", "func f() {\n\treturn 1\n}", true, "", "\n\treturn 1"},
		{"chat starts on a new line", "func f() {\n\t|\n}\n", "\n    return 1", true, "", "return 1"},
		{"chat re-indents the first line", "func f() {\n\t|\n}\n", "    return 1", true, "", "return 1"},
		{"code model restates the line", goFunc, "return a + b", false, "", "b"},
		{"code model continues normally", goFunc, "b", false, "", "b"},
		// Overlap with the text after the cursor.
		{"closing bracket repeated", "x := foo(|)\n", "a, b)", false, "", "a, b"},
		{"closing bracket needed", "x := foo(|)\n", "g(a)", false, "", "g(a)"},
		{"one of two brackets repeated", "x := bar(foo(|))\n", "g(a))", false, "", "g(a)"},
		{"rest of line repeated", "if (|) {\n", "x > 0) {", false, "", "x > 0"},
		{"rest of line repeated mid-line", "x = |;\n", "y + 1;", false, "", "y + 1"},
		{"quote and bracket repeated", "fmt.Println(\"|\")\n", "hello\")", false, "", "hello"},
		{"lines below repeated", "func f() {\n\t|\n\treturn x\n}\n", "x := 1\n\treturn x", false, "", "x := 1"},
		{"closer below kept out", "func f() {\n\t|\n}\n", "x := 1\n}", false, "", "x := 1"},
		{"model repeats the suffix only", "x := foo(|)\n", ")", false, "", ""},
		{"run-on into nested closers", "raise ValueError(|))\n", "repr(enc))", false, "", "repr(enc"},
		{"run-on into quote and closers", "f(g('|'))\n", "a'))", false, "", "a"},
		{"run-on closer that also closes the line above", "x = f(a,\n      g(|))\ny = 1\n", "b))", false, "", "b"},
		{"run-on into an opener", "if err != | {\n\treturn err\n}\n", "nil {", false, "", "nil"},
		{"closer of the line above kept", "x = f(a,\n      g(|)\ny = 1\n", "b))", false, "", "b)"},
		// Line endings, indentation, text.
		{"CRLF file", "func f() {\r\n\t|\r\n}\r\n", "x := 1\n\ty := 2\n}", false, "", "x := 1\r\n\ty := 2"},
		{"CRLF answer in LF file", "func f() {\n\t|\n}\n", "x := 1\r\n\ty := 2\r\n", false, "", "x := 1\n\ty := 2"},
		{"spaces to tabs", "func f() {\n\tx := 0\n\t|\n}\n", "if x {\n        y()\n    }", true, "", "if x {\n\t\ty()\n\t}"},
		{"tabs to spaces", "function g() {\n  return 1\n}\nfunction f() {|\n}\n", "\n\treturn 2\n}", false, "", "\n  return 2"},
		{"CJK and emoji", "fmt.Println(\"|\")\n", "你好，世界 🌍\")", false, "", "你好，世界 🌍"},
		{"non-ASCII identifiers", "func f() {\n\t|\n}\n", "größe := 1\n\tпривет := größe", false, "", "größe := 1\n\tпривет := größe"},
		{"whitespace only", goFunc, " \n\t \n", false, "", ""},
		{"empty", goFunc, "", false, "", ""},
		{"broken rune at the end", goFunc, "b + \"日\xe6\x9c", false, "", "b + \"日"},
		// Leaked special tokens.
		{"leaked fim_middle", goFunc, "<|fim_middle|>b", false, "", "b"},
		{"leaked fim_middle after text", goFunc, "b<|fim_middle|>c", false, "", "b"},
		{"leaked endoftext", goFunc, "b<|endoftext|><|file_sep|>other.go\npackage x", false, "", "b"},
		{"leaked DeepSeek end", goFunc, "b<｜end▁of▁sentence｜>", false, "", "b"},
		{"leaked CodeLlama end", goFunc, "b <EOT>", false, "", "b"},
		{"leaked StarCoder file separator", "func f() {\n\t|\n}\n", "x := 1\n<file_sep>main.go\n", false, "", "x := 1"},
		{"HTML tags kept", "<p>|</p>\n", "<s>old</s> new", false, "", "<s>old</s> new"},
		// Single-line and multi-line.
		{"single line stops at newline", goFunc, "b\n\tx := 1", false, "", "b"},
		{"next line at end of line", "x := 1|\n", "\n\ny := 2\nz := 3", false, "", "\ny := 2"},
		{"new line mid-line is useless", "foo(|a)\n", "\nb, ", false, "", ""},
		{"block ends at dedent", "func f() {\n\t|\n}\n\nfunc g() {}\n", "x := 1\n\treturn x\n}\n\nfunc h() {", false, "", "x := 1\n\treturn x"},
		{"python block", "def f(x):|\n", "\n    y = x * 2\n    return y\n\ndef g():\n    pass", false, "", "\n    y = x * 2\n    return y"},
		{"missing closer added", "if ok {|\n\nfunc g() {}\n", "\n\tgo()\n}\n\nfunc h() {}", false, "", "\n\tgo()\n}"},
		{"closers after cursor go below", "if ok {|}\n", "\n\tgo()\n}", false, "", "\n\tgo()\n"},
		{"same-line close after opener", "x := foo(|)\n", "a, b)\ny := 2", false, "", "a, b"},
		{"statement end and its block's closer", "func f() error {\n\tif err != nil {\n\t\treturn fmt.Errorf(\"x: %w\",\n\t\t\t|\n\treturn nil\n}\n",
			"err)\n\t}\n\treturn nil\n}", false, "", "err)\n\t}"},
		{"call's closing line and the next statement", "def f(a):\n    x = foo(a,\n|\n    return x\n",
			"            b)\n    y = 2\n    return x\n", false, "", "            b)\n    y = 2"},
		{"closer kept out above statements of its block", "func f() {\n\t|\n\treturn x\n}\n", "x := 1\n}", false, "", "x := 1"},
		{"restated indentation", "func f() {\n\t|\n}\n", "\tx := 1\n\treturn x", false, "", "x := 1\n\treturn x"},
		{"short restated word", "import os\nim|\n", "import sys", false, "", "port sys"},
		{"restated quote", "'|\n", "'use strict'", false, "", "use strict'"},
		{"ruby end kept", "def f|\n", "(x)\n  x * 2\nend", false, "always", "(x)\n  x * 2\nend"},
		{"never multi-line", "func f() {\n\t|\n}\n", "x := 1\n\treturn x", false, "never", "x := 1"},
		{"always multi-line", "x := 1|\n", " + 2\ny := 3", false, "always", " + 2\ny := 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mode := tc.mode
			if mode == "" {
				mode = "auto"
			}
			if got := cleanAt(tc.doc, tc.raw, tc.chat, mode); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.raw, got, tc.want)
			}
		})
	}
}

// TestCleanDone checks when an unfinished answer is known to be complete:
// too early and the suggestion is cut short, too late and tokens are paid
// for nothing.
func TestCleanDone(t *testing.T) {
	tests := []struct {
		name, doc, raw string
		chat           bool
		done           bool
	}{
		{"line not finished", "x := |\n", "foo(", false, false},
		{"line finished", "x := |\n", "foo()\n", false, true},
		{"chatter first line", "x := |\n", "Sure! Here's the code:\n", true, false},
		{"fence opened", "x := |\n", "```go\n", true, false},
		{"fence content finished", "x := |\n", "```go\nfoo()\n", true, true},
		{"restatement still coming", "func f() {\n\tx := fo|\n}\n", "\tx := f", true, false},
		{"block still going", "func f() {\n\t|\n}\n", "a()\n\tb()\n", false, false},
		{"block ended", "func f() {\n\t|\n}\n", "a()\n}", false, true},
		{"closer not finished", "if ok {|\n\nfunc g() {}\n", "\n\tgo()\n}", false, false},
		{"keyword closer not finished", "def f|\n", "(x)\n  x\nen", false, false},
		{"end token", "func f() {\n\t|\n}\n", "a()<|endoftext|>", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := strings.Index(tc.doc, "|")
			text := tc.doc[:i] + tc.doc[i+1:]
			w := cutWindow(text, i, 1000, 1000)
			mode := "auto"
			if strings.HasPrefix(tc.doc, "def") {
				mode = "always"
			}
			a := &answer{cur: newCursor(w, mode), chat: tc.chat}
			if _, done := clean(tc.raw, a); done != tc.done {
				t.Errorf("done = %v, want %v", done, tc.done)
			}
		})
	}
}

func FuzzClean(f *testing.F) {
	f.Add("func f() {\n\t|\n}\n", "x := 1\n\treturn x\n}", false, uint8(0))
	f.Add("x := foo(|)\n", "```go\na, b)\n```", true, uint8(1))
	f.Add("a\r\nb|\r\n", "<|fim_middle|>\r\n  \t<|endoftext|>", false, uint8(2))
	f.Add("print(\"|\")", "你好\")\xe4", true, uint8(0))
	f.Add("|", "Sure! Here's the code:\n\n", true, uint8(1))
	f.Fuzz(func(t *testing.T, doc, raw string, chat bool, mode uint8) {
		i := strings.Index(doc, "|")
		if i < 0 {
			i = len(doc)
		} else {
			doc = doc[:i] + doc[i+1:]
		}
		for i < len(doc) && !utf8.RuneStart(doc[i]) {
			i++
		}
		w := cutWindow(doc, i, 64, 32)
		for _, final := range []bool{false, true} {
			a := &answer{cur: newCursor(w, []string{"auto", "always", "never"}[mode%3]), chat: chat, indent: detectIndent(w), final: final}
			got, _ := clean(raw, a)
			if got != "" && strings.TrimSpace(got) == "" {
				t.Fatalf("clean(%q) = %q: whitespace only", raw, got)
			}
			if utf8.ValidString(raw) && !utf8.ValidString(got) {
				t.Fatalf("clean(%q) = %q: not UTF-8", raw, got)
			}
		}
	})
}
