package assist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTestFileFor(t *testing.T) {
	tests := []struct {
		path, lang string
		existing   []string
		want       string
		inline     bool
	}{
		{"/w/calc.go", "go", nil, "/w/calc_test.go", false},
		{"/w/calc.py", "python", nil, "/w/test_calc.py", false},
		{"/w/calc.py", "python", []string{"/w/calc_test.py"}, "/w/calc_test.py", false},
		{"/w/src/calc.ts", "typescript", nil, "/w/src/calc.test.ts", false},
		{"/w/src/calc.tsx", "", []string{"/w/src/calc.spec.tsx"}, "/w/src/calc.spec.tsx", false},
		{"/w/src/main/java/x/Calc.java", "java", nil, "/w/src/test/java/x/CalcTest.java", false},
		{"/w/lib/calc.ex", "elixir", nil, "/w/test/calc_test.exs", false},
		{"/w/src/calc.rs", "rust", nil, "/w/src/calc.rs", true},
		{"/w/calc.rb", "ruby", nil, "/w/calc_spec.rb", false},
		{"/w/calc.zig", "zig", nil, "/w/calc_test.zig", false},
	}
	for _, tt := range tests {
		exists := func(p string) bool {
			for _, e := range tt.existing {
				if filepath.FromSlash(e) == p {
					return true
				}
			}
			return false
		}
		got, inline := testFileFor(filepath.FromSlash(tt.path), tt.lang, exists)
		if got != filepath.FromSlash(tt.want) || inline != tt.inline {
			t.Errorf("testFileFor(%s, %s) = %s, %v; want %s, %v", tt.path, tt.lang, got, inline, tt.want, tt.inline)
		}
	}
}

func TestFindDirective(t *testing.T) {
	tests := []struct {
		text, sel string
		want      string
	}{
		{"x\n// switchyard: make this iterative\nfunc f() {}\n", "func f", "make this iterative"},
		{"x\n    # switchyard: use a set\n    def f(): pass\n", "    def f", "use a set"},
		{"x\n/* switchyard: inline it */\nint f;\n", "int f", "inline it"},
		{"x\n<!-- switchyard: use a table -->\n<ul>\n", "<ul>", "use a table"},
		{"x\n-- Switchyard: batch the queries\nselect 1;\n", "select", "batch the queries"},
		{"x\n// not a directive\nfunc f() {}\n", "func f", ""},
		{"x\n// switchyard:\nfunc f() {}\n", "func f", ""},
		{"func f() {}\n", "func f", ""},
		{"x\nswitchyard: make it so\nf\n", "f\n", ""},
	}
	for _, tt := range tests {
		start := strings.Index(tt.text, tt.sel)
		d, ok := findDirective(tt.text, start)
		if d.instruction != tt.want || ok != (tt.want != "") {
			t.Errorf("%q: got %q, %v; want %q", tt.text, d.instruction, ok, tt.want)
		}
		if ok && tt.text[:d.start]+tt.text[d.end:] == tt.text {
			t.Errorf("%q: the directive's range is empty", tt.text)
		}
	}
}

func TestIgnorer(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".gitignore", "*.log\n/build/\ndocs/**/*.tmp\n!keep.log\n")
	write("sub/.gitignore", "local.txt\n")
	for _, f := range []string{"a.go", "x.log", "keep.log", "build/out.go", "sub/build/in.go", "docs/a/b/c.tmp", "sub/local.txt", "local.txt", ".git/config"} {
		write(f, "x")
	}
	list, err := walk(t.Context(), root, true, &ignorer{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range list {
		rel, _ := filepath.Rel(root, p)
		got[filepath.ToSlash(rel)] = true
	}
	for _, f := range []string{"a.go", "keep.log", "sub/build/in.go", "local.txt", ".gitignore"} {
		if !got[f] {
			t.Errorf("%s was skipped", f)
		}
	}
	for _, f := range []string{"x.log", "build/out.go", "docs/a/b/c.tmp", "sub/local.txt", ".git/config"} {
		if got[f] {
			t.Errorf("%s was listed, but is ignored", f)
		}
	}
}

func TestFileURI(t *testing.T) {
	if got := FileURI("/home/u/a b/c#.go"); got != "file:///home/u/a%20b/c%23.go" {
		t.Errorf("got %s", got)
	}
}
