package router

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"path/filepath"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/redact"
)

// Everything that leaves the machine goes through one place: the
// provider a remote target is called through is wrapped here, so no
// prompt builder in assist can forget to redact. The wrapper replaces the
// secrets in every request it is given with placeholders (package
// redact), maps the placeholders in the answer back to the secrets, and
// tells Options.Egress what left. A local provider is not wrapped: the
// text does not leave the machine, and the model should see the real
// code.

// egressFor returns the provider to call for t in this request: t's own
// when it is local, else a redacting wrapper with the optional interfaces
// t's provider has.
func (r *Router) egressFor(t *target, need providers.Need) providers.Provider {
	impl := t.prov.impl
	if t.prov.local || impl == nil {
		return impl
	}
	e := &egress{inner: impl, r: r, t: t, need: need}
	c, isC := impl.(providers.Completer)
	f, isF := impl.(providers.FillInMiddler)
	switch {
	case isC && isF:
		return &egressCompleterFIM{e, egressCompleter{e, c}, egressFIM{e, f}}
	case isC:
		return &egressCompleterOnly{e, egressCompleter{e, c}}
	case isF:
		return &egressFIMOnly{e, egressFIM{e, f}}
	}
	return e
}

// The wrapper in four shapes, so that a type assertion on it finds
// exactly the optional interfaces of the provider inside, as
// http.ResponseWriter wrappers keep http.Flusher.
type (
	egressCompleterOnly struct {
		*egress
		egressCompleter
	}
	egressFIMOnly struct {
		*egress
		egressFIM
	}
	egressCompleterFIM struct {
		*egress
		egressCompleter
		egressFIM
	}
)

// warmRedaction reads the redaction rules when a remote provider is
// configured, so the first request that leaves does not wait the 10 ms
// or more that takes. Start runs it in the probes' goroutine, before the
// first probe.
func (r *Router) warmRedaction() {
	for _, p := range r.provs {
		if !p.local && p.impl != nil {
			redact.Warm()
			return
		}
	}
}

// egress wraps a remote provider for one request.
type egress struct {
	inner providers.Provider
	r     *Router
	t     *target
	need  providers.Need
}

func (e *egress) Name() string { return e.inner.Name() }

func (e *egress) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	red := redact.New()
	out := *req
	out.Messages = make([]providers.Message, len(req.Messages))
	var sent []string
	for i, m := range req.Messages {
		m.Content, _ = red.Redact(m.Content)
		out.Messages[i] = m
		sent = append(sent, string(m.Role), m.Content)
	}
	e.report(red, sent, nil)
	s, err := e.inner.Chat(ctx, &out)
	return restoring(s, err, red)
}

type egressCompleter struct {
	e *egress
	c providers.Completer
}

func (w egressCompleter) Complete(ctx context.Context, req *providers.CompletionRequest) (providers.Stream, error) {
	red := redact.New()
	out := *req
	out.Prompt, _ = red.Redact(req.Prompt)
	w.e.report(red, []string{out.Prompt}, nil)
	s, err := w.c.Complete(ctx, &out)
	return restoring(s, err, red)
}

type egressFIM struct {
	e *egress
	f providers.FillInMiddler
}

func (w egressFIM) FillInMiddle(ctx context.Context, req *providers.FIMRequest) (providers.Stream, error) {
	red := redact.New()
	out := *req
	out.Prefix, _ = red.Redact(req.Prefix)
	out.Suffix, _ = red.Redact(req.Suffix)
	out.Extra = make([]providers.ContextFile, len(req.Extra))
	sent := []string{out.Prefix, out.Suffix}
	files := map[string]string{}
	for i, x := range req.Extra {
		x.Text, _ = red.Redact(x.Text)
		out.Extra[i] = x
		sent = append(sent, x.Path, x.Text)
		files[filepath.Clean(x.Path)] += x.Text
	}
	w.e.report(red, sent, files)
	s, err := w.f.FillInMiddle(ctx, &out)
	return restoring(s, err, red)
}

