package providertest

import (
	"path/filepath"
	"testing"
)

func TestCICache(t *testing.T) {
	t.Setenv("SWITCHYARD_TEST_DIR", "")
	t.Setenv("SWITCHYARD_CI_CACHE", "/ci")
	if got, want := CICache("SWITCHYARD_TEST_DIR", "corpus"), filepath.Join("/ci", "corpus"); got != want {
		t.Errorf("with SWITCHYARD_CI_CACHE: %q, want %q", got, want)
	}
	t.Setenv("SWITCHYARD_TEST_DIR", "/elsewhere")
	if got := CICache("SWITCHYARD_TEST_DIR", "corpus"); got != "/elsewhere" {
		t.Errorf("with the variable set: %q, want /elsewhere", got)
	}
	if got, want := CICache("", "corpus"), filepath.Join("/ci", "corpus"); got != want {
		t.Errorf("with no variable: %q, want %q", got, want)
	}
	t.Setenv("SWITCHYARD_CI_CACHE", "")
	t.Setenv("HOME", "/home/u")
	if got, want := CICache("", "corpus"), filepath.Join("/home/u", ".cache", "switchyard-ci", "corpus"); got != want {
		t.Errorf("by default: %q, want %q", got, want)
	}
}
