package assist

import (
	"strings"
	"unicode/utf8"

	"switchyard/assist/repoindex"
)

// bytesPerToken is the rule that turns token budgets into bytes: the BPE
// tokenizers of code models average three to four bytes a token on source
// code, so four bytes a token is a cheap estimate that needs no tokenizer
// and errs towards a slightly larger prompt, which completion budgets
// leave ample room for in the model's context window.
const bytesPerToken = 4

// estimateTokens is the token count of n bytes under the bytesPerToken rule.
func estimateTokens(n int) int { return (n + bytesPerToken - 1) / bytesPerToken }

// window is the part of a document that goes into a prompt: prefix ends at
// the cursor, suffix starts there. Both are substrings of the snapshot, so
// cutting them copies nothing.
type window struct {
	prefix string
	suffix string
}

// cutWindow cuts the prompt window around off. The prefix starts at the
// first line start inside its budget and the suffix ends after the last
// newline inside its budget, so the model never sees half a line at either
// edge. Only when the cursor's own line is longer than the budget is that
// line cut mid-way, and then on a rune boundary. Only the bytes inside the
// budgets are looked at, whatever the size of the document.
func cutWindow(text string, off, prefixTokens, suffixTokens int) window {
	return cutBytes(text, off, prefixTokens*bytesPerToken, suffixTokens*bytesPerToken)
}

// cutBytes is cutWindow with its budgets in bytes.
func cutBytes(text string, off, before, after int) window {
	start := off - before
	if start <= 0 {
		start = 0
	} else if text[start-1] != '\n' {
		if i := strings.IndexByte(text[start:off], '\n'); i >= 0 {
			start += i + 1
		} else {
			for start < off && !utf8.RuneStart(text[start]) {
				start++
			}
		}
	}
	end := off + after
	if end >= len(text) {
		end = len(text)
	} else if end > off && text[end-1] != '\n' {
		if j := strings.LastIndexByte(text[off:end], '\n'); j >= 0 {
			end = off + j + 1
		} else {
			for end > off && !utf8.RuneStart(text[end]) {
				end--
			}
		}
	}
	return window{prefix: text[start:off], suffix: text[off:end]}
}

// cursor is what post-processing needs to know about where the
// suggestion goes, all taken from the window.
type cursor struct {
	window
	linePrefix  string // the cursor's line up to the cursor
	lineSuffix  string // the cursor's line after the cursor, without its line ending
	below       string // the suffix after the cursor's line
	crlf        bool   // the file ends its lines with CRLF
	multi       bool   // a suggestion may span several lines
	afterOpener bool   // the cursor follows a block opener such as "{" or ":"
}

func newCursor(w window, multiLine string) *cursor {
	c := &cursor{window: w}
	c.linePrefix = w.prefix[strings.LastIndexByte(w.prefix, '\n')+1:]
	c.lineSuffix = w.suffix
	if i := strings.IndexByte(w.suffix, '\n'); i >= 0 {
		c.lineSuffix = w.suffix[:i]
		c.below = w.suffix[i+1:]
	}
	c.lineSuffix = strings.TrimSuffix(c.lineSuffix, "\r")
	// The nearest line ending decides the file's style: looking at one is
	// enough, and it keeps this independent of the window's size.
	if i := strings.LastIndexByte(w.prefix, '\n'); i > 0 {
		c.crlf = w.prefix[i-1] == '\r'
	} else if i := strings.IndexByte(w.suffix, '\n'); i > 0 {
		c.crlf = w.suffix[i-1] == '\r'
	}
	c.afterOpener = endsWithOpener(c.linePrefix)
	switch multiLine {
	case "always":
		c.multi = true
	case "never":
		c.multi = false
	default:
		c.multi = !midLine(c.lineSuffix) && (isBlank(c.linePrefix) || c.afterOpener)
	}
	return c
}

// midLine reports whether the text after the cursor on its line is more
// than closing brackets, quotes and separators: then the suggestion must
// fit into the line.
func midLine(lineSuffix string) bool {
	return strings.TrimLeft(lineSuffix, " \t)]}>\"'`;,.") != ""
}

// openers end a line after which a block follows: braces and brackets,
// Python's and YAML's ":", arrows, and the keywords of Ruby, Lua, shell
// and Pascal-like languages.
var (
	openerSymbols  = []string{"{", "(", "[", ":", "=>", "->"}
	openerKeywords = []string{"then", "do", "begin", "else"}
)

func endsWithOpener(linePrefix string) bool {
	s := strings.TrimRight(linePrefix, " \t")
	for _, o := range openerSymbols {
		if strings.HasSuffix(s, o) {
			return true
		}
	}
	for _, k := range openerKeywords {
		if strings.HasSuffix(s, k) {
			before := s[:len(s)-len(k)]
			if before == "" || !isIdentByte(before[len(before)-1]) {
				return true
			}
		}
	}
	return false
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// contextFile is an excerpt of another open document for the prompt.
type contextFile struct {
	name      string // the path shown to the model: relative to its workspace folder
	text      string // whole lines, a substring of the document's snapshot
	path      string // the file system path the policy is asked about
	localOnly bool   // the policy keeps this content on local models
	source    sourceKind
	// defs are the definitions a sourceDefinitions file holds.
	defs []*repoindex.Def
}

const (
	// maxContextFiles bounds the documents looked at, so however many
	// the caller offers, a keystroke costs a few comparisons.
	maxContextFiles = 4
	// minExcerptBytes is the least worth a file header: a budget left
	// over below it is not spent on a few stray lines.
	minExcerptBytes = 128
	// headerBytes is what the tokens around each file cost the budget,
	// besides its name.
	headerBytes = 16
)

// pickContext takes the documents of req.Others that are of the current
// document's language, in order, until the budget is spent: the whole
// text of a file that fits, else whole lines around its Focus. Every
// excerpt is a substring of its snapshot, so nothing is copied here.
func pickContext(req *CompletionRequest, budgetTokens int) []contextFile {
	if budgetTokens <= 0 || len(req.Others) == 0 || req.Doc.Path == "" || req.Doc.LanguageID == "" {
		return nil
	}
	left := budgetTokens * bytesPerToken
	var out []contextFile
	for i := range req.Others {
		o := &req.Others[i]
		if len(out) == maxContextFiles || left < minExcerptBytes {
			break
		}
		if o.Path == "" || o.Text == "" || o.URI == req.Doc.URI || o.Path == req.Doc.Path || o.LanguageID != req.Doc.LanguageID {
			continue
		}
		name := relPath(o.Path, req.Folders)
		room := left - len(name) - headerBytes
		if room < minExcerptBytes {
			continue
		}
		text := linesAround(o.Text, o.Focus, room)
		if text == "" {
			continue
		}
		if out == nil {
			out = make([]contextFile, 0, min(len(req.Others), maxContextFiles))
		}
		out = append(out, contextFile{name: name, text: text, path: o.Path})
		left -= len(name) + headerBytes + len(text)
	}
	return out
}

// linesAround is text when it fits in n bytes, else at most n bytes of whole
// lines around the line holding focus: half before and half after, and
// what one side cannot use goes to the other.
func linesAround(text string, focus, n int) string {
	if len(text) <= n {
		return text
	}
	focus = max(0, min(focus, len(text)))
	focus = strings.LastIndexByte(text[:focus], '\n') + 1
	before := n / 2
	after := n - before
	if focus < before {
		after += before - focus
		before = focus
	}
	if rest := len(text) - focus; rest < after {
		before += after - rest
		after = rest
	}
	w := cutBytes(text, focus, before, after)
	return text[focus-len(w.prefix) : focus+len(w.suffix)]
}
