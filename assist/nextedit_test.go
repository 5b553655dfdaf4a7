package assist

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"switchyard/config"
	"switchyard/providers"
)

// typer replays keystrokes on a text and records each in a history, as
// the server's didChange does.
type typer struct {
	h    *EditHistory
	uri  string
	text string
	path string
}

func (ty *typer) replace(start, end int, s string) {
	before := ty.text
	ty.text = before[:start] + s + before[end:]
	path := ty.path
	if path == "" {
		path = "/w/" + ty.uri
	}
	ty.h.Record(ty.uri, path, before, ty.text, start, end, len(s))
}

// typeAt types s one character at a time at off.
func (ty *typer) typeAt(off int, s string) {
	for i, r := range s {
		ty.replace(off+i, off+i, string(r))
	}
}

// backspace deletes n bytes before off one at a time.
func (ty *typer) backspace(off, n int) {
	for i := 0; i < n; i++ {
		ty.replace(off-i-1, off-i, "")
	}
}

const sampleGo = "package geo\n\nfunc scale(v float64, factor float64) float64 {\n\tif factor == 0 {\n\t\treturn v\n\t}\n\treturn v * factor\n}\n"

func TestHistoryCoalescesKeystrokesInOnePlace(t *testing.T) {
	h := &EditHistory{}
	ty := &typer{h: h, uri: "a.go", text: sampleGo}
	at := strings.Index(sampleGo, "factor float64")
	ty.backspace(at+len("factor"), len("factor"))
	ty.typeAt(at, "k")
	got := h.Recent(10)
	if len(got) != 1 {
		t.Fatalf("%d hunks, want one for the rename: %+v", len(got), got)
	}
	want := Hunk{URI: "a.go", Path: "/w/a.go", Line: 2,
		Old: "func scale(v float64, factor float64) float64 {\n",
		New: "func scale(v float64, k float64) float64 {\n"}
	if g := got[0]; g.URI != want.URI || g.Path != want.Path || g.Line != want.Line || g.Old != want.Old || g.New != want.New {
		t.Errorf("hunk %+v, want %+v", g, want)
	}
}

func TestHistorySeparatesPlacesAndDocuments(t *testing.T) {
	h := &EditHistory{}
	a := &typer{h: h, uri: "a.go", text: sampleGo}
	a.typeAt(strings.Index(a.text, "geo"), "x") // line 0
	a.typeAt(strings.Index(a.text, "return v\n"), "y")
	b := &typer{h: h, uri: "b.go", text: sampleGo}
	b.typeAt(0, "// b\n")
	// Back in a.go, on line 0 again: a new hunk, since b.go came between.
	a.typeAt(0, "z")
	got := h.Recent(10)
	var lines []string
	for _, g := range got {
		lines = append(lines, fmt.Sprintf("%s:%d", g.URI, g.Line))
	}
	if want := "a.go:0 a.go:4 b.go:0 a.go:0"; strings.Join(lines, " ") != want {
		t.Errorf("hunks at %v, want %s", lines, want)
	}
	// The Enter that b.go's typing held became one hunk of two lines.
	if got[2].Old != "package geo\n" || got[2].New != "// b\npackage geo\n" {
		t.Errorf("b.go hunk %q -> %q", got[2].Old, got[2].New)
	}
}

