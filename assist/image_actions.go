package assist

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"switchyard/assist/images"
	"switchyard/config"
	"switchyard/providers"
)

// Image action ids (Offer.ID, ActionRequest.Action).
const (
	ActionImplementImage = "image.implement" // Implement from <file>
	ActionDescribeImage  = "image.describe"  // Describe <file>
)

// ImageRequest is switchyard.implementFromImage: implement the screen in
// an image, which the editor names by a workspace path (a file picker)
// or passes as a data: URI (the clipboard). The selection is where the
// code goes: inserted at the range when the document is a component of
// the framework, else a new component file beside it.
type ImageRequest struct {
	ActionRequest
	// Image is a path (absolute, or relative to the document's folder or
	// a workspace folder) inside a workspace folder, or a data: URI.
	Image string
	// Framework is one of FrameworkNames; "" infers it from the document
	// and the workspace's manifests.
	Framework string
	// NewFile puts the code in a new component file beside the document
	// even when the document is a component (the editor gave no range).
	NewFile bool
}

// imageOffers lists the image actions at a selection: both when it is on
// a reference to an image file in the workspace. It stats one file and
// makes no model call.
func (a *Actions) imageOffers(req ListRequest) []Offer {
	if !wantsKind(KindRefactor, req.Only) {
		return nil
	}
	ref, ok := findImageRef(req.Doc.Text, req.Start, req.End)
	if !ok {
		return nil
	}
	// The list request names no workspace folders: a root-relative web
	// path ("/img/mock.png") is looked for under the document's folder
	// and those above it. Run checks the real folders.
	path := resolveImage(ref.target, req.Doc.Path, ancestors(req.Doc.Path, 8))
	if path == "" {
		return nil
	}
	name := filepath.Base(path)
	return []Offer{
		{ID: ActionImplementImage, Title: "Implement from " + name, Kind: KindRefactor},
		{ID: ActionDescribeImage, Title: "Describe " + name, Kind: KindRefactor, Shows: true},
	}
}

// runImageAction runs Implement from or Describe for the image
// reference at the selection.
func (a *Actions) runImageAction(ctx context.Context, req ActionRequest) (*Result, error) {
	ref, ok := findImageRef(req.Doc.Text, req.Start, req.End)
	if !ok {
		return nil, errors.New("no image reference at the cursor: put it on ![](mock.png), <img src>, url(...), an image import or an image path, or run switchyard.implementFromImage")
	}
	folders := workspaceOf(req)
	path := resolveImage(ref.target, req.Doc.Path, folders)
	if path == "" {
		return nil, fmt.Errorf("%s: no such file next to %s or in the workspace", ref.target, displayPath(req.Doc.Path))
	}
	src, err := loadImage(path, folders, imageLimits(a.state.Load().cfg), req.Progress)
	if err != nil {
		return nil, err
	}
	if req.Action == ActionDescribeImage {
		return a.describeImage(ctx, req, src)
	}
	f, err := chooseFramework("", req.Doc, folders)
	if err != nil {
		return nil, err
	}
	// A path in a comment of a component means "build it here"; any
	// other reference (Markdown, HTML, CSS, an import) gets a component
	// file of its own beside it.
	insert := -1
	if ref.kind == refPath && frameworkOfDocument(req.Doc) == f.ID {
		insert = lineEnd(req.Doc.Text, ref.end)
	}
	return a.implementImage(ctx, req, src, f, insert, insert)
}

// ImplementFromImage is switchyard.implementFromImage.
func (a *Actions) ImplementFromImage(ctx context.Context, req ImageRequest) (*Result, error) {
	folders := workspaceOf(req.ActionRequest)
	lim := imageLimits(a.state.Load().cfg)
	var src imageSource
	var err error
	if strings.HasPrefix(req.Image, "data:") {
		src, err = pastedImage(req.Image, lim, req.Progress)
	} else if req.Image == "" {
		return nil, errors.New("switchyard.implementFromImage: no image: pass a workspace path or a data: URI as \"image\"")
	} else {
		path := resolveImage(cleanTarget(req.Image), req.Doc.Path, folders)
		if path == "" {
			return nil, fmt.Errorf("%s: no such file in the workspace: pass a path relative to the document or a workspace folder", req.Image)
		}
		src, err = loadImage(path, folders, lim, req.Progress)
	}
	if err != nil {
		return nil, err
	}
	f, err := chooseFramework(req.Framework, req.Doc, folders)
	if err != nil {
		return nil, err
	}
	start, end := -1, -1
	if !req.NewFile && req.Doc.Path != "" && (frameworkOfDocument(req.Doc) == f.ID || f.ID == "html" && isHTML(req.Doc)) {
		start, end = req.Start, req.End
	}
	req.ActionRequest.Folders = folders
	return a.implementImage(ctx, req.ActionRequest, src, f, start, end)
}

