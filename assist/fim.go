package assist

import (
	"context"
	"path"
	"strings"

	"switchyard/providers"
)

// family is a model family's fill-in-the-middle prompt format, from
// DESIGN.md "Fill-in-the-middle prompt formats". The template follows from
// the model, so users never type these tokens into their configuration.
type family struct {
	name string
	// fileHeader: the family was trained with the file's path before its
	// code, so giving it helps the model pick the language and names.
	fileHeader bool
	render     func(b *strings.Builder, path, prefix, suffix string)
	stop       []string
}

var (
	familyQwen = &family{
		name:       "qwen",
		fileHeader: true,
		render: func(b *strings.Builder, path, prefix, suffix string) {
			if path != "" {
				b.WriteString("<|file_sep|>")
				b.WriteString(path)
				b.WriteByte('\n')
			}
			b.WriteString("<|fim_prefix|>")
			b.WriteString(prefix)
			b.WriteString("<|fim_suffix|>")
			b.WriteString(suffix)
			b.WriteString("<|fim_middle|>")
		},
		stop: []string{"<|endoftext|>", "<|file_sep|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|repo_name|>", "<|im_start|>", "<|im_end|>"},
	}
	familyDeepSeek = &family{
		name: "deepseek",
		render: func(b *strings.Builder, _, prefix, suffix string) {
			b.WriteString("<｜fim▁begin｜>")
			b.WriteString(prefix)
			b.WriteString("<｜fim▁hole｜>")
			b.WriteString(suffix)
			b.WriteString("<｜fim▁end｜>")
		},
		stop: []string{"<｜end▁of▁sentence｜>", "<|EOT|>", "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>"},
	}
	// familyStarCoder2's file header follows the StarCoder2 paper's
	// repository format: "<file_sep><fim_prefix>PATH\nPRE<fim_suffix>...".
	familyStarCoder2 = &family{
		name:       "starcoder",
		fileHeader: true,
		render: func(b *strings.Builder, path, prefix, suffix string) {
			if path != "" {
				b.WriteString("<file_sep><fim_prefix>")
				b.WriteString(path)
				b.WriteByte('\n')
			} else {
				b.WriteString("<fim_prefix>")
			}
			b.WriteString(prefix)
			b.WriteString("<fim_suffix>")
			b.WriteString(suffix)
			b.WriteString("<fim_middle>")
		},
		stop: []string{"<file_sep>", "<|endoftext|>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<repo_name>"},
	}
	// familyStarCoder is the original StarCoder and CodeQwen1.5: the same
	// tokens, but no <file_sep> in the vocabulary.
	familyStarCoder = &family{
		name: "starcoder1",
		render: func(b *strings.Builder, _, prefix, suffix string) {
			b.WriteString("<fim_prefix>")
			b.WriteString(prefix)
			b.WriteString("<fim_suffix>")
			b.WriteString(suffix)
			b.WriteString("<fim_middle>")
		},
		stop: []string{"<|endoftext|>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>"},
	}
	familyCodeLlama = &family{
		name: "codellama",
		render: func(b *strings.Builder, _, prefix, suffix string) {
			b.WriteString("<PRE> ")
			b.WriteString(prefix)
			b.WriteString(" <SUF>")
			b.WriteString(suffix)
			b.WriteString(" <MID>")
		},
		stop: []string{"<EOT>", "<PRE>", "<SUF>", "<MID>"},
	}
	// familyCodestral puts the suffix first and has no middle token.
	familyCodestral = &family{
		name: "codestral",
		render: func(b *strings.Builder, _, prefix, suffix string) {
			b.WriteString("[SUFFIX]")
			b.WriteString(suffix)
			b.WriteString("[PREFIX]")
			b.WriteString(prefix)
		},
		stop: []string{"[PREFIX]", "[SUFFIX]"},
	}
)

// familyByName maps the [models.NAME] fim setting to a family.
var familyByName = map[string]*family{
	"qwen":      familyQwen,
	"deepseek":  familyDeepSeek,
	"starcoder": familyStarCoder2,
	"codellama": familyCodeLlama,
	"codestral": familyCodestral,
}

// idSeparators are dropped before matching, so "code-llama" and
// "CodeLlama" read the same.
var idSeparators = strings.NewReplacer("-", "", "_", "", " ", "")

// inferFamily finds the family in a provider-side model id such as
// "qwen2.5-coder:7b", "Qwen/Qwen2.5-Coder-1.5B", "deepseek-coder-v2" or
// "hf.co/bartowski/starcoder2-3b-GGUF:Q4_K_M". General chat models of the
// same vendors ("qwen2.5:7b", "deepseek-chat") have no family: they get a
// chat prompt.
func inferFamily(id string) *family {
	s := idSeparators.Replace(strings.ToLower(id))
	switch {
	case strings.Contains(s, "codeqwen"):
		return familyStarCoder
	case strings.Contains(s, "qwen") && strings.Contains(s, "coder"):
		return familyQwen
	case strings.Contains(s, "deepseekcoder"):
		return familyDeepSeek
	case strings.Contains(s, "starcoder2"):
		return familyStarCoder2
	case strings.Contains(s, "starcoder"):
		return familyStarCoder
	case strings.Contains(s, "codellama"):
		return familyCodeLlama
	case strings.Contains(s, "codestral"):
		return familyCodestral
	}
	return nil
}

// shape is how a prompt reaches a model.
type shape int

const (
	shapeTemplate shape = iota // a family's template through providers.Completer
	shapeNative                // prefix and suffix through providers.FillInMiddler
	shapeChat                  // a system and a user message through Provider.Chat
)

func (s shape) String() string {
	return [...]string{"template", "native", "chat"}[s]
}

