package assist

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"switchyard/assist/repoindex"
	"switchyard/config"
	"switchyard/providers"
)

// Next-edit suggestions: from the user's recent edits and the code around
// the cursor, a model rewrites an editable window of a few dozen lines;
// what differs between its rewrite and the window is the suggestion, which
// may sit away from the cursor and span lines. The model is reached
// through the router under the next_edit task, so the policy, fallback and
// offline rules are those of every other task.

// NextEditRequest asks for the next edit at a byte offset of a snapshot.
type NextEditRequest struct {
	Doc    Document
	Offset int // byte offset of the cursor in Doc.Text
	// History holds the user's recent edits, oldest first, from every
	// document; the newest is the user's last edit.
	History []Hunk
	// Others, Folders and Index are as in CompletionRequest: the sources
	// of repository context.
	Others  []OtherDocument
	Folders []string
	Index   *repoindex.Index
}

// NextEditResult is a predicted next edit: Edits against Doc (non-
// overlapping, in document order, inside the window), and the model that
// predicted them.
type NextEditResult struct {
	Edits    []TextEdit
	Model    string
	Provider string
}

// NextEditSettings are what a prediction needs of the configuration.
type NextEditSettings struct {
	NextEdit config.NextEdit
	// Context is [completion]'s budget and shares of repository context,
	// which next-edit prompts use as completions do.
	MaxContextTokens int
	Context          config.ContextShares
}

// nextEditWindow is the part of the document the model sees: the
// editable window and the read-only context around it.
type nextEditWindow struct {
	ctxStart int // offset of before
	start    int // offset of the window (= ctxStart + len(before))
	before   string
	text     string // the editable window: whole lines
	after    string
	cursor   int // offset of the cursor in text
}

// cutNextEditWindow cuts windowLines whole lines around off, a quarter of
// them above the cursor's line (a next edit is more often below, where
// the uses of what was just changed follow), with contextLines more on
// either side. Near either end of the document the window moves rather
// than shrinks. Only the bytes of those lines are scanned.
func cutNextEditWindow(text string, off, windowLines, contextLines int) nextEditWindow {
	ls := lineStartAt(text, off)
	above := windowLines / 4
	below := windowLines - 1 - above
	// Lines available above: walk back up to above lines.
	start, got := ls, 0
	for got < above && start > 0 {
		start = lineStartAt(text, start-1)
		got++
	}
	below += above - got
	end, gotBelow := lineEndAt(text, off), 0
	for gotBelow < below && end < len(text) {
		end = lineEndAt(text, end)
		gotBelow++
	}
	// What was not used below goes above, if there is room.
	for extra := below - gotBelow; extra > 0 && start > 0; extra-- {
		start = lineStartAt(text, start-1)
	}
	cs := start
	for i := 0; i < contextLines && cs > 0; i++ {
		cs = lineStartAt(text, cs-1)
	}
	ce := end
	for i := 0; i < contextLines && ce < len(text); i++ {
		ce = lineEndAt(text, ce)
	}
	return nextEditWindow{
		ctxStart: cs,
		start:    start,
		before:   text[cs:start],
		text:     text[start:end],
		after:    text[end:ce],
		cursor:   off - start,
	}
}

