package vertex

import (
	"context"
	"fmt"
	"io"
	"iter"
	"strings"
	"sync"

	"google.golang.org/genai"

	"switchyard/providers"
	"switchyard/providers/internal/callctx"
)

// chatGemini sends one generateContent stream request.
func (p *Provider) chatGemini(ctx context.Context, req *providers.ChatRequest, token string) (providers.Stream, error) {
	client, err := p.geminiClient(ctx)
	if err != nil {
		return nil, err
	}
	contents, gc, err := p.request(req)
	if err != nil {
		return nil, err
	}
	if token != "" {
		gc.HTTPOptions = &genai.HTTPOptions{Headers: map[string][]string{"Authorization": {"Bearer " + token}}}
	}

	sctx, cancel := callctx.WithTimeout(ctx, p.cfg.Timeout.D())
	next, stop := iter.Pull2(client.Models.GenerateContentStream(sctx, req.Model, contents, gc))
	s := &stream{p: p, ctx: sctx, parent: ctx, cancel: cancel, next: next, stop: stop}
	// Pull the first chunk now, so that an error status (429, 401, 404)
	// comes back from Chat, before the router has committed to this
	// provider, as it does for every other provider.
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

// request turns a ChatRequest into genai contents and configuration.
func (p *Provider) request(req *providers.ChatRequest) ([]*genai.Content, *genai.GenerateContentConfig, error) {
	gc := &genai.GenerateContentConfig{
		// The router is the one retry loop: no resuming of cut streams
		// behind its back.
		AutomaticContinuation: genai.Ptr(false),
	}
	if req.MaxTokens > 0 {
		gc.MaxOutputTokens = int32(req.MaxTokens)
	}
	if req.Temperature != nil {
		gc.Temperature = genai.Ptr(float32(*req.Temperature))
	}
	if len(req.Stop) > 0 {
		gc.StopSequences = req.Stop
	}
	var system []string
	var contents []*genai.Content
	for _, m := range req.Messages {
		if m.Role == providers.RoleSystem {
			if m.Content != "" {
				system = append(system, m.Content)
			}
			continue
		}
		var parts []*genai.Part
		for _, img := range m.Images {
			if !supportedImage(img.MIME) {
				return nil, nil, providers.Unsupported(p.name, "image type "+img.MIME+" (Gemini takes image/png, image/jpeg, image/webp, image/heic and image/heif)")
			}
			parts = append(parts, genai.NewPartFromBytes(img.Data, img.MIME))
		}
		if m.Content != "" {
			parts = append(parts, genai.NewPartFromText(m.Content))
		}
		if len(parts) == 0 {
			continue
		}
		role := genai.RoleUser
		if m.Role == providers.RoleAssistant {
			role = genai.RoleModel
		}
		contents = append(contents, genai.NewContentFromParts(parts, genai.Role(role)))
	}
	if len(system) > 0 {
		gc.SystemInstruction = genai.NewContentFromText(strings.Join(system, "\n\n"), genai.RoleUser)
	}
	if len(contents) == 0 {
		return nil, nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest, Message: "the request has no user or assistant message with content"}
	}
	return contents, gc, nil
}

func supportedImage(mime string) bool {
	switch mime {
	case "image/png", "image/jpeg", "image/webp", "image/heic", "image/heif":
		return true
	}
	return false
}

// stream pulls GenerateContentResponse chunks and hands out their text.
type stream struct {
	p      *Provider
	ctx    context.Context // the stream's own, cancelled by Close
	parent context.Context // the caller's
	cancel context.CancelFunc
	next   func() (*genai.GenerateContentResponse, error, bool)
	stop   func()

	// mu serialises the pull iterator, which must not be driven from two
	// goroutines at once: Next holds it while it reads, and Close takes it
	// to stop the iterator once cancelling has woken the reader.
	mu       sync.Mutex
	pending  []string // text pulled but not yet returned
	err      error    // sticky end: io.EOF or a *providers.Error
	finished bool     // a finishReason was seen
	text     bool     // some text was seen
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

// pull reads one chunk into pending, or sets err. s.mu is held.
func (s *stream) pull() {
	if s.stopped {
		s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindCanceled, Message: "stream closed", Err: context.Canceled}
		return
	}
	resp, err, ok, bad := s.safeNext()
	switch {
	case bad != nil:
		s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindServer,
			Message: "Vertex AI sent an answer that cannot be read", Err: bad}
	case !ok:
		switch {
		case s.finished:
			s.err = io.EOF
		case s.ctx.Err() != nil:
			s.err = s.p.mapError(s.parent, s.ctx, s.ctx.Err())
		default:
			// The body ended without a finishReason: the answer is cut
			// short, and the text so far may be half a line of code.
			s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindServer,
				Message: "the answer stream ended without a finishReason (truncated)"}
		}
	case err != nil:
		s.err = s.p.mapError(s.parent, s.ctx, err)
	default:
		s.chunk(resp)
	}
}

// safeNext is next, with a panic in the SDK's decoding of a malformed
// chunk (a fuzzed body with a null candidate makes it dereference nil)
// turned into bad, so that one bad answer cannot take the server down.
// iter.Pull2 re-raises the iterator's panic here, in the caller.
func (s *stream) safeNext() (resp *genai.GenerateContentResponse, err error, ok bool, bad error) {
	defer func() {
		if r := recover(); r != nil {
			resp, err, ok, bad = nil, nil, false, fmt.Errorf("the genai SDK failed on it: %v", r)
		}
	}()
	resp, err, ok = s.next()
	return resp, err, ok, nil
}

// chunk takes the text and the end of one response.
func (s *stream) chunk(resp *genai.GenerateContentResponse) {
	if resp == nil {
		return
	}
	if fb := resp.PromptFeedback; fb != nil && fb.BlockReason != "" {
		msg := fb.BlockReasonMessage
		if msg == "" {
			msg = "the prompt was blocked: " + string(fb.BlockReason)
		}
		s.err = &providers.Error{Provider: s.p.name, Kind: providers.KindContentPolicy, Message: msg}
		return
	}
	if len(resp.Candidates) == 0 || resp.Candidates[0] == nil {
		return
	}
	c := resp.Candidates[0]
	if c.Content != nil {
		for _, part := range c.Content.Parts {
			// Thoughts are the model's reasoning, not the answer.
			if part != nil && part.Text != "" && !part.Thought {
				s.pending = append(s.pending, part.Text)
				s.text = true
			}
		}
	}
	switch c.FinishReason {
	case "", genai.FinishReasonUnspecified:
	case genai.FinishReasonSafety, genai.FinishReasonRecitation, genai.FinishReasonBlocklist,
		genai.FinishReasonProhibitedContent, genai.FinishReasonSPII, genai.FinishReasonImageSafety,
		genai.FinishReasonImageProhibitedContent:
		s.finished = true
		msg := c.FinishMessage
		if msg == "" {
			msg = "the answer was stopped by Vertex AI's filter: " + string(c.FinishReason)
		}
		// Text already pulled is still handed out first; the error then
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
		// iterator can be stopped without racing it.
		s.cancel()
		s.mu.Lock()
		s.stopped = true
		s.stop()
		s.mu.Unlock()
	})
	return nil
}
