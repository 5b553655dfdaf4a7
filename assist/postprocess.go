package assist

import (
	"strings"
	"unicode/utf8"
)

// tabWidth is how wide a tab counts when indentation is compared.
const tabWidth = 4

// endTokens end the answer wherever they appear: after them comes another
// document or turn. markerTokens are prompt structure a model sometimes
// echoes; at the start of an answer they are dropped, later they end it.
// The lists cover every family, since a fallback may answer in another
// family's format. "</s>" is left out on purpose: it is an HTML tag.
var (
	endTokens = []string{
		"<|endoftext|>", "<|file_sep|>", "<|fim_pad|>", "<|repo_name|>", "<|im_end|>", "<|im_start|>",
		"<｜end▁of▁sentence｜>", "<｜begin▁of▁sentence｜>", "<|EOT|>",
		"<file_sep>", "<repo_name>", "<EOT>",
	}
	markerTokens = []string{
		"<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>",
		"<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>",
		"<fim_prefix>", "<fim_suffix>", "<fim_middle>",
		"<PRE>", "<SUF>", "<MID>",
		"[PREFIX]", "[SUFFIX]", "[MIDDLE]",
		holeMarker,
	}
)

// answer describes one model answer being post-processed.
type answer struct {
	cur       *cursor
	chat      bool        // the answer came from a chat prompt
	indent    indentStyle // the file's indentation
	final     bool        // the stream has ended: the last line is whole
	truncated bool        // the stream was stopped at the token limit
}

