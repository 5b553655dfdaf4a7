package assist

import (
	"context"
	"fmt"
	"strings"

	"switchyard/config"
	"switchyard/providers"
)

// The prompt formats of next-edit models. Each open-weight next-edit
// model was trained on one layout, and does well only when it is given
// that one; any other model gets a chat prompt with the same parts:
//
//   - zeta: Zed's Zeta (zed-industries/zeta, Apache-2.0), a Qwen2.5-Coder
//     fine-tune. Sections "### User Edits:" (one fenced diff per edited
//     file), "### User Excerpt:" (the file with <|editable_region_start|>,
//     <|user_cursor_is_here|> and <|editable_region_end|>) and
//     "### Response:", sent raw; it answers with the excerpt's editable
//     region rewritten between the same markers.
//   - instinct: Continue's Instinct (continuedev/instinct, Apache-2.0),
//     also from Qwen2.5-Coder and trained through its chat template: the
//     same markers, context snippets as <|context_file|> PATH and
//     <|snippet|>, the edits newest first; it answers with the region
//     alone.
//   - sweep: Sweep's next-edit models (sweepai/sweep-next-edit-*,
//     Apache-2.0), which use Qwen2.5-Coder's own <|file_sep|> repository
//     layout: context files, each recent edit as "original:"/"updated:"
//     blocks, then original/PATH (the window before the last edit),
//     current/PATH, and updated/PATH, which the model completes.
//   - chat: any strong coding model, told what the markers mean.

// Markers shared by the formats that mark the window.
const (
	regionStart = "<|editable_region_start|>"
	regionEnd   = "<|editable_region_end|>"
	cursorMark  = "<|user_cursor_is_here|>"
	startOfFile = "<|start_of_file|>"
	fileSep     = "<|file_sep|>"
)

// nextEditFormat is one prompt layout and how its answer is read.
type nextEditFormat struct {
	name string
	// raw formats are sent as a text prompt where the provider takes
	// one (Completer), and as the one user message otherwise.
	raw    bool
	render func(in *nextEditInput) (system, prompt string)
	stop   []string
	// parse returns the rewritten window from the answer, false when
	// the answer cannot be read as one.
	parse func(answer string, w nextEditWindow) (string, bool)
}

var (
	formatZeta = nextEditFormat{name: "zeta", raw: true, render: renderZeta,
		stop: []string{regionEnd, "<|endoftext|>"}, parse: parseZeta}
	formatInstinct = nextEditFormat{name: "instinct", render: renderInstinct,
		stop: []string{regionEnd}, parse: parseMarked}
	formatSweep = nextEditFormat{name: "sweep", raw: true, render: renderSweep,
		stop: []string{fileSep, "<|endoftext|>"}, parse: parsePlain}
	formatChat = nextEditFormat{name: "chat", render: renderChat, parse: parseMarked}
)

// nextEditFormatFor picks the format of a model: the one it names in
// next_edit_format, or the one its id shows it was trained on, or chat.
func nextEditFormatFor(m config.Model) nextEditFormat {
	switch m.NextEditFormat {
	case "zeta":
		return formatZeta
	case "instinct":
		return formatInstinct
	case "sweep":
		return formatSweep
	case "chat":
		return formatChat
	}
	id := strings.ToLower(m.ID)
	switch {
	case strings.Contains(id, "zeta"):
		return formatZeta
	case strings.Contains(id, "instinct"):
		return formatInstinct
	case strings.Contains(id, "sweep") && (strings.Contains(id, "next-edit") || strings.Contains(id, "next_edit") || strings.Contains(id, "nextedit")):
		return formatSweep
	}
	return formatChat
}

// nextEditInput is what every format renders.
type nextEditInput struct {
	path     string // shown to the model: relative to its workspace folder
	language string
	win      nextEditWindow
	history  []Hunk // oldest first, none Large
	names    []string
	others   []contextFile
	// isLocal says which targets may see local-only context files; nil
	// when there are none.
	isLocal     func(providers.Target) bool
	maxTokens   int
	temperature *float64
}

