package redact

import "strings"

// keywords finds gitleaks' keywords in a text, case-insensitively, in one
// pass. An Aho-Corasick automaton over some 250 keywords spends most of
// its time in cache misses on a table of megabytes; every keyword has at
// least two bytes, so a table indexed by the keywords' first two bytes
// rules out most positions with one lookup, and only the rare
// position that passes compares the few keywords starting there. Written
// here because the shape of gitleaks' keyword list (short, lower case,
// two bytes at least) is what makes it fast.
type keywords struct {
	first  *[1 << 16]uint16 // first two bytes -> 1 + index in groups, 0 for none
	groups [][]keyword
}

type keyword struct {
	text string // lower case
	n    int    // keyword number
}

func pair(a, b byte) uint16 { return uint16(a)<<8 | uint16(b) }

// lowerByte lower-cases an ASCII letter; gitleaks' keywords are ASCII.
func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func (k *keywords) add(w string, n int) {
	if len(w) < 2 {
		return // gitleaks has none; one would match nearly everywhere
	}
	if k.first == nil {
		k.first = new([1 << 16]uint16)
	}
	p := pair(w[0], w[1])
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
	if len(text) < 2 || k.first == nil {
		return
	}
	prev := lowerByte(text[0])
	for i := 1; i < len(text); i++ {
		c := lowerByte(text[i])
		g := k.first[pair(prev, c)]
		prev = c
		if g == 0 {
			continue
		}
		at := i - 1
		for _, w := range k.groups[g-1] {
			if hasLowerPrefix(text[at:], w.text) {
				fn(at, w.n, len(w.text))
			}
		}
	}
}

func hasLowerPrefix(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for j := 2; j < len(w); j++ {
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
// at least.
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
		run := 0
		for k := j; k < len(text) && (wordByte(text[k]) || strings.IndexByte(".=-+/", text[k]) >= 0); k++ {
			run++
			if run >= 10 {
				return true
			}
		}
	}
	return false
}

func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