// clean turns what a model wrote into the text to insert at the cursor.
// done reports that more text from the model cannot change the result,
// so the stream can be closed. The result is never whitespace only.
func clean(raw string, a *answer) (text string, done bool) {
	s := strings.ReplaceAll(raw, "\r\n", "\n")
	s = trimBrokenRune(s)
	s, done = cutSpecialTokens(s, a.final)
	final := a.final || done
	if a.chat || (strings.HasPrefix(strings.TrimLeft(s, " \t\n"), "```") && !strings.Contains(a.cur.prefix, "```")) {
		var d bool
		s, d = stripWrapping(s, a.chat, final)
		done = done || d
		final = final || d
	}
	s, pending := stripRestated(s, a.cur, a.chat)
	if pending && !final {
		return "", false
	}
	if a.chat && isBlank(a.cur.linePrefix) {
		// Chat models write whole lines; the cursor already stands at
		// the line's indentation, on the line the code goes on.
		s = strings.TrimLeft(s, " \t\n")
	}
	s = a.indent.apply(s, isBlank(a.cur.linePrefix))
	var d bool
	if a.cur.multi {
		s, d = cutBlock(s, a.cur, final)
		if !d && a.truncated {
			// The last line was cut by the token limit, not by the model:
			// half a line is worse than none.
			if i := strings.LastIndexByte(strings.TrimRight(s, " \t\n"), '\n'); i >= 0 {
				s = s[:i]
			}
		}
	} else {
		s, d = cutLine(s, a.cur)
	}
	done = done || d
	s = trimSuffixOverlap(s, a.cur)
	s = strings.TrimRight(s, " \t\n")
	if !utf8.ValidString(s) {
		// Only a document that is not UTF-8 gets here; what is sent to
		// the editor must be.
		s = strings.ToValidUTF8(s, "")
	}
	if isBlank(s) {
		return "", done
	}
	if a.cur.multi && strings.Contains(s, "\n") && !isBlank(a.cur.lineSuffix) {
		// The closers after the cursor belong on a line of their own
		// below the new block.
		s += "\n" + leadingSpace(a.cur.linePrefix)
	}
	if a.cur.crlf {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	return s, done
}

// trimBrokenRune drops a rune cut in half at the end, where a stream
// stopped early may leave one.
func trimBrokenRune(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	for i := 1; i <= utf8.UTFMax && i <= len(s); i++ {
		if utf8.RuneStart(s[len(s)-i]) {
			if r, size := utf8.DecodeRuneInString(s[len(s)-i:]); r == utf8.RuneError && size == 1 {
				s = s[:len(s)-i]
			}
			break
		}
	}
	return strings.ToValidUTF8(s, "")
}

// cutSpecialTokens removes leaked prompt tokens. Before the stream ends,
// the start of a token at the very end is held back too: "}<|endo" must
// not read as a line that ends the block.
func cutSpecialTokens(s string, final bool) (string, bool) {
	for again := true; again; {
		again = false
		for _, t := range markerTokens {
			if strings.HasPrefix(s, t) {
				s, again = s[len(t):], true
			}
		}
	}
	cut := len(s)
	for _, list := range [][]string{endTokens, markerTokens} {
		for _, t := range list {
			if i := strings.Index(s[:cut], t); i >= 0 {
				cut = i
			}
		}
	}
	if cut < len(s) {
		return s[:cut], true
	}
	if !final {
		s = s[:len(s)-partialToken(s)]
	}
	return s, false
}

// partialToken is the length of the longest end of s that begins a
// special token, or 0.
func partialToken(s string) int {
	longest := 0
	for _, list := range [][]string{endTokens, markerTokens} {
		for _, t := range list {
			for n := min(len(t)-1, len(s)); n > longest; n-- {
				if strings.HasSuffix(s, t[:n]) {
					longest = n
					break
				}
			}
		}
	}
	return longest
}

// stripWrapping removes Markdown fences and the chatter chat models put
// around code ("Sure! Here's the completion:", "This adds ...").
func stripWrapping(s string, chat, final bool) (string, bool) {
	if i := fenceLine(s, 0); i >= 0 {
		before := s[:i]
		if chatterOnly(before) {
			body := s[i:]
			nl := strings.IndexByte(body, '\n')
			if nl < 0 {
				return "", false // the opening fence's line is still coming
			}
			body = body[nl+1:]
			if j := fenceLine(body, 0); j >= 0 {
				return body[:j], true
			}
			return body, false
		}
		// Code came first; a fence after it starts an explanation.
		return before, true
	}
	if !chat {
		return s, false
	}
	// Without fences, drop a chatty first line and a chatty paragraph
	// after the code.
	if nl := strings.IndexByte(s, '\n'); nl >= 0 && isChatter(s[:nl]) {
		s = s[nl+1:]
	} else if nl < 0 && !final && couldBeChatter(s) {
		return "", false
	}
	if i := trailingChatter(s); i >= 0 {
		return s[:i], true
	}
	return s, false
}

// fenceLine is the offset of the first line from off that starts a
// Markdown fence, or -1.
func fenceLine(s string, off int) int {
	for i := off; i < len(s); {
		line := s[i:]
		if nl := strings.IndexByte(line, '\n'); nl >= 0 {
			line = line[:nl]
		}
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), "```") {
			return i
		}
		i += len(line) + 1
	}
	return -1
}

var chatterLeads = []string{
	"sure", "certainly", "of course", "okay", "ok,", "here is", "here's", "here are", "below is",
	"the missing", "the completed", "the completion", "the code", "the rest", "to complete",
	"this completes", "i've", "i have", "the following", "you can", "completion:", "answer:",
}

// isChatter reports whether a line is prose about the code rather than
// code: it opens like a chat answer and ends like a sentence.
func isChatter(line string) bool {
	t := strings.ToLower(strings.TrimSpace(line))
	if t == "" {
		return false
	}
	if !strings.HasSuffix(t, ":") && !strings.HasSuffix(t, ".") && !strings.HasSuffix(t, "!") {
		return false
	}
	for _, lead := range chatterLeads {
		if strings.HasPrefix(t, lead) {
			return true
		}
	}
	return false
}

