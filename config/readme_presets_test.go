package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's Providers section shows the presets and an OpenRouter
// entry with preferences; each TOML block there must load and validate.
func TestReadmeProviderBlocksValidate(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Skip("no README.md beside the module:", err)
	}
	text := string(b)
	i := strings.Index(text, "\n## Providers\n")
	if i < 0 {
		t.Fatal("README.md has no \"## Providers\" section")
	}
	section := text[i+1:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	var withPreset int
	for _, m := range regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(section, -1) {
		if !strings.Contains(m[1], "preset") {
			continue
		}
		withPreset++
		l, err := ParseTOML([]byte(m[1]), "README.md")
		if err != nil {
			t.Errorf("README block does not load:\n%s\n%v", m[1], err)
			continue
		}
		if _, _, err := Merge(l, nil); err != nil {
			t.Errorf("README block does not validate:\n%s\n%v", m[1], err)
		}
	}
	if withPreset == 0 {
		t.Error("the Providers section shows no preset")
	}
}
