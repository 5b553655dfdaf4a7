package assist

import "switchyard/assist/repoindex"

// Document is an immutable snapshot of an open document. Offsets into Text
// are bytes.
type Document struct {
	URI        string // as the editor sent it
	Path       string // file system path, "" when the URI is not a file
	LanguageID string
	Version    int32
	Text       string
}

// CompletionRequest asks for suggestions at a byte offset of a snapshot.
type CompletionRequest struct {
	Doc     Document
	Offset  int  // byte offset of the cursor in Doc.Text
	Invoked bool // the user asked explicitly: no debounce
	// Selected is the text of the item the editor's completion widget has
	// selected, if any (inline completion context); may be empty.
	Selected string
	// SelectedStart and SelectedEnd are the byte range of Doc.Text that
	// Selected replaces when the item is accepted; used only when Selected
	// is not empty. The suggestion then extends the item: it covers this
	// range and its Text begins with Selected.
	SelectedStart int
	SelectedEnd   int
	// Others are other open documents offered as context, most recently
	// edited first. The engine keeps those of Doc's language, in this
	// order, until completion.max_context_tokens is spent; the caller
	// need pass only a few.
	Others []OtherDocument
	// Folders are the workspace folders as absolute paths: a path shown
	// to a model is made relative to the one holding its file.
	Folders []string
	// Index is the workspace's symbol index, nil when there is none:
	// the definitions of what the code near the cursor uses come from
	// it, open or not.
	Index *repoindex.Index
}

// OtherDocument is an open document offered as context for a completion.
type OtherDocument struct {
	Document
	// Focus is the byte offset of Text an excerpt is cut around when the
	// whole text does not fit the budget: where it was last edited.
	Focus int
}

// Suggestion is one completion: replace Doc.Text[Start:End] with Text.
// Start <= Offset <= End; most suggestions have Start == End == Offset.
type Suggestion struct {
	Text     string
	Start    int
	End      int
	Model    string // the model's config name, for the editor's detail
	Provider string
	Cached   bool // served from the cache with no model call
}
