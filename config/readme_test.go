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
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Skip("no README.md beside the module:", err)
	}
	text := string(b)
	i := strings.Index(text, "\n## Routing and policy\n")
	if i < 0 {
		t.Fatal("README.md has no \"## Routing and policy\" section")
	}
	section := text[i+1:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) < 2 {
		t.Fatalf("the section has %d TOML blocks, want the [tasks] and the overrides examples", len(blocks))
	}
	for _, m := range blocks {
		l, err := ParseTOML([]byte(m[1]), "README.md")
		if err != nil {
			t.Errorf("README block does not load:\n%s\n%v", m[1], err)
			continue
		}
		if _, _, err := Merge(l, nil); err != nil {
			t.Errorf("README block does not validate:\n%s\n%v", m[1], err)
		}
	}
}