// chatterOnly reports whether the text before a fence is nothing but an
// introduction: blank, or lines that open like a chat answer or end in a
// colon.
func chatterOnly(s string) bool {
	for s != "" {
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		t := strings.ToLower(strings.TrimSpace(line))
		if t == "" || strings.HasSuffix(t, ":") {
			continue
		}
		lead := false
		for _, l := range chatterLeads {
			if strings.HasPrefix(t, l) {
				lead = true
				break
			}
		}
		if !lead {
			return false
		}
	}
	return true
}

// couldBeChatter reports whether an unfinished first line may still turn
// out to be chatter, so the answer is not used before it is known.
func couldBeChatter(s string) bool {
	t := strings.ToLower(strings.TrimLeft(s, " \t"))
	if t == "" {
		return true
	}
	for _, lead := range chatterLeads {
		if strings.HasPrefix(lead, t) || strings.HasPrefix(t, lead) {
			return true
		}
	}
	return false
}

var trailingLeads = []string{"this ", "note", "explanation", "the above", "in this", "i ", "these ", "it "}

// trailingChatter finds a paragraph of prose after the code: a blank
// line, then a sentence that opens like an explanation.
func trailingChatter(s string) int {
	for i := 0; ; {
		j := strings.Index(s[i:], "\n\n")
		if j < 0 {
			return -1
		}
		at := i + j
		rest := strings.TrimLeft(s[at:], "\n")
		line := strings.ToLower(rest)
		for _, lead := range trailingLeads {
			if strings.HasPrefix(line, lead) {
				return at
			}
		}
		i = at + 2
	}
}

// stripRestated removes text the model repeated from before the cursor.
// Chat models restate the current line, or several lines up to it; code
// models sometimes restate the current line. pending reports that the
// answer so far is itself the start of such a restatement, so nothing
// can be decided yet.
func stripRestated(s string, cur *cursor, chat bool) (string, bool) {
	lp := cur.linePrefix
	if !chat {
		return stripRestatedLine(s, lp, cur.lineSuffix)
	}
	tail := recentLines(cur.prefix, 20)
	best, pending := 0, false
	body := strings.TrimLeft(s, " \t")
	for ls := len(tail) - len(lp); ls >= 0; {
		cand := tail[ls:]
		if n := restatedLen(s, cand); n > best {
			best = n
		}
		if len(s) < len(cand) && (strings.HasPrefix(cand, s) ||
			body != "" && strings.HasPrefix(strings.TrimLeft(cand, " \t"), body)) {
			pending = true
		}
		if ls == 0 {
			break
		}
		ls = strings.LastIndexByte(tail[:ls-1], '\n') + 1
	}
	if best > 0 {
		return s[best:], false
	}
	if pending {
		return s, true
	}
	// "fmt.Prin" answered with "Println(x)": the last word restated.
	w := len(lp)
	for w > 0 && isIdentByte(lp[w-1]) {
		w--
	}
	if word := lp[w:]; word != "" && utf8.ValidString(word) && strings.HasPrefix(s, word) {
		return s[len(word):], false
	}
	return s, false
}

// stripRestatedLine removes a code model's restatement of the current
// line up to the cursor: the whole of it, indentation included, or its
// text without the indentation. On a line blank up to the cursor that is
// the indentation alone. A restated text of one character other than a
// letter counts only when the line balances better without it: "'"
// answered with "'use strict'" restates it, "(" answered with "(a)"
// before ")" nests, and "/" answered with "// note" is left alone, since
// "/" may start a comment the answer finishes.
func stripRestatedLine(s, lp, rest string) (string, bool) {
	t := strings.TrimLeft(lp, " \t")
	indented := len(t) < len(lp)
	if indented && strings.HasPrefix(s, lp) {
		return s[len(lp):], false
	}
	if t == "" {
		return s, false
	}
	body := strings.TrimLeft(s, " \t")
	if strings.HasPrefix(body, t) {
		if len(t) > 1 || isIdentByte(t[0]) || betterBalanced(lp, body[len(t):], body, rest) {
			return body[len(t):], false
		}
		return s, false
	}
	pending := body != "" && !strings.Contains(body, "\n") &&
		(strings.HasPrefix(t, body) || indented && strings.HasPrefix(lp, s))
	return s, pending
}

