package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"switchyard/assist"
	"switchyard/providers"
)

// inlineCompletion answers textDocument/inlineCompletion (LSP 3.18): ghost
// text in VS Code and Neovim 0.12+.
func inlineCompletion(s *server, _ context.Context, raw json.RawMessage) (*job, error) {
	const method = "textDocument/inlineCompletion"
	var p inlineCompletionParams
	if err := decodeParams(method, raw, &p); err != nil {
		return nil, err
	}
	uri := string(p.TextDocument.URI)
	snap, err := s.docs.need(uri)
	if err != nil {
		return nil, err
	}
	off := snap.offset(p.Position, s.enc)
	req := assist.CompletionRequest{
		Doc:     snap.document(),
		Offset:  off,
		Invoked: p.Context.TriggerKind == inlineTriggerInvoked,
		Others:  s.docs.others(snap),
	}
	var sel *selection
	if info := p.Context.SelectedCompletionInfo; info != nil && info.Text != "" {
		sel = &selection{
			start: snap.offset(info.Range.Start, s.enc),
			end:   snap.offset(info.Range.End, s.enc),
			text:  info.Text,
		}
		if sel.start > sel.end {
			sel.start, sel.end = sel.end, sel.start
		}
		req.Selected, req.SelectedStart, req.SelectedEnd = sel.text, sel.start, sel.end
	}
	return &job{supersedes: uri, run: func(ctx context.Context) (any, error) {
		items, err := suggestItems(ctx, s, req, func(_ int, sg assist.Suggestion) (inlineCompletionItem, bool) {
			return s.inlineItem(snap, off, sg, sel)
		})
		if err != nil {
			return nil, err
		}
		return &inlineCompletionList{Items: items}, nil
	}}, nil
}

// selection is the item selected in the editor's completion widget, in
// byte offsets.
type selection struct {
	start, end int
	text       string
}

// inlineItem converts a suggestion to an inline completion item. The range
// must begin and end on one line (3.18); a suggestion that cannot be shown
// that way is dropped.
func (s *server) inlineItem(snap *snapshot, off int, sg assist.Suggestion, sel *selection) (inlineCompletionItem, bool) {
	start, end := clampRange(snap, off, sg.Start, sg.End)
	text := sg.Text
	if sel != nil {
		// The engine already extends the selected item over its range;
		// this keeps the rule for a suggestion placed at the cursor alone,
		// and drops one that overlaps the item without extending it, which
		// the editor would not show while its completion widget is open.
		if start < sel.end {
			if !strings.HasPrefix(text, sel.text) {
				return inlineCompletionItem{}, false
			}
		} else if !strings.HasPrefix(text, sel.text) {
			text = sel.text + snap.text[sel.end:start] + text
		}
		start = min(start, sel.start)
		end = max(end, sel.end)
	}
	rng := protocol.Range{Start: snap.position(start, s.enc), End: snap.position(end, s.enc)}
	if rng.Start.Line != rng.End.Line {
		s.log.Debug("dropping an inline suggestion whose range spans lines")
		return inlineCompletionItem{}, false
	}
	return inlineCompletionItem{InsertText: text, Range: &rng}, true
}

// clampRange keeps a suggestion's range inside the document and around
// the cursor, whatever the engine returned.
func clampRange(snap *snapshot, off, start, end int) (int, int) {
	start = max(0, min(start, off))
	end = min(len(snap.text), max(end, off))
	return start, end
}

// suggestItems asks the engine for suggestions and converts each with
// item, dropping those item rejects: the one engine call behind both the
// completion menu and inline completion, which differ only in the items
// they build. The slice is never nil, so an empty answer is [] on the wire.
func suggestItems[T any](ctx context.Context, s *server, req assist.CompletionRequest, item func(i int, sg assist.Suggestion) (T, bool)) ([]T, error) {
	sugs, err := s.suggest(ctx, req)
	if err != nil {
		return nil, err
	}
	items := make([]T, 0, len(sugs))
	for i, sg := range sugs {
		if it, ok := item(i, sg); ok {
			items = append(items, it)
		}
	}
	return items, nil
}

// suggest asks the engine for suggestions. A provider failure becomes an
// empty answer plus one message to the user per distinct problem, so the
// editor is never left waiting; only cancellation is an error.
func (s *server) suggest(ctx context.Context, req assist.CompletionRequest) ([]assist.Suggestion, error) {
	// Read here, off the read loop: the lock is shared with
	// configuration updates, which a keystroke must not wait on there.
	req.Folders = s.folders()
	req.Index = s.wsIndex.current()
	sugs, err := s.settings.engine().Complete(ctx, req)
	if err == nil {
		return sugs, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if providers.KindOf(err) == providers.KindCanceled || errors.Is(err, context.Canceled) {
		// Cancelled inside the engine, not by the client: nothing to show.
		return nil, nil
	}
	s.log.Info("completion failed", zap.String("uri", req.Doc.URI), zap.Error(err))
	s.reportProblem(err, req.Doc.Path)
	return nil, nil
}