func TestHistoryMergesAdjacentLinesAndDropsUndone(t *testing.T) {
	h := &EditHistory{}
	ty := &typer{h: h, uri: "a.go", text: sampleGo}
	line3 := strings.Index(ty.text, "\tif factor")
	ty.typeAt(line3, "// x\n")
	// The line just above the hunk: adjacent, so the same hunk.
	ty.typeAt(strings.Index(ty.text, "func scale"), "//")
	got := h.Recent(10)
	if len(got) != 1 || got[0].Line != 2 || !strings.HasPrefix(got[0].New, "//func scale") || !strings.HasSuffix(got[0].New, "// x\n\tif factor == 0 {\n") {
		t.Fatalf("hunks %+v, want one hunk from line 2 holding both edits", got)
	}
	// Taking both back leaves nothing.
	ty.backspace(strings.Index(ty.text, "func scale"), 2)
	ty.backspace(strings.Index(ty.text, "\tif factor"), len("// x\n"))
	if got := h.Recent(10); len(got) != 0 {
		t.Errorf("after undoing by hand, hunks %+v, want none", got)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	h := &EditHistory{}
	lines := strings.Repeat("x\n\n", 200)
	ty := &typer{h: h, uri: "a.go", text: lines}
	for i := 0; i < 150; i++ {
		ty.typeAt(i*4, "y") // line 2i, now "yx\n\n" before it: never adjacent
	}
	if got := h.Recent(1000); len(got) != maxHistoryHunks || got[len(got)-1].Line != 298 {
		t.Errorf("%d hunks, last on line %d; want %d, the newest on line 298", len(got), got[len(got)-1].Line, maxHistoryHunks)
	}
	// A huge paste is remembered as a large edit without its text.
	ty.replace(0, 0, strings.Repeat("z", maxHunkBytes+1)+"\n")
	last := h.Recent(1)[0]
	if !last.Large || last.Old != "" || last.New != "" {
		t.Errorf("huge paste kept as %+v", last)
	}
	h.Forget("a.go")
	if got := h.Recent(10); len(got) != 0 {
		t.Errorf("after Forget, %d hunks", len(got))
	}
}

func TestHistoryFullSync(t *testing.T) {
	h := &EditHistory{}
	after := strings.Replace(sampleGo, "return v * factor", "return v * k", 1)
	h.RecordFull("a.go", "", sampleGo, after)
	got := h.Recent(1)
	if len(got) != 1 || got[0].Old != "\treturn v * factor\n" || got[0].New != "\treturn v * k\n" || got[0].Line != 6 {
		t.Errorf("full-sync hunk %+v", got)
	}
}

func TestWindowEditsAreSmallest(t *testing.T) {
	for _, tt := range []struct {
		name, window, rewritten string
		want                    []TextEdit
	}{
		{"rename on two lines", "a(factor)\nb\nc(factor)\n", "a(k)\nb\nc(k)\n",
			[]TextEdit{{Start: 2, End: 8, NewText: "k"}, {Start: 14, End: 20, NewText: "k"}}},
		{"rename on consecutive lines", "a(f)\nc(f)\nb\n", "a(k)\nc(k)\nb\n",
			[]TextEdit{{Start: 2, End: 3, NewText: "k"}, {Start: 7, End: 8, NewText: "k"}}},
		{"insert a line", "a\nc\n", "a\nb\nc\n", []TextEdit{{Start: 2, End: 2, NewText: "b\n"}}},
		{"delete a line", "a\nb\nc\n", "a\nc\n", []TextEdit{{Start: 2, End: 4, NewText: ""}}},
		{"same", "a\n", "a\n", nil},
		// é and è share their first UTF-8 byte: the edit still replaces
		// whole characters.
		{"multi-byte", "café\n", "cafè\n", []TextEdit{{Start: 3, End: 5, NewText: "è"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := windowEdits(tt.window, tt.rewritten)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("edits %+v, want %+v", got, tt.want)
			}
			if applyEdits(tt.window, got) != tt.rewritten {
				t.Errorf("applying %+v gives %q, want %q", got, applyEdits(tt.window, got), tt.rewritten)
			}
		})
	}
}

func TestSuggestionDropRules(t *testing.T) {
	h := &EditHistory{}
	ty := &typer{h: h, uri: "a.go", text: sampleGo}
	at := strings.Index(sampleGo, "factor float64")
	ty.backspace(at+len("factor"), len("factor"))
	ty.typeAt(at, "k")
	hist := h.Recent(10)
	w := cutNextEditWindow(ty.text, at+1, 40, 0)
	last := lastHunkOf(hist, "a.go")

	renamed := strings.ReplaceAll(ty.text, "factor", "k")
	if edits, why := suggestedEdits(w, renamed, last); why != "" || len(edits) != 2 {
		t.Errorf("the matching rename: %d edits, dropped because %q", len(edits), why)
	}
	if _, why := suggestedEdits(w, sampleGo, last); why != "it would undo the user's last edit" {
		t.Errorf("a suggestion that puts factor back: %q, want it dropped as an undo", why)
	}
	// Undoing the rename while renaming elsewhere is still an undo.
	mixed := strings.Replace(sampleGo, "return v * factor", "return v * k", 1)
	if _, why := suggestedEdits(w, mixed, last); why != "it would undo the user's last edit" {
		t.Errorf("an undo mixed with another edit: %q", why)
	}
	if _, why := suggestedEdits(w, "package geo\n\nfunc scale() {}\n", last); why != "it rewrites most of the window" {
		t.Errorf("a rewrite of most of the window: %q", why)
	}
	if _, why := suggestedEdits(w, ty.text, last); why != "the model changed nothing" {
		t.Errorf("no change: %q", why)
	}
	// The last edit of another document cannot be undone here.
	if lastHunkOf(hist, "b.go") != nil {
		t.Error("b.go's last edit is a.go's")
	}
}

func TestNextEditWindowStaysInsideTheDocument(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	text := b.String()
	at := func(line int) int { return strings.Index(text, fmt.Sprintf("line %d\n", line)) }
	for _, tt := range []struct {
		cursor, first, last, ctxFirst int
	}{
		{50, 40, 79, 30}, // a quarter above
		{2, 0, 39, 0},    // near the top: moved down
		{99, 60, 99, 50}, // near the end: moved up
	} {
		w := cutNextEditWindow(text, at(tt.cursor)+2, 40, 10)
		if w.start != at(tt.first) || w.start+len(w.text) != at(tt.last)+len(fmt.Sprintf("line %d\n", tt.last)) || w.ctxStart != at(tt.ctxFirst) {
			t.Errorf("cursor on line %d: window %q", tt.cursor, w.text)
		}
		if w.cursor != at(tt.cursor)+2-w.start {
			t.Errorf("cursor on line %d: cursor %d in the window", tt.cursor, w.cursor)
		}
		if w.before+w.text+w.after != text[w.ctxStart:w.ctxStart+len(w.before)+len(w.text)+len(w.after)] {
			t.Errorf("cursor on line %d: the parts do not join", tt.cursor)
		}
	}
}

func TestNextEditFormatForModel(t *testing.T) {
	for _, tt := range []struct {
		m    config.Model
		want string
	}{
		{config.Model{ID: "zeta"}, "zeta"},
		{config.Model{ID: "hf.co/zed-industries/zeta-GGUF:Q4_K_M"}, "zeta"},
		{config.Model{ID: "nate/instinct"}, "instinct"},
		{config.Model{ID: "sweepai/sweep-next-edit-1.5B"}, "sweep"},
		{config.Model{ID: "gpt-4o"}, "chat"},
		{config.Model{ID: "my-finetune", NextEditFormat: "zeta"}, "zeta"},
		{config.Model{ID: "zeta", NextEditFormat: "chat"}, "chat"},
	} {
		if got := nextEditFormatFor(tt.m).name; got != tt.want {
			t.Errorf("%+v: format %s, want %s", tt.m, got, tt.want)
		}
	}
}

// renameInput is the prompt input after the rename of factor to k.
func renameInput(t *testing.T) (*nextEditInput, string) {
	t.Helper()
	h := &EditHistory{}
	ty := &typer{h: h, uri: "file:///w/geo.go", text: sampleGo, path: "/w/geo.go"}
	at := strings.Index(sampleGo, "factor float64")
	ty.backspace(at+len("factor"), len("factor"))
	ty.typeAt(at, "k")
	req := &NextEditRequest{
		Doc:     Document{URI: ty.uri, Path: "/w/geo.go", LanguageID: "go", Text: ty.text},
		Offset:  at + 1,
		History: h.Recent(10),
		Folders: []string{"/w"},
	}
	cfg := config.Defaults().NextEdit
	cfg.ContextLines = 1
	cfg.WindowLines = 6
	return buildNextEditInput(NextEditSettings{NextEdit: cfg}, req), ty.text
}

func TestNextEditPromptFormats(t *testing.T) {
	in, _ := renameInput(t)
	const diff = "@@ -3,1 +3,1 @@\n-func scale(v float64, factor float64) float64 {\n+func scale(v float64, k float64) float64 {\n"
	// Six lines, one above the cursor's; a line of context either side.
	excerpt := startOfFile + "\npackage geo\n" + regionStart + "\n\nfunc scale(v float64, k" + cursorMark + " float64) float64 {\n\tif factor == 0 {\n\t\treturn v\n\t}\n\treturn v * factor\n" + regionEnd + "\n}\n"
	for _, tt := range []struct {
		f          nextEditFormat
		system     bool
		hasAll     []string
		raw        bool
		stopOnFile bool
	}{
		{formatZeta, false, []string{"### Instruction:\n", "### User Edits:\n\nUser edited \"geo.go\":\n```diff\n" + diff + "```\n", "### User Excerpt:\n\n```geo.go\n", excerpt, "```\n\n### Response:\n"}, true, false},
		{formatInstinct, true, []string{"### Context:\n", "### User Edits:\n\nUser edited file \"geo.go\"\n\n```diff\n" + diff + "```\n", "### User Excerpt:\ngeo.go\n\n", excerpt, "### Response:\n"}, false, false},
		{formatSweep, false, []string{
			fileSep + "geo.go.diff\noriginal:\nfunc scale(v float64, factor float64) float64 {\nupdated:\nfunc scale(v float64, k float64) float64 {\n",
			fileSep + "original/geo.go\npackage geo\n\nfunc scale(v float64, factor float64) float64 {\n",
			fileSep + "current/geo.go\npackage geo\n\nfunc scale(v float64, k float64) float64 {\n",
		}, true, true},
		{formatChat, true, []string{"--- a/geo.go\n+++ b/geo.go\n" + diff, "The file geo.go:\n", excerpt}, false, false},
	} {
		t.Run(tt.f.name, func(t *testing.T) {
			system, prompt := tt.f.render(in)
			if (system != "") != tt.system {
				t.Errorf("system prompt %q", system)
			}
			for _, part := range tt.hasAll {
				if !strings.Contains(prompt, part) {
					t.Errorf("the prompt lacks %q:\n%s", part, prompt)
				}
			}
			if tt.f.raw != tt.raw {
				t.Errorf("raw = %v", tt.f.raw)
			}
			if tt.stopOnFile && !strings.HasSuffix(prompt, fileSep+"updated/geo.go\npackage geo\n") {
				t.Errorf("the sweep prompt must end where the model writes the updated window:\n%s", prompt)
			}
		})
	}
}

func TestNextEditAnswerParsing(t *testing.T) {
	in, _ := renameInput(t)
	w := in.win
	want := strings.ReplaceAll(w.text, "factor", "k")
	body := strings.TrimSuffix(want, "\n")
	for _, tt := range []struct {
		name, answer string
		f            nextEditFormat
		ok           bool
	}{
		{"zeta echoes the excerpt up to the stop", "```geo.go\n\n" + regionStart + "\n" + want, formatZeta, true},
		{"zeta with the end marker", regionStart + "\n" + want + regionEnd + "\n```", formatZeta, true},
		{"zeta without its markers is not zeta", want, formatZeta, false},
		{"instinct: the region alone", want, formatInstinct, true},
		{"chat in a fence after chatter", "Sure! Here it is:\n```go\n" + regionStart + "\n" + want + regionEnd + "\n```\nLet me know.", formatChat, true},
		{"chat fence without markers", "```go\n" + want + "```", formatChat, true},
		{"chat echoes the cursor", regionStart + "\n" + strings.Replace(want, "k float64", "k"+cursorMark+" float64", 1) + regionEnd, formatChat, true},
		{"reasoning first", "<think>rename the uses</think>\n" + regionStart + "\n" + body + "\n" + regionEnd, formatChat, true},
		{"no trailing newline", regionStart + "\n" + body + regionEnd, formatChat, true},
		{"chat echoes context around", w.before + want + w.after, formatChat, true},
		{"sweep", want, formatSweep, true},
		{"empty answer", "", formatChat, false},
		{"garbage markers", regionStart + "\n" + regionStart + "\n", formatChat, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.f.parse(tt.answer, w)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (got %q)", ok, tt.ok, got)
			}
			if ok && got != want {
				t.Errorf("parsed\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// The whole path with a fake router: a raw format goes to a provider's
// text completion, the request is routed as next_edit with the file's
// path, and the answer becomes edits in document offsets.
func TestPredictNextEdit(t *testing.T) {
	_, text := renameInput(t)
	h := &EditHistory{}
	ty := &typer{h: h, uri: "file:///w/geo.go", text: sampleGo, path: "/w/geo.go"}
	at := strings.Index(sampleGo, "factor float64")
	ty.backspace(at+len("factor"), len("factor"))
	ty.typeAt(at, "k")
	want := strings.ReplaceAll(text, "factor", "k")
	p := completerProvider{answering(regionStart + "\n" + want)}
	r := &fakeRouter{targets: []providers.Target{{Name: "zeta", Model: config.Model{ID: "zeta"}, Provider: p}}}
	cfg := config.Defaults().NextEdit
	res, err := PredictNextEdit(context.Background(), r, NextEditSettings{NextEdit: cfg}, NextEditRequest{
		Doc:     Document{URI: ty.uri, Path: "/w/geo.go", Text: ty.text},
		Offset:  at + 1,
		History: h.Recent(10),
	}, nil)
	if err != nil || res == nil {
		t.Fatalf("PredictNextEdit: %v, %v", res, err)
	}
	if got := applyEdits(ty.text, res.Edits); got != want || len(res.Edits) != 2 || res.Model != "zeta" {
		t.Errorf("edits %+v from %s give\n%s", res.Edits, res.Model, got)
	}
	if len(p.prompts) != 1 || !strings.HasPrefix(p.prompts[0].Prompt, "### Instruction:") || p.prompts[0].Stop[0] != regionEnd {
		t.Errorf("zeta was not sent its raw prompt: %+v", p.prompts)
	}
	if n := r.needs[0]; n.Task != config.TaskNextEdit || len(n.Paths) != 1 || n.Paths[0] != "/w/geo.go" {
		t.Errorf("need %+v", n)
	}

	// An answer cut off at max_tokens would delete the rest of the
	// window: nothing is suggested.
	cfg.MaxTokens = 4
	res, err = PredictNextEdit(context.Background(), r, NextEditSettings{NextEdit: cfg}, NextEditRequest{
		Doc: Document{URI: ty.uri, Text: ty.text}, Offset: at + 1, History: h.Recent(10),
	}, nil)
	if err != nil || res != nil {
		t.Errorf("a truncated answer gave %+v, %v; want nothing", res, err)
	}
}

// A window whose last line is blank keeps it: the fidelity benchmark
// found the rewrite losing it, which read as deleting that line.
func TestNextEditAnswerKeepsBlankLastLine(t *testing.T) {
	w := nextEditWindow{text: "a(x)\n\n"}
	for _, f := range []nextEditFormat{formatZeta, formatInstinct, formatSweep, formatChat} {
		answer := "a(y)\n\n"
		if f.name != "sweep" {
			answer = regionStart + "\n" + answer + regionEnd
		}
		got, ok := f.parse(answer, w)
		if !ok || got != "a(y)\n\n" {
			t.Errorf("%s: parsed %q, %v; want %q", f.name, got, ok, "a(y)\n\n")
		}
		if edits := windowEdits(w.text, got); len(edits) != 1 || edits[0] != (TextEdit{Start: 2, End: 3, NewText: "y"}) {
			t.Errorf("%s: edits %+v, want x replaced by y alone", f.name, edits)
		}
	}
}

// Repository context reaches the prompt as completions gather it, and a
// local-only context file stays out of a remote model's prompt.
func TestNextEditPromptCarriesRepositoryContext(t *testing.T) {
	other := "package geo\n\n// Unit is the scale of a measure.\nconst Unit = 1.0\n"
	h := &EditHistory{}
	ty := &typer{h: h, uri: "file:///w/geo.go", text: sampleGo, path: "/w/geo.go"}
	at := strings.Index(sampleGo, "factor float64")
	ty.backspace(at+len("factor"), len("factor"))
	ty.typeAt(at, "k")
	req := &NextEditRequest{
		Doc:     Document{URI: ty.uri, Path: "/w/geo.go", LanguageID: "go", Text: ty.text},
		Offset:  at + 1,
		History: h.Recent(10),
		Others:  []OtherDocument{{Document: Document{URI: "file:///w/unit.go", Path: "/w/unit.go", LanguageID: "go", Text: other}}},
		Folders: []string{"/w"},
	}
	cfg := config.Defaults()
	in := buildNextEditInput(NextEditSettings{NextEdit: cfg.NextEdit, MaxContextTokens: cfg.Completion.MaxContextTokens}, req)
	for _, f := range []nextEditFormat{formatInstinct, formatSweep, formatChat} {
		if _, prompt := f.render(in); !strings.Contains(prompt, "const Unit = 1.0") || !strings.Contains(prompt, "unit.go") {
			t.Errorf("%s: the prompt lacks the other open file:\n%s", f.name, prompt)
		}
	}
	in.others[0].localOnly = true
	in.isLocal = func(t providers.Target) bool { return t.Name == "local" }
	if _, prompt := formatChat.render(in.forTarget(providers.Target{Name: "remote"})); strings.Contains(prompt, "const Unit") {
		t.Errorf("a local-only context file went into a remote model's prompt:\n%s", prompt)
	}
	if _, prompt := formatChat.render(in.forTarget(providers.Target{Name: "local"})); !strings.Contains(prompt, "const Unit") {
		t.Error("a local model lost the local-only context file")
	}
}

// A CRLF file keeps its line endings: the model's "\n" answer changes
// only what it renamed.
func TestNextEditAnswerInCRLFFile(t *testing.T) {
	w := nextEditWindow{text: "a(x)\r\nb(x)\r\n"}
	got, ok := formatChat.parse(regionStart+"\na(x)\nb(y)\n"+regionEnd, w)
	if !ok || got != "a(x)\r\nb(y)\r\n" {
		t.Fatalf("parsed %q, %v", got, ok)
	}
	if edits := windowEdits(w.text, got); len(edits) != 1 || edits[0] != (TextEdit{Start: 8, End: 9, NewText: "y"}) {
		t.Errorf("edits %+v, want x replaced by y on the second line alone", edits)
	}
}

// A hunk holds copies of the lines it changed, not slices of the
// document: a slice would keep each whole version of the text alive for
// as long as the history holds the hunk.
func TestHistoryHoldsNoDocument(t *testing.T) {
	inside := func(s, doc string) bool {
		if s == "" || doc == "" {
			return false
		}
		p, d := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(doc)))
		return p >= d && p < d+uintptr(len(doc))
	}
	h := &EditHistory{}
	ty := &typer{h: h, uri: "a.go", text: sampleGo}
	var versions []string
	at := strings.Index(sampleGo, "factor float64")
	for i, r := range "new" {
		versions = append(versions, ty.text)
		ty.replace(at+i, at+i, string(r))
	}
	versions = append(versions, ty.text)
	ty.replace(len(ty.text)-1, len(ty.text), "") // a second place
	versions = append(versions, ty.text)
	for _, hk := range h.Recent(10) {
		for _, v := range versions {
			if inside(hk.Old, v) || inside(hk.New, v) {
				t.Fatalf("hunk %+v shares memory with a version of the document", hk)
			}
		}
	}
}
