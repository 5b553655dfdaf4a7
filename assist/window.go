package assist

import (
	"strings"
	"unicode/utf8"
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
	start := off - prefixTokens*bytesPerToken
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
	end := off + suffixTokens*bytesPerToken
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
