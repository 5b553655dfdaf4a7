package lsp

import (
	"context"
	"encoding/json"
	"errors"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"switchyard/assist"
	"switchyard/providers"
)

// switchyard/nextEdit: the edit the user will likely make next, possibly
// away from the cursor and over several lines, which inline completion
// cannot carry. Params are a versioned document and a position; the
// result is null or the edits against the version they were predicted
// for, which the client applies only if its document is still at it.

const methodNextEdit = "switchyard/nextEdit"

type nextEditParams struct {
	TextDocument struct {
		URI protocol.DocumentURI `json:"uri"`
		// Version is the client's version of the document; absent, the
		// server's own is used.
		Version *int32 `json:"version"`
	} `json:"textDocument"`
	Position protocol.Position `json:"position"`
}

type nextEditResult struct {
	URI     string              `json:"uri"`
	Version int32               `json:"version"`
	Edits   []protocol.TextEdit `json:"edits"`
}

// nextEditKey is the key a next-edit job supersedes by: its own per
// document, so that it and an inline completion of the same document do
// not cancel each other.
func nextEditKey(uri string) string { return methodNextEdit + "\x00" + uri }

// historyHunks bounds the edits a request copies from the history; the
// engine keeps [next_edit] max_hunks of them.
const historyHunks = 64

func nextEdit(s *server, _ context.Context, raw json.RawMessage) (*job, error) {
	var p nextEditParams
	if err := decodeParams(methodNextEdit, raw, &p); err != nil {
		return nil, err
	}
	uri := string(p.TextDocument.URI)
	snap, err := s.docs.need(uri)
	if err != nil {
		return nil, err
	}
	if v := p.TextDocument.Version; v != nil && *v != snap.version {
		// The client and the server disagree on the text: a prediction
		// for either version would be applied to the other.
		s.log.Debug("nextEdit for another version of the document: nothing to suggest",
			zap.String("uri", uri), zap.Int32("client", *v), zap.Int32("server", snap.version))
		return &job{supersedes: nextEditKey(uri), run: func(context.Context) (any, error) { return nil, nil }}, nil
	}
	req := assist.NextEditRequest{
		Doc:     snap.document(),
		Offset:  snap.offset(p.Position, s.enc),
		History: s.docs.history.Recent(historyHunks),
		Others:  s.docs.others(snap),
	}
	return &job{supersedes: nextEditKey(uri), run: func(ctx context.Context) (any, error) {
		res, err := s.predictNextEdit(ctx, req)
		if err != nil || res == nil || len(res.Edits) == 0 {
			return nil, err
		}
		out := &nextEditResult{URI: uri, Version: snap.version, Edits: make([]protocol.TextEdit, len(res.Edits))}
		for i, e := range res.Edits {
			out.Edits[i] = protocol.TextEdit{
				Range:   protocol.Range{Start: snap.position(e.Start, s.enc), End: snap.position(e.End, s.enc)},
				NewText: e.NewText,
			}
		}
		return out, nil
	}}, nil
}

// predictNextEdit asks the engine for the next edit when the user turned
// next-edit suggestions on. As for completions, a provider failure is
// shown to the user once and answered with nothing; only cancellation is
// an error.
func (s *server) predictNextEdit(ctx context.Context, req assist.NextEditRequest) (*assist.NextEditResult, error) {
	cfg := s.settings.store.Current()
	if cfg == nil || !cfg.NextEdit.Enabled {
		return nil, nil
	}
	st := s.settings
	st.applyMu.Lock()
	r := st.router
	st.applyMu.Unlock()
	req.Folders = s.folders()
	req.Index = s.wsIndex.current()
	res, err := assist.PredictNextEdit(ctx, r, assist.NextEditSettings{
		NextEdit:         cfg.NextEdit,
		MaxContextTokens: cfg.Completion.MaxContextTokens,
		Context:          cfg.Completion.Context,
	}, req, s.log.Named("nextedit"))
	if err == nil {
		return res, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if providers.KindOf(err) == providers.KindCanceled || errors.Is(err, context.Canceled) {
		return nil, nil
	}
	s.log.Info("next edit failed", zap.String("uri", req.Doc.URI), zap.Error(err))
	s.reportProblem(err, req.Doc.Path)
	return nil, nil
}
