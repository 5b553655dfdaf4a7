package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's "Routing and policy" section shows [tasks] and the policy
// overrides; each of its TOML blocks must load and validate, so the
// documentation cannot drift from the schema.
func TestReadmeRoutingBlocksValidate(t *testing.T) {
	blocks := readmeTOMLBlocks(t, "Routing and policy")
	if len(blocks) < 2 {
		t.Fatalf("the section has %d TOML blocks, want the [tasks] and the overrides examples", len(blocks))
	}
	for _, b := range blocks {
		checkReadmeBlock(t, b)
	}
}

// readmeTOMLBlocks returns the bodies of the ```toml blocks in the
// README section under "## heading", up to the next "## " heading. It
// skips the test where the README is not beside the module.
func readmeTOMLBlocks(t *testing.T, heading string) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Skip("no README.md beside the module:", err)
	}
	text := string(b)
	i := strings.Index(text, "\n## "+heading+"\n")
	if i < 0 {
		t.Fatalf("README.md has no %q section", "## "+heading)
	}
	section := text[i+1:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// checkReadmeBlock fails the test unless block loads as a config file
// and validates.
func checkReadmeBlock(t *testing.T, block string) {
	t.Helper()
	l, err := ParseTOML([]byte(block), "README.md")
	if err != nil {
		t.Errorf("README block does not load:\n%s\n%v", block, err)
		return
	}
	if _, _, err := Merge(l, nil); err != nil {
		t.Errorf("README block does not validate:\n%s\n%v", block, err)
	}
}

// The README's "Privacy" section shows [audit]; its TOML must load and
// validate.
func TestReadmePrivacyBlocksValidate(t *testing.T) {
	blocks := readmeTOMLBlocks(t, "Privacy")
	if len(blocks) == 0 {
		t.Fatal("the Privacy section has no TOML block, want the [audit] example")
	}
	for _, b := range blocks {
		checkReadmeBlock(t, b)
	}
}
