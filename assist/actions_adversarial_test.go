package assist

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
)

// block writes one SEARCH/REPLACE block.
func blk(path, search, replace string) string {
	return path + "\n<<<<<<< SEARCH\n" + search + "=======\n" + replace + ">>>>>>> REPLACE\n"
}

// Every answer here must be rejected whole, with a message that says
// which part and why, and nothing applied.
func TestAdversarialAnswersAreRejectedWhole(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "x.go"), []byte("package x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := blk("a.go", "func A() {}\n", "func A() { return }\n")
	tests := []struct {
		name   string
		answer string
		local  bool   // the answering model is local
		want   string // part of the error
	}{
		{"search text not in the file", blk("a.go", "func Missing() {}\n", "x\n"), false, "does not match a.go"},
		{"ambiguous search", blk("a.go", "// same\n", "// other\n"), false, "matches 2 places in a.go"},
		{"malformed block", "a.go\n<<<<<<< SEARCH\nfunc A() {}\n>>>>>>> REPLACE\n", false, "no ======= line"},
		{"cut off inside a block", good + "a.go\n<<<<<<< SEARCH\nfunc A() {}\n=======\nfunc A() { ret", false, "cut off"},
		{"parent escape", good + blk("ESCAPE/x.go", "package x\n", "package y\n"), false, "leads outside the workspace folders"},
		{"absolute path elsewhere", good + blk(filepath.Join(outside, "x.go"), "package x\n", "package y\n"), false, "absolute path outside the workspace folders"},
		{"through a symlink", good + blk("link/x.go", "package x\n", "package y\n"), false, "through a symbolic link"},
		{"version control files", good + blk(".git/config", "", "[core]\n"), false, "version control"},
		{"edit to a file that does not exist", good + blk("nope.go", "package nope\n", "package yes\n"), false, "does not exist"},
		{"overlapping blocks", good + blk("a.go", "func A() {}\nfunc B() {}\n", "\n"), false, "changes the same text as block"},
		{"local-only file from a remote model", good + blk("secret/k.go", "package k\n", "package key\n"), false, "local-only under [policy] local_only"},
		{"no blocks at all", "I would rather not.", false, "held no SEARCH/REPLACE block"},
		{"rename onto an existing file", "RENAME a.go -> b.go\n", false, "which exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWS(t, map[string]string{
				"a.go":        "package a\n\n// same\nfunc A() {}\nfunc B() {}\n// same\n",
				"b.go":        "package a\n",
				"secret/k.go": "package k\n",
			})
			if err := os.Symlink(outside, w.path("link")); err != nil {
				t.Skip("no symbolic links here:", err)
			}
			d := w.doc("a.go")
			up, err := filepath.Rel(w.root, outside)
			if err != nil || !strings.HasPrefix(up, "..") {
				t.Fatalf("%s is not beside %s", outside, w.root)
			}
			answer := strings.ReplaceAll(tt.answer, "ESCAPE", filepath.ToSlash(up))
			cfg := &config.Config{Policy: config.Policy{LocalOnly: []string{"secret/"}}}
			a, _, _ := newCodeActions(t, cfg, answer)
			req := w.request(ActionRefactor, d, "A")
			req.Instruction, req.Scope = "do it", ScopeFile
			res, err := a.Run(context.Background(), req)
			if res != nil {
				t.Fatalf("got a result %+v: a rejected answer must apply nothing", res)
			}
			var ee *EditError
			if !errors.As(err, &ee) {
				t.Fatalf("got %v, want an *EditError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			b, _ := os.ReadFile(filepath.Join(outside, "x.go"))
			if string(b) != "package x\n" {
				t.Error("a file outside the workspace changed")
			}
		})
	}
}