// betterBalanced reports whether the current line balances better with
// answer a than with answer b. Only the first line of each is compared:
// a later line may still be coming.
func betterBalanced(lp, a, b, rest string) bool {
	a, _, _ = strings.Cut(a, "\n")
	b, _, _ = strings.Cut(b, "\n")
	return unbalanced("", lp+a+rest, "") < unbalanced("", lp+b+rest, "")
}

// restatedLen is how much of s restates cand, the text from a line start
// to the cursor: all of it, or all of it but the first line's
// indentation.
func restatedLen(s, cand string) int {
	if cand == "" {
		return 0
	}
	if strings.HasPrefix(s, cand) {
		return len(cand)
	}
	c := strings.TrimLeft(cand, " \t")
	body := strings.TrimLeft(s, " \t")
	if c != "" && strings.HasPrefix(body, c) {
		return len(s) - len(body) + len(c)
	}
	return 0
}

// recentLines is the last n lines of s with LF line endings.
func recentLines(s string, n int) string {
	i := len(s)
	for ; n > 0 && i > 0; n-- {
		i = strings.LastIndexByte(s[:i], '\n')
		if i < 0 {
			i = 0
			break
		}
	}
	if i > 0 {
		i++
	}
	return strings.ReplaceAll(s[i:], "\r\n", "\n")
}

// cutLine keeps the rest of the current line. At the end of a line a
// model may move on to the next one instead; that line is kept whole.
func cutLine(s string, cur *cursor) (string, bool) {
	nl := strings.IndexByte(s, '\n')
	if nl < 0 {
		return s, false
	}
	if !isBlank(s[:nl]) {
		return s[:nl], true
	}
	if !isBlank(cur.lineSuffix) {
		return "", true // text meant for a new line cannot go mid-line
	}
	rest := s[nl+1:]
	for {
		line, after, found := strings.Cut(rest, "\n")
		if !found {
			return "\n" + rest, false
		}
		if !isBlank(line) {
			return "\n" + line, true
		}
		rest = after
	}
}

// cutBlock ends a multi-line answer where its block ends: at the first
// line indented less than the block, keeping that line when it only
// closes the block and the document does not already have it. After an
// opener such as "{" the block is the one it opens. On a line blank up to
// the cursor it is the block the line is in, which the previous non-blank
// line tells, as tabby-agent's limitScopeByIndentation reads it: so the
// end of a statement continued from above, and the "}" or the next
// statement after it, stay in the answer.
func cutBlock(s string, cur *cursor, final bool) (string, bool) {
	base, inclusive := -1, false
	if cur.afterOpener || !isBlank(cur.linePrefix) {
		base, inclusive = width(cur.linePrefix), cur.afterOpener
	}
	outer := -1 // on a blank line: the indentation of the enclosing block
	if base < 0 {
		outer = enclosingIndent(cur.prefix)
	}
	for i, first := 0, true; i < len(s); first = false {
		line := s[i:]
		nl := strings.IndexByte(line, '\n')
		whole := nl >= 0 || final
		if nl >= 0 {
			line = line[:nl]
		}
		next := i + len(line) + 1
		if first {
			// Text right after an opener that does not open another
			// block closes it on the same line: "foo(" + "a, b)".
			if cur.afterOpener && nl >= 0 && !isBlank(line) && !endsWithOpener(line) {
				return line, true
			}
			if base < 0 && !isBlank(line) {
				base = width(cur.linePrefix + line)
				if outer >= 0 {
					base = min(base, outer)
				}
			}
			i = next
			continue
		}
		if isBlank(line) {
			i = next
			continue
		}
		w := width(line)
		if base < 0 {
			base = w
			if outer >= 0 {
				base = min(base, outer)
			}
			i = next
			continue
		}
		if w > base || (w == base && !inclusive) {
			i = next
			continue
		}
		// A closer the document already has ends the answer even before
		// its line is whole: the model is copying what comes next.
		if closerOnly(line) && !alreadyClosed(cur, line) {
			if !whole {
				return s, false // "}" may yet become "})" or "} else {"
			}
			if endsBelow(cur, base, inclusive) {
				return s[:i] + line, true
			}
		}
		if !whole && inclusive && w == base && couldCloseBlock(line) {
			return s, false // "en" may yet become "end"
		}
		return strings.TrimRight(s[:i], "\n"), true
	}
	return s, false
}

