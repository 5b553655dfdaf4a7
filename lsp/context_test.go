package lsp

import (
	"fmt"
	"reflect"
	"testing"
)

// A completion is offered the other open documents of its language, most
// recently edited first, each with where it was last edited, and the
// workspace folders to name them by.
func TestServerOffersOtherDocuments(t *testing.T) {
	for _, method := range []string{"textDocument/inlineCompletion", "textDocument/completion"} {
		t.Run(method, func(t *testing.T) {
			h := startServer(t, fixed(&fakeRouter{text: "Z"}))
			if err := h.call("initialize", map[string]any{
				"capabilities":     map[string]any{},
				"workspaceFolders": []map[string]any{{"uri": "file:///w/proj", "name": "proj"}},
			}, nil); err != nil {
				t.Fatal(err)
			}
			h.notify("initialized", map[string]any{})
			h.open("file:///w/proj/a.go", "package a\n")
			h.open("file:///w/proj/b.go", "package b\n\nfunc B() {}\n")
			h.open("file:///w/proj/c.go", "package c\n")
			h.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
				"uri": "file:///w/proj/tool.py", "languageId": "python", "version": 1, "text": "print(1)\n",
			}})
			h.open("untitled:Untitled-1", "package scratch\n")
			h.open("file:///w/proj/main.go", "package main\n")
			// b.go is edited last, on its third line.
			h.notify("textDocument/didChange", change("file:///w/proj/b.go", 2, edit(2, 5, 2, 5, "Big")))

			params := posParams("file:///w/proj/main.go", 0, 4)
			if method == "textDocument/inlineCompletion" {
				params = inlineParams("file:///w/proj/main.go", 0, 4)
			}
			if err := h.call(method, params, nil); err != nil {
				t.Fatal(err)
			}
			req := h.engine.last()
			var got []string
			for _, o := range req.Others {
				got = append(got, fmt.Sprintf("%s@%d", o.Path, o.Focus))
			}
			want := []string{"/w/proj/b.go@16", "/w/proj/c.go@0", "/w/proj/a.go@0"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Others = %q, want %q", got, want)
			}
			if len(req.Others) > 0 && req.Others[0].Text != "package b\n\nfunc BigB() {}\n" {
				t.Errorf("b.go text = %q, want the edited snapshot", req.Others[0].Text)
			}
			if !reflect.DeepEqual(req.Folders, []string{"/w/proj"}) {
				t.Errorf("Folders = %q, want the workspace folder", req.Folders)
			}
		})
	}
}

// However many documents are open, a completion is offered the few most
// recently edited.
func TestDocumentsOthersKeepsNewest(t *testing.T) {
	d := newDocuments()
	for i := range 10 {
		d.set(newSnapshot(fmt.Sprintf("file:///w/f%d.go", i), "go", 1, "package f\n"))
	}
	cur := newSnapshot("file:///w/main.go", "go", 1, "package main\n")
	d.set(cur)
	// Touching f2 again makes it the newest.
	f2, _ := d.get("file:///w/f2.go")
	d.set(f2.applyChange(contentChange{Text: "package g\n"}, 2, utf16))
	var got []string
	for _, o := range d.others(cur) {
		got = append(got, o.Path)
	}
	want := []string{"/w/f2.go", "/w/f9.go", "/w/f8.go", "/w/f7.go"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("others = %q, want %q", got, want)
	}
	d.remove("file:///w/f2.go")
	if got := d.others(cur); len(got) != maxOthers || got[0].Path != "/w/f9.go" {
		t.Errorf("after closing f2.go, others start with %q, want /w/f9.go", got[0].Path)
	}
}
