package lsp

import (
	"context"
	"slices"
	"sync"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"switchyard/assist/repoindex"
)

// The workspace index (assist/repoindex) is built in the background once
// the client is initialized, over the workspace folders, and kept current
// from text synchronisation, saves and watched-file events. Handlers only
// queue work for it: a keystroke never waits on parsing.

// workspaceIndex holds the index of the current workspace folders.
type workspaceIndex struct {
	mu      sync.Mutex
	ix      *repoindex.Index
	folders []string
	stop    context.CancelFunc
}

// current is the index requests read, nil before the client is
// initialized or when there are no workspace folders.
func (w *workspaceIndex) current() *repoindex.Index {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ix
}

// startIndex builds a new index when the workspace folders changed since
// the last one; the old one stops.
func (s *server) startIndex() {
	folders := s.folders()
	w := &s.wsIndex
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ix != nil && slices.Equal(w.folders, folders) {
		return
	}
	if w.stop != nil {
		w.stop()
	}
	w.ix, w.folders, w.stop = nil, folders, nil
	if len(folders) == 0 || s.ctx == nil {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	log := s.log.Named("index")
	ix := repoindex.New(repoindex.Options{Folders: folders, Logf: func(format string, args ...any) {
		log.Sugar().Infof(format, args...)
	}})
	ix.Start(ctx)
	// The open documents are newer than their files on disk.
	for _, d := range s.docs.documents() {
		ix.Changed(d.Path, d.Text)
	}
	w.ix, w.stop = ix, cancel
	log.Debug("indexing the workspace", zap.Strings("folders", folders))
}

// indexDocument queues an open document's text for the index.
func (s *server) indexDocument(snap *snapshot) {
	if ix := s.wsIndex.current(); ix != nil && snap.path != "" {
		ix.Changed(snap.path, snap.text)
	}
}

// indexFile queues a file to be read again from disk.
func (s *server) indexFile(uri string) {
	if ix := s.wsIndex.current(); ix != nil {
		ix.Refresh(uriPath(uri))
	}
}

// indexWatched applies the client's file events: created and changed
// files are read again, deleted ones removed.
func (s *server) indexWatched(changes []*protocol.FileEvent) {
	ix := s.wsIndex.current()
	if ix == nil {
		return
	}
	for _, c := range changes {
		if c == nil {
			continue
		}
		p := uriPath(string(c.URI))
		if c.Type == protocol.FileChangeTypeDeleted {
			ix.Remove(p)
		} else {
			ix.Refresh(p)
		}
	}
}

// sourceFilesGlob matches the files the index reads (repoindex.LangOf).
const sourceFilesGlob = "**/*.{go,py,pyi,js,mjs,cjs,jsx,ts,mts,cts,tsx,rs,java,c,h,cc,cpp,cxx,hh,hpp,hxx}"

// watchSourceFiles asks the client to report changes to source files
// made outside the editor (a git checkout, a code generator), which keep
// the index current.
func (s *server) watchSourceFiles() {
	params := map[string]any{"registrations": []map[string]any{{
		"id":     "switchyard-index-files",
		"method": "workspace/didChangeWatchedFiles",
		"registerOptions": map[string]any{"watchers": []map[string]any{{
			"globPattern": sourceFilesGlob,
		}}},
	}}}
	if _, err := s.conn.Call(s.ctx, "client/registerCapability", params, nil); err != nil {
		s.log.Debug("client/registerCapability for source files failed", zap.Error(err))
	}
}