// ancestors lists the folder of path and up to n-1 folders above it.
func ancestors(path string, n int) []string {
	if path == "" {
		return nil
	}
	var out []string
	for dir := filepath.Dir(path); len(out) < n; dir = filepath.Dir(dir) {
		out = append(out, dir)
		if filepath.Dir(dir) == dir {
			break
		}
	}
	return out
}

func isHTML(doc Document) bool {
	return doc.LanguageID == "html" || strings.EqualFold(filepath.Ext(doc.Path), ".html")
}

// workspaceOf returns the request's workspace folders, or the document's
// own folder when the editor opened a single file.
func workspaceOf(req ActionRequest) []string {
	if len(req.Folders) > 0 {
		return req.Folders
	}
	if req.Doc.Path != "" {
		return []string{filepath.Dir(req.Doc.Path)}
	}
	return nil
}

// imageSource is a decoded, validated image and where it came from.
type imageSource struct {
	name string // file name, or "pasted image"
	path string // "" for a pasted image
	img  *images.Decoded
}

// imageLimits turns the configuration's [images] table into the limits
// the images package checks. It is read from the configuration each
// request starts with, so a change applies to the next one; a zero field
// (a Config built in code) keeps that package's default.
func imageLimits(cfg *config.Config) images.Limits {
	if cfg == nil {
		return images.Limits{}
	}
	return images.Limits{
		MaxFileBytes: int64(cfg.Images.MaxFileMB) << 20,
		MaxPixels:    int64(cfg.Images.MaxPixels) * 1_000_000,
		MaxImages:    cfg.Images.MaxImages,
	}
}

