package redact

import (
	_ "embed"
	"regexp"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// GitleaksVersion is the gitleaks release whose rules gitleaks.toml holds.
const GitleaksVersion = "v8.30.1"

// gitleaksTOML is gitleaks' default configuration, the file its config
// package embeds. The package itself is not imported: it brings viper and
// hashicorp/go-version, which compiles regular expressions at package
// initialisation (3.7 ms at every start of the server, measured), 0.9 MB
// of binary, and, through go.mod, newer grpc and protobuf for the whole
// server; its detect package brings archive readers for 4 MB more. The
// file alone carries the whole rule set.
//
//go:embed gitleaks.toml
var gitleaksTOML string

// The shape of gitleaks.toml, as much of it as applies to text that has
// no file path or commit.
type (
	tomlConfig struct {
		Allowlist tomlAllowlist `toml:"allowlist"`
		Rules     []tomlRule    `toml:"rules"`
	}
	tomlRule struct {
		ID          string          `toml:"id"`
		Regex       string          `toml:"regex"`
		SecretGroup int             `toml:"secretGroup"`
		Entropy     float64         `toml:"entropy"`
		Keywords    []string        `toml:"keywords"`
		Path        string          `toml:"path"`
		Allowlists  []tomlAllowlist `toml:"allowlists"`
	}
	tomlAllowlist struct {
		Condition   string   `toml:"condition"`
		RegexTarget string   `toml:"regexTarget"`
		Regexes     []string `toml:"regexes"`
		Stopwords   []string `toml:"stopwords"`
		Paths       []string `toml:"paths"`
	}
)

// rule is one gitleaks rule. Its pattern is compiled the first time one
// of its keywords appears in a text, so the rules of vendors nobody's code
// mentions cost nothing.
type rule struct {
	id        string
	src       string
	group     int
	entropy   float64
	multiline bool // the pattern can span lines (a PEM block)
	allow     []*allowlist

	once sync.Once
	re   *regexp.Regexp
}

func (r *rule) regexp() *regexp.Regexp {
	r.once.Do(func() {
		// gitleaks compiles its patterns with Go's regexp too (unless
		// built with re2), so every one of them compiles; one that does
		// not after an update matches nothing rather than failing a
		// request.
		r.re, _ = regexp.Compile(r.src)
		for _, a := range r.allow {
			a.compile()
		}
	})
	return r.re
}

// allowlist is a gitleaks allowlist: what looks like a secret but is not.
type allowlist struct {
	and       bool   // every check must agree; else any one is enough
	target    string // "secret" (default), "match" or "line"
	hasPaths  bool   // a path check, which text without a path fails
	src       []string
	re        *regexp.Regexp
	stopwords []string // lower case
}

func newAllowlist(t tomlAllowlist) *allowlist {
	a := &allowlist{
		and:      strings.EqualFold(t.Condition, "AND"),
		target:   t.RegexTarget,
		hasPaths: len(t.Paths) > 0,
		src:      t.Regexes,
	}
	for _, w := range t.Stopwords {
		a.stopwords = append(a.stopwords, strings.ToLower(w))
	}
	return a
}

func (a *allowlist) compile() {
	if len(a.src) > 0 {
		// One alternation, as gitleaks builds it, so a finding is tested
		// against the list in one pass.
		a.re, _ = regexp.Compile("(?:" + strings.Join(a.src, ")|(?:") + ")")
	}
}

// allows reports whether a finding is not a secret after all, as
// gitleaks' checkFindingAllowed decides it for text without a path.
func (a *allowlist) allows(secret, match, line string) bool {
	target := secret
	switch a.target {
	case "match":
		target = match
	case "line":
		target = line
	}
	regex := a.re != nil && a.re.MatchString(target)
	stop := false
	if len(a.stopwords) > 0 {
		low := strings.ToLower(secret)
		for _, w := range a.stopwords {
			if strings.Contains(low, w) {
				stop = true
				break
			}
		}
	}
	if !a.and {
		return regex || stop
	}
	if a.hasPaths {
		return false // no path, so the path check fails
	}
	checks := 0
	if a.re != nil {
		if !regex {
			return false
		}
		checks++
	}
	if len(a.stopwords) > 0 {
		if !stop {
			return false
		}
		checks++
	}
	return checks > 0
}

// ruleSet is gitleaks' rules with the keyword trie that picks which of
// them to try on a text.
type ruleSet struct {
	rules  []*rule
	global *allowlist
	words  keywords
	byWord [][]*rule // keyword number -> the rules it selects
	assign []bool    // keyword number -> it selects an assignment check
	url    []bool    // keyword number -> that check is the URL one
	err    error
}

var (
	loadOnce sync.Once
	loaded   *ruleSet
)

// Warm reads the rule set now, so that the first Find does not wait for
// it. A server calls it in the background once it has started.
func Warm() { rules() }

// rules reads the rule set once, on first use.
func rules() *ruleSet {
	loadOnce.Do(func() { loaded = parseRules(gitleaksTOML) })
	return loaded
}

func parseRules(src string) *ruleSet {
	var cfg tomlConfig
	rs := &ruleSet{}
	if _, err := toml.Decode(src, &cfg); err != nil {
		rs.err = err
		return rs
	}
	rs.global = newAllowlist(cfg.Allowlist)
	rs.global.compile()
	words := map[string]int{}
	word := func(w string) int {
		w = strings.ToLower(w)
		n, ok := words[w]
		if !ok {
			n = len(rs.byWord)
			words[w] = n
			rs.byWord = append(rs.byWord, nil)
			rs.assign = append(rs.assign, false)
			rs.url = append(rs.url, false)
			rs.words.add(w, n)
		}
		return n
	}
	for _, tr := range cfg.Rules {
		if tr.Regex == "" || tr.Path != "" || len(tr.Keywords) == 0 {
			// A rule that needs a file name (*.p12, or a pattern only
			// for certain files): prompts have no one file name, and
			// secret files are kept off remote models by path instead
			// ([policy] secret_files).
			continue
		}
		r := &rule{
			id:        tr.ID,
			src:       tr.Regex,
			group:     tr.SecretGroup,
			entropy:   tr.Entropy,
			multiline: strings.Contains(tr.Regex, `\s\S`) || strings.Contains(tr.Regex, `(?s`) || strings.Contains(tr.Regex, `\n`),
		}
		for _, a := range tr.Allowlists {
			r.allow = append(r.allow, newAllowlist(a))
		}
		rs.rules = append(rs.rules, r)
		for _, w := range tr.Keywords {
			n := word(w)
			rs.byWord[n] = append(rs.byWord[n], r)
		}
	}
	for _, w := range assignWords {
		rs.assign[word(w)] = true
	}
	rs.url[word(urlWord)] = true
	rs.assign[word(urlWord)] = true
	return rs
}
