package ollama

import (
	"context"
	"encoding/json"
)

// decodeLine reads one NDJSON line of an answer from /api/chat, which
// ends with a line that says "done":true.
func (p *Provider) decodeLine(ctx context.Context, line []byte) (string, bool, error) {
	return p.decode(ctx, line, "malformed stream line from Ollama")
}

// decodeWhole reads the single JSON object of an answer from
// /api/generate with "stream": false. Its "done" is false when Ollama's
// runner stopped an answer that repeats one token; the text is then still
// the answer, as when a stream ends cleanly without its last line.
func (p *Provider) decodeWhole(ctx context.Context, body []byte) (string, bool, error) {
	return p.decode(ctx, body, "malformed answer from Ollama /api/generate")
}

// decode reads one answer object, a line of a stream or a whole answer;
// malformed is what to say when it is not one.
func (p *Provider) decode(ctx context.Context, b []byte, malformed string) (string, bool, error) {
	if len(b) == 0 {
		return "", false, nil
	}
	var l streamLine
	if err := json.Unmarshal(b, &l); err != nil {
		return "", false, p.c.StreamError(ctx, malformed, err)
	}
	if l.Error != "" {
		return "", false, p.c.StreamError(ctx, l.Error, nil)
	}
	// Thinking models send lines with no answer text; they are not part
	// of what the editor shows.
	return l.Response + l.Message.Content, l.Done, nil
}