// PredictNextEdit asks the model routed for next_edit to rewrite the
// window around the cursor and returns the edits that make its rewrite,
// or nil when there is nothing to suggest: the model changed nothing, its
// answer could not be read or was cut off, or the suggestion was dropped
// (suggestedEdits says why). Cancelling ctx closes the provider stream at
// once.
func PredictNextEdit(ctx context.Context, r providers.Router, st NextEditSettings, req NextEditRequest, log *zap.Logger) (*NextEditResult, error) {
	if log == nil {
		log = zap.NewNop()
	}
	cfg := st.NextEdit
	if r == nil {
		return nil, errors.New("no next-edit route: add a model to [routes] next_edit")
	}
	text, off := req.Doc.Text, req.Offset
	if off < 0 || off > len(text) || (off < len(text) && !utf8.RuneStart(text[off])) {
		return nil, fmt.Errorf("next edit at byte %d of %s: not a character boundary of its %d bytes; the position was converted wrongly", off, req.Doc.URI, len(text))
	}
	in := buildNextEditInput(st, &req)
	need := providers.Need{
		Task:         config.TaskNextEdit,
		PromptTokens: in.promptTokens(),
	}
	if req.Doc.Path != "" {
		need.Paths = []string{req.Doc.Path}
	}
	// Edits from other files are code from those files: the policy
	// rules on them as on the current one.
	for _, h := range in.history {
		if h.Path != "" && h.Path != req.Doc.Path {
			need.Paths = append(need.Paths, h.Path)
		}
	}
	if len(in.others) > 0 {
		need.Paths, in.isLocal = applyPolicy(r, config.TaskNextEdit, in.others, need.Paths)
	}

	callCtx, cancel := withTimeout(ctx, cfg.Timeout.D())
	defer cancel()

	call := func(ctx context.Context, t providers.Target) (providers.Stream, nextEditFormat, error) {
		if t.Provider == nil {
			return nil, nextEditFormat{}, providers.Unsupported(t.Name, "no provider for model "+t.Name)
		}
		f := nextEditFormatFor(t.Model)
		s, err := in.forTarget(t).call(ctx, t, f)
		return s, f, err
	}
	began := time.Now()
	stream, target, f, err := streamShaped(callCtx, r, need, call)
	if err != nil {
		return nil, callError(ctx, callCtx, config.TaskNextEdit, "next edit", cfg.Timeout.D(), err)
	}
	answer, truncated, err := readNextEdit(callCtx, stream, cfg.MaxTokens)
	if err != nil {
		return nil, callError(ctx, callCtx, config.TaskNextEdit, "next edit", cfg.Timeout.D(), err)
	}
	if truncated {
		// Half a window would read as deleting the rest of it.
		log.Debug("dropping a next-edit answer cut off at max_tokens", zap.String("model", target.Name), zap.Int("max_tokens", cfg.MaxTokens))
		return nil, nil
	}
	provider := ""
	if target.Provider != nil {
		provider = target.Provider.Name()
	}
	rewritten, ok := f.parse(answer, in.win)
	log.Debug("next edit",
		zap.String("model", target.Name),
		zap.String("provider", provider),
		zap.String("format", f.name),
		zap.Duration("took", time.Since(began)),
		zap.Int("bytes", len(answer)),
		zap.Bool("parsed", ok))
	if !ok {
		return nil, nil
	}
	edits, why := suggestedEdits(in.win, rewritten, lastHunkOf(req.History, req.Doc.URI))
	if why != "" {
		log.Debug("dropping a next-edit suggestion", zap.String("why", why))
		return nil, nil
	}
	return &NextEditResult{Edits: edits, Model: target.Name, Provider: provider}, nil
}

// suggestedEdits is the suggestion the rewrite of the window makes, in
// document offsets, or why there is none.
func suggestedEdits(w nextEditWindow, rewritten string, last *Hunk) ([]TextEdit, string) {
	edits := windowEdits(w.text, rewritten)
	if len(edits) == 0 {
		return nil, "the model changed nothing"
	}
	for _, e := range edits {
		if e.Start < 0 || e.End > len(w.text) || e.Start > e.End {
			return nil, "an edit lies outside the window"
		}
	}
	removed := 0
	for _, e := range edits {
		removed += e.End - e.Start
	}
	if 2*removed > len(w.text) {
		// A next edit is local; a rewrite of most of the window is a
		// model that lost the thread (or never had it), not a prediction.
		return nil, "it rewrites most of the window"
	}
	if undoesLast(w.text, w.start, edits, last) {
		return nil, "it would undo the user's last edit"
	}
	for i := range edits {
		edits[i].Start += w.start
		edits[i].End += w.start
	}
	return edits, ""
}

// lastHunkOf returns the user's last edit if it was in uri, else nil:
// only an edit of this document can be taken back by a suggestion in it.
func lastHunkOf(history []Hunk, uri string) *Hunk {
	if len(history) == 0 || history[len(history)-1].URI != uri {
		return nil
	}
	return &history[len(history)-1]
}

// readNextEdit reads the whole answer, or reports it truncated at maxTokens;
// cancelling ctx closes the stream, which unblocks a Next in progress.
func readNextEdit(ctx context.Context, s providers.Stream, maxTokens int) (string, bool, error) {
	defer s.Close()
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	var buf strings.Builder
	for {
		piece, err := s.Next()
		buf.WriteString(piece)
		if ctx.Err() != nil {
			return "", false, ctx.Err()
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return buf.String(), false, nil
			}
			return "", false, err
		}
		if maxTokens > 0 && estimateTokens(buf.Len()) >= maxTokens {
			return "", true, nil
		}
	}
}
