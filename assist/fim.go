package assist

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

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
	// repo writes other files before render's output, in the repository
	// layout the family was trained on; nil for a family that has none,
	// whose template then carries no other files.
	repo func(b *strings.Builder, name string, files []contextFile)
	stop []string
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
		// Qwen2.5-Coder's repository-level layout: the repository's name,
		// then each file as "<|file_sep|>PATH\nCODE\n"; the current file
		// comes last, holding the hole.
		repo: func(b *strings.Builder, name string, files []contextFile) {
			b.WriteString("<|repo_name|>")
			b.WriteString(name)
			b.WriteByte('\n')
			for _, f := range files {
				b.WriteString("<|file_sep|>")
				b.WriteString(f.name)
				b.WriteByte('\n')
				b.WriteString(f.text)
				if !strings.HasSuffix(f.text, "\n") {
					b.WriteByte('\n')
				}
			}
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
		// The paper's repository layout: "<repo_name>NAME", then
		// "<file_sep>PATH\nCODE" for each file, the current one last.
		repo: func(b *strings.Builder, name string, files []contextFile) {
			b.WriteString("<repo_name>")
			b.WriteString(name)
			for _, f := range files {
				b.WriteString("<file_sep>")
				b.WriteString(f.name)
				b.WriteByte('\n')
				b.WriteString(f.text)
			}
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

// codeLlamaInfills reports whether a Code Llama id names a size trained
// to fill in the middle: the 7B and 13B models are, the 34B and 70B ones
// are not and would continue the <PRE> template as text, so they get a
// chat prompt. An id without a size is taken to be a small one.
func codeLlamaInfills(id string) bool {
	s := strings.ToLower(id)
	for _, size := range []string{"34b", "70b"} {
		for i := 0; ; {
			j := strings.Index(s[i:], size)
			if j < 0 {
				break
			}
			j += i
			end := j + len(size)
			// "34b" alone, not part of "134b" or "34bit".
			if (j == 0 || !isDigitOrDot(s[j-1])) && (end == len(s) || !isAlnum(s[end])) {
				return false
			}
			i = end
		}
	}
	return true
}

func isDigitOrDot(b byte) bool { return b == '.' || b >= '0' && b <= '9' }

func isAlnum(b byte) bool { return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' }

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
	if f == nil || f == familyCodeLlama && !codeLlamaInfills(id) {
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

	// others are excerpts of other open files; repo names the workspace
	// folder for the families' repository layouts.
	others []contextFile
	repo   string
	// isLocal reports whether a target keeps content on this machine;
	// set only when some of others are local-only, which then reach
	// local targets alone.
	isLocal func(providers.Target) bool
}

// shortPath keeps the last three elements of a file path: enough for the
// model to see the package and file name, without sending the user's home
// directory layout to a remote provider. A file under the home directory
// keeps only what follows it, so the user's name is never among them.
func shortPath(p string) string {
	if p == "" {
		return ""
	}
	p = strings.ReplaceAll(p, "\\", "/")
	if h := homeDir(); h != "" && strings.HasPrefix(p, h) && len(p) > len(h) && p[len(h)] == '/' {
		p = p[len(h)+1:]
	}
	parts := strings.Split(strings.TrimLeft(path.Clean(p), "/"), "/")
	if len(parts) > 3 {
		parts = parts[len(parts)-3:]
	}
	return strings.Join(parts, "/")
}

// homeDir is the user's home directory with forward slashes, "" when it
// is unknown or the root.
var homeDir = sync.OnceValue(func() string {
	h, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	h = strings.TrimRight(filepath.ToSlash(h), "/")
	if !strings.Contains(h, "/") {
		return ""
	}
	return h
})

// relPath is p relative to the workspace folder holding it, the innermost
// where folders nest, and shortPath(p) for a file in none. A path inside a
// folder comes back as a substring of p, so this allocates nothing on
// the usual path.
func relPath(p string, folders []string) string {
	if p == "" {
		return ""
	}
	if _, rel := folderOf(p, folders); rel != "" {
		return rel
	}
	return shortPath(p)
}

// folderOf finds the workspace folder holding p and p relative to it;
// both are "" when no folder holds p.
func folderOf(p string, folders []string) (folder, rel string) {
	slash := strings.ContainsRune(p, '\\')
	if slash {
		p = strings.ReplaceAll(p, "\\", "/")
	}
	for _, f := range folders {
		if strings.ContainsRune(f, '\\') {
			f = strings.ReplaceAll(f, "\\", "/")
		}
		f = strings.TrimRight(f, "/")
		if f == "" || len(f) <= len(folder) || len(p) <= len(f)+1 || p[len(f)] != '/' || !strings.HasPrefix(p, f) {
			continue
		}
		folder, rel = f, p[len(f)+1:]
	}
	return folder, rel
}

// repoName is the name a repository layout gives the workspace: the base
// name of the folder holding p, else of p's own directory.
func repoName(p string, folders []string) string {
	if f, _ := folderOf(p, folders); f != "" {
		return path.Base(f)
	}
	return path.Base(path.Dir(strings.ReplaceAll(p, "\\", "/")))
}

// forTarget is the input for target t: in itself, or for a remote target
// when some context is local-only, a copy holding only the files the
// policy lets leave the machine.
func (in *promptInput) forTarget(t providers.Target) *promptInput {
	if in.isLocal == nil || in.isLocal(t) {
		return in
	}
	out := *in
	out.others = leavable(in.others)
	return &out
}

// leavable is the context files the policy lets leave the machine.
func leavable(files []contextFile) []contextFile {
	out := make([]contextFile, 0, len(files))
	for _, f := range files {
		if !f.localOnly {
			out = append(out, f)
		}
	}
	return out
}

// withTimeout bounds ctx by d; d <= 0 means no bound of its own.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
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
	others := in.others
	var b strings.Builder
	size := len(in.cur.prefix) + len(in.cur.suffix) + len(in.path) + 64
	if f.repo == nil || !f.fileHeader || in.path == "" {
		others = nil
	}
	for _, o := range others {
		size += len(o.name) + len(o.text) + headerBytes
	}
	b.Grow(size)
	p := ""
	if f.fileHeader {
		p = in.path
	}
	if len(others) > 0 {
		f.repo(&b, in.repo, others)
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
	var extra []providers.ContextFile
	if len(in.others) > 0 {
		extra = make([]providers.ContextFile, len(in.others))
		for i, o := range in.others {
			extra[i] = providers.ContextFile{Path: o.name, Text: o.text}
		}
	}
	return &providers.FIMRequest{
		Model:       model,
		Prefix:      in.cur.prefix,
		Suffix:      in.cur.suffix,
		Extra:       extra,
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
	others := in.others
	var b strings.Builder
	size := len(in.cur.prefix) + len(in.cur.suffix) + len(in.path) + 256
	for _, o := range others {
		size += len(o.name) + len(o.text) + len(in.language) + 16
	}
	b.Grow(size)
	if len(others) > 0 {
		// Other files first and marked as reference, so the model reads
		// them as context and not as where the hole is.
		b.WriteString("Other open files, for reference only:\n")
		for _, o := range others {
			b.WriteString("File: ")
			b.WriteString(o.name)
			b.WriteString("\n```")
			b.WriteString(in.language)
			b.WriteByte('\n')
			b.WriteString(o.text)
			if !strings.HasSuffix(o.text, "\n") {
				b.WriteByte('\n')
			}
			b.WriteString("```\n")
		}
		b.WriteString("\nThe file to complete:\n")
	}
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
// and reports the shape that produced the stream. refused hears of each
// shape the provider turned down before any generation, and why, so the
// log can say why a model got a chat prompt.
func (in *promptInput) call(ctx context.Context, t providers.Target, refused func(shape, error)) (providers.Stream, shape, error) {
	if t.Provider == nil {
		return nil, 0, providers.Unsupported(t.Name, "no provider for model "+t.Name)
	}
	f, shapes := plan(t.Model.FIM, t.Model.ID)
	in = in.forTarget(t)
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
		refused(sh, err)
		lastErr = err
	}
	return nil, shapeChat, lastErr
}

// streamShaped asks the router for a stream. The router may call several
// targets; call shapes the prompt for each and says how, and the shape of
// the target that answered comes back with its stream, so the answer is
// read the way its prompt was written.
func streamShaped[S any](ctx context.Context, r providers.Router, need providers.Need,
	call func(context.Context, providers.Target) (providers.Stream, S, error)) (providers.Stream, providers.Target, S, error) {
	var (
		mu     sync.Mutex
		shapes = map[string]S{}
	)
	s, target, err := r.Stream(ctx, need, func(ctx context.Context, t providers.Target) (providers.Stream, error) {
		s, sh, err := call(ctx, t)
		if err == nil {
			mu.Lock()
			shapes[targetKey(t)] = sh
			mu.Unlock()
		}
		return s, err
	})
	mu.Lock()
	sh := shapes[targetKey(target)]
	mu.Unlock()
	return s, target, sh, err
}
