package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// gitleaksSHA256 is the SHA-256 of config/gitleaks.toml in gitleaks
// GitleaksVersion, so that an edit by hand, which the next update would
// lose, is caught; gen_rules.go writes the file and this line.
const gitleaksSHA256 = "e163e53b9e7e8a8511e77271e2b323ed057759542a6d988258afe3a1fa329caf"

func TestRulesAreGitleaksDefaults(t *testing.T) {
	sum := sha256.Sum256([]byte(gitleaksTOML))
	if got := hex.EncodeToString(sum[:]); got != gitleaksSHA256 {
		t.Fatalf("gitleaks.toml is not gitleaks %s's config/gitleaks.toml (sha256 %s): run go generate ./providers/redact rather than editing it", GitleaksVersion, got)
	}
	rs := parseRules(gitleaksTOML)
	if rs.err != nil {
		t.Fatal(rs.err)
	}
	if len(rs.rules) < 200 {
		t.Errorf("%d rules read, want gitleaks' 200 or more", len(rs.rules))
	}
	for _, r := range rs.rules {
		if r.regexp() == nil {
			t.Errorf("rule %s does not compile with Go's regexp", r.id)
		}
	}
}
