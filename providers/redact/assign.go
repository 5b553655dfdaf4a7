package redact

import (
	"math"
	"regexp"
	"strings"
	"sync"
)

// Rule ids of the checks written here; gitleaks' rules keep their own ids.
const (
	RuleAssignment  = "assignment"   // NAME = "value" where NAME says it is a secret
	RuleURLPassword = "url-password" // scheme://user:password@host
)

// assignWords select the lines the assignment and URL checks look at.
// They are matched in lower case, anywhere in a word: "_key" finds
// STRIPE_KEY and aws_secret_access_key alike.
var assignWords = []string{
	"secret", "token", "passw", "pwd", "passphrase", "apikey", "api_key", "api-key",
	"accesskey", "access_key", "privatekey", "private_key", "_key", "credential", "auth",
}

// urlWord selects the lines the URL password check looks at.
const urlWord = "://"

// No gitleaks rule covers these: a value of any format whose name alone
// says it is a secret (a database password, a .env line), and a password
// inside a connection string. gitleaks' generic-api-key rule needs a value
// of high entropy; a password is often short and plain. They are written
// by hand for that reason, and kept narrow: the value must be a literal
// (quoted, or a whole .env or YAML value), not an expression, a variable
// reference or a placeholder.
var (
	assignOnce sync.Once
	assignRE   *regexp.Regexp
	urlRE      *regexp.Regexp
)

func assignPatterns() (*regexp.Regexp, *regexp.Regexp) {
	assignOnce.Do(func() {
		assignRE = regexp.MustCompile(`(?i)(?:^|[^\w.-])(?:export\s+)?([\w.-]*(?:secret|token|passw(?:or)?d|pwd|passphrase|api[_.-]?key|access[_.-]?key|private[_.-]?key|auth[_.-]?key|credentials?|_key)[\w.-]*)["']?\s*(?::=|=>|=|:)[ \t]*(?:"([^"\s\\]{6,})"|'([^'\s\\]{6,})'|` + "`([^`\\s]{6,})`" + `|([^\s"'` + "`" + `,;(){}\[\]$]{6,})[ \t]*$)`)
		urlRE = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/?#@'"]{1,64}:([^\s/?#@'"]{3,128})@[\w.-]`)
	})
	return assignRE, urlRE
}

// findAssignments appends the findings of one of the hand-written checks
// (the URL one, or the assignment one) in line, which starts at offset
// base of the text.
func findAssignments(line string, base int, url bool, out []Finding) []Finding {
	are, ure := assignPatterns()
	if url {
		for _, m := range ure.FindAllStringSubmatchIndex(line, -1) {
			pw := line[m[2]:m[3]]
			if placeholder(pw) || (len(pw) < 6 && !strings.ContainsAny(pw, "0123456789")) {
				continue
			}
			out = append(out, Finding{Rule: RuleURLPassword, Start: base + m[2], End: base + m[3]})
		}
		return out
	}
	if !strings.ContainsAny(line, "=:") {
		return out
	}
	for _, m := range are.FindAllStringSubmatchIndex(line, -1) {
		name := line[m[2]:m[3]]
		// Groups 2 to 4 are a quoted value, 5 an unquoted one.
		g := 4
		for g <= 10 && m[g] < 0 {
			g += 2
		}
		if g > 10 {
			continue
		}
		value := line[m[g]:m[g+1]]
		if g == 10 && !wholeValue(line, m[2]) {
			// An unquoted value counts only on a .env or YAML line,
			// where the name starts the line; elsewhere it is code.
			continue
		}
		if !secretValue(name, value) {
			continue
		}
		out = append(out, Finding{Rule: RuleAssignment, Start: base + m[g], End: base + m[g+1]})
	}
	return out
}

// wholeValue reports whether name starts its line (after indentation,
// "export " or a YAML list dash), as in a .env, shell or YAML file.
func wholeValue(line string, at int) bool {
	lead := strings.TrimLeft(line[:at], " \t-")
	return strings.TrimSpace(strings.TrimPrefix(lead, "export")) == ""
}

// dummies are values that stand for a secret in examples and templates.
var dummies = []string{
	"changeme", "change_me", "example", "dummy", "placeholder", "your_", "your-", "yourpass",
	"redacted", "xxxx", "****", "....", "<", ">", "none", "null", "undefined", "password",
	"secret", "notasecret", "foobar", "test", "sample", "fake", "token",
}

// placeholder reports whether a value refers to a secret kept elsewhere
// (a variable, a template) or stands in for one.
func placeholder(v string) bool {
	if strings.HasPrefix(v, "$") || strings.HasPrefix(v, "%") || strings.Contains(v, "${") ||
		strings.Contains(v, "{{") || strings.HasPrefix(v, "@") {
		return true
	}
	low := strings.ToLower(v)
	for _, d := range dummies {
		if strings.Contains(low, d) {
			return true
		}
	}
	return repeated(v)
}

// repeated reports a value made of one character ("******").
func repeated(v string) bool {
	for i := 1; i < len(v); i++ {
		if v[i] != v[0] {
			return false
		}
	}
	return true
}

// secretValue decides whether the value assigned to name is a secret.
// A password may be short and plain; a key or token is long and random.
// Identifiers, version strings, UUIDs and file paths are not secrets.
func secretValue(name, v string) bool {
	if placeholder(v) || uuidRE(v) || strings.ContainsAny(v, "/\\") && !strings.ContainsAny(v, "+=") && strings.Count(v, "/") > 1 {
		return false
	}
	digits, upper, lower, other := classes(v)
	if digits == 0 && other == 0 {
		return false // a word or an identifier: tokenKind = "IDENTIFIER"
	}
	if onlyIdentifier(v) && digits == 0 {
		return false
	}
	low := strings.ToLower(name)
	if strings.Contains(low, "passw") || strings.Contains(low, "pwd") || strings.Contains(low, "passphrase") {
		return len(v) >= 6 && (upper+lower > 0)
	}
	if len(v) < 12 {
		return false
	}
	return entropy(v) >= 3.0
}

func classes(v string) (digits, upper, lower, other int) {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		default:
			other++
		}
	}
	return
}

// onlyIdentifier reports a dotted or snake-case name such as
// "config.auth_header" or "X-Api-Key".
func onlyIdentifier(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c == '_' || c == '.' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// uuidRE reports the canonical 8-4-4-4-12 form.
func uuidRE(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := v[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// entropy is the Shannon entropy of s in bits per byte, as gitleaks
// computes it for its rules' entropy thresholds.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	inv := 1 / float64(len(s))
	e := 0.0
	for _, c := range counts {
		if c > 0 {
			f := float64(c) * inv
			e -= f * math.Log2(f)
		}
	}
	return e
}
