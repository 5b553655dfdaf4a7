package ollama

import (
	"context"
	"encoding/json"
)

// decodeLine reads one NDJSON line of an answer from /api/generate or
// /api/chat, which ends with a line that says "done":true.
func (p *Provider) decodeLine(ctx context.Context, line []byte) (string, bool, error) {
	if len(line) == 0 {
		return "", false, nil
	}
	var l streamLine
	if err := json.Unmarshal(line, &l); err != nil {
		return "", false, p.c.StreamError(ctx, "malformed stream line from Ollama", err)
	}
	if l.Error != "" {
		return "", false, p.c.StreamError(ctx, l.Error, nil)
	}
	// Thinking models send lines with no answer text; they are not part
	// of what the editor shows.
	return l.Response + l.Message.Content, l.Done, nil
}