func loadImage(path string, folders []string, lim images.Limits, progress func(Progress)) (imageSource, error) {
	if !insideFolders(path, folders) {
		return imageSource{}, fmt.Errorf("%s is outside the workspace folders: only images inside the workspace are sent", path)
	}
	report(progress, "Reading "+filepath.Base(path), 5)
	data, err := images.ReadFile(path, lim)
	if err != nil {
		return imageSource{}, err
	}
	img, err := images.Decode(data, lim)
	if err != nil {
		return imageSource{}, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return imageSource{name: filepath.Base(path), path: path, img: img}, nil
}

func pastedImage(uri string, lim images.Limits, progress func(Progress)) (imageSource, error) {
	report(progress, "Reading the pasted image", 5)
	data, err := images.ParseDataURI(uri, lim)
	if err != nil {
		return imageSource{}, fmt.Errorf("pasted image: %w", err)
	}
	img, err := images.Decode(data, lim)
	if err != nil {
		return imageSource{}, fmt.Errorf("pasted image: %w", err)
	}
	return imageSource{name: "pasted image", img: img}, nil
}

func report(progress func(Progress), msg string, pct int) {
	if progress != nil {
		progress(Progress{Message: msg, Percent: pct})
	}
}

// implementImage asks a vision model for code and places it: replacing
// [start, end) of the document, or, when start < 0, as a new component
// file beside the document.
func (a *Actions) implementImage(ctx context.Context, req ActionRequest, src imageSource, f framework, start, end int) (*Result, error) {
	st := a.state.Load()
	folders := workspaceOf(req)
	name := componentName(src.name)
	if src.path == "" {
		name = "PastedScreen"
	}
	var newPath string
	if start < 0 {
		dir := filepath.Dir(req.Doc.Path)
		if req.Doc.Path == "" {
			if len(folders) == 0 {
				return nil, errors.New("no document and no workspace folder to put the new component in: open a file of the project first")
			}
			dir = folders[0]
		}
		newPath = freePath(filepath.Join(dir, componentFile(name, f)), req.Open)
		if !insideFolders(newPath, folders) {
			return nil, fmt.Errorf("%s would be outside the workspace folders: open the project's folder as a workspace", newPath)
		}
	} else if !insideFolders(req.Doc.Path, folders) {
		return nil, fmt.Errorf("%s is outside the workspace folders: edits stay inside the workspace", req.Doc.Path)
	}

	msgs := implementPrompt(req, src, f, name, newPath, start, end)
	answer, target, err := a.askVision(ctx, st, req, src, msgs)
	if err != nil {
		return nil, err
	}
	code := extractCode(answer)
	if strings.TrimSpace(code) == "" {
		return nil, fmt.Errorf("%s returned no code for %s: run the action again, or add an instruction", target.Name, src.name)
	}
	res := &Result{Model: target.Name, Provider: target.Model.Provider}
	label := "Implement from " + src.name
	if newPath != "" {
		report(req.Progress, "Writing "+filepath.Base(newPath), 95)
		if !strings.HasSuffix(code, "\n") {
			code += "\n"
		}
		res.Edit = &Edit{
			Changes: []FileChange{
				{Op: OpCreate, Path: newPath},
				{Op: OpEdit, Path: newPath, Base: "", Edits: []TextEdit{{Start: 0, End: 0, NewText: code}}},
			},
			Annotation: Annotation{Label: label, Description: fmt.Sprintf("New %s component %s, written by %s", f.Name, filepath.Base(newPath), target.Name)},
		}
		return res, nil
	}
	report(req.Progress, "Inserting into "+filepath.Base(req.Doc.Path), 95)
	if start == end && start > 0 && req.Doc.Text[start-1] == '\n' && !strings.HasSuffix(code, "\n") {
		code += "\n" // inserted as whole lines before the next line
	}
	v := req.Doc.Version
	res.Edit = &Edit{
		Changes: []FileChange{{
			Op: OpEdit, Path: req.Doc.Path, URI: req.Doc.URI, Version: &v, Base: req.Doc.Text,
			Edits: []TextEdit{{Start: start, End: end, NewText: code}},
		}},
		Annotation: Annotation{Label: label, Description: fmt.Sprintf("%s code written by %s", f.Name, target.Name)},
	}
	res.Read = []Snapshot{{URI: req.Doc.URI, Path: req.Doc.Path, Version: req.Doc.Version, Open: true}}
	return res, nil
}

// describeImage asks a vision model to describe the screen for a
// developer and shows the answer as a Markdown document.
func (a *Actions) describeImage(ctx context.Context, req ActionRequest, src imageSource) (*Result, error) {
	st := a.state.Load()
	msgs := []providers.Message{
		{Role: providers.RoleSystem, Content: describeSystem},
		{Role: providers.RoleUser, Content: "Describe the screen in this image (" + src.name + ")." + instructionLine(req.Instruction)},
	}
	answer, target, err := a.askVision(ctx, st, req, src, msgs)
	if err != nil {
		return nil, err
	}
	answer = strings.TrimSpace(answer)
	if answer == "" {
		return nil, fmt.Errorf("%s returned no description of %s: run the action again", target.Name, src.name)
	}
	show, err := a.writeShow("Description of "+src.name, answer, target, "describe")
	if err != nil {
		return nil, err
	}
	return &Result{Show: show, Model: target.Name, Provider: target.Model.Provider}, nil
}

const implementSystem = `You turn screenshots and design mockups into production code.
Reproduce what the image shows: layout, alignment, spacing, colours (as hex values), typography, icons as close as the platform allows, and every visible text exactly.
Write idiomatic, accessible code for the framework you are given, using only what that framework provides.
Reply with one fenced code block holding the code and nothing else: no explanation before or after it.`

const describeSystem = `You describe screenshots and design mockups for the developer who will build them.
Give, in Markdown: the overall layout (regions, grid, alignment); each component top to bottom with its exact visible text; colours as hex values; typography (sizes, weights); spacing; and states or interactions the image implies.
Be precise and brief; do not write code.`

func instructionLine(instr string) string {
	if s := strings.TrimSpace(instr); s != "" {
		return "\nInstruction from the user: " + s
	}
	return ""
}

// implementPrompt builds the conversation for one implementation.
func implementPrompt(req ActionRequest, src imageSource, f framework, name, newPath string, start, end int) []providers.Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Implement the screen in the attached image (%s, %dx%d) with %s.\n", src.name, src.img.Width, src.img.Height, f.Name)
	if newPath != "" {
		fmt.Fprintf(&b, "Write the complete file %s; the component is named %s.\n", filepath.Base(newPath), name)
	} else {
		fmt.Fprintf(&b, "The code is inserted into %s at the place marked <CURSOR>; write only the code that goes there, fitting the code around it.\n", displayPath(req.Doc.Path))
		before, after := cursorWindow(req.Doc.Text, start, end, 6000, 2000)
		fmt.Fprintf(&b, "\n```%s\n%s<CURSOR>%s\n```\n", fenceOf(req.Doc, f), before, after)
	}
	fmt.Fprintf(&b, "Conventions: %s\n", f.Hints)
	fmt.Fprintf(&b, "Reply with one ```%s code block.", f.Fence)
	b.WriteString(instructionLine(req.Instruction))
	return []providers.Message{
		{Role: providers.RoleSystem, Content: implementSystem},
		{Role: providers.RoleUser, Content: b.String()},
	}
}

