package vertex

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"switchyard/providers/anthropic"
)

// anthropicVersion is the Messages API version Vertex AI serves, sent in
// the body instead of the anthropic-version header.
const anthropicVersion = "vertex-2023-10-16"

// claudeProvider builds, once, the anthropic provider that speaks the
// Messages API to Vertex: the middleware moves each request to
// .../publishers/anthropic/models/MODEL:streamRawPredict, and the shared
// HTTP client signs it.
//
// This is what anthropic-sdk-go's vertex package does, written here
// because that package builds its HTTP client with
// google.golang.org/api/transport, which links in gRPC, OpenCensus and
// OpenTelemetry (about 24 MB of binary and a quarter of the start-up
// time) for a plain HTTPS call.
func (p *Provider) claudeProvider(ctx context.Context) (*anthropic.Provider, error) {
	client, err := p.httpClient(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.claude == nil {
		p.claude = anthropic.NewWithOptions(p.name, p.cfg, p.hint, anthropic.Options{
			BaseURL:    p.base,
			HTTP:       client,
			Middleware: p.claudeMiddleware,
		})
	}
	return p.claude, nil
}

// claudeMiddleware turns a first-party Messages request into Vertex's:
// the model moves from the body into the path, and anthropic_version goes
// into the body.
func (p *Provider) claudeMiddleware(r *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	prefix, ok := strings.CutSuffix(r.URL.Path, "/v1/messages")
	if !ok || r.Method != http.MethodPost || r.Body == nil {
		return next(r)
	}
	raw, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, err
	}
	var model string
	var stream bool
	_ = json.Unmarshal(body["model"], &model)
	_ = json.Unmarshal(body["stream"], &stream)
	delete(body, "model")
	if _, ok := body["anthropic_version"]; !ok {
		body["anthropic_version"] = json.RawMessage(`"` + anthropicVersion + `"`)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the prompt is sent as written
	if err := enc.Encode(body); err != nil {
		return nil, err
	}
	specifier := "rawPredict"
	if stream {
		specifier = "streamRawPredict"
	}
	r.URL.Path = prefix + "/v1/projects/" + p.project + "/locations/" + p.region +
		"/publishers/anthropic/models/" + model + ":" + specifier
	r.URL.RawPath = ""
	b := buf.Bytes()
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	r.ContentLength = int64(len(b))
	return next(r)
}
