//go:build unix

package lsptest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// removeStaleBuilds deletes build folders left by test processes that
// have ended. A package of helpers has no hook at process exit (that
// would take a TestMain in every package that uses it), so each build
// sweeps up after the earlier ones instead; folders of live processes,
// such as another package's tests running in parallel, are kept.
func removeStaleBuilds() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), tempPrefix)
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
			os.RemoveAll(m)
		}
	}
}
