package config

import (
	"strings"
	"testing"
)

// The README's Providers section shows the presets and an OpenRouter
// entry with preferences; each TOML block there must load and validate.
func TestReadmeProviderBlocksValidate(t *testing.T) {
	var withPreset int
	for _, b := range readmeTOMLBlocks(t, "Providers") {
		if !strings.Contains(b, "preset") {
			continue
		}
		withPreset++
		checkReadmeBlock(t, b)
	}
	if withPreset == 0 {
		t.Error("the Providers section shows no preset")
	}
}