// endsBelow reports whether the block also ends in the document right
// after the cursor, so a closing line in the answer does not shut it
// above statements of its own. Text after the cursor on its line is left
// to alreadyClosed.
func endsBelow(cur *cursor, base int, inclusive bool) bool {
	if !isBlank(cur.lineSuffix) {
		return true
	}
	below := nonBlankLines(cur.below, 1)
	if len(below) == 0 {
		return true
	}
	w := width(below[0])
	return w < base || inclusive && w == base
}

// enclosingIndent is the indentation of the block a line starts in after
// prefix: that of the previous non-blank line, one column deeper when
// that line opens a block; 0 at the start of the document.
func enclosingIndent(prefix string) int {
	prev := strings.TrimRight(prefix, " \t\r\n")
	prev = prev[strings.LastIndexByte(prev, '\n')+1:]
	w := width(prev)
	if endsWithOpener(prev) {
		w++
	}
	return w
}

var closerWords = []string{"end", "fi", "done", "esac", "end;", "endif", "endfunction"}

// couldCloseBlock reports whether an unfinished line may still become a
// closing line.
func couldCloseBlock(line string) bool {
	t := strings.TrimSpace(line)
	for _, w := range closerWords {
		if strings.HasPrefix(w, t) {
			return true
		}
	}
	return false
}

// closerOnly reports whether a line only closes blocks: "}", "});",
// "end", "fi", "done".
func closerOnly(line string) bool {
	t := strings.TrimSpace(line)
	for _, w := range closerWords {
		if t == w {
			return true
		}
	}
	return t != "" && strings.Trim(t, ")]};,") == ""
}

// alreadyClosed reports whether the document after the cursor already
// starts with the same closing line: the rest of the cursor's line, or
// the next line at the same indentation ("\t}" closes another block
// than "\t\t}").
func alreadyClosed(cur *cursor, line string) bool {
	want := strings.TrimSpace(line)
	if t := strings.TrimSpace(cur.lineSuffix); t != "" {
		return t == want
	}
	below := nonBlankLines(cur.below, 1)
	return len(below) == 1 && strings.TrimSpace(below[0]) == want && width(below[0]) == width(line)
}

// trimSuffixOverlap drops the end of the answer that the document already
// has after the cursor: whole lines that repeat the lines below, and the
// rest of the current line (or its first closers) when the answer ends
// with them and the line reads better without them.
func trimSuffixOverlap(s string, cur *cursor) string {
	if isBlank(cur.lineSuffix) && strings.Contains(s, "\n") {
		s = trimRepeatedLines(s, cur.below)
	}
	rest := strings.TrimRight(cur.lineSuffix, " \t")
	if rest == "" {
		return s
	}
	body := strings.TrimRight(s, " \t")
	// Each overlap is judged by the line the user would get: the one
	// whose brackets and quotes balance best. A model that ran on into
	// the closers leaves one too many; one that wrote code needing them,
	// "g(a)" before ")", leaves one too few when they are dropped.
	// A statement may span lines, so the lines above are read for the
	// brackets and strings they leave open (a closer that closes one of
	// those is no fault, nor is leaving it open), and the lines below for
	// closers of brackets the line leaves open.
	before := strings.TrimSuffix(recentLines(cur.prefix, 4), cur.linePrefix)
	after := firstLines(cur.below, 3)
	best, bestCost := 0, unbalanced(before, cur.linePrefix+body+rest, after)
	for k := 1; k <= min(len(rest), len(body)); k++ {
		over := rest[:k]
		if !strings.HasSuffix(body, over) {
			continue
		}
		if k < len(rest) && strings.Trim(over, closerChars) != "" {
			continue // a partial overlap counts only for closers
		}
		if c := unbalanced(before, cur.linePrefix+body[:len(body)-k]+rest, after); c <= bestCost {
			best, bestCost = k, c
		}
	}
	if best == 0 {
		return s
	}
	return body[:len(body)-best]
}

