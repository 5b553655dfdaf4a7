package httpstream

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"switchyard/providers"
)

// OpenWhole reads an answer past MaxLine, which no line of a stream may
// be, and refuses one past MaxWhole instead of holding it all.
func TestOpenWholeSizes(t *testing.T) {
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c := &Client{Name: "local", Server: "the test server", Base: srv.URL, HTTP: srv.Client()}
	decode := func(_ context.Context, b []byte) (string, bool, error) {
		return string(bytes.TrimPrefix(b, []byte("text:"))), true, nil
	}
	fail := func(*http.Response) error { t.Fatal("status error on a 200"); return nil }

	text := strings.Repeat("x", 2*MaxLine)
	body = []byte("text:" + text + "\n")
	s, err := c.OpenWhole(context.Background(), "/", nil, fail, decode)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Next(); got != text || err != nil {
		t.Fatalf("Next = %d bytes, %v; want the %d bytes of text", len(got), err, len(text))
	}
	if _, err := s.Next(); err != io.EOF {
		t.Errorf("Next after the text = %v, want io.EOF", err)
	}

	body = bytes.Repeat([]byte("y"), MaxWhole+1)
	_, err = c.OpenWhole(context.Background(), "/", nil, fail, decode)
	if providers.KindOf(err) != providers.KindServer || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("an answer past MaxWhole: %v, want a server error saying it is too large", err)
	}
}
