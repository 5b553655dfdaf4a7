package assist

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/catalog"
)

// Engine serves inline completions. It is safe for concurrent use.
type Engine struct {
	settings atomic.Pointer[settings]
	cache    *suggestionCache
	log      *zap.Logger
	// refused holds "model/shape" pairs whose refusal has been logged at
	// info level: once says why, every keystroke would bury the log.
	refused sync.Map
}

// settings are swapped whole by Update, so a request in flight keeps the
// router and limits it started with.
type settings struct {
	router providers.Router
	cfg    config.Completion
}

// NewEngine builds an engine that reaches models through r.
func NewEngine(r providers.Router, cfg config.Completion, log *zap.Logger) *Engine {
	if log == nil {
		log = zap.NewNop()
	}
	cfg = withDefaults(cfg)
	e := &Engine{cache: newSuggestionCache(cfg.CacheSize), log: log}
	e.settings.Store(&settings{router: r, cfg: cfg})
	return e
}

// Update switches the router and settings used by the next request.
// Requests in flight finish with the ones they started with. The cache is
// emptied: its suggestions came from models the new settings may no
// longer route to.
func (e *Engine) Update(r providers.Router, cfg config.Completion) {
	cfg = withDefaults(cfg)
	e.settings.Store(&settings{router: r, cfg: cfg})
	e.cache.reset(cfg.CacheSize)
}

// withDefaults fills the settings a zero configuration leaves out with
// the documented defaults. A zero Debounce or Timeout means none.
func withDefaults(c config.Completion) config.Completion {
	if c.MaxPrefixTokens <= 0 {
		c.MaxPrefixTokens = config.DefaultMaxPrefixTokens
	}
	if c.MaxSuffixTokens <= 0 {
		c.MaxSuffixTokens = config.DefaultMaxSuffixTokens
	}
	if c.MaxTokens <= 0 {
		c.MaxTokens = config.DefaultMaxTokens
	}
	// cache_size = 0 turns the cache off, as documented: the server's
	// merged configuration always carries the default of 256 otherwise.
	if c.CacheSize < 0 {
		c.CacheSize = 0
	}
	if c.MultiLine == "" {
		c.MultiLine = config.DefaultMultiLine
	}
	return c
}