const closerChars = ")]}\"'`;,"

// trimRepeatedLines drops the answer's last lines when they repeat the
// first non-blank lines below the cursor, indentation included (a "}" one
// level deeper closes another block). The first line is never dropped:
// an answer that is all repetition is the model's own text.
func trimRepeatedLines(s, below string) string {
	want := nonBlankLines(below, 8)
	if len(want) == 0 {
		return s
	}
	lines := strings.Split(strings.TrimRight(s, " \t\n"), "\n")
	for i := 1; i < len(lines); i++ {
		if isBlank(lines[i]) {
			continue
		}
		n, match := 0, true
		for _, l := range lines[i:] {
			if isBlank(l) {
				continue
			}
			if n == len(want) || strings.TrimRight(l, " \t\r") != want[n] {
				match = false
				break
			}
			n++
		}
		if match {
			return strings.TrimRight(strings.Join(lines[:i], "\n"), " \t\n")
		}
	}
	return s
}

// firstLines is the first n lines of s.
func firstLines(s string, n int) string {
	end := 0
	for ; n > 0 && end < len(s); n-- {
		i := strings.IndexByte(s[end:], '\n')
		if i < 0 {
			return s
		}
		end += i + 1
	}
	return strings.TrimSuffix(s[:end], "\n")
}

// unbalanced counts what is wrong with the brackets and quotes of a line
// between the lines before and after it: closers with no opener, openers
// left open, and a string left open at the end of the line, which counts
// double. Openers left open in before do not count, whether the line
// closes them or not, and an opener the line leaves open is fine when
// after closes it: the statement may span lines. Brackets inside strings
// do not count; a string in single or double quotes ends with its line,
// which keeps an apostrophe in a comment from spreading, while one in
// backquotes may span lines, as raw strings and template literals do. It
// reads code of any language, so it is a heuristic: what it gets wrong,
// it gets wrong alike for each overlap it compares.
func unbalanced(before, line, after string) int {
	var b bracketScan
	b.scan(before)
	b.bad, b.carried = 0, len(b.stack)
	b.scan(line)
	bad := b.bad
	if b.quote != 0 && b.quote != '`' {
		bad += 2
		b.quote = 0
	}
	b.closeFrom(after)
	if b.quote != 0 {
		bad += 2
	}
	return bad + len(b.stack) - b.carried
}

// closeFrom pops the line's openers that after closes, up to the first
// closer that matches neither them nor an opener of after's own.
func (b *bracketScan) closeFrom(after string) {
	own := 0
	for i := 0; i < len(after); i++ {
		c := after[i]
		if in, _ := b.quoted(after, &i); in {
			continue
		}
		switch c {
		case '"', '\'', '`':
			b.quote = c
		case '(', '[', '{':
			own++
		case ')', ']', '}':
			if own > 0 {
				own--
				continue
			}
			n := len(b.stack)
			if n <= b.carried || b.stack[n-1] != "([{"[strings.IndexByte(")]}", c)] {
				return
			}
			b.stack = b.stack[:n-1]
		}
	}
}

type bracketScan struct {
	stack   []byte
	carried int // how many of stack's first openers came from before
	quote   byte
	bad     int
}

