package vertex

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"switchyard/providers"
	"switchyard/providers/internal/callctx"
)

// apiVersion is the REST version Google's SDKs use for Vertex AI.
const apiVersion = "v1beta1"

// chatGemini sends one streamGenerateContent request and returns its
// answer as it arrives (Server-Sent Events, one GenerateContentResponse
// each).
func (p *Provider) chatGemini(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	body, err := p.request(req)
	if err != nil {
		return nil, err
	}
	client, err := p.httpClient(ctx)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(body); err != nil {
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Err: err}
	}
	u, err := url.JoinPath(p.base, apiVersion, p.modelPath(req.Model)+":streamGenerateContent")
	if err != nil {
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Err: err,
			Hint: "check base_url in [providers." + p.name + "]"}
	}

	sctx, cancel := callctx.WithTimeout(ctx, p.cfg.Timeout.D())
	hreq, err := http.NewRequestWithContext(sctx, http.MethodPost, u+"?alt=sse", &buf)
	if err != nil {
		cancel()
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Err: err}
	}
	hreq.Header.Set("Content-Type", "application/json")
	for k, v := range p.cfg.Headers {
		hreq.Header.Set(k, v)
	}
	resp, err := client.Do(hreq)
	if err != nil {
		cancel()
		return nil, p.mapError(ctx, sctx, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer cancel()
		defer resp.Body.Close()
		return nil, p.mapError(ctx, sctx, statusError(resp))
	}
	s := &stream{p: p, ctx: sctx, parent: ctx, cancel: cancel, body: resp.Body, r: bufio.NewReader(resp.Body)}
	// Pull the first chunk now, so that an error at the very start comes
	// back from Chat, before the router has committed to this provider, as
	// it does for every other provider.
	s.mu.Lock()
	s.pull()
	s.mu.Unlock()
	if s.err != nil && s.err != io.EOF && len(s.pending) == 0 {
		err := s.err
		s.Close()
		return nil, err
	}
	return s, nil
}

// modelPath is the resource name of a model, the way Google's SDKs
// expand what the user wrote: "gemini-2.5-pro" is Google's model in this
// project and location, "publisher/model" another publisher's, and a
// full "projects/..." name (a tuned model's endpoint) is taken as it is.
func (p *Provider) modelPath(model string) string {
	switch {
	case strings.HasPrefix(model, "projects/"):
		return model
	case strings.HasPrefix(model, "publishers/"):
	case strings.HasPrefix(model, "models/"):
		model = "publishers/google/" + model
	case strings.Contains(model, "/"):
		publisher, name, _ := strings.Cut(model, "/")
		model = "publishers/" + publisher + "/models/" + name
	default:
		model = "publishers/google/models/" + model
	}
	return "projects/" + p.project + "/locations/" + p.region + "/" + model
}

// request turns a ChatRequest into a generateContent body.
func (p *Provider) request(req *providers.ChatRequest) (*generateRequest, error) {
	body := &generateRequest{}
	gc := generationConfig{MaxOutputTokens: req.MaxTokens, Temperature: req.Temperature, StopSequences: req.Stop}
	if gc.MaxOutputTokens > 0 || gc.Temperature != nil || len(gc.StopSequences) > 0 {
		body.GenerationConfig = &gc
	}
	var system []string
	for _, m := range req.Messages {
		if m.Role == providers.RoleSystem {
			if m.Content != "" {
				system = append(system, m.Content)
			}
			continue
		}
		var parts []part
		for _, img := range m.Images {
			if !supportedImage(img.MIME) {
				return nil, providers.Unsupported(p.name, "image type "+img.MIME+" (Gemini takes image/png, image/jpeg, image/webp, image/heic and image/heif)")
			}
			parts = append(parts, part{InlineData: &inlineData{MIMEType: img.MIME, Data: img.Data}})
		}
		if m.Content != "" {
			parts = append(parts, part{Text: m.Content})
		}
		if len(parts) == 0 {
			continue
		}
		role := "user"
		if m.Role == providers.RoleAssistant {
			role = "model"
		}
		body.Contents = append(body.Contents, content{Role: role, Parts: parts})
	}
	if len(system) > 0 {
		body.SystemInstruction = &content{Role: "user", Parts: []part{{Text: strings.Join(system, "\n\n")}}}
	}
	if len(body.Contents) == 0 {
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Message: "the request has no user or assistant message with content"}
	}
	return body, nil
}

