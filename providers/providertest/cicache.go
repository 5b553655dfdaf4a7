package providertest

import (
	"os"
	"path/filepath"
)

// CICache is the folder where the .ci scripts cache what they fetch or
// build under name: the folder in the environment variable env when it
// is set (env may be ""), else name under $SWITCHYARD_CI_CACHE, else
// under ~/.cache/switchyard-ci, as the scripts do.
func CICache(env, name string) string {
	if env != "" {
		if dir := os.Getenv(env); dir != "" {
			return dir
		}
	}
	cache := os.Getenv("SWITCHYARD_CI_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "switchyard-ci")
	}
	return filepath.Join(cache, name)
}
