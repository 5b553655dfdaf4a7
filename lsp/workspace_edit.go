package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.lsp.dev/protocol"

	"switchyard/assist"
)

// The WorkspaceEdit of LSP 3.17, which go.lsp.dev/protocol v0.12.0 cannot
// express: its DocumentChanges is []TextDocumentEdit, so it has no room
// for the create, rename and delete operations a refactor needs, and its
// TextDocumentEdit holds plain TextEdits, so an edit cannot name the
// change annotation that asks the editor for confirmation. The shapes
// below are written from the specification
// (https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#workspaceEdit);
// Range, Position and ChangeAnnotation are go.lsp.dev's.

// workspaceEdit is WorkspaceEdit (3.17). Exactly one of Changes and
// DocumentChanges is set, as the client's capabilities allow.
type workspaceEdit struct {
	Changes           map[string][]protocol.TextEdit       `json:"changes,omitempty"`
	DocumentChanges   []documentChange                     `json:"documentChanges,omitempty"`
	ChangeAnnotations map[string]protocol.ChangeAnnotation `json:"changeAnnotations,omitempty"`
}

// documentChange is one entry of documentChanges: a TextDocumentEdit, or a
// CreateFile, RenameFile or DeleteFile operation. Exactly one field is
// set; the operations are told apart on the wire by their kind.
type documentChange struct {
	Edit   *textDocumentEdit
	Create *createFile
	Rename *renameFile
	Delete *deleteFile
}

func (d documentChange) MarshalJSON() ([]byte, error) {
	switch {
	case d.Edit != nil:
		return json.Marshal(d.Edit)
	case d.Create != nil:
		return json.Marshal(struct {
			Kind string `json:"kind"`
			*createFile
		}{"create", d.Create})
	case d.Rename != nil:
		return json.Marshal(struct {
			Kind string `json:"kind"`
			*renameFile
		}{"rename", d.Rename})
	case d.Delete != nil:
		return json.Marshal(struct {
			Kind string `json:"kind"`
			*deleteFile
		}{"delete", d.Delete})
	}
	return nil, fmt.Errorf("empty entry of documentChanges")
}

func (d *documentChange) UnmarshalJSON(b []byte) error {
	var k struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(b, &k); err != nil {
		return err
	}
	*d = documentChange{}
	switch k.Kind {
	case "":
		d.Edit = new(textDocumentEdit)
		return json.Unmarshal(b, d.Edit)
	case "create":
		d.Create = new(createFile)
		return json.Unmarshal(b, d.Create)
	case "rename":
		d.Rename = new(renameFile)
		return json.Unmarshal(b, d.Rename)
	case "delete":
		d.Delete = new(deleteFile)
		return json.Unmarshal(b, d.Delete)
	}
	return fmt.Errorf("documentChanges entry of unknown kind %q", k.Kind)
}

// textDocumentEdit is TextDocumentEdit (3.17): edits of one document at
// one version.
type textDocumentEdit struct {
	TextDocument optionalVersionedDocument `json:"textDocument"`
	Edits        []annotatedTextEdit       `json:"edits"`
}

// optionalVersionedDocument is OptionalVersionedTextDocumentIdentifier:
// Version is null for a file the editor does not have open, which tells
// the editor to edit the file as it is on disk.
type optionalVersionedDocument struct {
	URI     string `json:"uri"`
	Version *int32 `json:"version"`
}

// annotatedTextEdit is a TextEdit, or an AnnotatedTextEdit (3.16) when
// AnnotationID is set.
type annotatedTextEdit struct {
	Range        protocol.Range `json:"range"`
	NewText      string         `json:"newText"`
	AnnotationID string         `json:"annotationId,omitempty"`
}

// createFile is CreateFile (3.13): the kind is added on the wire.
type createFile struct {
	URI          string             `json:"uri"`
	Options      *createFileOptions `json:"options,omitempty"`
	AnnotationID string             `json:"annotationId,omitempty"`
}

type createFileOptions struct {
	Overwrite      bool `json:"overwrite,omitempty"`
	IgnoreIfExists bool `json:"ignoreIfExists,omitempty"`
}

// renameFile is RenameFile (3.13).
type renameFile struct {
	OldURI       string             `json:"oldUri"`
	NewURI       string             `json:"newUri"`
	Options      *renameFileOptions `json:"options,omitempty"`
	AnnotationID string             `json:"annotationId,omitempty"`
}

type renameFileOptions struct {
	Overwrite      bool `json:"overwrite,omitempty"`
	IgnoreIfExists bool `json:"ignoreIfExists,omitempty"`
}

// deleteFile is DeleteFile (3.13).
type deleteFile struct {
	URI          string             `json:"uri"`
	Options      *deleteFileOptions `json:"options,omitempty"`
	AnnotationID string             `json:"annotationId,omitempty"`
}

// deleteFileOptions are sent in full: both false is the safe choice
// (never a folder's contents, and a file already gone fails the edit
// instead of passing unnoticed), and saying so leaves no client default
// to guess.
type deleteFileOptions struct {
	Recursive         bool `json:"recursive"`
	IgnoreIfNotExists bool `json:"ignoreIfNotExists"`
}

