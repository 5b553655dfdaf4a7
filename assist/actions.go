package assist

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/catalog"
)

// Context sizes for one-range actions: enough of the file around the
// selection for the model to see the types and names it uses.
const (
	wholeFileBytes  = 48 << 10 // a smaller file is sent whole
	contextLines    = 60       // else this many lines either side
	relatedLines    = 30       // lines either side of a related place
	defaultMaxOut   = 8192     // answer tokens when the model's limit is unknown
	progressEvery   = 250 * time.Millisecond
	titleMessageLen = 60
)

func (a *Actions) list(req ListRequest) []Offer {
	st := a.state.Load()
	text := req.Doc.Text
	start, end := clampRange(text, req.Start, req.End)
	var out []Offer
	add := func(o Offer) {
		if wantsKind(o.Kind, req.Only) {
			out = append(out, o)
		}
	}
	dir, hasDirective := findDirective(text, start)
	selected := strings.TrimSpace(text[start:end]) != ""

	if n := len(req.Diagnostics); n > 0 {
		o := Offer{ID: ActionFix, Title: "Fix with AI", Kind: KindQuickFix, Preferred: true}
		if n == 1 {
			o.Title += ": " + shorten(req.Diagnostics[0].Message, titleMessageLen)
		} else {
			o.Title += fmt.Sprintf(" (%d problems)", n)
		}
		for i := range req.Diagnostics {
			o.Diagnostics = append(o.Diagnostics, i)
		}
		add(o)
	}
	add(Offer{ID: ActionExplain, Title: "Explain with AI", Kind: KindRefactor, Shows: true, Diagnostics: indexes(len(req.Diagnostics))})
	add(Offer{ID: ActionDocument, Title: "Document with AI", Kind: KindRefactorRewrite})
	if req.Doc.Path != "" {
		add(Offer{ID: ActionTests, Title: "Write tests with AI", Kind: KindRefactor})
	}
	if selected || hasDirective {
		o := Offer{ID: ActionRewrite, Title: "Rewrite with AI…", Kind: KindRefactorRewrite, NeedsInstruction: true}
		if hasDirective {
			o.Instruction = dir.instruction
			o.Title = "Rewrite with AI: " + shorten(dir.instruction, titleMessageLen)
		}
		add(o)
	}
	if req.Doc.Path != "" {
		o := Offer{ID: ActionRefactor, Title: "Refactor across files with AI…", Kind: KindRefactor, NeedsInstruction: true}
		if hasDirective {
			o.Instruction = dir.instruction
			o.Title = "Refactor across files with AI: " + shorten(dir.instruction, titleMessageLen)
		}
		add(o)
	}
	for _, ua := range st.cfg.Actions {
		o := Offer{ID: UserActionPrefix + ua.Name, Title: ua.Title, Kind: KindRefactorRewrite, Shows: ua.Output == config.OutputDocument}
		if o.Title == "" {
			o.Title = ua.Name
		}
		if strings.Contains(ua.Prompt, "{instruction}") {
			o.NeedsInstruction = true
			if hasDirective {
				o.Instruction = dir.instruction
			}
		}
		if strings.Contains(ua.Prompt, "{diagnostics}") {
			o.Diagnostics = indexes(len(req.Diagnostics))
		}
		add(o)
	}
	return append(out, a.imageOffers(req)...)
}

// wantsKind is LSP's context.only: empty admits every kind, and a kind
// admits its sub-kinds ("refactor" admits "refactor.rewrite").
func wantsKind(kind string, only []string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if kind == o || strings.HasPrefix(kind, o+".") {
			return true
		}
	}
	return false
}

