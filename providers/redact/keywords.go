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
	// maybe2 has a bit for every two-byte keyword, and maybe3 for a hash
	// of the first three bytes of every longer one, in every mix of
	// case: 8 KB each, so the scan stays in the fastest cache, and only
	// about one position in a hundred of ordinary code gets past them.
	maybe2 *[1 << 16 / 64]uint64
	maybe3 *[1 << 16 / 64]uint64
	first  *[1 << 16]uint16 // first two bytes, lower case -> 1 + index in groups, 0 for none
	groups [][]keyword
}

type keyword struct {
	text string // lower case
	n    int    // keyword number
}

func pair(a, b byte) uint16 { return uint16(a)<<8 | uint16(b) }

func triple(a, b, c byte) uint16 { return uint16(a)<<8 ^ uint16(b)<<4 ^ uint16(c) ^ uint16(c)<<12 }

// lowerByte lower-cases an ASCII letter; gitleaks' keywords are ASCII.
func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// cases returns c and, for a letter, its upper case.
func cases(c byte) []byte {
	if c >= 'a' && c <= 'z' {
		return []byte{c, c - 'a' + 'A'}
	}
	return []byte{c}
}

func (k *keywords) add(w string, n int) {
	if len(w) < 2 {
		return // gitleaks has none; one would match nearly everywhere
	}
	if k.first == nil {
		k.first, k.maybe2, k.maybe3 = new([1 << 16]uint16), new([1 << 16 / 64]uint64), new([1 << 16 / 64]uint64)
	}
	for _, a := range cases(w[0]) {
		for _, b := range cases(w[1]) {
			if len(w) == 2 {
				q := pair(a, b)
				k.maybe2[q/64] |= 1 << (q % 64)
				continue
			}
			for _, c := range cases(w[2]) {
				h := triple(a, b, c)
				k.maybe3[h/64] |= 1 << (h % 64)
			}
		}
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
	if len(text) < 2 || k.maybe2 == nil {
		return
	}
	for i := 1; i < len(text); i++ {
		q := pair(text[i-1], text[i])
		if k.maybe2[q/64]&(1<<(q%64)) == 0 {
			if i+1 == len(text) {
				break
			}
			h := triple(text[i-1], text[i], text[i+1])
			if k.maybe3[h/64]&(1<<(h%64)) == 0 {
				continue
			}
		}
		g := k.first[pair(lowerByte(text[i-1]), lowerByte(text[i]))]
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
