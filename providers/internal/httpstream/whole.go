package httpstream

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"

	"switchyard/providers"
)

// MaxWhole is the largest answer OpenWhole reads. A whole answer holds
// the text and some metadata; Ollama's also lists the prompt's token ids
// (its "context"), a few bytes per token, so a long prompt can pass
// MaxLine where no streamed line would.
const MaxWhole = 16 << 20

// OpenWhole posts body to path and returns an answer that comes whole, as
// one JSON value rather than line by line, as a Stream of at most one
// piece. decode reads the whole body as it would one line of a stream,
// with the same rules: its text is the piece, and an answer that does not
// say it is done is still the answer, as with a stream that ends cleanly
// without its last line. The call returns once the answer is all there;
// the end of ctx drops the connection while it waits. statusError maps an
// answer other than 200.
func (c *Client) OpenWhole(ctx context.Context, path string, body any, statusError func(*http.Response) error, decode Decoder) (providers.Stream, error) {
	ctx, cancel := c.WithTimeout(ctx)
	defer cancel()
	resp, err := c.Do(ctx, http.MethodPost, path, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(resp)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxWhole+1))
	if err != nil {
		return nil, c.StreamError(ctx, "the answer stopped before "+c.Server+" sent all of it", err)
	}
	if len(raw) > MaxWhole {
		return nil, c.StreamError(ctx, fmt.Sprintf("the answer from %s is larger than %d MiB", c.Server, MaxWhole>>20), nil)
	}
	text, _, err := decode(ctx, bytes.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	return &whole{name: c.Name, text: text}, nil
}

// whole is an answer already read: its text, then io.EOF.
type whole struct {
	name string

	mu     sync.Mutex
	text   string
	given  bool // the text went out
	ended  bool // io.EOF went out
	closed bool
}

func (w *whole) Next() (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.ended:
		return "", io.EOF
	case w.closed:
		// As for a stream cut by Close: not io.EOF, which would pass a
		// dropped answer for a finished one.
		return "", &providers.Error{Provider: w.name, Kind: providers.KindCanceled, Message: "the answer was closed before it was read"}
	case w.given || w.text == "":
		w.ended = true
		return "", io.EOF
	}
	w.given = true
	return w.text, nil
}

// Close has no connection to drop: OpenWhole has released it.
func (w *whole) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	return nil
}

var _ providers.Stream = (*whole)(nil)