// quoted reports whether code[*i] is inside a string, stepping over an
// escaped character; broken reports a string in single or double quotes
// that its line ended.
func (b *bracketScan) quoted(code string, i *int) (in, broken bool) {
	if b.quote == 0 {
		return false, false
	}
	switch c := code[*i]; {
	case c == '\n' && b.quote != '`':
		b.quote = 0
		return true, true
	case c == '\\' && b.quote != '`':
		*i++
	case c == b.quote:
		b.quote = 0
	}
	return true, false
}

func (b *bracketScan) scan(code string) {
	for i := 0; i < len(code); i++ {
		c := code[i]
		if in, broken := b.quoted(code, &i); in {
			if broken {
				b.bad += 2
			}
			continue
		}
		switch c {
		case '"', '\'', '`':
			b.quote = c
		case '(', '[', '{':
			b.stack = append(b.stack, c)
		case ')', ']', '}':
			open := "([{"[strings.IndexByte(")]}", c)]
			n := len(b.stack)
			if n == 0 || b.stack[n-1] != open {
				b.bad++
				continue
			}
			b.stack = b.stack[:n-1]
			b.carried = min(b.carried, n-1)
		}
	}
}

func nonBlankLines(s string, n int) []string {
	var out []string
	for s != "" && len(out) < n {
		l, after, _ := strings.Cut(s, "\n")
		if t := strings.TrimRight(l, " \t\r"); !isBlank(t) {
			out = append(out, t)
		}
		s = after
	}
	return out
}

func width(s string) int {
	w := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			w++
		case '\t':
			w += tabWidth
		default:
			return w
		}
	}
	return w
}

func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}

// indentStyle is how a file indents: with tabs, or with unit spaces a
// level. The zero value is "unknown" and changes nothing.
type indentStyle struct {
	tabs bool
	unit int
}

// detectIndent reads the indentation of the window's lines.
func detectIndent(w window) indentStyle {
	var tabs, spaces, unit int
	for _, part := range []string{w.prefix, w.suffix} {
		for part != "" {
			line, rest, _ := strings.Cut(part, "\n")
			part = rest
			if strings.HasPrefix(line, "\t") {
				tabs++
				continue
			}
			n := len(line) - len(strings.TrimLeft(line, " "))
			if n >= 2 && n < len(line) && line[n] != '\t' && line[n] != '\r' {
				spaces++
				if unit == 0 || n < unit {
					unit = n
				}
			}
		}
	}
	switch {
	case tabs > spaces:
		return indentStyle{tabs: true}
	case spaces > 0:
		return indentStyle{unit: min(unit, 8)}
	}
	return indentStyle{}
}

// apply rewrites the answer's indentation in the file's style. The first
// line is left alone unless the cursor sits in the line's indentation.
func (st indentStyle) apply(s string, firstToo bool) string {
	if !st.tabs && st.unit == 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	from := 1
	if firstToo {
		from = 0
	}
	// Chat models mostly indent with four spaces, JavaScript habits two.
	unit := 0
	for _, l := range lines[from:] {
		n := len(l) - len(strings.TrimLeft(l, " "))
		if n > 0 && n < len(l) && (unit == 0 || n < unit) {
			unit = n
		}
	}
	if unit != 2 {
		unit = 4
	}
	changed := false
	for i := from; i < len(lines); i++ {
		l := lines[i]
		lead := leadingSpace(l)
		if lead == "" {
			continue
		}
		var repl string
		if st.tabs {
			if !strings.Contains(lead, " ") {
				continue
			}
			w := width(lead)
			repl = strings.Repeat("\t", w/unit) + strings.Repeat(" ", w%unit)
		} else {
			if !strings.Contains(lead, "\t") {
				continue
			}
			repl = strings.ReplaceAll(lead, "\t", strings.Repeat(" ", st.unit))
		}
		lines[i] = repl + l[len(lead):]
		changed = true
	}
	if !changed {
		return s
	}
	return strings.Join(lines, "\n")
}
