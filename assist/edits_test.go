package assist

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseBlocks(t *testing.T) {
	tests := []struct {
		name     string
		answer   string
		want     []block
		problems []string // parts of the problems' reasons, in order
	}{
		{
			name:   "plain",
			answer: "a.go\n<<<<<<< SEARCH\nx := 1\n=======\nx := 2\n>>>>>>> REPLACE\n",
			want:   []block{{n: 1, path: "a.go", search: "x := 1\n", replace: "x := 2\n"}},
		},
		{
			name: "chatter, fences and a bold file name",
			answer: "Sure! Here is the fix.\n\n**pkg/a.go**\n```go\n<<<<<<< SEARCH\n\tx := 1\n=======\n\tx := 2\n>>>>>>> REPLACE\n```\n" +
				"And the second change, in the same file:\n```go\n<<<<<<< SEARCH\ny\n=======\nz\n>>>>>>> REPLACE\n```\nHope this helps!",
			want: []block{
				{n: 1, path: "pkg/a.go", search: "\tx := 1\n", replace: "\tx := 2\n"},
				{n: 2, path: "pkg/a.go", search: "y\n", replace: "z\n"},
			},
		},
		{
			name:   "CRLF answer",
			answer: "a.go\r\n<<<<<<< SEARCH\r\nold\r\n=======\r\nnew\r\n>>>>>>> REPLACE\r\n",
			want:   []block{{n: 1, path: "a.go", search: "old\n", replace: "new\n"}},
		},
		{
			name:   "file name in the fence and as a heading",
			answer: "```go:x/b.go\n<<<<<<< SEARCH\n=======\npackage b\n>>>>>>> REPLACE\n```\n### File: `c.py`\n<<<<<<< SEARCH\n=======\npass\n>>>>>>> REPLACE",
			want: []block{
				{n: 1, path: "x/b.go", search: "", replace: "package b\n"},
				{n: 2, path: "c.py", search: "", replace: "pass\n"},
			},
		},
		{
			name:   "rename",
			answer: "RENAME old/a.go -> new/a.go\n",
			want:   []block{{n: 1, path: "old/a.go", newPath: "new/a.go"}},
		},
		{
			name:   "delete",
			answer: "DELETE old/a.go\n",
			want:   []block{{n: 1, path: "old/a.go", delete: true}},
		},
		{
			name: "delete lines in fences, lists, bold and CRLF, among blocks",
			answer: "Removing the old helpers.\r\n```\r\nDELETE `pkg/old.go`\r\n```\r\n" +
				"  - **DELETE** pkg/older.go  \r\n" +
				"DELETE: Makefile\r\n" +
				"a.go\r\n<<<<<<< SEARCH\r\nx\r\n=======\r\ny\r\n>>>>>>> REPLACE\r\n" +
				"\tDELETE\tb.go\r\n",
			want: []block{
				{n: 1, path: "pkg/old.go", delete: true},
				{n: 2, path: "pkg/older.go", delete: true},
				{n: 3, path: "Makefile", delete: true},
				{n: 4, path: "a.go", search: "x\n", replace: "y\n"},
				{n: 5, path: "b.go", delete: true},
			},
		},
		{
			name:   "a DELETE line does not name the next block's file",
			answer: "a.go\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\nDELETE b.go\n<<<<<<< SEARCH\nz\n=======\nw\n>>>>>>> REPLACE\n",
			want: []block{
				{n: 1, path: "a.go", search: "x\n", replace: "y\n"},
				{n: 2, path: "b.go", delete: true},
				{n: 3, path: "a.go", search: "z\n", replace: "w\n"},
			},
		},
		{
			name:   "DELETE inside a block or in prose is text, not a deletion",
			answer: "Delete the row with:\nDELETE FROM users WHERE id = 1;\nI would DELETE a.go if I could.\nq.sql\n<<<<<<< SEARCH\nDELETE x.sql\n=======\n-- gone\n>>>>>>> REPLACE\n",
			want:   []block{{n: 1, path: "q.sql", search: "DELETE x.sql\n", replace: "-- gone\n"}},
		},
		{
			name:     "no file name",
			answer:   "Change this:\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
			problems: []string{"names no file"},
		},
		{
			name:     "cut off mid-stream",
			answer:   "a.go\n<<<<<<< SEARCH\nx\n=======\ny half",
			problems: []string{"cut off"},
		},
		{
			name:     "a SEARCH inside a block",
			answer:   "a.go\n<<<<<<< SEARCH\nx\n<<<<<<< SEARCH\ny\n=======\nz\n>>>>>>> REPLACE\n",
			problems: []string{"no ======= line"},
		},
		{
			name:     "a REPLACE without its divider",
			answer:   "a.go\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n",
			problems: []string{"no ======= line"},
		},
		{name: "no blocks", answer: "I cannot help with that."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := parseBlocks(tt.answer)
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("blocks:\n got %+v\nwant %+v", got, tt.want)
			}
			if len(problems) != len(tt.problems) {
				t.Fatalf("problems = %+v, want %d", problems, len(tt.problems))
			}
			for i, p := range problems {
				if !strings.Contains(p.Reason, tt.problems[i]) {
					t.Errorf("problem %d = %q, want it to say %q", i, p.Reason, tt.problems[i])
				}
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name            string
		text            string
		search, replace string
		want            string // text after applying the single match; "" when none is expected
		matches         int
	}{
		{"exact", "a\nb\nc\n", "b\n", "B\n", "a\nB\nc\n", 1},
		{"only at line starts", "xb\nb\n", "b\n", "B\n", "xb\nB\n", 1},
		{"no final newline", "a\nb", "b\n", "B\n", "a\nB", 1},
		{"trailing spaces drift", "if x {   \n\treturn\n}\n", "if x {\n\treturn\n}\n", "if y {\n\treturn\n}\n", "if y {\n\treturn\n}\n", 1},
		{"indentation drift is re-applied", "func f() {\n\t\tx()\n\t\ty()\n}\n", "x()\ny()\n", "x()\nz()\n", "func f() {\n\t\tx()\n\t\tz()\n}\n", 1},
		{"extra indentation removed", "x()\ny()\n", "    x()\n    y()\n", "    x()\n    w()\n", "x()\nw()\n", 1},
		{"blank edge lines dropped", "a\nb\nc\n", "\nb\n\n", "\nB\n\n", "a\nB\nc\n", 1},
		{"ambiguous", "x\ny\nx\n", "x\n", "z\n", "", 2},
		{"no match", "a\n", "nope\n", "b\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := match(tt.text, tt.search, tt.replace)
			if len(m) != tt.matches {
				t.Fatalf("got %d matches %+v, want %d", len(m), m, tt.matches)
			}
			if tt.matches == 1 {
				if got := applyEdits(tt.text, m); got != tt.want {
					t.Errorf("applied:\n%q\nwant\n%q", got, tt.want)
				}
			}
		})
	}
}