func TestAcceptedPaths(t *testing.T) {
	w := newWS(t, map[string]string{"a.go": "package a\n", "sub/b.go": "package b\n", "secret/k.go": "package k\n"})
	d := w.doc("a.go")
	answer := blk(w.path("sub/b.go"), "package b\n", "package bb\n") + // absolute, inside
		blk("sub/../a.go", "package a\n", "package aa\n") + // ".." that stays inside
		blk("secret/k.go", "package k\n", "package kk\n") // local-only, but the model is local
	cfg := &config.Config{Policy: config.Policy{LocalOnly: []string{"secret/"}}}
	a, _, r := newCodeActions(t, cfg, answer)
	r.targets[0].Model.Classes = []string{config.ClassLocal}
	req := w.request(ActionRefactor, d, "")
	req.Instruction, req.Scope = "rename the packages", ScopeFile
	res, err := a.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range res.Edit.Changes {
		got[c.Path] = c.ApplyTo()
	}
	want := map[string]string{w.path("a.go"): "package aa\n", w.path("sub/b.go"): "package bb\n", w.path("secret/k.go"): "package kk\n"}
	for p, text := range want {
		if got[p] != text {
			t.Errorf("%s: got %q, want %q", p, got[p], text)
		}
	}
}

func TestWhitespaceDriftAndCRLF(t *testing.T) {
	w := newWS(t, map[string]string{"a.py": "def f():\r\n    if x:   \r\n        return 1\r\n"})
	d := w.doc("a.py")
	// The model lost the indentation and the CRLF, and wrapped its
	// answer in chatter and a fence.
	answer := "Sure:\n```python\na.py\n<<<<<<< SEARCH\nif x:\n    return 1\n=======\nif x:\n    return 2\n>>>>>>> REPLACE\n```\nDone."
	a, _, _ := newCodeActions(t, nil, answer)
	req := w.request(ActionRefactor, d, "")
	req.Instruction, req.Scope = "return 2", ScopeFile
	res, err := a.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Edit.Changes[0].ApplyTo(), "def f():\r\n    if x:\r\n        return 2\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRepeatedSearchTextsTakeTheirPlacesInOrder(t *testing.T) {
	w := newWS(t, map[string]string{"a.go": "x()\ny()\nx()\n"})
	d := w.doc("a.go")
	a, _, _ := newCodeActions(t, nil, blk("a.go", "x()\n", "one()\n")+blk("a.go", "x()\n", "two()\n"))
	req := w.request(ActionRefactor, d, "")
	req.Instruction, req.Scope = "number them", ScopeFile
	res, err := a.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Edit.Changes[0].ApplyTo(); got != "one()\ny()\ntwo()\n" {
		t.Errorf("got %q", got)
	}
}

// errStream gives its pieces, then fails as a connection cut
// mid-answer does.
type errStream struct {
	pieces []string
	err    error
}

func (s *errStream) Next() (string, error) {
	if len(s.pieces) == 0 {
		return "", s.err
	}
	p := s.pieces[0]
	s.pieces = s.pieces[1:]
	return p, nil
}

func (s *errStream) Close() error { return nil }

type streamProvider struct {
	stream func() providers.Stream
}

func (p *streamProvider) Name() string { return "cloud" }
func (p *streamProvider) Chat(context.Context, *providers.ChatRequest) (providers.Stream, error) {
	return p.stream(), nil
}