func supportedImage(mime string) bool {
	switch mime {
	case "image/png", "image/jpeg", "image/webp", "image/heic", "image/heif":
		return true
	}
	return false
}

// stream reads GenerateContentResponse events and hands out their text.
type stream struct {
	p      *Provider
	ctx    context.Context // the stream's own, cancelled by Close
	parent context.Context // the caller's
	cancel context.CancelFunc
	body   io.ReadCloser
	r      *bufio.Reader

	// mu serialises reading: Next holds it while it reads, and Close
	// takes it, once cancelling has woken the reader, to mark the stream
	// stopped.
	mu       sync.Mutex
	pending  []string // text read but not yet returned
	err      error    // sticky end: io.EOF or a *providers.Error
	finished bool     // a finishReason was seen
	stopped  bool

	closeOnce sync.Once
}

// Next returns the next piece of text, io.EOF once the model finished, or
// a *providers.Error.
func (s *stream) Next() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.pending) == 0 && s.err == nil {
		s.pull()
	}
	if len(s.pending) > 0 {
		piece := s.pending[0]
		s.pending = s.pending[1:]
		return piece, nil
	}
	return "", s.err
}

// pull reads one event into pending, or sets err. s.mu is held.
func (s *stream) pull() {
	if s.stopped {
		s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindCanceled, Message: "stream closed", Err: context.Canceled}
		return
	}
	for {
		line, err := s.r.ReadBytes('\n')
		if err != nil && (err != io.EOF || len(line) == 0) {
			s.end(err)
			return
		}
		data, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r\n"), []byte("data:"))
		if !ok {
			// A blank line between events, or an SSE comment or field
			// this API does not use.
			continue
		}
		var resp generateResponse
		if err := json.Unmarshal(data, &resp); err != nil {
			s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindServer,
				Message: "an answer chunk that is not JSON", Err: err}
			return
		}
		if resp.Error != nil {
			s.err = s.p.mapError(s.parent, s.ctx, resp.Error)
			return
		}
		s.chunk(&resp)
		return
	}
}

// end sets how the stream ended when its body did. s.mu is held.
func (s *stream) end(err error) {
	switch {
	case err == io.EOF && s.finished:
		s.err = io.EOF
	case s.ctx.Err() != nil:
		s.err = s.p.mapError(s.parent, s.ctx, s.ctx.Err())
	case err == io.EOF:
		// The body ended without a finishReason: the answer is cut
		// short, and the text so far may be half a line of code.
		s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindServer,
			Message: "the answer stream ended without a finishReason (truncated)"}
	default:
		// The connection broke in the middle of the answer.
		s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindServer,
			Message: "the answer stream was cut", Err: err}
	}
}

// chunk takes the text and the end of one response.
func (s *stream) chunk(resp *generateResponse) {
	if fb := resp.PromptFeedback; fb != nil && fb.BlockReason != "" {
		msg := fb.BlockReasonMessage
		if msg == "" {
			msg = "the prompt was blocked: " + fb.BlockReason
		}
		s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindContentPolicy, Message: msg}
		return
	}
	if len(resp.Candidates) == 0 {
		return
	}
	c := resp.Candidates[0]
	if c.Content != nil {
		for _, part := range c.Content.Parts {
			// Thoughts are the model's reasoning, not the answer.
			if part.Text != "" && !part.Thought {
				s.pending = append(s.pending, part.Text)
			}
		}
	}
	switch c.FinishReason {
	case "", "FINISH_REASON_UNSPECIFIED":
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
		"IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT":
		s.finished = true
		msg := c.FinishMessage
		if msg == "" {
			msg = "the answer was stopped by Vertex AI's filter: " + c.FinishReason
		}
		// Text already read is still handed out first; the error then
		// tells the caller that the answer is not whole.
		s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindContentPolicy, Message: msg}
	default:
		s.finished = true
	}
}

// Close drops the connection at once. It is safe to call more than once
// and while Next is blocked in another goroutine.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		// Cancelling first wakes a Next blocked on the body; then the
		// lock is free to mark the stream stopped.
		s.cancel()
		s.body.Close()
		s.mu.Lock()
		s.stopped = true
		s.mu.Unlock()
	})
	return nil
}