func fenceOf(doc Document, f framework) string {
	if doc.LanguageID != "" {
		return doc.LanguageID
	}
	return f.Fence
}

// cursorWindow returns up to maxBefore bytes before start and maxAfter
// after end, cut at line boundaries.
func cursorWindow(text string, start, end, maxBefore, maxAfter int) (string, string) {
	lo := max(0, start-maxBefore)
	if lo > 0 {
		if i := strings.IndexByte(text[lo:start], '\n'); i >= 0 {
			lo += i + 1
		}
	}
	hi := min(len(text), end+maxAfter)
	if hi < len(text) {
		if i := strings.LastIndexByte(text[end:hi], '\n'); i >= 0 {
			hi = end + i
		}
	}
	return text[lo:start], text[end:hi]
}

// lineEnd returns the offset just after the line that holds off: the
// start of the next line, or the end of the text.
func lineEnd(text string, off int) int {
	if i := strings.IndexByte(text[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(text)
}

func displayPath(p string) string {
	if p == "" {
		return "the document"
	}
	return filepath.Base(p)
}

// freePath returns path, or path with -2, -3... before its extension when
// a file of that name exists on disk or is open, so a new component never
// overwrites one.
func freePath(path string, open []Document) string {
	taken := func(p string) bool {
		if _, err := os.Lstat(p); err == nil {
			return true
		}
		for _, d := range open {
			if d.Path == p {
				return true
			}
		}
		return false
	}
	if !taken(path) {
		return path
	}
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	for i := 2; ; i++ {
		p := fmt.Sprintf("%s%d%s", stem, i, ext)
		if !taken(p) {
			return p
		}
	}
}

// askVision sends the conversation with the image to the first allowed
// vision model, encoding the image for each candidate's provider (the
// limits differ) once per limit, and reads the whole answer.
func (a *Actions) askVision(ctx context.Context, st *actionState, req ActionRequest, src imageSource, msgs []providers.Message) (string, providers.Target, error) {
	if st.router == nil {
		return "", providers.Target{}, fmt.Errorf("no model route: add a vision-capable model (vision = true) to [models] and list it in [routes] %s", config.TaskImage)
	}
	need := providers.Need{Task: config.TaskImage, Vision: true, PromptTokens: estimatePromptTokens(msgs) + imageTokens(src.img)}
	// The data policy applies to the image as to code: a local_only glob
	// matching the image keeps it on local models.
	for _, p := range []string{req.Doc.Path, src.path} {
		if p != "" {
			need.Paths = append(need.Paths, p)
		}
	}
	enc := &encodings{img: src.img, done: map[images.Target]encoded{}}
	call := func(ctx context.Context, t providers.Target) (providers.Stream, error) {
		typ := st.cfg.Providers[t.Model.Provider].Type
		img, err := enc.get(images.TargetFor(typ))
		if err != nil {
			// Another provider's limits may fit: skip this one.
			return nil, &providers.Error{Provider: t.Model.Provider, Kind: providers.KindUnsupported, Message: err.Error(), Err: err}
		}
		out := make([]providers.Message, len(msgs))
		copy(out, msgs)
		last := &out[len(out)-1]
		last.Images = []providers.Image{img}
		maxTokens := t.Model.MaxOutput
		if maxTokens <= 0 {
			maxTokens = 8192
		}
		return t.Provider.Chat(ctx, &providers.ChatRequest{Model: t.Model.ID, Messages: out, MaxTokens: maxTokens})
	}
	report(req.Progress, "Asking a vision model about "+src.name, 20)
	s, target, err := st.router.Stream(ctx, need, call)
	if err != nil {
		if ctx.Err() != nil {
			return "", target, ctx.Err()
		}
		return "", target, fmt.Errorf("%s: %w", src.name, err)
	}
	report(req.Progress, target.Name+" is answering", 40)
	var grown func(lines int)
	if req.Progress != nil {
		// The bar creeps towards 90% as lines arrive; the real length
		// is not known.
		grown = func(lines int) {
			req.Progress(Progress{Message: fmt.Sprintf("%d lines written", lines), Percent: min(90, 40+lines/4)})
		}
	}
	answer, err := readAll(ctx, s, a.opts.MaxAnswerBytes, grown)
	if err != nil {
		return "", target, err
	}
	return answer, target, nil
}

type encoded struct {
	img providers.Image
	err error
}

// encodings caches the image per provider limit for one request:
// falling back from Anthropic to Bedrock must not scale it twice.
type encodings struct {
	img  *images.Decoded
	mu   sync.Mutex
	done map[images.Target]encoded
}

func (e *encodings) get(t images.Target) (providers.Image, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.done[t]; ok {
		return r.img, r.err
	}
	img, err := e.img.Encode(t)
	e.done[t] = encoded{img, err}
	return img, err
}

// imageTokens estimates what an image costs in the prompt (Anthropic's
// rule, width*height/750, capped at their ~1600 for a full-size image),
// so the router can keep small-window models out.
func imageTokens(d *images.Decoded) int {
	return min(d.Width*d.Height/750, 1600)
}

func estimatePromptTokens(msgs []providers.Message) int {
	n := 0
	for _, m := range msgs {
		n += len(m.Content)/4 + 4
	}
	return n
}

// readAll reads a whole answer, up to max bytes, calling grown (when not
// nil) with the number of lines so far at most every progressEvery.
// Cancelling ctx closes the stream at once. An answer cut off by an error
// is an error: half an answer is never turned into edits or files. Code
// actions and image actions both read through it and differ only in what
// they report as the answer grows.
func readAll(ctx context.Context, s providers.Stream, max int, grown func(lines int)) (string, error) {
	defer s.Close()
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	var b strings.Builder
	last := time.Now()
	for {
		piece, err := s.Next()
		b.WriteString(piece)
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		if b.Len() > max {
			return "", errTooLong(max)
		}
		if grown != nil && time.Since(last) > progressEvery {
			last = time.Now()
			grown(strings.Count(b.String(), "\n"))
		}
	}
}

// extractCode returns the content of the answer's first fenced code
// block, or the whole answer when it has none (a model that obeyed "no
// prose" too well).
func extractCode(answer string) string {
	lines := strings.SplitAfter(answer, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "```") && !strings.HasPrefix(t, "~~~") {
			continue
		}
		fence := t[:3]
		n := len(t) - len(strings.TrimLeft(t, fence[:1]))
		var b strings.Builder
		for _, body := range lines[i+1:] {
			bt := strings.TrimSpace(body)
			if strings.HasPrefix(bt, strings.Repeat(fence[:1], n)) && strings.Trim(bt, fence[:1]) == "" {
				return b.String()
			}
			b.WriteString(body)
		}
		return b.String() // an unclosed block: the answer was cut
	}
	return strings.TrimSpace(answer) + "\n"
}