func buildNextEditInput(st NextEditSettings, req *NextEditRequest) *nextEditInput {
	cfg := st.NextEdit
	windowLines := cfg.WindowLines
	if windowLines <= 0 {
		windowLines = config.DefaultNextEditWindowLines
	}
	in := &nextEditInput{
		path:        relPath(req.Doc.Path, req.Folders),
		language:    req.Doc.LanguageID,
		win:         cutNextEditWindow(req.Doc.Text, req.Offset, windowLines, cfg.ContextLines),
		maxTokens:   cfg.MaxTokens,
		temperature: cfg.Temperature,
	}
	if in.path == "" {
		in.path = req.Doc.URI
	}
	hist := req.History
	if cfg.MaxHunks < len(hist) {
		hist = hist[len(hist)-cfg.MaxHunks:]
	}
	for _, h := range hist {
		if h.Large {
			continue
		}
		in.history = append(in.history, h)
		name := relPath(h.Path, req.Folders)
		if name == "" {
			name = h.URI
		}
		in.names = append(in.names, name)
	}
	if st.MaxContextTokens > 0 {
		creq := &CompletionRequest{Doc: req.Doc, Offset: req.Offset, Others: req.Others, Folders: req.Folders, Index: req.Index}
		w := window{prefix: in.win.before + in.win.text[:in.win.cursor], suffix: in.win.text[in.win.cursor:] + in.win.after}
		in.others = gatherContext(creq, w, st.MaxContextTokens, st.Context)
	}
	return in
}

// promptTokens estimates the prompt's size, for the router's context
// window filter.
func (in *nextEditInput) promptTokens() int {
	n := len(in.win.before) + len(in.win.text) + len(in.win.after) + 512
	for _, h := range in.history {
		n += len(h.Old) + len(h.New) + 64
	}
	for _, o := range in.others {
		n += len(o.name) + len(o.text) + headerBytes
	}
	return estimateTokens(n)
}

// forTarget drops the local-only context files for a remote target.
func (in *nextEditInput) forTarget(t providers.Target) *nextEditInput {
	if in.isLocal == nil || in.isLocal(t) {
		return in
	}
	out := *in
	out.others = leavable(in.others)
	return &out
}

// call sends the prompt of format f to target t.
func (in *nextEditInput) call(ctx context.Context, t providers.Target, f nextEditFormat) (providers.Stream, error) {
	system, prompt := f.render(in)
	if f.raw {
		if c, ok := t.Provider.(providers.Completer); ok {
			s, err := c.Complete(ctx, &providers.CompletionRequest{
				Model: t.Model.ID, Prompt: prompt, MaxTokens: in.maxTokens, Temperature: in.temperature, Stop: f.stop,
			})
			if err == nil || providers.KindOf(err) != providers.KindUnsupported {
				return s, err
			}
		}
	}
	var msgs []providers.Message
	if system != "" {
		msgs = append(msgs, providers.Message{Role: providers.RoleSystem, Content: system})
	}
	msgs = append(msgs, providers.Message{Role: providers.RoleUser, Content: prompt})
	return t.Provider.Chat(ctx, &providers.ChatRequest{
		Model: t.Model.ID, Messages: msgs, MaxTokens: in.maxTokens, Temperature: in.temperature, Stop: f.stop,
	})
}

// markedExcerpt writes the context and the window with its markers and
// the cursor: the excerpt of zeta, instinct and chat.
func (in *nextEditInput) markedExcerpt(b *strings.Builder) {
	w := in.win
	if w.ctxStart == 0 {
		b.WriteString(startOfFile)
		b.WriteByte('\n')
	}
	b.WriteString(w.before)
	b.WriteString(regionStart)
	b.WriteByte('\n')
	b.WriteString(w.text[:w.cursor])
	b.WriteString(cursorMark)
	b.WriteString(w.text[w.cursor:])
	if !strings.HasSuffix(w.text, "\n") {
		b.WriteByte('\n')
	}
	b.WriteString(regionEnd)
	b.WriteByte('\n')
	b.WriteString(w.after)
	if w.after != "" && !strings.HasSuffix(w.after, "\n") {
		b.WriteByte('\n')
	}
}

// writeDiff writes hunk h as a unified diff body: the lines it shares at
// either end as context, the rest as removed and added lines.
func writeDiff(b *strings.Builder, h Hunk) {
	old, now := hunkLines(h.Old), hunkLines(h.New)
	p := 0
	for p < len(old) && p < len(now) && old[p] == now[p] {
		p++
	}
	s := 0
	for s < len(old)-p && s < len(now)-p && old[len(old)-1-s] == now[len(now)-1-s] {
		s++
	}
	fmt.Fprintf(b, "@@ -%d,%d +%d,%d @@\n", h.Line+1, len(old), h.Line+1, len(now))
	for _, l := range old[:p] {
		b.WriteString(" " + l + "\n")
	}
	for _, l := range old[p : len(old)-s] {
		b.WriteString("-" + l + "\n")
	}
	for _, l := range now[p : len(now)-s] {
		b.WriteString("+" + l + "\n")
	}
	for _, l := range old[len(old)-s:] {
		b.WriteString(" " + l + "\n")
	}
}