// Complete returns suggestions for req, or an error of a providers.Kind
// the editor may report. It honours ctx: cancelling it closes the
// provider stream at once.
func (e *Engine) Complete(ctx context.Context, req CompletionRequest) ([]Suggestion, error) {
	st := e.settings.Load()
	cfg := st.cfg
	text, off := req.Doc.Text, req.Offset
	if off < 0 || off > len(text) || (off < len(text) && !utf8.RuneStart(text[off])) {
		return nil, fmt.Errorf("completion at byte %d of %s: not a character boundary of its %d bytes; the position was converted wrongly", off, req.Doc.URI, len(text))
	}
	w := cutWindow(text, off, cfg.MaxPrefixTokens, cfg.MaxSuffixTokens)
	// ed is where the suggestion goes and the text it starts with; for a
	// plain request that is the cursor and nothing.
	ed := edit{start: off, end: off}
	cacheURI := req.Doc.URI
	if req.Selected != "" {
		sel, err := selectionOf(req)
		if err != nil {
			return nil, err
		}
		if sel.start > off {
			// No suggestion can start at the item's range and still
			// contain the cursor.
			return nil, nil
		}
		ed, w = sel.edit(text, off), sel.window(text, off, cfg)
		// The window already holds the selected text as if typed; the
		// key keeps these apart from requests where it really was typed,
		// whose suggestions go at the cursor alone.
		cacheURI += "\x00selected"
	}

	if ent, rest, ok := e.cache.get(cacheURI, w.prefix, w.suffix); ok && ed.fits(rest) {
		return []Suggestion{{Text: ed.lead + rest, Start: ed.start, End: ed.end, Model: ent.model, Provider: ent.provider, Cached: true}}, nil
	}

	if d := cfg.Debounce.D(); d > 0 && !req.Invoked {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	if st.router == nil {
		return nil, errors.New("no completion route: add a model to [routes] completion")
	}

	cur := newCursor(w, cfg.MultiLine)
	in := &promptInput{
		cur:         cur,
		path:        relPath(req.Doc.Path, req.Folders),
		language:    req.Doc.LanguageID,
		maxTokens:   cfg.MaxTokens,
		temperature: cfg.Temperature,
	}
	need := providers.Need{
		Task:         config.TaskCompletion,
		PromptTokens: estimateTokens(len(w.prefix)+len(w.suffix)) + 64,
	}
	if req.Doc.Path != "" {
		need.Paths = []string{req.Doc.Path}
	}
	if others := gatherContext(&req, w, cfg.MaxContextTokens, cfg.Context); len(others) > 0 {
		in.others, in.repo = others, repoName(req.Doc.Path, req.Folders)
		need.Paths, in.isLocal = applyPolicy(st.router, config.TaskCompletion, others, need.Paths)
		for _, o := range others {
			need.PromptTokens += estimateTokens(len(o.name) + len(o.text) + headerBytes)
		}
	}

	callCtx, cancel := withTimeout(ctx, cfg.Timeout.D())
	defer cancel()

	call := func(ctx context.Context, t providers.Target) (providers.Stream, shape, error) {
		return in.call(ctx, t, func(sh shape, err error) {
			level := zap.DebugLevel
			if _, seen := e.refused.LoadOrStore(t.Name+"/"+sh.String(), true); !seen {
				level = zap.InfoLevel
			}
			e.log.Log(level, "the model refused a prompt shape; trying the next",
				zap.String("model", t.Name), zap.Stringer("prompt", sh), zap.Error(err))
		})
	}
	began := time.Now()
	stream, target, sh, err := streamShaped(callCtx, st.router, need, call)
	if err != nil {
		return nil, callError(ctx, callCtx, config.TaskCompletion, "completion", cfg.Timeout.D(), err)
	}

	a := &answer{cur: cur, chat: sh == shapeChat, indent: detectIndent(w)}
	got, err := read(callCtx, stream, a, cfg.MaxTokens)
	if err != nil {
		return nil, callError(ctx, callCtx, config.TaskCompletion, "completion", cfg.Timeout.D(), err)
	}
	provider := ""
	if target.Provider != nil {
		provider = target.Provider.Name()
	}
	e.log.Debug("completion",
		zap.String("model", target.Name),
		zap.String("provider", provider),
		zap.Stringer("prompt", sh),
		zap.Duration("took", time.Since(began)),
		zap.Int("bytes", len(got)),
		zap.Int("other_files", len(in.others)),
		zap.Bool("multi_line", cur.multi))
	if got == "" {
		return nil, nil
	}
	if !ed.fits(got) {
		e.log.Debug("dropping a completion that does not extend the selected item")
		return nil, nil
	}
	e.cache.put(cacheURI, w.prefix, w.suffix, got, target.Name, provider)
	return []Suggestion{{Text: ed.lead + got, Start: ed.start, End: ed.end, Model: target.Name, Provider: provider}}, nil
}

// contextRuler is the router's answer to whether the policy keeps a path's
// content on local models, and configured gives the configuration it
// routes by; providers/router.Router has both.
type (
	contextRuler interface {
		LocalOnlyRule(task, path string) string
	}
	configured interface {
		Config() *config.Config
	}
)

// applyPolicy marks the context files the policy keeps on local models
// and returns the paths the router must route by: those of the other
// files, which reach every target. A local-only file is left out of them
// so it does not pull the whole request onto a local model; isLocal then
// tells which targets may see it, and is nil when none is local-only. A
// router that cannot say gets every path, and decides for all of them.
func applyPolicy(r providers.Router, task string, others []contextFile, paths []string) (_ []string, isLocal func(providers.Target) bool) {
	lr, ok := r.(contextRuler)
	if !ok {
		for _, o := range others {
			paths = append(paths, o.path)
		}
		return paths, nil
	}
	kept := 0
	for i := range others {
		if lr.LocalOnlyRule(task, others[i].path) != "" {
			others[i].localOnly = true
			continue
		}
		paths = append(paths, others[i].path)
		kept++
	}
	if kept == len(others) {
		return paths, nil
	}
	return paths, func(t providers.Target) bool { return targetIsLocal(r, t) }
}

// targetIsLocal reports whether t keeps content on this machine, by the
// same rule the router keeps local-only requests by: its provider's data
// policy. A target whose provider cannot be looked up counts as remote.
func targetIsLocal(r providers.Router, t providers.Target) bool {
	c, ok := r.(configured)
	if !ok {
		return false
	}
	cfg := c.Config()
	if cfg == nil {
		return false
	}
	p, ok := cfg.Providers[t.Model.Provider]
	return ok && catalog.IsLocal(p)
}

// edit is where a suggestion goes: the model's answer is appended to lead
// and the result replaces Doc.Text[start:end].
type edit struct {
	start, end int
	lead       string
}

// fits reports whether the model's answer can follow lead. An answer that
// runs on into the word lead ends with would turn the selected item into
// another identifier ("log" into "logger"), so it no longer extends the
// item the user picked in the widget.
func (ed edit) fits(answer string) bool {
	if ed.lead == "" || answer == "" {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(ed.lead)
	first, _ := utf8.DecodeRuneInString(answer)
	return !(isWordRune(last) && isWordRune(first))
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// selection is the completion widget's selected item in byte offsets.
type selection struct {
	start, end int
	text       string
}

// selectionOf checks the selected range the way Complete checks the
// cursor: offsets off a character boundary mean a conversion bug.
func selectionOf(req CompletionRequest) (selection, error) {
	text := req.Doc.Text
	s := selection{start: req.SelectedStart, end: req.SelectedEnd, text: req.Selected}
	for _, o := range []int{s.start, s.end} {
		if o < 0 || o > len(text) || (o < len(text) && !utf8.RuneStart(text[o])) {
			return selection{}, fmt.Errorf("selected completion item at bytes %d..%d of %s: not a character boundary of its %d bytes; the range was converted wrongly",
				s.start, s.end, req.Doc.URI, len(text))
		}
	}
	if s.start > s.end {
		s.start, s.end = s.end, s.start
	}
	return s, nil
}

// edit is the replacement that accepting the item and then the suggestion
// makes: from the item's start to the later of its end and the cursor,
// starting with the item's text and anything typed after its range.
func (s selection) edit(text string, off int) edit {
	ed := edit{start: s.start, end: max(s.end, off), lead: s.text}
	if off > s.end {
		ed.lead += text[s.end:off]
	}
	return ed
}

// window is the prompt window of the text as it would read with the item
// accepted, so the model continues after the item. It is cut from the
// document around the range rather than from a spliced copy, so a
// keystroke in a large file copies only the window.
func (s selection) window(text string, off int, cfg config.Completion) window {
	end := max(s.end, off)
	before := cutWindow(text, s.start, cfg.MaxPrefixTokens, 0).prefix
	after := cutWindow(text, end, 0, cfg.MaxSuffixTokens).suffix
	return window{prefix: before + s.edit(text, off).lead, suffix: after}
}

func targetKey(t providers.Target) string {
	if t.Provider == nil {
		return t.Name
	}
	return t.Name + "\x00" + t.Provider.Name()
}

// callError maps a failed call for task to what the editor gets: the
// caller's own cancellation as ctx.Err(), the deadline of callCtx as a
// timeout that names its setting ([task] timeout), anything else as the
// provider said it.
func callError(ctx, callCtx context.Context, task, what string, timeout time.Duration, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no %s within %s: raise timeout in [%s] or route %s to a faster model: %w",
			what, timeout, task, task, context.DeadlineExceeded)
	}
	return err
}

// read pulls the answer piece by piece and stops as soon as it is
// complete, so no tokens are paid for that would be thrown away.
// Cancelling ctx closes the stream, which unblocks a Next in progress.
func read(ctx context.Context, s providers.Stream, a *answer, maxTokens int) (string, error) {
	defer s.Close()
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	var buf strings.Builder
	for {
		piece, err := s.Next()
		buf.WriteString(piece)
		if ctx.Err() != nil {
			// A stream closed by cancellation may end as if complete.
			return "", ctx.Err()
		}
		if err == io.EOF {
			a.final = true
			text, _ := clean(buf.String(), a)
			return text, nil
		}
		if err != nil {
			return "", err
		}
		if text, done := clean(buf.String(), a); done {
			return text, nil
		}
		if estimateTokens(buf.Len()) >= maxTokens {
			a.final, a.truncated = true, true
			text, _ := clean(buf.String(), a)
			return text, nil
		}
	}
}
