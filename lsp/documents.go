package lsp

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	"go.lsp.dev/protocol"

	"switchyard/assist"
)

// snapshot is one version of an open document. It is immutable: an edit
// builds a new snapshot (Go strings are immutable and the line index is
// copied on write), so a request can keep working on the snapshot it
// started with while the user types on.
type snapshot struct {
	uri        string
	path       string
	languageID string
	version    int32
	text       string
	lines      lineIndex
	// edited is the byte offset of the last change, where context from
	// this document is cut around for a completion in another.
	edited int
}

func newSnapshot(uri, languageID string, version int32, text string) *snapshot {
	return &snapshot{
		uri:        uri,
		path:       uriPath(uri),
		languageID: languageID,
		version:    version,
		text:       text,
		lines:      buildLineIndex(text),
	}
}

// offset converts an LSP position to a byte offset, clamping.
func (s *snapshot) offset(p protocol.Position, enc encoding) int {
	return s.lines.offset(s.text, p, enc)
}

// position converts a byte offset to an LSP position, clamping.
func (s *snapshot) position(off int, enc encoding) protocol.Position {
	return s.lines.position(s.text, off, enc)
}

// document is the form the feature layer takes.
func (s *snapshot) document() assist.Document {
	return assist.Document{
		URI:        s.uri,
		Path:       s.path,
		LanguageID: s.languageID,
		Version:    s.version,
		Text:       s.text,
	}
}

// applyChange returns the snapshot after one content change. A change with
// no range replaces the whole text (full sync).
func (s *snapshot) applyChange(c contentChange, version int32, enc encoding) *snapshot {
	next := &snapshot{uri: s.uri, path: s.path, languageID: s.languageID, version: version}
	if c.Range == nil {
		next.text = c.Text
		next.lines = buildLineIndex(c.Text)
		return next
	}
	start, end := s.offset(c.Range.Start, enc), s.offset(c.Range.End, enc)
	if start > end {
		start, end = end, start
	}
	var b strings.Builder
	b.Grow(len(s.text) - (end - start) + len(c.Text))
	b.WriteString(s.text[:start])
	b.WriteString(c.Text)
	b.WriteString(s.text[end:])
	next.text = b.String()
	next.lines = s.lines.edit(next.text, start, end, len(c.Text))
	next.edited = start
	return next
}

// recordChange adds the change c that made next from prev to the edit
// history.
func (d *documents) recordChange(prev, next *snapshot, c contentChange) {
	if c.Range == nil {
		d.history.RecordFull(next.uri, next.path, prev.text, next.text)
		return
	}
	start := next.edited
	end := start + len(prev.text) - len(next.text) + len(c.Text)
	d.history.Record(next.uri, next.path, prev.text, next.text, start, end, len(c.Text))
}

// documents is the store of open documents. Text synchronisation writes it
// from the read loop; requests read a snapshot from it there too, so the
// lock is only contended by the rare goroutine that looks a document up.
type documents struct {
	mu   sync.RWMutex
	open map[string]*snapshot
	// touched orders the documents by their last open or change, for
	// the most recently edited ones to go first as context.
	touched map[string]uint64
	clock   uint64
	// history is the user's recent edits, for next-edit suggestions.
	history assist.EditHistory
}

func newDocuments() *documents {
	return &documents{open: make(map[string]*snapshot), touched: make(map[string]uint64)}
}

func (d *documents) get(uri string) (*snapshot, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	s, ok := d.open[uri]
	return s, ok
}

func (d *documents) set(s *snapshot) {
	d.mu.Lock()
	d.open[s.uri] = s
	d.clock++
	d.touched[s.uri] = d.clock
	d.mu.Unlock()
}

func (d *documents) remove(uri string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.open[uri]
	delete(d.open, uri)
	delete(d.touched, uri)
	d.history.Forget(uri)
	return ok
}

// maxOthers is how many other documents a completion is offered; the
// engine's token budget rarely has room for more.
const maxOthers = 4

// others returns the snapshots of up to maxOthers other open documents
// of the same language as snap, most recently edited first. It only
// copies string headers: the texts stay shared with the store.
func (d *documents) others(snap *snapshot) []assist.OtherDocument {
	if snap.languageID == "" {
		return nil
	}
	var (
		top   [maxOthers]*snapshot
		stamp [maxOthers]uint64
		n     int
	)
	d.mu.RLock()
	for uri, s := range d.open {
		if uri == snap.uri || s.languageID != snap.languageID || s.path == "" {
			continue
		}
		t := d.touched[uri]
		// Insertion into the few kept so far, newest first.
		i := n
		if n < maxOthers {
			n++
		} else if t <= stamp[n-1] {
			continue
		} else {
			i = n - 1
		}
		for ; i > 0 && stamp[i-1] < t; i-- {
			top[i], stamp[i] = top[i-1], stamp[i-1]
		}
		top[i], stamp[i] = s, t
	}
	d.mu.RUnlock()
	if n == 0 {
		return nil
	}
	out := make([]assist.OtherDocument, n)
	for i, s := range top[:n] {
		out[i] = assist.OtherDocument{Document: s.document(), Focus: s.edited}
	}
	return out
}

// need returns the snapshot of an open document, or errUnknownDocument
// for a request about one the editor never opened.
func (d *documents) need(uri string) (*snapshot, error) {
	snap, ok := d.get(uri)
	if !ok {
		return nil, errUnknownDocument(uri)
	}
	return snap, nil
}

// errUnknownDocument is returned for a request about a document that was
// never opened (or was closed).
type errUnknownDocument string

func (e errUnknownDocument) Error() string {
	return fmt.Sprintf("document %s is not open: the editor must send textDocument/didOpen first", string(e))
}

// uriPath returns the file system path of a file: URI, or "" for other
// schemes (untitled:, vscode-notebook-cell:) that have no path.
func uriPath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	p := u.Path
	// file:///c:/src/x.go: the drive letter comes after the leading slash.
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:]
	}
	return p
}
