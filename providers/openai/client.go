package openai

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"

	"switchyard/providers"
)

var (
	_ providers.Provider      = (*Provider)(nil)
	_ providers.Completer     = (*Provider)(nil)
	_ providers.FillInMiddler = (*Provider)(nil)
)

// call is the state of one request: its context (with the provider's
// timeout), the caller's context, and what the transport saw.
type call struct {
	p      *Provider
	parent context.Context
	ctx    context.Context
	cancel context.CancelFunc
	ex     *exchange
}

// begin resolves the key and prepares the context of one call. The caller
// must end it with c.cancel, or hand it to a stream that does.
func (p *Provider) begin(ctx context.Context) (*call, error) {
	if err := ctx.Err(); err != nil {
		return nil, p.classify(ctx, ctx, nil, err)
	}
	key, err := p.key(ctx)
	if err != nil {
		return nil, err
	}
	c := &call{p: p, parent: ctx, ex: &exchange{key: key}}
	inner := withExchange(ctx, c.ex)
	if p.timeout > 0 {
		c.ctx, c.cancel = context.WithTimeout(inner, p.timeout)
	} else {
		c.ctx, c.cancel = context.WithCancel(inner)
	}
	return c, nil
}

// fail ends a call that produced no stream.
func (c *call) fail(err error) error {
	defer c.cancel()
	return c.p.classify(c.parent, c.ctx, c.ex, err)
}

// Chat streams POST /chat/completions. Images travel as image_url parts
// holding data: URIs.
func (p *Provider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	c, err := p.begin(ctx)
	if err != nil {
		return nil, err
	}
	creq := goopenai.ChatCompletionRequest{
		Model:    req.Model,
		Messages: messages(req.Messages),
		Stop:     req.Stop,
	}
	if reasoning(req.Model) {
		// Reasoning models refuse max_tokens and any temperature but the
		// default.
		creq.MaxCompletionTokens = req.MaxTokens
	} else {
		// max_tokens is deprecated at OpenAI but the only name that
		// older vLLM, llama.cpp and Ollama servers know.
		//lint:ignore SA1019 see above
		creq.MaxTokens = req.MaxTokens
		creq.Temperature = temperature(req.Temperature)
	}
	cs, err := p.client.CreateChatCompletionStream(c.ctx, creq)
	if err != nil {
		return nil, c.fail(err)
	}
	return newStream(c, cs.Close, func() (string, string, error) {
		r, err := cs.Recv()
		if err != nil {
			return "", "", err
		}
		var text strings.Builder
		var finish string
		for _, ch := range r.Choices {
			if ch.Index == 0 {
				text.WriteString(ch.Delta.Content)
				finish = string(ch.FinishReason)
			}
		}
		return text.String(), finish, nil
	}), nil
}

// Complete streams POST /completions with the raw prompt.
func (p *Provider) Complete(ctx context.Context, req *providers.CompletionRequest) (providers.Stream, error) {
	return p.completions(ctx, goopenai.CompletionRequest{
		Model:       req.Model,
		Prompt:      req.Prompt,
		MaxTokens:   req.MaxTokens,
		Temperature: temperature(req.Temperature),
		Stop:        req.Stop,
	})
}

// FillInMiddle streams POST /completions with prompt = prefix and suffix,
// which vLLM, llama.cpp, Ollama, LM Studio, Together and OpenRouter turn
// into the model's own fill-in-the-middle prompt. go-openai omits an
// empty suffix, so at the end of a file the server sees a plain
// completion of the prefix, which is the same request in effect. Extra
// context files have no place in this endpoint and are left out.
func (p *Provider) FillInMiddle(ctx context.Context, req *providers.FIMRequest) (providers.Stream, error) {
	return p.completions(ctx, goopenai.CompletionRequest{
		Model:       req.Model,
		Prompt:      req.Prefix,
		Suffix:      req.Suffix,
		MaxTokens:   req.MaxTokens,
		Temperature: temperature(req.Temperature),
		Stop:        req.Stop,
	})
}

