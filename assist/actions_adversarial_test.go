package assist

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
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
