package lsp

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/assist"
)

func int32p(v int32) *int32 { return &v }

// refactorEdit edits an open document, creates a file with content and
// renames another: the three shapes a multi-file refactor sends.
func refactorEdit() *assist.Edit {
	return &assist.Edit{
		Annotation: assist.Annotation{Label: "Refactor: rename Foo", Description: "2 files", NeedsConfirmation: true},
		Changes: []assist.FileChange{
			{Op: assist.OpEdit, Path: "/w/a.go", URI: "file:///w/a.go", Version: int32p(3), Base: "x := Foo()\n😀 Foo\n",
				Edits: []assist.TextEdit{{Start: 5, End: 8, NewText: "Bar"}, {Start: 16, End: 19, NewText: "Bar"}}},
			{Op: assist.OpCreate, Path: "/w/b_test.go"},
			{Op: assist.OpEdit, Path: "/w/b_test.go", Edits: []assist.TextEdit{{Start: 0, End: 0, NewText: "package w\n"}}},
			{Op: assist.OpRename, Path: "/w/old.go", NewPath: "/w/new name.go"},
		},
	}
}

func TestEncodeEdit(t *testing.T) {
	full := workspaceEditClientCapabilities{
		DocumentChanges:    true,
		ResourceOperations: []string{"create", "rename", "delete"},
		ChangeAnnotationSupport: &struct {
			GroupsOnLabel bool `json:"groupsOnLabel,omitempty"`
		}{},
	}
	neovim07 := workspaceEditClientCapabilities{ResourceOperations: []string{"rename", "create", "delete"}}
	tests := []struct {
		name    string
		caps    workspaceEditClientCapabilities
		enc     encoding
		edit    *assist.Edit
		want    string
		wantErr string
	}{
		{
			name: "documentChanges with operations and a confirmed annotation, UTF-16",
			caps: full,
			edit: refactorEdit(),
			want: `{"documentChanges":[` +
				`{"textDocument":{"uri":"file:///w/a.go","version":3},"edits":[` +
				`{"range":{"start":{"line":0,"character":5},"end":{"line":0,"character":8}},"newText":"Bar","annotationId":"switchyard"},` +
				`{"range":{"start":{"line":1,"character":3},"end":{"line":1,"character":6}},"newText":"Bar","annotationId":"switchyard"}]},` +
				`{"kind":"create","uri":"file:///w/b_test.go","annotationId":"switchyard"},` +
				`{"textDocument":{"uri":"file:///w/b_test.go","version":null},"edits":[` +
				`{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"newText":"package w\n","annotationId":"switchyard"}]},` +
				`{"kind":"rename","oldUri":"file:///w/old.go","newUri":"file:///w/new%20name.go","annotationId":"switchyard"}],` +
				`"changeAnnotations":{"switchyard":{"label":"Refactor: rename Foo","needsConfirmation":true,"description":"2 files"}}}`,
		},
		{
			name: "UTF-8 positions count bytes",
			caps: full,
			enc:  utf8Enc,
			edit: &assist.Edit{Changes: []assist.FileChange{refactorEdit().Changes[0]}},
			want: `{"documentChanges":[{"textDocument":{"uri":"file:///w/a.go","version":3},"edits":[` +
				`{"range":{"start":{"line":0,"character":5},"end":{"line":0,"character":8}},"newText":"Bar"},` +
				`{"range":{"start":{"line":1,"character":5},"end":{"line":1,"character":8}},"newText":"Bar"}]}]}`,
		},
		{
			// Neovim 0.7 lists resource operations but not documentChanges,
			// and applies versioned documentChanges; it has no annotations.
			name: "resource operations imply documentChanges",
			caps: neovim07,
			edit: &assist.Edit{Annotation: assist.Annotation{Label: "x", NeedsConfirmation: true}, Changes: refactorEdit().Changes[1:3]},
			want: `{"documentChanges":[{"kind":"create","uri":"file:///w/b_test.go"},` +
				`{"textDocument":{"uri":"file:///w/b_test.go","version":null},"edits":[` +
				`{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"newText":"package w\n"}]}]}`,
		},
		{
			name: "plain changes for a client without documentChanges",
			caps: workspaceEditClientCapabilities{},
			edit: &assist.Edit{Annotation: assist.Annotation{Label: "x"}, Changes: refactorEdit().Changes[:1]},
			want: `{"changes":{"file:///w/a.go":[` +
				`{"range":{"start":{"line":0,"character":5},"end":{"line":0,"character":8}},"newText":"Bar"},` +
				`{"range":{"start":{"line":1,"character":3},"end":{"line":1,"character":6}},"newText":"Bar"}]}}`,
		},
		{
			name:    "a create the client cannot do fails the whole edit",
			caps:    workspaceEditClientCapabilities{},
			edit:    refactorEdit(),
			wantErr: `/w/b_test.go: the editor cannot create files through LSP (it does not list "create" in workspace.workspaceEdit.resourceOperations)`,
		},
		{
			name:    "a rename the client did not list",
			caps:    workspaceEditClientCapabilities{DocumentChanges: true, ResourceOperations: []string{"create"}},
			edit:    refactorEdit(),
			wantErr: `/w/old.go: the editor cannot rename files`,
		},
		{
			name: "a delete is a DeleteFile with both options false, under the annotation",
			caps: full,
			edit: &assist.Edit{Annotation: assist.Annotation{Label: "Refactor", NeedsConfirmation: true}, Changes: []assist.FileChange{
				{Op: assist.OpDelete, Path: "/w/gone.go"},
				{Op: assist.OpDelete, Path: "/w/open.go", URI: "file:///w/open.go"},
			}},
			want: `{"documentChanges":[` +
				`{"kind":"delete","uri":"file:///w/gone.go","options":{"recursive":false,"ignoreIfNotExists":false},"annotationId":"switchyard"},` +
				`{"kind":"delete","uri":"file:///w/open.go","options":{"recursive":false,"ignoreIfNotExists":false},"annotationId":"switchyard"}],` +
				`"changeAnnotations":{"switchyard":{"label":"Refactor","needsConfirmation":true}}}`,
		},
		{
			name:    "a delete the client did not list fails the whole edit",
			caps:    workspaceEditClientCapabilities{DocumentChanges: true, ResourceOperations: []string{"create", "rename"}},
			edit:    &assist.Edit{Changes: append(refactorEdit().Changes[:1], assist.FileChange{Op: assist.OpDelete, Path: "/w/gone.go"})},
			wantErr: `/w/gone.go: the editor cannot delete files through LSP (it does not list "delete" in workspace.workspaceEdit.resourceOperations)`,
		},
		{
			name: "overlapping edits are refused",
			caps: full,
			edit: &assist.Edit{Changes: []assist.FileChange{{Op: assist.OpEdit, Path: "/w/a.go", Base: "abcdef",
				Edits: []assist.TextEdit{{Start: 0, End: 3, NewText: "x"}, {Start: 2, End: 4, NewText: "y"}}}}},
			wantErr: "overlaps the one before",
		},
		{
			name: "edits past the end are refused",
			caps: full,
			edit: &assist.Edit{Changes: []assist.FileChange{{Op: assist.OpEdit, Path: "/w/a.go", Base: "abc",
				Edits: []assist.TextEdit{{Start: 2, End: 9, NewText: "x"}}}}},
			wantErr: "does not fit the 3-byte file",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			we, err := encodeEdit(tt.edit, tt.caps, tt.enc)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(we)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("edit:\n got %s\nwant %s", got, tt.want)
			}
			// What goes out must read back the same.
			var back workspaceEdit
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			again, _ := json.Marshal(back)
			if string(again) != string(got) {
				t.Errorf("round trip:\n got %s\nwant %s", again, got)
			}
		})
	}
}