func TestRebase(t *testing.T) {
	base := "one\ntwo\nthree\n"
	edit := FileChange{Op: OpEdit, Path: "/w/a.go", Base: base, Version: versionPtr(1),
		Edits: []TextEdit{{Start: 4, End: 7, NewText: "TWO"}}} // "two"
	tests := []struct {
		name string
		now  string
		want string // text after the rebased edit; "" when it must be refused
	}{
		{"unchanged", base, "one\nTWO\nthree\n"},
		{"typed before", "zero\none\ntwo\nthree\n", "zero\none\nTWO\nthree\n"},
		{"typed after", "one\ntwo\nthree\nfour\n", "one\nTWO\nthree\nfour\n"},
		{"typed inside", "one\ntwxo\nthree\n", ""},
		{"deleted the line", "one\nthree\n", ""},
		{"ambiguous repeat next to the edit", "one\ntwotwo\nthree\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := edit.Rebase(Document{URI: "file:///w/a.go", Version: 2, Text: tt.now})
			if tt.want == "" {
				if !errors.Is(err, ErrStale) {
					t.Fatalf("got %v, want ErrStale", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got.Version != 2 || got.Base != tt.now {
				t.Errorf("version %d, base %q: want the current document's", *got.Version, got.Base)
			}
			if s := got.ApplyTo(); s != tt.want {
				t.Errorf("applied: %q, want %q", s, tt.want)
			}
		})
	}
}

// Whatever a model writes, parsing and matching never panic, and every
// match lies inside the file, starts a line and does not overlap the
// next.
func FuzzParseAndMatch(f *testing.F) {
	f.Add("a.go\n<<<<<<< SEARCH\n\tx\n=======\n\ty\n>>>>>>> REPLACE\n", "package a\n\tx\n")
	f.Add("```\n<<<<<<< SEARCH\n\n=======\n>>>>>>> REPLACE", "  x\r\n  x\r\n")
	f.Add("RENAME a -> b\n<<<<<<< SEARCH\nx", "x")
	f.Add("DELETE a\r\n**DELETE** `b`\n<<<<<<< SEARCH\nx", "x")
	f.Fuzz(func(t *testing.T, answer, text string) {
		blocks, _ := parseBlocks(answer)
		for _, b := range blocks {
			if b.search == "" {
				continue
			}
			prev := -1
			for _, m := range match(text, b.search, b.replace) {
				if m.Start < 0 || m.End > len(text) || m.Start > m.End || m.Start < prev {
					t.Fatalf("match %+v out of place in %d bytes (previous end %d)", m, len(text), prev)
				}
				if m.Start > 0 && text[m.Start-1] != '\n' {
					t.Fatalf("match %+v does not start a line", m)
				}
				prev = m.End
			}
		}
	})
}
