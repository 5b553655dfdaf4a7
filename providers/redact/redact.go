package redact

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Finding is one secret in a text: the bytes text[Start:End] and the rule
// that found them (a gitleaks rule id, RuleAssignment or RuleURLPassword).
type Finding struct {
	Rule       string
	Start, End int
}

// multilineSpan bounds how far a pattern that spans lines (a PEM private
// key block) is looked for after the line its keyword is on.
const multilineSpan = 16 << 10

// Find returns the secrets in text, in order, none overlapping.
func Find(text string) []Finding {
	rs := rules()
	if rs.err != nil || text == "" {
		return nil
	}
	// Keywords come in order, so what was tried on a line is forgotten
	// once the scan is past it.
	var (
		found       []Finding
		tried       []*rule // the rules tried on the line at lineStart
		assignTried [2]bool // the assignment and URL checks, likewise
	)
	lineStart, scanned := 0, 0
	rs.words.each(text, func(pos, word, length int) {
		if pos > scanned {
			if i := strings.LastIndexByte(text[scanned:pos], '\n'); i >= 0 {
				lineStart = scanned + i + 1
				tried, assignTried = tried[:0], [2]bool{}
			}
			scanned = pos
		}
		if rs.assign[word] {
			// The URL check and the assignment check are tried once per
			// line each; "://" selects the first, the names the second.
			url := rs.url[word]
			if k := b2i(url); !assignTried[k] {
				assignTried[k] = true
				found = findAssignments(text[lineStart:lineEnd(text, lineStart)], lineStart, url, found)
			}
		}
		for _, r := range rs.byWord[word] {
			if slices.Contains(tried, r) || !r.worthTrying(text, pos, length) {
				continue
			}
			tried = append(tried, r)
			found = rs.apply(r, text, lineStart, found)
		}
	})
	return tidy(found)
}

// apply runs one rule over the line starting at ls (and, for a pattern
// that spans lines, what follows it), as gitleaks' detectRule does.
func (rs *ruleSet) apply(r *rule, text string, ls int, out []Finding) []Finding {
	re := r.regexp()
	if re == nil {
		return out
	}
	end := lineEnd(text, ls)
	if r.multiline {
		end = min(len(text), ls+multilineSpan)
	}
	window := text[ls:end]
	for _, m := range re.FindAllStringSubmatchIndex(window, -1) {
		s, e := m[0], m[1]
		// The secret is the rule's secretGroup, else the first group
		// that matched something, else the whole match.
		if g := r.group; g > 0 && 2*g+1 < len(m) && m[2*g] >= 0 {
			s, e = m[2*g], m[2*g+1]
		} else if g == 0 {
			for i := 2; i+1 < len(m); i += 2 {
				if m[i] >= 0 && m[i+1] > m[i] {
					s, e = m[i], m[i+1]
					break
				}
			}
		}
		secret := window[s:e]
		if r.entropy > 0 && entropy(secret) <= r.entropy {
			continue
		}
		match := window[m[0]:m[1]]
		line := window[:lineEnd(window, 0)]
		if m[0] > len(line) {
			line = window[lineStartOf(window, m[0]):lineEnd(window, m[0])]
		}
		if rs.global.allows(secret, match, line) || allowed(r.allow, secret, match, line) {
			continue
		}
		out = append(out, Finding{Rule: r.id, Start: ls + s, End: ls + e})
	}
	return out
}

func allowed(lists []*allowlist, secret, match, line string) bool {
	for _, a := range lists {
		if a.allows(secret, match, line) {
			return true
		}
	}
	return false
}