// workspaceEditClientCapabilities is WorkspaceEditClientCapabilities
// (3.16): what the client can apply.
type workspaceEditClientCapabilities struct {
	DocumentChanges bool `json:"documentChanges,omitempty"`
	// ResourceOperations lists "create", "rename" and "delete".
	ResourceOperations      []string `json:"resourceOperations,omitempty"`
	FailureHandling         string   `json:"failureHandling,omitempty"`
	ChangeAnnotationSupport *struct {
		GroupsOnLabel bool `json:"groupsOnLabel,omitempty"`
	} `json:"changeAnnotationSupport,omitempty"`
}

// documentChanges reports whether the client takes documentChanges.
// Resource operations only exist inside documentChanges, so a client that
// lists any takes them too even when it does not say documentChanges:
// Neovim 0.7 is such a client, and applies versioned edits correctly.
func (c workspaceEditClientCapabilities) documentChanges() bool {
	return c.DocumentChanges || len(c.ResourceOperations) > 0
}

// canDo reports whether the client performs resource operation kind
// ("create", "rename", "delete").
func (c workspaceEditClientCapabilities) canDo(kind string) bool {
	return slices.Contains(c.ResourceOperations, kind)
}

// annotationID names the one change annotation of an edit.
const annotationID = "switchyard"

// applyEdit brings e up to date with the editor's documents and sends it
// with workspace/applyEdit. It returns nil only when the editor applied
// it.
func (s *server) applyEdit(ctx context.Context, label string, e *assist.Edit) error {
	if !s.caps.Workspace.ApplyEdit {
		return errors.New("the editor does not apply edits the server sends (workspace.applyEdit): use an editor with LSP 3.x workspace edits, or one of the Switchyard plugins")
	}
	we, err := s.finalEdit(e)
	if err != nil {
		return err
	}
	var res protocol.ApplyWorkspaceEditResponse
	params := map[string]any{"label": label, "edit": we}
	if _, err := s.conn.Call(ctx, "workspace/applyEdit", params, &res); err != nil {
		return fmt.Errorf("workspace/applyEdit: %w", err)
	}
	if !res.Applied {
		reason := res.FailureReason
		if reason == "" {
			reason = "the editor gave no reason (a document may have changed meanwhile, or the preview was dismissed)"
		}
		return fmt.Errorf("the editor did not apply the edit: %s", reason)
	}
	return nil
}

// finalEdit is e moved onto the documents as they are now, in the shape
// the client takes.
func (s *server) finalEdit(e *assist.Edit) (*workspaceEdit, error) {
	cur, err := s.currentEdit(e)
	if err != nil {
		return nil, err
	}
	return encodeEdit(cur, s.caps.Workspace.WorkspaceEdit, s.enc)
}

// currentEdit checks every file e edits against what the editor holds now
// (DESIGN.md decision 2). The model answered about the snapshots the
// request read; since then the user may have typed on. A change the user
// made away from the edited ranges is rebased exactly; one that touches
// them drops the whole edit, so a late answer never overwrites typing.
// A file that was read from disk is checked against its open document if
// the user opened it since, else against the disk.
func (s *server) currentEdit(e *assist.Edit) (*assist.Edit, error) {
	byURI := map[string]*snapshot{}
	byPath := map[string]*snapshot{}
	for _, snap := range s.docs.all() {
		byURI[snap.uri] = snap
		if snap.path != "" {
			byPath[filepath.Clean(snap.path)] = snap
		}
	}
	// Files the edit itself creates or renames into have no earlier state
	// to check.
	made := map[string]bool{}
	out := &assist.Edit{Annotation: e.Annotation, Changes: make([]assist.FileChange, 0, len(e.Changes))}
	for _, c := range e.Changes {
		switch c.Op {
		case assist.OpCreate:
			made[filepath.Clean(c.Path)] = true
		case assist.OpRename:
			made[filepath.Clean(c.NewPath)] = true
		case assist.OpDelete:
			// The editor would fail the whole edit on a file already
			// gone; saying so here names the file.
			if _, err := os.Lstat(c.Path); errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: the file to delete was deleted since the request began: %w", c.Path, assist.ErrStale)
			}
		case assist.OpEdit:
			var err error
			if c, err = refresh(c, byURI, byPath, made); err != nil {
				return nil, err
			}
		}
		out.Changes = append(out.Changes, c)
	}
	return out, nil
}

func refresh(c assist.FileChange, byURI, byPath map[string]*snapshot, made map[string]bool) (assist.FileChange, error) {
	snap := byURI[c.URI]
	if snap == nil && c.Path != "" {
		snap = byPath[filepath.Clean(c.Path)]
	}
	if snap != nil {
		if c.Version != nil && *c.Version == snap.version && c.Base == snap.text {
			c.URI = snap.uri
			return c, nil
		}
		return c.Rebase(snap.document())
	}
	if made[filepath.Clean(c.Path)] {
		return c, nil
	}
	disk, err := os.ReadFile(c.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, fmt.Errorf("%s: the file was deleted since the request began: %w", c.Path, assist.ErrStale)
	}
	if err != nil {
		return c, fmt.Errorf("%s: cannot read the file to check the edit against it: %w", c.Path, err)
	}
	uri := c.URI
	if string(disk) != c.Base {
		if c, err = c.Rebase(assist.Document{Path: c.Path, Text: string(disk)}); err != nil {
			return c, err
		}
	}
	// Not open (any more): the editor edits the file as it is on disk.
	c.Version = nil
	c.URI = uri
	return c, nil
}