func indexes(n int) []int {
	if n == 0 {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// clampRange keeps a range inside text and on character boundaries, so a
// position converted wrongly cannot panic a slice.
func clampRange(text string, start, end int) (int, int) {
	start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
	if start > end {
		start, end = end, start
	}
	for start > 0 && start < len(text) && !isRuneStart(text[start]) {
		start--
	}
	for end < len(text) && end > 0 && !isRuneStart(text[end]) {
		end++
	}
	return start, end
}

// job is one running action: the request, its view of the workspace and
// the settings it started with.
type job struct {
	a          *Actions
	st         *actionState
	req        ActionRequest
	w          *files
	start, end int
	dir        directive
	hasDir     bool
	title      string
	task       string // the route the answer comes from, for the local-only rules
}

func (a *Actions) run(ctx context.Context, req ActionRequest) (*Result, error) {
	if req.Action == ActionImplementImage || req.Action == ActionDescribeImage {
		return a.runImageAction(ctx, req)
	}
	st := a.state.Load()
	j := &job{a: a, st: st, req: req, w: newFiles(req), task: config.TaskCoding}
	if req.Action == ActionRefactor {
		j.task = config.TaskRefactor
	}
	j.start, j.end = clampRange(req.Doc.Text, req.Start, req.End)
	j.dir, j.hasDir = findDirective(req.Doc.Text, j.start)
	// The request's document is the snapshot the action works on, even
	// where Open holds another version of it.
	if p := req.Doc.Path; p != "" {
		j.w.open[filepath.Clean(p)] = req.Doc
	}
	switch {
	case req.Action == ActionFix:
		return j.fix(ctx)
	case req.Action == ActionExplain:
		return j.explain(ctx)
	case req.Action == ActionDocument:
		return j.document(ctx)
	case req.Action == ActionTests:
		return j.tests(ctx)
	case req.Action == ActionRewrite:
		return j.rewrite(ctx)
	case req.Action == ActionRefactor:
		return j.refactor(ctx)
	case strings.HasPrefix(req.Action, UserActionPrefix):
		name := strings.TrimPrefix(req.Action, UserActionPrefix)
		for _, ua := range st.cfg.Actions {
			if ua.Name == name {
				return j.user(ctx, ua)
			}
		}
		return nil, fmt.Errorf("no action %q in [[actions]]: the configuration changed; pick the action again from the list", name)
	}
	return nil, fmt.Errorf("unknown code action %q: pick one from the code-action list", req.Action)
}

func (j *job) progress(msg string, pct int) {
	if j.req.Progress != nil {
		j.req.Progress(Progress{Message: msg, Percent: pct})
	}
}

// instruction is the request's, else the directive comment's.
func (j *job) instruction() (string, bool) {
	if s := strings.TrimSpace(j.req.Instruction); s != "" {
		return s, false
	}
	if j.hasDir {
		return j.dir.instruction, true
	}
	return "", false
}

func (j *job) needInstruction(what string) error {
	return fmt.Errorf("%s needs an instruction: write a comment such as \"// %s make this iterative\" on the line above the selection, or run it from the Switchyard editor plugin, which asks for one", what, DirectivePrefix)
}

// shown is the current document's path as prompts show it.
func (j *job) shown() string {
	if j.req.Doc.Path == "" {
		return "untitled"
	}
	return j.w.show(filepath.Clean(j.req.Doc.Path))
}

func (j *job) language() string {
	if j.req.Doc.LanguageID != "" {
		return j.req.Doc.LanguageID
	}
	return languageOfExt(filepath.Ext(j.req.Doc.Path))
}

// docPaths are the content sources of a prompt about the current file.
func (j *job) docPaths() []string {
	if j.req.Doc.Path == "" {
		return nil
	}
	return []string{filepath.Clean(j.req.Doc.Path)}
}

// recordDoc marks the current document as read.
func (j *job) recordDoc() {
	d := j.req.Doc
	if d.Path != "" {
		j.w.record(filepath.Clean(d.Path), Snapshot{URI: d.URI, Path: filepath.Clean(d.Path), Version: d.Version, Open: true})
	}
}

// writeContext quotes the current file: whole when small, else the part
// around the selection with its line numbers said.
func (j *job) writeContext(b *strings.Builder) {
	text := j.req.Doc.Text
	if len(text) <= wholeFileBytes {
		writeFile(b, j.shown(), j.language(), text)
		return
	}
	part, first := excerpt(text, j.start, j.end, contextLines)
	fmt.Fprintf(b, "(An excerpt of %s from line %d; SEARCH text must come from it.)\n", j.shown(), first)
	writeFile(b, j.shown(), j.language(), part)
}

func (j *job) writeSelection(b *strings.Builder) {
	text := j.req.Doc.Text
	if j.start == j.end {
		fmt.Fprintf(b, "The cursor is on line %d of %s.\n\n", lineOf(text, j.start)+1, j.shown())
		return
	}
	sel := text[j.start:j.end]
	f := fence(sel)
	fmt.Fprintf(b, "The selection, lines %d to %d of %s:\n%s%s\n%s", lineOf(text, j.start)+1, lineOf(text, max(j.start, j.end-1))+1, j.shown(), f, j.language(), sel)
	if !strings.HasSuffix(sel, "\n") {
		b.WriteByte('\n')
	}
	b.WriteString(f + "\n\n")
}

// fix: Fix with AI. The model sees the diagnostics, the code around them
// and the places in other files they point at, and may edit those files.
func (j *job) fix(ctx context.Context) (*Result, error) {
	if len(j.req.Diagnostics) == 0 {
		return nil, errors.New("fix with AI needs the problems to fix: run it on a line with a diagnostic")
	}
	j.title = "Fix with AI"
	j.recordDoc()
	var b strings.Builder
	b.WriteString("Fix these problems reported by the editor:\n")
	b.WriteString(formatDiagnostics(j.req.Doc.Text, j.req.Diagnostics))
	b.WriteString("\n")
	j.writeContext(&b)
	paths := j.writeDefinitions(&b, j.docPaths())
	j.writeSelection(&b)
	allowed := map[string]bool{}
	for _, p := range j.docPaths() {
		allowed[p] = true
	}
	for _, d := range j.req.Diagnostics {
		for _, r := range d.Related {
			if r.Path == "" {
				continue
			}
			p, err := j.w.resolve(r.Path)
			if err != nil || allowed[p] || j.localOnly(p) {
				continue // outside the workspace, or not to be sent
			}
			text, _, err := j.w.read(p)
			if err != nil {
				continue
			}
			allowed[p] = true
			paths = append(paths, p)
			lines := splitLines(text)
			at := 0
			if r.Line < len(lines) {
				at = lines[r.Line].start
			}
			part := text
			if len(text) > wholeFileBytes {
				var first int
				part, first = excerpt(text, at, at, relatedLines)
				fmt.Fprintf(&b, "(An excerpt of %s from line %d, where a diagnostic points.)\n", j.w.show(p), first)
			}
			writeFile(&b, j.w.show(p), languageOfExt(filepath.Ext(p)), part)
		}
	}
	b.WriteString("Fix the cause, not the symptom, changing as little as possible.\n\n")
	b.WriteString(editFormat)
	answer, t, err := j.ask(ctx, config.TaskCoding, b.String(), paths)
	if err != nil {
		return nil, err
	}
	edit, err := j.toEdit(answer, t, func(p string) string {
		if !allowed[p] {
			return "Fix with AI may change only the file with the problem and the files its diagnostics point at"
		}
		return ""
	}, false)
	if err != nil {
		return nil, err
	}
	edit.Annotation = Annotation{Label: "Fix with AI", Description: fmt.Sprintf("%s (%s)", shorten(j.req.Diagnostics[0].Message, 120), t.Name), NeedsConfirmation: len(edit.Changes) > 1}
	return j.result(t, edit, nil), nil
}

// explain: the answer is Markdown, written to a file and shown with
// window/showDocument, which VS Code, Neovim and Helix all open.
func (j *job) explain(ctx context.Context) (*Result, error) {
	j.title = "Explain with AI"
	j.recordDoc()
	var b strings.Builder
	j.writeContext(&b)
	paths := j.writeDefinitions(&b, j.docPaths())
	j.writeSelection(&b)
	if len(j.req.Diagnostics) > 0 {
		b.WriteString("The editor reports these problems here:\n")
		b.WriteString(formatDiagnostics(j.req.Doc.Text, j.req.Diagnostics))
		b.WriteString("\n")
	}
	if ins, _ := j.instruction(); ins != "" {
		fmt.Fprintf(&b, "The user asks: %s\n\n", ins)
	}
	b.WriteString("Explain what the selected code does and why, for a developer reading it for the first time: its purpose, how it works, anything surprising or risky. ")
	b.WriteString("If there are problems listed, explain their cause and how to fix them. Answer in Markdown, concisely.")
	answer, t, err := j.ask(ctx, config.TaskCoding, b.String(), paths)
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("Explanation of %s, lines %d–%d", j.shown(), lineOf(j.req.Doc.Text, j.start)+1, lineOf(j.req.Doc.Text, max(j.start, j.end-1))+1)
	show, err := j.a.writeShow(title, strings.TrimSpace(answer), t, "explain")
	if err != nil {
		return nil, err
	}
	return j.result(t, nil, show), nil
}

// document: a doc comment in the language's convention, as blocks on the
// current file only.
func (j *job) document(ctx context.Context) (*Result, error) {
	j.title = "Document with AI"
	j.recordDoc()
	var b strings.Builder
	j.writeContext(&b)
	j.writeSelection(&b)
	fmt.Fprintf(&b, "Write the documentation for the selected code (or the declaration at the cursor) as %s. ", docConvention(j.language()))
	b.WriteString("Say what it does, its parameters, results and errors where the convention has a place for them, and anything a caller must know. Change nothing but comments or docstrings.\n\n")
	b.WriteString(editFormat)
	answer, t, err := j.ask(ctx, config.TaskCoding, b.String(), j.docPaths())
	if err != nil {
		return nil, err
	}
	cur := filepath.Clean(j.req.Doc.Path)
	edit, err := j.toEdit(answer, t, func(p string) string {
		if p != cur {
			return "Document with AI may change only " + j.shown()
		}
		return ""
	}, false)
	if err != nil {
		return nil, err
	}
	edit.Annotation = Annotation{Label: "Document with AI", Description: t.Name}
	return j.result(t, edit, nil), nil
}

// tests: write tests into the language's conventional test file, created
// when missing.
func (j *job) tests(ctx context.Context) (*Result, error) {
	j.title = "Write tests with AI"
	if j.req.Doc.Path == "" {
		return nil, errors.New("write tests with AI needs a file on disk: save the document first")
	}
	j.recordDoc()
	cur := filepath.Clean(j.req.Doc.Path)
	testPath, inline := testFileFor(cur, j.language(), j.w.exists)
	if _, err := j.w.resolve(testPath); err != nil {
		return nil, fmt.Errorf("the test file %s cannot be written: %v", testPath, err)
	}
	var b strings.Builder
	j.writeContext(&b)
	j.writeSelection(&b)
	paths := j.docPaths()
	shownTest := j.w.show(testPath)
	switch {
	case inline:
		fmt.Fprintf(&b, "Write unit tests for the selected code (or the declaration at the cursor) in the language's convention: a test module at the end of %s.\n", shownTest)
	default:
		existing, _, err := j.w.read(testPath)
		switch {
		case err == nil:
			writeFile(&b, shownTest, j.language(), existing)
			fmt.Fprintf(&b, "Add unit tests for the selected code (or the declaration at the cursor) to the existing test file %s, in its style. Do not repeat tests it has.\n", shownTest)
			paths = append(paths, testPath)
		case errors.Is(err, errNotExist):
			fmt.Fprintf(&b, "Write unit tests for the selected code (or the declaration at the cursor) in a new test file %s, using the language's standard test framework unless the code shows another. Write the whole file in one block with an empty SEARCH part.\n", shownTest)
		default:
			return nil, fmt.Errorf("reading the test file %s: %w", shownTest, err)
		}
	}
	b.WriteString("Cover the normal cases, the edges and the errors; each test checks what a caller would notice.\n\n")
	b.WriteString(editFormat)
	answer, t, err := j.ask(ctx, config.TaskCoding, b.String(), paths)
	if err != nil {
		return nil, err
	}
	edit, err := j.toEdit(answer, t, func(p string) string {
		if p != testPath {
			return "Write tests with AI may write only the test file " + shownTest
		}
		return ""
	}, false)
	if err != nil {
		return nil, err
	}
	edit.Annotation = Annotation{Label: "Write tests with AI", Description: shownTest + " (" + t.Name + ")"}
	return j.result(t, edit, nil), nil
}

// target is the range a rewrite or a user action replaces: the
// selection, or with none, the lines under a directive comment up to the
// next blank line (a plain client can put the comment above a function
// without selecting it).
func (j *job) target() (int, int) {
	text := j.req.Doc.Text
	if j.start != j.end || !j.hasDir {
		return j.start, j.end
	}
	start := j.dir.end
	end := start
	for _, l := range splitLines(text[start:]) {
		if strings.TrimSpace(text[start+l.start:start+l.end]) == "" {
			break
		}
		end = start + l.end
	}
	return start, end
}

// rewrite: replace the selection following an instruction; a directive
// comment that gave the instruction is removed by the same edit.
func (j *job) rewrite(ctx context.Context) (*Result, error) {
	j.title = "Rewrite with AI"
	ins, fromDirective := j.instruction()
	if ins == "" {
		return nil, j.needInstruction("Rewrite with AI")
	}
	j.recordDoc()
	start, end := j.target()
	j.start, j.end = start, end
	var b strings.Builder
	j.writeContext(&b)
	j.writeSelection(&b)
	fmt.Fprintf(&b, "Rewrite the selection as follows: %s\n\nAnswer with the code that replaces the selection, and nothing else. %s", ins, codeFormat)
	answer, t, err := j.ask(ctx, config.TaskCoding, b.String(), j.docPaths())
	if err != nil {
		return nil, err
	}
	code := fitSelection(codeFromAnswer(answer), j.req.Doc.Text[start:end])
	edits := []TextEdit{{Start: start, End: end, NewText: code}}
	if fromDirective {
		edits = append([]TextEdit{{Start: j.dir.start, End: j.dir.end}}, edits...)
	}
	edit := &Edit{
		Changes:    []FileChange{j.changeOfDoc(edits)},
		Annotation: Annotation{Label: "Rewrite with AI", Description: shorten(ins, 120) + " (" + t.Name + ")"},
	}
	return j.result(t, edit, nil), nil
}

// fitSelection gives code the selection's ending: a selection of whole
// lines is replaced by whole lines, a part of a line by a part.
func fitSelection(code, sel string) string {
	switch {
	case strings.HasSuffix(sel, "\n") && !strings.HasSuffix(code, "\n"):
		return code + "\n"
	case !strings.HasSuffix(sel, "\n") && strings.HasSuffix(code, "\n"):
		return strings.TrimSuffix(code, "\n")
	}
	return code
}

// changeOfDoc is an edit of the current document.
func (j *job) changeOfDoc(edits []TextEdit) FileChange {
	d := j.req.Doc
	return FileChange{Op: OpEdit, Path: filepath.Clean(d.Path), URI: d.URI, Version: versionPtr(d.Version), Base: d.Text, Edits: edits}
}

// refactor: gather the files that matter, send them to a frontier model,
// and turn its blocks into one workspace edit for the user to confirm.
func (j *job) refactor(ctx context.Context) (*Result, error) {
	j.title = "Refactor across files with AI"
	ins, fromDirective := j.instruction()
	if ins == "" {
		return nil, j.needInstruction("Refactor across files")
	}
	if j.req.Doc.Path == "" {
		return nil, errors.New("refactor across files needs a file on disk: save the document first")
	}
	j.progress("Gathering the files that matter", 5)
	list, skipped, err := j.gather(ctx, ins)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Refactor this project as follows: %s\n\n", ins)
	if sym := symbolAt(j.req.Doc.Text, j.start, j.end); sym != "" {
		fmt.Fprintf(&b, "The refactor is about %s, selected in %s.\n", sym, j.shown())
	}
	if fromDirective {
		fmt.Fprintf(&b, "The comment \"%s\" on line %d of %s gave this instruction; it will be removed, so leave that line alone.\n", strings.TrimSpace(j.req.Doc.Text[j.dir.start:j.dir.end]), lineOf(j.req.Doc.Text, j.dir.start)+1, j.shown())
	}
	b.WriteString("These are the files that matter")
	if skipped > 0 {
		fmt.Fprintf(&b, " (%d more were left out for size)", skipped)
	}
	b.WriteString(":\n\n")
	var paths []string
	for _, g := range list {
		writeFile(&b, j.w.show(g.path), languageOfExt(filepath.Ext(g.path)), g.text)
		paths = append(paths, g.path)
	}
	j.writeSelection(&b)
	b.WriteString("Change every place the refactor needs, so the project still builds; change nothing else.\n\n")
	b.WriteString(refactorFormat)
	j.progress(fmt.Sprintf("Asking a model about %d files", len(list)), 15)
	answer, t, err := j.ask(ctx, config.TaskRefactor, b.String(), paths)
	if err != nil {
		return nil, err
	}
	edit, err := j.toEdit(answer, t, nil, true)
	if err != nil {
		return nil, err
	}
	if fromDirective {
		j.removeDirective(edit)
	}
	n := 0
	for _, c := range edit.Changes {
		if c.Op != OpCreate {
			n++
		}
	}
	edit.Annotation = Annotation{
		Label:             "Refactor with AI",
		Description:       fmt.Sprintf("%s (%d files, %s)", shorten(ins, 120), n, t.Name),
		NeedsConfirmation: true,
	}
	return j.result(t, edit, nil), nil
}

// removeDirective adds the removal of the directive line to the current
// document's change, unless a block already changed that line.
func (j *job) removeDirective(edit *Edit) {
	cur := filepath.Clean(j.req.Doc.Path)
	for _, c := range edit.Changes {
		if c.Op == OpDelete && c.Path == cur {
			return // the directive goes with its file
		}
	}
	del := TextEdit{Start: j.dir.start, End: j.dir.end}
	for i, c := range edit.Changes {
		if c.Op != OpEdit || c.Path != cur {
			continue
		}
		for _, e := range c.Edits {
			if e.Start < del.End && del.Start < e.End {
				return
			}
		}
		edits := append([]TextEdit{del}, c.Edits...)
		blocks := make([]int, len(edits))
		if _, _, ok := sortEdits(edits, blocks); !ok {
			return
		}
		edit.Changes[i].Edits = edits
		return
	}
	edit.Changes = append([]FileChange{j.changeOfDoc([]TextEdit{del})}, edit.Changes...)
}

// gather picks the refactor's files in its scope: the current file, and
// those that name the selected symbol or the instruction's code names,
// most relevant first, within the budget. Ignored (.gitignore) and
// local-only files are left out, unless the current file is local-only
// itself, in which case only a local model will see any of it.
func (j *job) gather(ctx context.Context, instruction string) ([]gathered, int, error) {
	cur := filepath.Clean(j.req.Doc.Path)
	names := instructionNames(instruction)
	if sym := symbolAt(j.req.Doc.Text, j.start, j.end); sym != "" && !slices.Contains(names, sym) {
		names = append([]string{sym}, names...)
	}
	var re *regexp.Regexp
	if len(names) > 0 {
		q := make([]string, len(names))
		for i, n := range names {
			q[i] = regexp.QuoteMeta(n)
		}
		re = regexp.MustCompile(`\b(?:` + strings.Join(q, "|") + `)\b`)
	}
	var cands []string
	keepAll := false // every candidate is wanted, names or not
	scope := j.req.Scope
	if scope == "" {
		scope = ScopePackage
	}
	ig := &ignorer{}
	switch scope {
	case ScopeFile:
	case ScopeFiles:
		keepAll = true
		for _, f := range j.req.Files {
			p, err := j.w.resolve(f)
			if err != nil {
				return nil, 0, fmt.Errorf("refactor scope: %s: %v", f, err)
			}
			cands = append(cands, p)
		}
	case ScopePackage:
		// A folder is a package in Go and close to one elsewhere; with
		// no names to look for, its files are the context.
		keepAll = re == nil
		for _, f := range j.w.folders {
			if within(cur, f) {
				loadIgnores(ig, f, filepath.Dir(cur))
				break
			}
		}
		list, err := walk(ctx, filepath.Dir(cur), false, ig)
		if err != nil {
			return nil, 0, fmt.Errorf("listing %s: %w", filepath.Dir(cur), err)
		}
		cands = list
	case ScopeWorkspace:
		if re == nil {
			return nil, 0, errors.New("a workspace-wide refactor needs a symbol or a name to look for: select the symbol, or write names in the instruction as `Name`")
		}
		if list, ok := j.referencing(names); ok {
			cands = list
			break
		}
		for _, f := range j.w.folders {
			list, err := walk(ctx, f, true, &ignorer{})
			if err != nil {
				return nil, 0, fmt.Errorf("listing %s: %w", f, err)
			}
			cands = append(cands, list...)
		}
	default:
		return nil, 0, fmt.Errorf("unknown refactor scope %q: use file, package, files or workspace", scope)
	}
	out := []gathered{{path: cur, text: j.req.Doc.Text, hits: 1 << 30}}
	j.recordDoc()
	curLocal := j.localOnly(cur)
	seen := map[string]bool{cur: true}
	for _, p := range cands {
		if seen[p] {
			continue
		}
		seen[p] = true
		if !curLocal && j.localOnly(p) {
			continue
		}
		text, err := j.peek(p)
		if err != nil {
			if scope == ScopeFiles {
				return nil, 0, fmt.Errorf("refactor scope: %s: %v", j.w.show(p), err)
			}
			continue
		}
		hits := 0
		if re != nil {
			hits = len(re.FindAllStringIndex(text, 100))
		}
		if hits == 0 && !keepAll {
			continue
		}
		out = append(out, gathered{path: p, text: text, hits: hits})
	}
	rank(out, cur)
	kept, size, skipped := out[:0], 0, 0
	for i, g := range out {
		if i > 0 && size+len(g.text) > gatherBudget {
			skipped++
			continue
		}
		size += len(g.text)
		kept = append(kept, g)
		if i > 0 {
			j.w.read(g.path) // record the snapshot the prompt holds
		}
	}
	return kept, skipped, nil
}

// peek reads a candidate without recording it: most candidates are not
// sent.
func (j *job) peek(p string) (string, error) {
	if d, ok := j.w.open[p]; ok {
		return d.Text, nil
	}
	info, err := os.Stat(p)
	if err != nil {
		return "", err
	}
	if info.Size() > maxFileBytes {
		return "", fmt.Errorf("larger than %d MiB", maxFileBytes>>20)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	if isBinary(b) {
		return "", errors.New("a binary file")
	}
	return string(b), nil
}

// loadIgnores reads the .gitignore files from root down to dir, so a
// walk that starts in dir applies the rules of the folders above it.
func loadIgnores(ig *ignorer, root, dir string) {
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return
	}
	ig.load(root)
	if rel == "." {
		return
	}
	p := root
	for _, seg := range strings.Split(rel, string(filepath.Separator)) {
		p = filepath.Join(p, seg)
		if p != dir {
			ig.load(p)
		}
	}
}

// user runs a user-defined action: its template filled in, routed to its
// task, the answer placed as its output says.
func (j *job) user(ctx context.Context, ua config.Action) (*Result, error) {
	j.title = ua.Title
	if j.title == "" {
		j.title = ua.Name
	}
	ins, fromDirective := j.instruction()
	if strings.Contains(ua.Prompt, "{instruction}") && ins == "" {
		return nil, j.needInstruction(j.title)
	}
	j.recordDoc()
	start, end := j.start, j.end
	if fromDirective {
		start, end = j.target()
		j.start, j.end = start, end
	}
	text := j.req.Doc.Text
	sel := text[start:end]
	if sel == "" {
		sel = text
	}
	prompt := expandTemplate(ua.Prompt, map[string]string{
		"selection":   sel,
		"file":        j.shown(),
		"language":    j.language(),
		"diagnostics": formatDiagnostics(text, j.req.Diagnostics),
		"instruction": ins,
	})
	output := ua.Output
	if output == "" {
		output = config.OutputReplace
	}
	if output == config.OutputDocument {
		prompt += "\n\nAnswer in Markdown."
	} else {
		prompt += "\n\n" + codeFormat
	}
	task := ua.Task
	if task == "" {
		task = config.TaskCoding
	}
	j.task = task
	answer, t, err := j.ask(ctx, task, prompt, j.docPaths())
	if err != nil {
		return nil, err
	}
	ann := Annotation{Label: j.title, Description: t.Name}
	var edits []TextEdit
	if fromDirective {
		edits = append(edits, TextEdit{Start: j.dir.start, End: j.dir.end})
	}
	switch output {
	case config.OutputDocument:
		show, err := j.a.writeShow(j.title+": "+j.shown(), strings.TrimSpace(answer), t, "action")
		if err != nil {
			return nil, err
		}
		return j.result(t, nil, show), nil
	case config.OutputReplace:
		code := codeFromAnswer(answer)
		if start != end {
			code = fitSelection(code, text[start:end])
		}
		edits = append(edits, TextEdit{Start: start, End: end, NewText: code})
	case config.OutputInsertBelow:
		at := len(text)
		if i := strings.IndexByte(text[max(start, end-1):], '\n'); i >= 0 {
			at = max(start, end-1) + i + 1
		}
		if end > start && text[end-1] == '\n' {
			at = end
		}
		code := codeFromAnswer(answer)
		if at == len(text) && !strings.HasSuffix(text, "\n") && text != "" {
			code = "\n" + code
		}
		edits = append(edits, TextEdit{Start: at, End: at, NewText: code})
	case config.OutputNewFile:
		return j.userNewFile(ua, codeFromAnswer(answer), t, ann)
	default:
		return nil, fmt.Errorf("action %q: output %q is not known: use replace, insert_below, new_file or document", ua.Name, output)
	}
	edit := &Edit{Changes: []FileChange{j.changeOfDoc(edits)}, Annotation: ann}
	return j.result(t, edit, nil), nil
}

// userNewFile writes a user action's answer to the file its template
// names; an existing file is replaced whole, and the user confirms.
func (j *job) userNewFile(ua config.Action, content string, t providers.Target, ann Annotation) (*Result, error) {
	cur := filepath.Clean(j.req.Doc.Path)
	if j.req.Doc.Path == "" {
		return nil, fmt.Errorf("action %q writes a file beside the document: save the document first", ua.Name)
	}
	ext := filepath.Ext(cur)
	name := expandTemplate(ua.File, map[string]string{
		"dir":  filepath.Dir(cur),
		"stem": strings.TrimSuffix(filepath.Base(cur), ext),
		"ext":  ext,
		"name": ua.Name,
	})
	if !filepath.IsAbs(filepath.FromSlash(name)) {
		name = filepath.Join(filepath.Dir(cur), filepath.FromSlash(name))
	}
	p, err := j.w.resolve(name)
	if err != nil {
		return nil, fmt.Errorf("action %q: file %s (from file = %q in [[actions]]): %v", ua.Name, name, ua.File, err)
	}
	if reason := j.remoteMayNotWrite(p, t); reason != "" {
		return nil, &EditError{Problems: []Problem{{Path: j.w.show(p), Reason: reason}}}
	}
	var changes []FileChange
	base, doc, err := j.w.read(p)
	switch {
	case errors.Is(err, errNotExist):
		changes = []FileChange{
			{Op: OpCreate, Path: p},
			{Op: OpEdit, Path: p, Edits: []TextEdit{{Start: 0, End: 0, NewText: content}}},
		}
	case err != nil:
		return nil, fmt.Errorf("action %q: %s: %v", ua.Name, j.w.show(p), err)
	default:
		c := FileChange{Op: OpEdit, Path: p, Base: base, Edits: []TextEdit{{Start: 0, End: len(base), NewText: content}}}
		if doc != nil {
			c.URI, c.Version = doc.URI, versionPtr(doc.Version)
		}
		changes = []FileChange{c}
		ann.NeedsConfirmation = true
		ann.Description = "replaces " + j.w.show(p) + " (" + t.Name + ")"
	}
	return j.result(t, &Edit{Changes: changes, Annotation: ann}, nil), nil
}

func (j *job) result(t providers.Target, edit *Edit, show *Show) *Result {
	r := &Result{Edit: edit, Show: show, Read: j.w.snapshots(), Model: t.Name}
	if t.Provider != nil {
		r.Provider = t.Provider.Name()
	}
	j.progress("Done", 100)
	return r
}

// ask sends one prompt through the router and reads the whole answer.
// Cancelling ctx closes the stream at once.
func (j *job) ask(ctx context.Context, task, prompt string, paths []string) (string, providers.Target, error) {
	if j.st.router == nil {
		return "", providers.Target{}, fmt.Errorf("%s: no model route: add a model to [routes] %s", j.title, task)
	}
	msgs := []providers.Message{
		{Role: providers.RoleSystem, Content: systemPrompt},
		{Role: providers.RoleUser, Content: prompt},
	}
	need := providers.Need{Task: task, PromptTokens: estimateTokens(len(systemPrompt)+len(prompt)) + 16, Paths: paths}
	call := func(ctx context.Context, t providers.Target) (providers.Stream, error) {
		maxTokens := t.Model.MaxOutput
		if maxTokens <= 0 {
			maxTokens = defaultMaxOut
		}
		return t.Provider.Chat(ctx, &providers.ChatRequest{Model: t.Model.ID, Messages: msgs, MaxTokens: maxTokens})
	}
	j.progress("Waiting for a model", 20)
	began := time.Now()
	s, t, err := j.st.router.Stream(ctx, need, call)
	if err != nil {
		if ctx.Err() != nil {
			return "", t, ctx.Err()
		}
		return "", t, fmt.Errorf("%s: %w", j.title, err)
	}
	j.progress(t.Name+" is answering", 30)
	answer, err := j.read(ctx, s)
	if err != nil {
		if ctx.Err() != nil {
			return "", t, ctx.Err()
		}
		return "", t, fmt.Errorf("%s: %s stopped answering: %w", j.title, t.Name, err)
	}
	j.a.log.Debug("code action",
		zap.String("action", j.req.Action),
		zap.String("model", t.Name),
		zap.Int("prompt_bytes", len(prompt)),
		zap.Int("answer_bytes", len(answer)),
		zap.Duration("took", time.Since(began)))
	j.progress("Computing the edit", 95)
	return answer, t, nil
}

// errTooLong stops an answer past Options.MaxAnswerBytes.
type errTooLong int

func (e errTooLong) Error() string {
	return fmt.Sprintf("the answer passed %d MiB and was stopped, so nothing was applied: narrow the selection or the refactor's scope", int(e)>>20)
}

// read takes the whole answer, reporting its growth.
func (j *job) read(ctx context.Context, s providers.Stream) (string, error) {
	return readAll(ctx, s, j.a.opts.MaxAnswerBytes, func(lines int) {
		j.progress(fmt.Sprintf("%d lines received", lines), min(90, 30+lines/5))
	})
}

// writeShow writes an answer to show as a Markdown file under
// Options.AnswerDir, where window/showDocument can open it.
func (a *Actions) writeShow(title, markdown string, t providers.Target, prefix string) (*Show, error) {
	dir := a.opts.AnswerDir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("no folder for the answer: set XDG_CACHE_HOME or HOME (%w)", err)
		}
		dir = filepath.Join(cache, "switchyard", "answers")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("answer folder %s: %w", dir, err)
	}
	pruneAnswers(dir, time.Now().Add(-answerKeep))
	body := "# " + title + "\n\n" + markdown + "\n"
	if t.Name != "" {
		body += "\n---\n_Answered by " + t.Name + "._\n"
	}
	f, err := os.CreateTemp(dir, prefix+"-*.md")
	if err != nil {
		return nil, fmt.Errorf("answer folder %s: %w", dir, err)
	}
	defer f.Close()
	if _, err := f.WriteString(body); err != nil {
		return nil, fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	return &Show{Title: title, Markdown: body, Path: f.Name()}, nil
}

// answerKeep is how long a shown answer stays in the answer folder: long
// enough to reopen it from the editor's recent files, not for ever.
const answerKeep = 7 * 24 * time.Hour

// pruneAnswers removes answers written before cutoff. Only the Markdown
// files this package writes are touched; a failure leaves them in place,
// since an old answer on disk harms nothing.
func pruneAnswers(dir string, cutoff time.Time) {
	old, _ := filepath.Glob(filepath.Join(dir, "*-*.md"))
	for _, p := range old {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(cutoff) {
			_ = os.Remove(p)
		}
	}
}

// localRuler is what the providers/router Router offers beyond Stream:
// whether [policy] local_only, a .switchyardignore line or a per-task or
// per-path override keeps a path's content on local models.
type localRuler interface {
	LocalOnlyRule(task, path string) string
}

// localOnly reports whether p's content must stay on local models. The
// router's own rules decide when the router can say; otherwise the
// [policy] local_only globs are matched here.
func (j *job) localOnly(p string) bool {
	if lr, ok := j.st.router.(localRuler); ok {
		return lr.LocalOnlyRule(j.task, p) != ""
	}
	segs := strings.Split(strings.TrimPrefix(filepath.ToSlash(p), "/"), "/")
	if rel, err := filepath.Rel(j.w.root, p); err == nil && j.w.root != "" && !strings.HasPrefix(rel, "..") {
		segs = strings.Split(filepath.ToSlash(rel), "/")
	}
	for _, g := range j.st.cfg.Policy.LocalOnly {
		pat := strings.Split(strings.Trim(filepath.ToSlash(g), "/"), "/")
		for i := range segs {
			for k := i + 1; k <= len(segs); k++ {
				if globSegs(pat, segs[i:k]) {
					return true
				}
			}
		}
	}
	return false
}

// isLocal reports whether a target keeps everything on this machine.
func (j *job) isLocal(t providers.Target) bool {
	if slices.Contains(t.Model.Classes, config.ClassLocal) {
		return true
	}
	p, ok := j.st.cfg.Providers[t.Model.Provider]
	return ok && catalog.IsLocal(p)
}

// remoteMayNotWrite says why the model t may not write p: content from a
// remote model may not land in a local-only file, since the model would
// then have decided what that file holds without the policy's consent,
// and its blocks quote the file's text back.
func (j *job) remoteMayNotWrite(p string, t providers.Target) string {
	if j.isLocal(t) || !j.localOnly(p) {
		return ""
	}
	return fmt.Sprintf("it is local-only under [policy] local_only, and %s is a remote model", t.Name)
}