func TestCurrentEdit(t *testing.T) {
	dir := t.TempDir()
	onDisk := filepath.Join(dir, "disk.go")
	const base = "one\ntwo\nthree\n"
	edit := func(path, uri string, version *int32) assist.FileChange {
		// "two" becomes "2".
		return assist.FileChange{Op: assist.OpEdit, Path: path, URI: uri, Version: version, Base: base,
			Edits: []assist.TextEdit{{Start: 4, End: 7, NewText: "2"}}}
	}
	openURI := pathURI(filepath.Join(dir, "open.go"))
	tests := []struct {
		name        string
		open        string // text of open.go now at version 5; "" when closed
		disk        string // content of disk.go; "" when missing
		change      assist.FileChange
		wantText    string // the edit applied to what the editor holds
		wantVersion *int32
		wantErr     error
	}{
		{name: "unchanged open document", open: base, change: edit("", openURI, int32p(5)), wantText: "one\n2\nthree\n", wantVersion: int32p(5)},
		{name: "typing elsewhere is rebased", open: "zero\none\ntwo\nthree\n", change: edit("", openURI, int32p(4)),
			wantText: "zero\none\n2\nthree\n", wantVersion: int32p(5)},
		{name: "typing in the edited text drops the edit", open: "one\ntwelve\nthree\n", change: edit("", openURI, int32p(4)), wantErr: assist.ErrStale},
		{name: "a file read from disk and opened since is checked against the editor", open: "one\ntwo\nthree\nfour\n",
			change: edit(filepath.Join(dir, "open.go"), "", nil), wantText: "one\n2\nthree\nfour\n", wantVersion: int32p(5)},
		{name: "unchanged file on disk keeps a null version", disk: base, change: edit(onDisk, "", nil), wantText: "one\n2\nthree\n"},
		{name: "a file changed on disk is rebased", disk: "one\ntwo\nthree\nfour\n", change: edit(onDisk, "", nil), wantText: "one\n2\nthree\nfour\n"},
		{name: "a document closed since is edited on disk", disk: base, change: edit(onDisk, pathURI(onDisk), int32p(2)), wantText: "one\n2\nthree\n"},
		{name: "a file deleted since", change: edit(onDisk, "", nil), wantErr: assist.ErrStale},
		{name: "a file to delete that is there", disk: base, change: assist.FileChange{Op: assist.OpDelete, Path: onDisk}},
		{name: "a file to delete that was deleted since", change: assist.FileChange{Op: assist.OpDelete, Path: onDisk}, wantErr: assist.ErrStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(Options{})
			if tt.open != "" {
				s.docs.set(newSnapshot(openURI, "go", 5, tt.open))
			}
			os.Remove(onDisk)
			if tt.disk != "" {
				if err := os.WriteFile(onDisk, []byte(tt.disk), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.currentEdit(&assist.Edit{Changes: []assist.FileChange{tt.change}})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := got.Changes[0]
			if (c.Version == nil) != (tt.wantVersion == nil) || c.Version != nil && *c.Version != *tt.wantVersion {
				t.Errorf("version = %v, want %v", c.Version, tt.wantVersion)
			}
			if text := apply(c.Base, c.Edits); text != tt.wantText {
				t.Errorf("applied = %q, want %q", text, tt.wantText)
			}
			if tt.open != "" && c.Base != tt.open {
				t.Errorf("base = %q, want the open document's text", c.Base)
			}
		})
	}
}

// apply applies sorted, disjoint edits.
func apply(text string, edits []assist.TextEdit) string {
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		text = text[:e.Start] + e.NewText + text[e.End:]
	}
	return text
}

func TestTokenKey(t *testing.T) {
	for raw, want := range map[string]string{`"a"`: `"a"`, `7`: `#7`, `"7"`: `"7"`} {
		got, ok := tokenKey(json.RawMessage(raw))
		if !ok || got != want {
			t.Errorf("tokenKey(%s) = %q, %v; want %q", raw, got, ok, want)
		}
	}
	for _, raw := range []string{`null`, `{}`, `[1]`, ``} {
		if _, ok := tokenKey(json.RawMessage(raw)); ok {
			t.Errorf("tokenKey(%s) accepted", raw)
		}
	}
}
