package config

import "testing"

// The README's "Next-edit suggestions" section shows [next_edit] and the
// models that serve it; its TOML must load and validate.
func TestReadmeNextEditBlocksValidate(t *testing.T) {
	blocks := readmeTOMLBlocks(t, "Next-edit suggestions")
	if len(blocks) < 2 {
		t.Fatalf("the section has %d TOML blocks, want the [next_edit] and the models examples", len(blocks))
	}
	for _, b := range blocks {
		checkReadmeBlock(t, b)
	}
}