func TestAnswersThatEndBadly(t *testing.T) {
	w := newWS(t, map[string]string{"a.go": "package a\n"})
	d := w.doc("a.go")
	run := func(t *testing.T, s func() providers.Stream, max int) (*Result, error) {
		r := &fakeRouter{targets: []providers.Target{{Name: "sonnet", Provider: &streamProvider{stream: s}}}}
		a := NewActions(r, &config.Config{}, Options{AnswerDir: t.TempDir(), MaxAnswerBytes: max})
		req := w.request(ActionRefactor, d, "")
		req.Instruction, req.Scope = "x", ScopeFile
		return a.Run(context.Background(), req)
	}
	t.Run("cut mid-stream", func(t *testing.T) {
		cut := &providers.Error{Provider: "cloud", Kind: providers.KindServer, Message: "stream ended early"}
		res, err := run(t, func() providers.Stream {
			return &errStream{pieces: []string{blk("a.go", "package a\n", "package b\n")}, err: cut}
		}, 0)
		if res != nil || !errors.Is(err, cut) || !strings.Contains(err.Error(), "stopped answering") {
			t.Errorf("got %v, %v: an answer cut by an error must apply nothing, even its complete blocks", res, err)
		}
	})
	t.Run("5 MB answer", func(t *testing.T) {
		chunk := strings.Repeat("x", 64<<10)
		fed := 0
		res, err := run(t, func() providers.Stream {
			return streamFunc(func() (string, error) {
				if fed >= 5<<20 {
					return "", io.EOF
				}
				fed += len(chunk)
				return chunk, nil
			})
		}, 1<<20)
		if res != nil || err == nil || !strings.Contains(err.Error(), "was stopped") {
			t.Fatalf("got %v, %v", res, err)
		}
		if fed > 2<<20 {
			t.Errorf("read %d bytes: reading must stop at the limit", fed)
		}
	})
}

type streamFunc func() (string, error)

func (f streamFunc) Next() (string, error) { return f() }
func (f streamFunc) Close() error          { return nil }

