package assist

// This file is the contract between the code-action feature (this
// package) and its LSP handlers (lsp/code_action.go, execute_command.go,
// workspace_edit.go). It speaks in byte offsets, file paths and document
// versions, never in LSP positions or JSON-RPC. Add to it; never rename.

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"go.uber.org/zap"

	"switchyard/assist/repoindex"
	"switchyard/config"
	"switchyard/providers"
)

// Built-in action ids (Offer.ID, ActionRequest.Action). A user-defined
// action's id is UserActionPrefix followed by its name in [[actions]].
const (
	ActionFix      = "fix"      // Fix with AI: needs diagnostics
	ActionExplain  = "explain"  // Explain: answer shown as a Markdown document
	ActionDocument = "document" // Document: doc comment in the language's convention
	ActionTests    = "tests"    // Write tests: into the conventional test file
	ActionRewrite  = "rewrite"  // Rewrite selection: needs an instruction
	ActionRefactor = "refactor" // Refactor across files: instruction plus scope

	UserActionPrefix = "user:"
)

// Code action kinds, the LSP CodeActionKind values an Offer carries, so
// the handler can filter on context.only without knowing the actions.
const (
	KindQuickFix        = "quickfix"
	KindRefactor        = "refactor"
	KindRefactorRewrite = "refactor.rewrite"
)

// DirectivePrefix starts a directive comment on the line above a
// selection, the way plain LSP clients give an instruction:
// "// switchyard: make this iterative". The edit removes the line.
const DirectivePrefix = "switchyard:"

// Scope is how far a refactor may reach.
type Scope string

const (
	ScopeFile      Scope = "file"      // the current file only
	ScopePackage   Scope = "package"   // the current file's folder (its Go package, Python package...)
	ScopeFiles     Scope = "files"     // ActionRequest.Files, an explicit list
	ScopeWorkspace Scope = "workspace" // every workspace folder
)

// Diagnostic is one LSP diagnostic converted to byte offsets of the
// document it belongs to.
type Diagnostic struct {
	Start, End int    // byte offsets in Selection.Doc.Text
	Severity   int    // LSP numbers: 1 error, 2 warning, 3 information, 4 hint; 0 unknown
	Code       string // "" when absent
	Source     string // "gopls", "pyright"...
	Message    string
	Related    []Related // relatedInformation: the other places the diagnostic points at
}

// Related is one place a diagnostic points at, possibly in another file.
// Only the line is kept: it is the same in every position encoding, and
// the file may not be open, so the handler cannot convert a column.
type Related struct {
	URI     string
	Path    string // "" when the URI is not a file
	Line    int    // 0-based
	Message string
}

// Selection is the range a code action is about.
type Selection struct {
	Doc         Document
	Start, End  int // byte offsets in Doc.Text; Start == End for a cursor
	Diagnostics []Diagnostic
}

// ListRequest asks which actions apply at a selection. Only, when not
// empty, keeps the offers whose kind is one of these or under one of them
// ("refactor" admits "refactor.rewrite"), as LSP context.only does.
type ListRequest struct {
	Selection
	Only []string
}

// Offer is one action in the code-action list. Listing makes no model
// call; Run does the work.
type Offer struct {
	ID    string // ActionFix..., or UserActionPrefix+name
	Title string // shown in the editor's menu
	Kind  string // KindQuickFix...
	// Preferred marks Fix with AI when there are diagnostics, so editors
	// that auto-apply a preferred fix pick it.
	Preferred bool
	// NeedsInstruction: Run fails without ActionRequest.Instruction
	// unless a directive comment gives one (Instruction below holds it).
	NeedsInstruction bool
	// Instruction is the text of the directive comment above the
	// selection, if there is one.
	Instruction string
	// Diagnostics are the indexes, in the request, of the diagnostics
	// the action addresses (Fix with AI: all of them).
	Diagnostics []int
	// Shows says the action's answer is a document to show (Explain, a
	// user action with output "document"), not an edit. The handler
	// lists it as a command, since codeAction/resolve can only return an
	// edit and an editor applies that edit without asking the server.
	Shows bool
}

// Progress is one step of a running action, for $/progress.
type Progress struct {
	Message string
	Percent int // 0..100
}

// ActionRequest runs one action. The handler fills it from the
// code action's data or the command's arguments, with snapshots taken
// when the request arrived.
type ActionRequest struct {
	Selection
	Action      string // Offer.ID
	Instruction string // Rewrite, Refactor, and user actions using {instruction}
	Scope       Scope  // Refactor; "" means ScopePackage
	Files       []string
	// Folders are the workspace folders as absolute paths. Edits outside
	// them are rejected; a refactor gathers files only inside them.
	Folders []string
	// Open are the snapshots of every open document, taken when the
	// request arrived. A file that is open is read from here, never from
	// disk, and its edits carry the snapshot's version.
	Open []Document
	// Index is the workspace's symbol index, nil when there is none:
	// Fix and Explain quote the definitions the range uses from it, and
	// a workspace-wide refactor finds the files that use a name in it.
	Index *repoindex.Index
	// Progress, if set, receives steps while the action runs. It must
	// not block.
	Progress func(Progress)
}

// Result is what an action produced: an edit to apply, a document to
// show, or both (neither when the model had nothing to change).
type Result struct {
	Edit *Edit
	Show *Show
	// Read lists every snapshot the prompt or the edit was computed
	// from. Before workspace/applyEdit the handler re-checks the open
	// ones: a document at another version must be rebased
	// (FileChange.Rebase) or the whole edit dropped.
	Read     []Snapshot
	Model    string // the model's config name
	Provider string
}