// plan lists the shapes to try for a target, best first. A later shape is
// tried only when the provider lacks the interface for an earlier one or
// answers KindUnsupported before any network call.
func plan(fim, id string) (*family, []shape) {
	switch fim = strings.ToLower(strings.TrimSpace(fim)); fim {
	case "none":
		return nil, []shape{shapeChat}
	case "native":
		return nil, []shape{shapeNative, shapeChat}
	}
	f := familyByName[fim]
	if f == nil {
		f = inferFamily(fim)
	}
	if f == nil {
		f = inferFamily(id)
	}
	if f == nil {
		return nil, []shape{shapeChat}
	}
	// A runner's native endpoint knows the model's tokens as well as the
	// template does, so it is the next best when there is no raw
	// completion endpoint (Mistral serves Codestral only through
	// /v1/fim/completions).
	return f, []shape{shapeTemplate, shapeNative, shapeChat}
}

// promptInput is everything a prompt is built from, for any target.
type promptInput struct {
	cur         *cursor
	path        string // shortened file path, "" when unknown
	language    string
	maxTokens   int
	temperature *float64
}

// shortPath keeps the last three elements of a file path: enough for the
// model to see the package and file name, without sending the user's home
// directory layout to a remote provider.
func shortPath(p string) string {
	if p == "" {
		return ""
	}
	p = strings.ReplaceAll(p, "\\", "/")
	parts := strings.Split(strings.TrimLeft(path.Clean(p), "/"), "/")
	if len(parts) > 3 {
		parts = parts[len(parts)-3:]
	}
	return strings.Join(parts, "/")
}

// stops is the family's stop list plus, when the cursor is mid-line, a
// newline: nothing past it can be used, so the server need not make it.
func (in *promptInput) stops(f *family) []string {
	var out []string
	if f != nil {
		out = append(out, f.stop...)
	}
	if !in.cur.multi && midLine(in.cur.lineSuffix) {
		out = append(out, "\n")
	}
	return out
}

func (in *promptInput) templateRequest(model string, f *family) *providers.CompletionRequest {
	var b strings.Builder
	b.Grow(len(in.cur.prefix) + len(in.cur.suffix) + len(in.path) + 64)
	p := ""
	if f.fileHeader {
		p = in.path
	}
	f.render(&b, p, in.cur.prefix, in.cur.suffix)
	return &providers.CompletionRequest{
		Model:       model,
		Prompt:      b.String(),
		MaxTokens:   in.maxTokens,
		Temperature: in.temperature,
		Stop:        in.stops(f),
	}
}

func (in *promptInput) nativeRequest(model string, f *family) *providers.FIMRequest {
	return &providers.FIMRequest{
		Model:       model,
		Prefix:      in.cur.prefix,
		Suffix:      in.cur.suffix,
		MaxTokens:   in.maxTokens,
		Temperature: in.temperature,
		Stop:        in.stops(f),
	}
}

// holeMarker stands for the cursor in a chat prompt.
const holeMarker = "{{FILL_HERE}}"

const chatSystem = "You are a code completion engine inside an editor. The user sends a file in which " + holeMarker +
	" marks the cursor. Reply with only the code that belongs at " + holeMarker +
	": no explanations, no Markdown code fences, and do not repeat code that comes before or after " + holeMarker +
	". Match the file's indentation and style."

func (in *promptInput) chatRequest(model string) *providers.ChatRequest {
	var b strings.Builder
	b.Grow(len(in.cur.prefix) + len(in.cur.suffix) + len(in.path) + 256)
	if in.path != "" {
		b.WriteString("File: ")
		b.WriteString(in.path)
		b.WriteByte('\n')
	}
	b.WriteString("```")
	b.WriteString(in.language)
	b.WriteByte('\n')
	b.WriteString(in.cur.prefix)
	b.WriteString(holeMarker)
	b.WriteString(in.cur.suffix)
	if !strings.HasSuffix(in.cur.suffix, "\n") {
		b.WriteByte('\n')
	}
	b.WriteString("```\n")
	if in.cur.multi {
		b.WriteString("Write the missing code at " + holeMarker + ", up to the end of the current block.")
	} else {
		b.WriteString("Write the rest of the current line at " + holeMarker + ", one line only.")
	}
	return &providers.ChatRequest{
		Model: model,
		Messages: []providers.Message{
			{Role: providers.RoleSystem, Content: chatSystem},
			{Role: providers.RoleUser, Content: b.String()},
		},
		MaxTokens:   in.maxTokens,
		Temperature: in.temperature,
	}
}

// call makes one provider call for target t, trying its shapes in order,
// and reports the shape that produced the stream.
func (in *promptInput) call(ctx context.Context, t providers.Target) (providers.Stream, shape, error) {
	if t.Provider == nil {
		return nil, 0, providers.Unsupported(t.Name, "no provider for model "+t.Name)
	}
	f, shapes := plan(t.Model.FIM, t.Model.ID)
	var lastErr error
	for _, sh := range shapes {
		var (
			s   providers.Stream
			err error
		)
		switch sh {
		case shapeTemplate:
			c, ok := t.Provider.(providers.Completer)
			if !ok {
				continue
			}
			s, err = c.Complete(ctx, in.templateRequest(t.Model.ID, f))
		case shapeNative:
			n, ok := t.Provider.(providers.FillInMiddler)
			if !ok {
				continue
			}
			s, err = n.FillInMiddle(ctx, in.nativeRequest(t.Model.ID, f))
		case shapeChat:
			s, err = t.Provider.Chat(ctx, in.chatRequest(t.Model.ID))
		}
		if err == nil {
			return s, sh, nil
		}
		if providers.KindOf(err) != providers.KindUnsupported {
			return nil, sh, err
		}
		lastErr = err
	}
	return nil, shapeChat, lastErr
}
