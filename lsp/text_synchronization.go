package lsp

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"
)

// Text synchronisation runs in the read loop, in the order the client sent
// it, so a completion request that follows a didChange always sees that
// change. Each handler only builds a new immutable snapshot.

func didOpen(s *server, _ context.Context, raw json.RawMessage) error {
	var p protocol.DidOpenTextDocumentParams
	if err := decodeParams("textDocument/didOpen", raw, &p); err != nil {
		return err
	}
	td := p.TextDocument
	snap := newSnapshot(string(td.URI), string(td.LanguageID), td.Version, td.Text)
	s.docs.set(snap)
	s.indexDocument(snap)
	s.log.Debug("didOpen", zap.String("uri", string(td.URI)), zap.Int("bytes", len(td.Text)))
	return nil
}

func didChange(s *server, _ context.Context, raw json.RawMessage) error {
	var p didChangeParams
	if err := decodeParams("textDocument/didChange", raw, &p); err != nil {
		return err
	}
	uri := string(p.TextDocument.URI)
	snap, ok := s.docs.get(uri)
	if !ok {
		s.log.Warn("didChange for a document that is not open: ignored", zap.String("uri", uri))
		return nil
	}
	for _, c := range p.Changes {
		next := snap.applyChange(c, p.TextDocument.Version, s.enc)
		s.docs.recordChange(snap, next, c)
		snap = next
	}
	s.docs.set(snap)
	s.indexDocument(snap)
	return nil
}

func didClose(s *server, _ context.Context, raw json.RawMessage) error {
	var p protocol.DidCloseTextDocumentParams
	if err := decodeParams("textDocument/didClose", raw, &p); err != nil {
		return err
	}
	uri := string(p.TextDocument.URI)
	if !s.docs.remove(uri) {
		s.log.Warn("didClose for a document that is not open", zap.String("uri", uri))
	}
	// A completion still running for the closed document is of no use.
	s.jobsMu.Lock()
	for _, key := range []string{uri, nextEditKey(uri)} {
		if r := s.latest[key]; r != nil {
			r.cancel(errClientCancelled)
		}
	}
	s.jobsMu.Unlock()
	return nil
}

func didSave(s *server, _ context.Context, raw json.RawMessage) error {
	var p protocol.DidSaveTextDocumentParams
	if err := decodeParams("textDocument/didSave", raw, &p); err != nil {
		return err
	}
	// Saving changes nothing the server holds; a workspace .switchyard.toml
	// saved in the editor is re-read.
	s.settings.saved(string(p.TextDocument.URI))
	s.indexFile(string(p.TextDocument.URI))
	return nil
}
