package llamacpp

import (
	"bytes"
	"context"
	"encoding/json"

	"switchyard/providers"
)

var (
	dataField  = []byte("data:")
	errorField = []byte("error:") // how older llama-server builds sent a mid-stream failure
)

// decodeEvent reads one line of the Server-Sent Events of a streamed
// /infill answer, which ends with an event that says "stop": true. Unlike
// the /v1 endpoints, the native ones send no data: [DONE].
func (p *Provider) decodeEvent(ctx context.Context, line []byte) (string, bool, error) {
	var payload []byte
	switch {
	case bytes.HasPrefix(line, dataField):
		payload = bytes.TrimSpace(line[len(dataField):])
	case bytes.HasPrefix(line, errorField):
		payload = []byte(`{"error":` + string(bytes.TrimSpace(line[len(errorField):])) + `}`)
	default:
		return "", false, nil // blank separators, comments, other fields
	}
	var c infillChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", false, p.c.StreamError(ctx, "malformed event from llama-server", err)
	}
	if c.Error != nil {
		e := &providers.Error{Provider: p.name, Message: c.Error.Message}
		p.classify(e, c.Error.Code, c.Error.Type, c.Error.Message)
		if e.Kind != providers.KindContextWindow && e.Kind != providers.KindServer {
			// Whatever its code, a failure after the answer began is
			// the server's: the request itself was accepted.
			e.Kind = providers.KindServer
		}
		return "", false, e
	}
	return c.Content, c.Stop, nil
}
