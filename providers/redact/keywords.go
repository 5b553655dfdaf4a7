package redact

import "strings"

// keywords finds gitleaks' keywords in a text, case-insensitively, in one
// pass. Every keyword has at least two bytes, and few distinct bytes
// begin them: each byte maps to one of 64 classes (a letter and its upper
// case share one; a byte that begins no keyword is class 0), the classes
// of the last three bytes make an 18-bit number, and a 32 KB bitmap says
// which numbers begin a keyword. That is a handful of instructions per
// byte, no branch the processor mispredicts often, and no allocation;
// only the position that passes (3 % of Go source) compares the few
// keywords that start with its two bytes. Written here because the
// shape of gitleaks' keyword list is what makes it fast: the
// Aho-Corasick library gitleaks itself uses
// (github.com/BobuSumisu/aho-corasick v1.0.3), over the same keywords on
// a lower-cased copy of the benchmark's prompt, took 2.1 ms and 1,100
// allocations against 0.48 ms and none (fastest of 200 runs each, one
// thread, 2026-12-04).
type keywords struct {
	class   [256]uint8
	classes uint8                 // classes given out so far
	maybe   *[1 << 18 / 64]uint64 // a bit for each class triple that begins a keyword
	first   *[1 << 12]uint16      // classes of the first two bytes -> 1 + index in groups, 0 for none
	groups  [][]keyword
}

type keyword struct {
	text string // lower case
	n    int    // keyword number
}

// lowerByte lower-cases an ASCII letter; gitleaks' keywords are ASCII.
func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// classOf gives c (lower case) a class of its own, and its upper case
// the same; past 63 classes, the last is shared, which only lets more
// positions through to the comparison.
func (k *keywords) classOf(c byte) uint64 {
	if k.class[c] == 0 {
		if k.classes < 63 {
			k.classes++
		}
		k.class[c] = k.classes
		if c >= 'a' && c <= 'z' {
			k.class[c-'a'+'A'] = k.classes
		}
	}
	return uint64(k.class[c])
}

func (k *keywords) add(w string, n int) {
	if len(w) < 2 {
		return // gitleaks has none; one would match nearly everywhere
	}
	if k.first == nil {
		k.first, k.maybe = new([1 << 12]uint16), new([1 << 18 / 64]uint64)
	}
	p := k.classOf(w[0])<<6 | k.classOf(w[1])
	ab := p << 6
	if len(w) == 2 {
		// Whatever follows, including the end of the text (class 0).
		for c := range uint64(64) {
			k.maybe[(ab|c)/64] |= 1 << ((ab | c) % 64)
		}
	} else {
		h := ab | k.classOf(w[2])
		k.maybe[h/64] |= 1 << (h % 64)
	}
	if k.first[p] == 0 {
		k.groups = append(k.groups, nil)
		k.first[p] = uint16(len(k.groups))
	}
	g := k.first[p] - 1
	k.groups[g] = append(k.groups[g], keyword{text: w, n: n})
}

// each calls fn with the position, number and length of every keyword
// in text.
func (k *keywords) each(text string, fn func(pos, n, length int)) {
	if len(text) < 2 || k.maybe == nil {
		return
	}
	class, maybe := &k.class, k.maybe
	h := uint64(class[text[0]])<<6 | uint64(class[text[1]])
	for i := 2; i < len(text); i++ {
		h = (h<<6 | uint64(class[text[i]])) & (1<<18 - 1)
		if maybe[h/64]&(1<<(h%64)) != 0 {
			k.at(text, i-2, h>>6, fn)
		}
	}
	// The last two bytes, followed by the end of the text.
	if h = (h << 6) & (1<<18 - 1); maybe[h/64]&(1<<(h%64)) != 0 {
		k.at(text, len(text)-2, h>>6, fn)
	}
}

// at calls fn for every keyword that starts at position at of text,
// whose first two bytes have the classes in p.
func (k *keywords) at(text string, at int, p uint64, fn func(pos, n, length int)) {
	g := k.first[p%(1<<12)]
	if g == 0 {
		return
	}
	for _, w := range k.groups[g-1] {
		if hasLowerPrefix(text[at:], w.text) {
			fn(at, w.n, len(w.text))
		}
	}
}

// hasLowerPrefix reports whether s starts with w, a lower-case keyword,
// in any case. All of w is compared: past 63 classes, two bytes can
// share one.
func hasLowerPrefix(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for j := 0; j < len(w); j++ {
		if lowerByte(s[j]) != w[j] {
			return false
		}
	}
	return true
}

// worthTrying reports whether r's pattern could match around a keyword
// found at pos: a cheap test of what every match needs, so that the
// costly pattern runs on few lines. Two kinds of rule need it, because
// their keywords are everywhere in code: generic-api-key ("key", "api",
// "token") needs an assignment after its keyword, and a rule with a
// two- or three-byte keyword ("s.", "ey", "sk") is a vendor's token that
// contains the keyword and is at least 16 bytes long.
func (r *rule) worthTrying(text string, pos, length int) bool {
	switch {
	case strings.HasPrefix(r.id, "generic"):
		return assignmentAfter(text, pos+length)
	case length <= 3:
		return tokenRun(text, pos) >= 16
	}
	return true
}

// tokenRun is the length of the run of token bytes around pos.
func tokenRun(text string, pos int) int {
	s, e := pos, pos
	for s > 0 && tokenByte(text[s-1]) {
		s--
	}
	for e < len(text) && tokenByte(text[e]) {
		e++
	}
	return e - s
}

func tokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == '+' || c == '/' || c == '=' || c == '~'
}

// assignmentAfter follows the shape of generic-api-key after its
// keyword: up to 20 bytes of name, up to 3 quotes or spaces, an operator
// (= > : | ? ,), up to 5 quotes, spaces or '=', and a value of 10 bytes
// at least with a digit or one of "+/=" in it: a value of letters, '_',
// '.' and '-' alone is on the rule's own allowlist.
func assignmentAfter(text string, i int) bool {
	limit := min(len(text), i+24)
	for ; i < limit; i++ {
		c := text[i]
		if c == '=' || c == '>' || c == ':' || c == '|' || c == '?' || c == ',' {
			break
		}
		if !(wordByte(c) || c == ' ' || c == '\t' || c == '.' || c == '-' || c == '\'' || c == '"' || c == '\n' || c == '\r') {
			return false
		}
	}
	if i >= limit {
		return false
	}
	// Skip the operator and what may follow it, then look for the value.
	for j := i; j < min(len(text), i+10); j++ {
		run, mixed := 0, false
		for k := j; k < len(text) && (wordByte(text[k]) || strings.IndexByte(".=-+/", text[k]) >= 0); k++ {
			run++
			c := text[k]
			mixed = mixed || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
		}
		if run >= 10 && mixed {
			return true
		}
	}
	return false
}

func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