// encodeEdit converts e to the WorkspaceEdit the client takes: versioned
// documentChanges with resource operations and a change annotation where
// it can, else plain changes by URI. An operation the client cannot
// perform fails the whole edit, with the capability that is missing.
func encodeEdit(e *assist.Edit, caps workspaceEditClientCapabilities, enc encoding) (*workspaceEdit, error) {
	we := &workspaceEdit{}
	annotation := ""
	if caps.ChangeAnnotationSupport != nil && caps.documentChanges() && e.Annotation.Label != "" {
		annotation = annotationID
		we.ChangeAnnotations = map[string]protocol.ChangeAnnotation{annotationID: {
			Label:             e.Annotation.Label,
			NeedsConfirmation: e.Annotation.NeedsConfirmation,
			Description:       e.Annotation.Description,
		}}
	}
	for _, c := range e.Changes {
		uri := c.URI
		if uri == "" {
			uri = pathURI(c.Path)
		}
		if c.Op != assist.OpEdit {
			if !caps.documentChanges() || !caps.canDo(string(c.Op)) {
				return nil, fmt.Errorf("%s: the editor cannot %s files through LSP (it does not list %q in workspace.workspaceEdit.resourceOperations): make the change by hand or use an editor that can", c.Path, c.Op, c.Op)
			}
		}
		switch c.Op {
		case assist.OpEdit:
			if len(c.Edits) == 0 {
				continue
			}
			edits, err := textEdits(c, annotation, enc)
			if err != nil {
				return nil, err
			}
			if !caps.documentChanges() {
				if we.Changes == nil {
					we.Changes = map[string][]protocol.TextEdit{}
				}
				for _, te := range edits {
					we.Changes[uri] = append(we.Changes[uri], protocol.TextEdit{Range: te.Range, NewText: te.NewText})
				}
				continue
			}
			we.DocumentChanges = append(we.DocumentChanges, documentChange{Edit: &textDocumentEdit{
				TextDocument: optionalVersionedDocument{URI: uri, Version: c.Version},
				Edits:        edits,
			}})
		case assist.OpCreate:
			op := &createFile{URI: uri, AnnotationID: annotation}
			if c.Overwrite || c.IgnoreIfExists {
				op.Options = &createFileOptions{Overwrite: c.Overwrite, IgnoreIfExists: c.IgnoreIfExists}
			}
			we.DocumentChanges = append(we.DocumentChanges, documentChange{Create: op})
		case assist.OpRename:
			op := &renameFile{OldURI: uri, NewURI: pathURI(c.NewPath), AnnotationID: annotation}
			if c.Overwrite || c.IgnoreIfExists {
				op.Options = &renameFileOptions{Overwrite: c.Overwrite, IgnoreIfExists: c.IgnoreIfExists}
			}
			we.DocumentChanges = append(we.DocumentChanges, documentChange{Rename: op})
		case assist.OpDelete:
			we.DocumentChanges = append(we.DocumentChanges, documentChange{Delete: &deleteFile{URI: uri, Options: &deleteFileOptions{}, AnnotationID: annotation}})
		default:
			return nil, fmt.Errorf("%s: unknown change %q", c.Path, c.Op)
		}
	}
	return we, nil
}

// textEdits converts one file's byte-offset edits to LSP ranges of its
// base text.
func textEdits(c assist.FileChange, annotation string, enc encoding) ([]annotatedTextEdit, error) {
	lines := buildLineIndex(c.Base)
	out := make([]annotatedTextEdit, 0, len(c.Edits))
	prev := 0
	for _, e := range c.Edits {
		if e.Start < prev || e.End < e.Start || e.End > len(c.Base) {
			return nil, fmt.Errorf("%s: edit of bytes %d to %d does not fit the %d-byte file or overlaps the one before", c.Path, e.Start, e.End, len(c.Base))
		}
		prev = e.End
		out = append(out, annotatedTextEdit{
			Range:        protocol.Range{Start: lines.position(c.Base, e.Start, enc), End: lines.position(c.Base, e.End, enc)},
			NewText:      e.NewText,
			AnnotationID: annotation,
		})
	}
	return out, nil
}

// pathURI is the file: URI of an absolute path.
func pathURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // c:/src/x.go
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// all returns every open document's snapshot.
func (d *documents) all() []*snapshot {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]*snapshot, 0, len(d.open))
	for _, s := range d.open {
		out = append(out, s)
	}
	return out
}

// documents returns every open document, as the feature layer takes it.
func (d *documents) documents() []assist.Document {
	snaps := d.all()
	out := make([]assist.Document, len(snaps))
	for i, s := range snaps {
		out[i] = s.document()
	}
	return out
}