// tidy sorts findings and drops those inside or across an earlier one;
// at the same start the longer wins, and a vendor's rule beats a generic
// one, so the count by rule names the vendor.
func tidy(fs []Finding) []Finding {
	if len(fs) < 2 {
		return fs
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		if a.End != b.End {
			return a.End > b.End
		}
		return !generic(a.Rule) && generic(b.Rule)
	})
	out := fs[:1]
	for _, f := range fs[1:] {
		last := &out[len(out)-1]
		if f.Start < last.End {
			if f.Start == last.Start && f.End == last.End && generic(last.Rule) && !generic(f.Rule) {
				last.Rule = f.Rule
			}
			continue
		}
		out = append(out, f)
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func generic(id string) bool {
	return strings.HasPrefix(id, "generic") || id == RuleAssignment
}

func lineEnd(text string, from int) int {
	if i := strings.IndexByte(text[from:], '\n'); i >= 0 {
		return from + i
	}
	return len(text)
}

func lineStartOf(text string, at int) int {
	return strings.LastIndexByte(text[:at], '\n') + 1
}

// Replacement is one secret replaced in a text: the rule that found it,
// the line it was on (1-based) and the placeholder put in its place. It
// holds no part of the secret.
type Replacement struct {
	Rule        string
	Line        int
	Placeholder string
}

// Redactor replaces the secrets in the texts of one request. The same
// secret gets the same placeholder in every text it redacts, so a model
// sees that two places use one key; Restore maps the placeholders back.
// A Redactor is not safe for concurrent use.
type Redactor struct {
	bySecret map[string]string // secret -> placeholder
	secrets  []string          // placeholder number - 1 -> secret
	counts   map[string]int
}

// New returns a Redactor for one request.
func New() *Redactor { return &Redactor{} }

// Redact returns text with every secret replaced by its placeholder, and
// what was replaced.
func (r *Redactor) Redact(text string) (string, []Replacement) {
	fs := Find(text)
	if len(fs) == 0 {
		return text, nil
	}
	if r.bySecret == nil {
		r.bySecret, r.counts = map[string]string{}, map[string]int{}
	}
	var b strings.Builder
	b.Grow(len(text))
	reps := make([]Replacement, 0, len(fs))
	prev, line := 0, 1
	for _, f := range fs {
		secret := text[f.Start:f.End]
		ph, ok := r.bySecret[secret]
		if !ok {
			r.secrets = append(r.secrets, secret)
			ph = "<SECRET_" + strconv.Itoa(len(r.secrets)) + ">"
			r.bySecret[secret] = ph
		}
		r.counts[f.Rule]++
		line += strings.Count(text[prev:f.Start], "\n")
		b.WriteString(text[prev:f.Start])
		b.WriteString(ph)
		// Count the newlines inside a multi-line secret as well, so the
		// next line number stays right.
		line += strings.Count(secret, "\n")
		reps = append(reps, Replacement{Rule: f.Rule, Line: line - strings.Count(secret, "\n"), Placeholder: ph})
		prev = f.End
	}
	b.WriteString(text[prev:])
	return b.String(), reps
}

// Counts returns how many secrets each rule replaced so far.
func (r *Redactor) Counts() map[string]int { return r.counts }

// Len returns how many distinct secrets have placeholders.
func (r *Redactor) Len() int { return len(r.secrets) }

// placeholderPrefix starts every placeholder.
const placeholderPrefix = "<SECRET_"

// Restore replaces the placeholders this Redactor made with their
// secrets. Anything else that looks like a placeholder is left alone.
func (r *Redactor) Restore(text string) string {
	if len(r.secrets) == 0 || !strings.Contains(text, placeholderPrefix) {
		return text
	}
	var b strings.Builder
	for {
		i := strings.Index(text, placeholderPrefix)
		if i < 0 {
			break
		}
		b.WriteString(text[:i])
		rest := text[i+len(placeholderPrefix):]
		j := strings.IndexByte(rest, '>')
		if n, err := strconv.Atoi(rest[:max(j, 0)]); j > 0 && err == nil && n >= 1 && n <= len(r.secrets) && rest[0] != '+' && rest[0] != '-' {
			b.WriteString(r.secrets[n-1])
			text = rest[j+1:]
			continue
		}
		b.WriteString(placeholderPrefix)
		text = rest
	}
	b.WriteString(text)
	return b.String()
}

// Restorer maps placeholders back in a stream of pieces, where a
// placeholder may be split between two pieces. It holds back only a tail
// that could still become one.
type Restorer struct {
	r    *Redactor
	held string
}

// Restorer returns a Restorer for the answer to this Redactor's request.
func (r *Redactor) Restorer() *Restorer { return &Restorer{r: r} }

// Next takes the next piece of the stream and returns the text that can
// be shown now.
func (s *Restorer) Next(piece string) string {
	text := s.held + piece
	cut := partialTail(text)
	s.held = text[cut:]
	return s.r.Restore(text[:cut])
}

// Flush returns what is held back, at the end of the stream.
func (s *Restorer) Flush() string {
	text := s.held
	s.held = ""
	return s.r.Restore(text)
}

// partialTail returns where a trailing "<SECRET_12" (or any prefix of
// "<SECRET_") starts, or len(text) when the text ends with none.
func partialTail(text string) int {
	i := strings.LastIndexByte(text, '<')
	if i < 0 {
		return len(text)
	}
	tail := text[i:]
	if len(tail) <= len(placeholderPrefix) {
		if strings.HasPrefix(placeholderPrefix, tail) {
			return i
		}
		return len(text)
	}
	if !strings.HasPrefix(tail, placeholderPrefix) {
		return len(text)
	}
	digits := tail[len(placeholderPrefix):]
	if len(digits) > 9 {
		return len(text)
	}
	for j := 0; j < len(digits); j++ {
		if digits[j] < '0' || digits[j] > '9' {
			return len(text)
		}
	}
	return i
}

// String describes a Replacement for people: never the secret.
func (p Replacement) String() string {
	return fmt.Sprintf("line %d: %s (%s)", p.Line, p.Placeholder, p.Rule)
}