// report tells Options.Egress what is about to leave. sent is every text
// of the request as it will be sent; files holds, for a request that
// carries files apart (native fill-in-the-middle), what was sent of each.
// A path whose part of the prompt cannot be told apart (a chat or raw
// prompt mixes them) gets the hash of the whole prompt.
func (e *egress) report(red *redact.Redactor, sent []string, files map[string]string) {
	if e.r.opts.Egress == nil {
		return
	}
	whole := sha256.New()
	for _, s := range sent {
		io.WriteString(whole, s)
		whole.Write([]byte{0})
	}
	sum := hex.EncodeToString(whole.Sum(nil))
	ev := providers.Egress{
		Time:       e.r.now(),
		Task:       e.need.Task,
		Model:      e.t.name,
		Provider:   e.t.prov.name,
		Host:       endpointHost(e.t.prov.cfg),
		SentSHA256: sum,
		Admitted:   e.r.Admitted(e.need, e.t.name),
	}
	seen := map[string]bool{}
	for _, p := range e.need.Paths {
		rel := e.r.workspaceRel(p)
		if seen[rel] {
			continue
		}
		seen[rel] = true
		h := sum
		if text, ok := files[filepath.Clean(p)]; ok {
			fs := sha256.Sum256([]byte(text))
			h = hex.EncodeToString(fs[:])
		}
		ev.Sources = append(ev.Sources, providers.Source{Path: rel, SHA256: h})
	}
	if n := red.Counts(); len(n) > 0 {
		ev.Redactions = make(map[string]int, len(n))
		for k, v := range n {
			ev.Redactions[k] = v
		}
	}
	e.r.opts.Egress(ev)
}

// workspaceRel gives path relative to the innermost workspace folder
// that holds it, with forward slashes; a path outside every folder is
// given whole.
func (r *Router) workspaceRel(path string) string {
	_, _, root := r.localOnly.Load().split(path)
	if root != "" {
		if rel, err := filepath.Rel(root, filepath.Clean(path)); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(path)
}

// endpointHost is the host (and port) a provider's requests go to: never
// the path, query or user info of its base_url.
func endpointHost(p config.Provider) string {
	if p.BaseURL != "" {
		if u, err := url.Parse(p.BaseURL); err == nil && u.Host != "" {
			return u.Host
		}
		return ""
	}
	switch p.Type {
	case "openai":
		return "api.openai.com"
	case "anthropic":
		return "api.anthropic.com"
	case "mistral":
		return "api.mistral.ai"
	case "bedrock":
		if p.Region != "" {
			return "bedrock-runtime." + p.Region + ".amazonaws.com"
		}
		return "bedrock-runtime.amazonaws.com"
	case "vertex":
		if p.Region != "" && p.Region != "global" {
			return p.Region + "-aiplatform.googleapis.com"
		}
		return "aiplatform.googleapis.com"
	}
	return ""
}

// restoring wraps an answer stream so its placeholders become the
// secrets again before anything reads it.
func restoring(s providers.Stream, err error, red *redact.Redactor) (providers.Stream, error) {
	if err != nil || s == nil || red.Len() == 0 {
		return s, err
	}
	return &restoreStream{s: s, rs: red.Restorer()}, nil
}

type restoreStream struct {
	s    providers.Stream
	rs   *redact.Restorer
	done bool
}

// Next returns the next piece with placeholders mapped back. A piece
// that ends in what may be the start of a placeholder is held back until
// the next piece completes or refutes it; a piece that is all held back
// is not returned empty, since the router reads an empty piece as "no
// text yet".
func (s *restoreStream) Next() (string, error) {
	if s.done {
		return "", io.EOF
	}
	for {
		piece, err := s.s.Next()
		out := s.rs.Next(piece)
		if err != nil {
			out += s.rs.Flush()
			if err == io.EOF {
				s.done = true
			}
			if out != "" && err == io.EOF {
				// Give the text now and io.EOF on the next call, as
				// streams in this project do.
				return out, nil
			}
			return out, err
		}
		if out != "" || piece == "" {
			return out, nil
		}
	}
}

func (s *restoreStream) Close() error { return s.s.Close() }