func (p *Provider) completions(ctx context.Context, creq goopenai.CompletionRequest) (providers.Stream, error) {
	c, err := p.begin(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := p.client.CreateCompletionStream(c.ctx, creq)
	if err != nil {
		return nil, c.fail(err)
	}
	return newStream(c, cs.Close, func() (string, string, error) {
		r, err := cs.Recv()
		if err != nil {
			return "", "", err
		}
		var text strings.Builder
		var finish string
		for _, ch := range r.Choices {
			if ch.Index == 0 {
				text.WriteString(ch.Text)
				finish = ch.FinishReason
			}
		}
		return text.String(), finish, nil
	}), nil
}

// Model is one entry of GET /models.
type Model struct {
	ID      string
	OwnedBy string
}

// Models lists GET /models, for doctor and for detecting what a local
// runner serves.
func (p *Provider) Models(ctx context.Context) ([]Model, error) {
	c, err := p.begin(ctx)
	if err != nil {
		return nil, err
	}
	list, err := p.client.ListModels(c.ctx)
	if err != nil {
		return nil, c.fail(err)
	}
	c.cancel()
	out := make([]Model, 0, len(list.Models))
	for _, m := range list.Models {
		out = append(out, Model{ID: m.ID, OwnedBy: m.OwnedBy})
	}
	return out, nil
}

func messages(in []providers.Message) []goopenai.ChatCompletionMessage {
	out := make([]goopenai.ChatCompletionMessage, 0, len(in))
	for _, m := range in {
		msg := goopenai.ChatCompletionMessage{Role: string(m.Role)}
		if len(m.Images) == 0 {
			msg.Content = m.Content
			out = append(out, msg)
			continue
		}
		if m.Content != "" {
			msg.MultiContent = append(msg.MultiContent, goopenai.ChatMessagePart{
				Type: goopenai.ChatMessagePartTypeText, Text: m.Content,
			})
		}
		for _, img := range m.Images {
			msg.MultiContent = append(msg.MultiContent, goopenai.ChatMessagePart{
				Type:     goopenai.ChatMessagePartTypeImageURL,
				ImageURL: &goopenai.ChatMessageImageURL{URL: DataURI(img)},
			})
		}
		out = append(out, msg)
	}
	return out
}

// DataURI renders an image as a data: URI, the form OpenAI-compatible
// servers take inline images in.
func DataURI(img providers.Image) string {
	return "data:" + img.MIME + ";base64," + base64.StdEncoding.EncodeToString(img.Data)
}

// temperature converts the request's setting. go-openai drops a zero
// temperature (omitempty), which would leave the server's default of 1;
// the smallest positive float32 is its documented stand-in for 0.
func temperature(t *float64) float32 {
	switch {
	case t == nil:
		return 0
	case *t == 0:
		return math.SmallestNonzeroFloat32
	}
	return float32(*t)
}

// reasoning reports whether a model is one of OpenAI's reasoning models,
// which take max_completion_tokens and no temperature.
func reasoning(model string) bool {
	for _, prefix := range []string{"o1", "o3", "o4", "gpt-5", "gpt-6"} {
		if strings.HasPrefix(model, prefix) {
			return true
		}
	}
	return false
}

// PostStream posts body as JSON to path below the base URL and streams the
// Server-Sent Events answer, for endpoints go-openai does not cover
// (Mistral's /fim/completions). Events may be shaped like chat chunks
// (choices[].delta.content) or text completions (choices[].text); the
// stream must end with data: [DONE]. Credentials, headers, timeout and
// error kinds are those of every other call.
func (p *Provider) PostStream(ctx context.Context, path string, body any) (providers.Stream, error) {
	c, err := p.begin(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, c.fail(fmt.Errorf("encoding the request: %w", err))
	}
	hreq, err := http.NewRequestWithContext(c.ctx, http.MethodPost, p.baseURL+path, bytes.NewReader(raw))
	if err != nil {
		return nil, c.fail(err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "text/event-stream")
	resp, err := p.http.Do(hreq)
	if err != nil {
		return nil, c.fail(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, c.fail(&statusError{status: resp.StatusCode, body: msg})
	}
	s := newStream(c, resp.Body.Close, sseEvents(resp.Body))
	s.ownDone = true
	return s, nil
}
