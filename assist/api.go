package assist

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