// hunkLines splits whole lines, without their terminators.
func hunkLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func renderZeta(in *nextEditInput) (string, string) {
	var b strings.Builder
	b.WriteString("### Instruction:\nYou are a code completion assistant. Read the user's recent edits, then rewrite the excerpt's editable region with the edits the user will make next, taking the cursor location into account.\n\n")
	b.WriteString("### User Edits:\n\n")
	for i, h := range in.history {
		fmt.Fprintf(&b, "User edited %q:\n```diff\n", in.names[i])
		writeDiff(&b, h)
		b.WriteString("```\n\n")
	}
	b.WriteString("### User Excerpt:\n\n```")
	b.WriteString(in.path)
	b.WriteByte('\n')
	in.markedExcerpt(&b)
	b.WriteString("```\n\n### Response:\n")
	return "", b.String()
}

const instinctSystem = "You predict the next edit a developer will make inside the part of their file marked by " +
	regionStart + " and " + regionEnd + ". \"### Context\" holds snippets of related files, each a <|context_file|> line with its path and a <|snippet|> line before the code. " +
	"\"### User Edits:\" holds their most recent changes as line diffs, newest first. \"### User Excerpt:\" holds the file around the region; " +
	cursorMark + " marks the cursor and is never written back. Rewrite only the editable region, continuing what the developer is doing. " +
	"Reply with the revised region alone, without the markers, and do not undo the developer's last change."

func renderInstinct(in *nextEditInput) (string, string) {
	var b strings.Builder
	b.WriteString("Reference the user excerpt, user edits and snippets to understand the developer's intent, and update the editable region of the excerpt with the changes they would make next: a deletion, an addition or a modification.\n\n")
	b.WriteString("### Context:\n")
	for _, o := range in.others {
		fmt.Fprintf(&b, "<|context_file|> %s\n<|snippet|>\n%s", o.name, o.text)
		if !strings.HasSuffix(o.text, "\n") {
			b.WriteByte('\n')
		}
	}
	b.WriteString("\n### User Edits:\n\n")
	for i := len(in.history) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "User edited file %q\n\n```diff\n", in.names[i])
		writeDiff(&b, in.history[i])
		b.WriteString("```\n\n")
	}
	b.WriteString("### User Excerpt:\n")
	b.WriteString(in.path)
	b.WriteString("\n\n")
	in.markedExcerpt(&b)
	b.WriteString("### Response:\n")
	return instinctSystem, b.String()
}

func renderSweep(in *nextEditInput) (string, string) {
	var b strings.Builder
	for _, o := range in.others {
		b.WriteString(fileSep + o.name + "\n" + o.text)
		if !strings.HasSuffix(o.text, "\n") {
			b.WriteByte('\n')
		}
	}
	for i, h := range in.history {
		b.WriteString(fileSep + in.names[i] + ".diff\noriginal:\n" + h.Old)
		if h.Old != "" && !strings.HasSuffix(h.Old, "\n") {
			b.WriteByte('\n')
		}
		b.WriteString("updated:\n" + h.New)
		if h.New != "" && !strings.HasSuffix(h.New, "\n") {
			b.WriteByte('\n')
		}
	}
	w := in.win
	original := w.text
	if n := len(in.history); n > 0 {
		original = revertIn(w, in.history[n-1])
	}
	b.WriteString(fileSep + "original/" + in.path + "\n" + w.before + original)
	b.WriteString(fileSep + "current/" + in.path + "\n" + w.before + w.text)
	b.WriteString(fileSep + "updated/" + in.path + "\n" + w.before)
	return "", b.String()
}

// revertIn is the window as it was before hunk h, when h lies in it.
func revertIn(w nextEditWindow, h Hunk) string {
	a := h.off - w.start
	b := a + len(h.New)
	if a < 0 || b > len(w.text) || w.text[a:b] != h.New {
		return w.text
	}
	return w.text[:a] + h.Old + w.text[b:]
}

const chatNextEditSystem = "You predict the next edit a programmer will make. You are shown their recent edits as unified diffs and an excerpt of the file they are editing. " +
	"The part between " + regionStart + " and " + regionEnd + " is the editable region; " + cursorMark + " marks the cursor. " +
	"Rewrite the editable region with the edit they will most likely make next, such as the matching change to the other uses of something they just renamed, " +
	"and change nothing else. Never undo their recent edits. Reply with the region only: " + regionStart + " on its own line, the rewritten lines, then " +
	regionEnd + ". No explanations and no Markdown. If no edit is needed, reply with the region unchanged."