func TestCancelClosesTheModelStream(t *testing.T) {
	w := newWS(t, map[string]string{"a.go": "package a\n"})
	d := w.doc("a.go")
	p := &fakeProvider{name: "cloud", answer: func() *fakeStream {
		s := newStream("a.go\n<<<<<<< SEARCH\n")
		s.hang = true
		return s
	}}
	r := &fakeRouter{targets: []providers.Target{{Name: "sonnet", Provider: p}}}
	a := NewActions(r, &config.Config{}, Options{AnswerDir: t.TempDir()})
	ctx, cancel := context.WithCancel(context.Background())
	req := w.request(ActionExplain, d, "")
	req.Progress = func(pr Progress) {
		if strings.Contains(pr.Message, "answering") {
			cancel()
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.Run(ctx, req)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancellation")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.last.isClosed() {
		t.Error("the model's stream was left open after cancellation")
	}
}

// DELETE lines: what a refactor may delete, in which order the changes
// come, and every answer that must be refused whole.
func TestDeleteFiles(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "x.go"), []byte("package x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	edit := blk("a.go", "func A() {}\n", "func A() { return }\n")
	tests := []struct {
		name   string
		action string // ActionRefactor when empty
		answer string
		want   []string // the changes, "op path", when accepted
		err    string   // part of the error, when refused
	}{
		{name: "a file on disk, beside an edit",
			answer: edit + "DELETE old.go\n",
			want:   []string{"edit a.go", "delete old.go"}},
		{name: "before the edits, with a rename and a new file",
			answer: "DELETE sub/gone.go\nRENAME b.go -> c.go\n" + edit + blk("new.go", "", "package a\n"),
			want:   []string{"edit a.go", "rename b.go", "delete sub/gone.go", "create new.go", "edit new.go"}},
		{name: "the same file twice is one deletion",
			answer: "DELETE old.go\nDELETE ./old.go\n",
			want:   []string{"delete old.go"}},
		{name: "edited, then deleted",
			answer: edit + "DELETE a.go\n", err: "it edits a.go, which block 2 deletes"},
		{name: "deleted, then edited",
			answer: "DELETE a.go\n" + edit, err: "it edits a.go, which block 1 deletes"},
		{name: "edited through another spelling of the path",
			answer: "DELETE sub/../a.go\n" + edit, err: "which block 1 deletes"},
		{name: "renamed and deleted",
			answer: "RENAME b.go -> c.go\nDELETE b.go\n", err: "also renames"},
		{name: "a file that does not exist",
			answer: edit + "DELETE nope.go\n", err: "nope.go, which does not exist"},
		{name: "a folder",
			answer: "DELETE sub\n", err: "is a folder"},
		{name: "parent escape",
			answer: "DELETE ESCAPE/x.go\n", err: "leads outside the workspace folders"},
		{name: "absolute path elsewhere",
			answer: "DELETE " + filepath.ToSlash(filepath.Join(outside, "x.go")) + "\n", err: "absolute path outside the workspace folders"},
		{name: "through a symlink",
			answer: "DELETE link/x.go\n", err: "through a symbolic link"},
		{name: "version control files",
			answer: "DELETE .git/HEAD\n", err: "version control"},
		{name: "local-only file for a remote model",
			answer: "DELETE secret/k.go\n", err: "local-only under [policy] local_only"},
		{name: "an action other than refactor", action: ActionDocument,
			answer: edit + "DELETE old.go\n", err: "Document with AI may not delete files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWS(t, map[string]string{
				"a.go":        "package a\n\nfunc A() {}\n",
				"b.go":        "package a\n",
				"old.go":      "package a\n",
				"sub/gone.go": "package sub\n",
				"secret/k.go": "package k\n",
				".git/HEAD":   "ref: refs/heads/main\n",
			})
			if err := os.Symlink(outside, w.path("link")); err != nil {
				t.Skip("no symbolic links here:", err)
			}
			up, err := filepath.Rel(w.root, outside)
			if err != nil {
				t.Fatal(err)
			}
			d := w.doc("a.go")
			cfg := &config.Config{Policy: config.Policy{LocalOnly: []string{"secret/"}}}
			a, _, _ := newCodeActions(t, cfg, strings.ReplaceAll(tt.answer, "ESCAPE", filepath.ToSlash(up)))
			action := tt.action
			if action == "" {
				action = ActionRefactor
			}
			req := w.request(action, d, "func A() {}")
			req.Instruction, req.Scope = "clean up", ScopeFile
			res, err := a.Run(context.Background(), req)
			if tt.err != "" {
				var ee *EditError
				if res != nil || !errors.As(err, &ee) {
					t.Fatalf("got %+v, %v; want the answer refused whole", res, err)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %q does not say %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range res.Edit.Changes {
				rel, _ := filepath.Rel(w.root, c.Path)
				got = append(got, string(c.Op)+" "+filepath.ToSlash(rel))
				if c.Op == OpDelete && (c.URI != "" || len(c.Edits) != 0) {
					t.Errorf("a deletion of a file that is not open carries %+v", c)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("changes %v, want %v", got, tt.want)
			}
			for _, p := range []string{"old.go", "sub/gone.go"} {
				if _, err := os.Stat(w.path(p)); err != nil {
					t.Errorf("%s is gone from disk: only the editor may delete it", p)
				}
			}
		})
	}
}

// Deleting the document that holds the directive takes the directive
// with it: no edit of the deleted file is added.
func TestDeleteOpenDocumentWithDirective(t *testing.T) {
	const src = "package a\n\n// switchyard: merge into b.go\nfunc A() {}\n"
	w := newWS(t, map[string]string{"a.go": src, "b.go": "package a\n"})
	d := w.doc("a.go")
	answer := blk("b.go", "package a\n", "package a\n\nfunc A() {}\n") + "DELETE a.go\n"
	a, p, _ := newCodeActions(t, nil, answer)
	req := w.request(ActionRefactor, d, "func A() {}")
	req.Scope = ScopeFile
	res, err := a.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if pr := prompt(t, p); !strings.Contains(pr, "DELETE path/of/the/file") {
		t.Errorf("the refactor prompt does not say how to delete a file:\n%s", pr)
	}
	ch := res.Edit.Changes
	if len(ch) != 2 || ch[0].Op != OpEdit || ch[0].Path != w.path("b.go") || ch[1].Op != OpDelete || ch[1].Path != d.Path {
		t.Fatalf("changes %+v, want an edit of b.go and the deletion of a.go", ch)
	}
	if ch[1].URI != d.URI {
		t.Errorf("the open document is deleted by URI %q, want its own %q", ch[1].URI, d.URI)
	}
}