// Snapshot names one version of one file that an action read.
type Snapshot struct {
	URI     string // "" for a file read from disk
	Path    string
	Version int32
	Open    bool // from ActionRequest.Open; false: read from disk
}

// Show is an answer to show the user as a Markdown document. Run writes
// it to Path (a file under Options.AnswerDir) so that window/showDocument
// can open it in any client.
type Show struct {
	Title    string
	Markdown string
	Path     string
}

// Op is the kind of one FileChange; each maps to one LSP documentChanges
// entry.
type Op string

const (
	OpEdit   Op = "edit"   // TextDocumentEdit
	OpCreate Op = "create" // CreateFile; the content follows as an OpEdit of an empty Base
	OpRename Op = "rename" // RenameFile from Path to NewPath
	OpDelete Op = "delete" // DeleteFile
)

// Edit is a whole workspace edit: applied entirely or not at all.
type Edit struct {
	Changes []FileChange // in the order they must be applied
	// Annotation describes every change; the handler sends it as the
	// one entry of changeAnnotations.
	Annotation Annotation
}

// Annotation is an LSP ChangeAnnotation.
type Annotation struct {
	Label             string
	Description       string
	NeedsConfirmation bool
}

// FileChange is one entry of an Edit.
type FileChange struct {
	Op      Op
	Path    string // absolute, cleaned, inside a workspace folder
	URI     string // the open document's URI; "" when the file is not open (the handler builds one from Path)
	NewPath string // OpRename
	// Version is the open document's version the edits apply to; nil
	// for a file read from disk (LSP: a null version).
	Version *int32
	// Base is the text Edits' offsets refer to: the snapshot's text, the
	// file's content on disk, or "" after OpCreate.
	Base  string
	Edits []TextEdit // OpEdit: sorted, not overlapping
	// Overwrite and IgnoreIfExists are the CreateFile/RenameFile options.
	Overwrite      bool
	IgnoreIfExists bool
}

// TextEdit replaces Base[Start:End] with NewText.
type TextEdit struct {
	Start, End int
	NewText    string
}

// Options configure an Actions.
type Options struct {
	Log *zap.Logger
	// AnswerDir is where Show documents are written; "" uses the user's
	// cache folder (os.UserCacheDir()/switchyard/answers).
	AnswerDir string
	// MaxAnswerBytes stops reading a model's answer past this size, so a
	// runaway answer cannot fill memory; 0 means 4 MiB.
	MaxAnswerBytes int
}

// Actions lists and runs code actions. It is safe for concurrent use.
type Actions struct {
	state atomic.Pointer[actionState]
	opts  Options
	log   *zap.Logger
}

// actionState is swapped whole by Update: a running action keeps the
// router and configuration it started with.
type actionState struct {
	router providers.Router
	cfg    *config.Config
}

// NewActions builds the code-action feature on router r and the merged
// configuration cfg (its [[actions]], [policy] and [providers] are read).
func NewActions(r providers.Router, cfg *config.Config, opts Options) *Actions {
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if opts.MaxAnswerBytes <= 0 {
		opts.MaxAnswerBytes = 4 << 20
	}
	a := &Actions{opts: opts, log: opts.Log}
	a.Update(r, cfg)
	return a
}

// Update switches the router and configuration used by the next request.
func (a *Actions) Update(r providers.Router, cfg *config.Config) {
	if cfg == nil {
		cfg = &config.Config{}
	}
	a.state.Store(&actionState{router: r, cfg: cfg})
}

// List returns the actions that apply to req, instantly and with no
// model call: every cursor move asks for it.
func (a *Actions) List(req ListRequest) []Offer {
	return a.list(req)
}

// Run does one action: it gathers context, calls a model through the
// router (TaskCoding, or TaskRefactor for a refactor and user actions
// that say so), and turns the answer into a Result. Cancelling ctx closes
// the model's stream at once. Errors say what to do; an *EditError lists
// every rejected part of a model's answer, and then nothing is applied.
func (a *Actions) Run(ctx context.Context, req ActionRequest) (*Result, error) {
	return a.run(ctx, req)
}

// Problem is one rejected part of a model's answer.
type Problem struct {
	Path   string // the file the part was for, as the model wrote it
	Block  int    // 1-based number of the block in the answer; 0 for the whole file
	Reason string
}

// EditError rejects a model's answer: the whole edit is dropped.
type EditError struct {
	Problems []Problem
}

func (e *EditError) Error() string {
	var b strings.Builder
	b.WriteString("the model's edit was not applied: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		if p.Path != "" {
			b.WriteString(p.Path)
			if p.Block > 0 {
				fmt.Fprintf(&b, " (block %d)", p.Block)
			}
			b.WriteString(": ")
		} else if p.Block > 0 {
			fmt.Fprintf(&b, "block %d: ", p.Block)
		}
		b.WriteString(p.Reason)
	}
	return b.String()
}

// ErrStale is returned (wrapped) by Rebase when the document changed in a
// way that overlaps the edit, so it cannot be moved exactly.
var ErrStale = fmt.Errorf("the document changed under the edit: run the action again")

// Rebase moves c's edits onto cur, the document's text now. It succeeds
// when every change between c.Base and cur.Text lies outside the edited
// ranges (the user typed elsewhere); the result has cur's Version and
// Text as Base. Otherwise it returns an error wrapping ErrStale.
func (c FileChange) Rebase(cur Document) (FileChange, error) {
	return c.rebase(cur)
}
