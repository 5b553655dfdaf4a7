package httpstream

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"switchyard/providers"
)

// FuzzStream reads arbitrary bodies line by line with a decoder whose
// rules are simple enough to model: a line "end" ends the answer, a line
// "fail" fails it, a line "-" carries no text, any other line is text.
// The pieces must be exactly those of the model, up to the end, a
// failure, or the end of the body: a body that ends cleanly without its
// end line keeps its text and is no error (runners stop that way).
func FuzzStream(f *testing.F) {
	f.Add([]byte("a\nb\r\n-\n\nend\nafter\n"))
	f.Add([]byte("a\nfail\nb\n"))
	f.Add([]byte("no end"))
	f.Add([]byte(""))
	c := &Client{Name: "fuzz", Server: "the fuzz server"}
	errFail := errors.New("the decoder failed")
	decode := func(_ context.Context, line []byte) (string, bool, error) {
		switch string(line) {
		case "end":
			return "", true, nil
		case "fail":
			return "", false, errFail
		case "-":
			return "", false, nil
		}
		return string(line), false, nil
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// The model: bufio.ScanLines drops "\n" and one "\r" before it.
		var want []string
		ended, failed, long := false, false, false
		lines := bytes.SplitAfter(body, []byte("\n"))
		for _, l := range lines {
			if len(l) == 0 {
				continue
			}
			if len(l) > MaxLine {
				long = true
				break
			}
			l = bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r"))
			if s := string(l); s == "end" {
				ended = true
				break
			} else if s == "fail" {
				failed = true
				break
			} else if s != "-" && s != "" {
				want = append(want, s)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		s := newStream(c, ctx, cancel, io.NopCloser(bytes.NewReader(body)), decode)
		got, err := providers.ReadAll(s)
		if long {
			// A line past MaxLine fails the stream where it starts.
			if err == nil || !strings.HasPrefix(strings.Join(want, ""), got) {
				t.Fatalf("over-long line: got %q, %v", got, err)
			}
			return
		}
		if got != strings.Join(want, "") {
			t.Fatalf("text %q, want %q", got, strings.Join(want, ""))
		}
		switch {
		case ended && err != nil:
			t.Fatalf("an answer that ended failed: %v", err)
		case failed && !errors.Is(err, errFail):
			t.Fatalf("a failed answer gave %v, want the decoder's error", err)
		case !ended && !failed && err != nil:
			t.Fatalf("a body that ended cleanly without its end line gave %v, want its text and no error", err)
		}
		if ctx.Err() == nil {
			t.Fatal("the stream did not release its context once over")
		}
	})
}