func renderChat(in *nextEditInput) (string, string) {
	var b strings.Builder
	if len(in.others) > 0 {
		b.WriteString("Related code, for reference only:\n")
		for _, o := range in.others {
			b.WriteString("File: " + o.name + "\n```" + in.language + "\n" + o.text)
			if !strings.HasSuffix(o.text, "\n") {
				b.WriteByte('\n')
			}
			b.WriteString("```\n")
		}
		b.WriteByte('\n')
	}
	b.WriteString("Recent edits, oldest first:\n")
	if len(in.history) == 0 {
		b.WriteString("(none)\n")
	}
	for i, h := range in.history {
		fmt.Fprintf(&b, "--- a/%s\n+++ b/%s\n", in.names[i], in.names[i])
		writeDiff(&b, h)
	}
	b.WriteString("\nThe file " + in.path + ":\n")
	in.markedExcerpt(&b)
	b.WriteString("\nRewrite the editable region.")
	return chatNextEditSystem, b.String()
}

// parseMarked reads a rewritten window from an answer that may hold it
// between the region markers (zeta, chat; instinct sometimes echoes
// them), wrapped in a code fence, or bare, after the usual habits of
// models are taken off: a reasoning block, chatter around a fence, an
// echoed cursor marker or context.
func parseMarked(answer string, w nextEditWindow) (string, bool) {
	a := stripThinking(answer)
	if i := strings.Index(a, regionStart); i >= 0 {
		a = a[i+len(regionStart):]
		a = strings.TrimPrefix(strings.TrimPrefix(a, "\r"), "\n")
		if j := strings.Index(a, regionEnd); j >= 0 {
			a = a[:j]
		}
	} else {
		a = unfence(a)
		if j := strings.Index(a, regionEnd); j >= 0 {
			a = a[:j]
		}
		// Context the model echoed around the region it was to rewrite.
		if w.before != "" && strings.HasPrefix(a, w.before) && !strings.HasPrefix(w.text, w.before) {
			a = a[len(w.before):]
		}
		if w.after != "" && strings.HasSuffix(strings.TrimRight(a, "\n"), strings.TrimRight(w.after, "\n")) && !strings.HasSuffix(w.text, w.after) {
			a = strings.TrimRight(a, "\n")
			a = a[:len(a)-len(strings.TrimRight(w.after, "\n"))]
		}
	}
	return finishRegion(a, w)
}

// parseZeta reads Zeta's answer, which echoes the excerpt: without the
// region's start marker it is not an answer in Zeta's format at all.
func parseZeta(answer string, w nextEditWindow) (string, bool) {
	if !strings.Contains(answer, regionStart) {
		return "", false
	}
	return parseMarked(answer, w)
}

// parsePlain reads a rewritten window answered bare (sweep).
func parsePlain(answer string, w nextEditWindow) (string, bool) {
	return finishRegion(unfence(stripThinking(answer)), w)
}

// finishRegion drops cursor markers and gives the region the window's
// line ending at its end.
func finishRegion(a string, w nextEditWindow) (string, bool) {
	a = strings.ReplaceAll(a, cursorMark, "")
	a = strings.ReplaceAll(a, startOfFile+"\n", "")
	if strings.Contains(a, regionStart) || strings.Contains(a, fileSep) {
		return "", false
	}
	if strings.TrimSpace(a) == "" && strings.TrimSpace(w.text) != "" {
		// An empty answer is a model that gave up, not a deletion of
		// the whole window.
		return "", false
	}
	if strings.Contains(w.text, "\r\n") {
		// Models write "\n"; a CRLF file would otherwise read as every
		// line of the window changed.
		a = toCRLF(a)
	}
	// Only the one line ending the window can be in doubt: a blank last
	// line of the window is still a line.
	switch ends := strings.HasSuffix(w.text, "\n"); {
	case ends && !strings.HasSuffix(a, "\n"):
		a += "\n"
	case !ends && strings.HasSuffix(a, "\n"):
		a = a[:len(a)-1]
	}
	return a, true
}

// stripThinking drops a reasoning model's <think>...</think> block.
func stripThinking(a string) string {
	if i := strings.Index(a, "<think>"); i >= 0 {
		if j := strings.Index(a[i:], "</think>"); j >= 0 {
			return a[:i] + strings.TrimLeft(a[i+j+len("</think>"):], "\n")
		}
	}
	return a
}

// unfence returns the body of the first Markdown code fence in a, or a
// when there is none.
func unfence(a string) string {
	i := strings.Index(a, "```")
	if i < 0 {
		return a
	}
	body := a[i+3:]
	nl := strings.IndexByte(body, '\n')
	if nl < 0 {
		return a
	}
	body = body[nl+1:]
	if j := strings.LastIndex(body, "```"); j >= 0 {
		body = body[:j]
	}
	return body
}
