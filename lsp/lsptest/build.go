package lsptest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// BinaryEnv names an environment variable that, when set, points at a
// switchyard binary to use instead of building one (a release build under
// test, or a benchmark run that must not include build time).
const BinaryEnv = "SWITCHYARD_BIN"

var built struct {
	once sync.Once
	path string
	err  error
}

// Binary returns the path of a switchyard binary built from this module's
// ./cmd/switchyard, building it on first use. Every test in the test
// binary shares the one build; go's build cache makes later runs cheap.
// When the tests run with -race, so does the server.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv(BinaryEnv); p != "" {
		return p
	}
	built.once.Do(func() { built.path, built.err = build() })
	if built.err != nil {
		tb.Fatalf("lsptest: %v", built.err)
	}
	return built.path
}

const tempPrefix = "switchyard-lsptest-"

func build() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("cannot build switchyard: no go command on PATH (or set %s to a built binary): %w", BinaryEnv, err)
	}
	root, err := moduleRoot(goBin)
	if err != nil {
		return "", err
	}
	removeStaleBuilds()
	dir, err := os.MkdirTemp("", tempPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", fmt.Errorf("cannot build switchyard: %w", err)
	}
	out := filepath.Join(dir, "switchyard")
	args := []string{"build", "-o", out}
	env := os.Environ()
	if raceEnabled {
		args = append(args, "-race")
	} else {
		// The release build (see .ci/bench): a static binary without cgo
		// starts 3 ms sooner than go build's default, dynamically linked
		// one, and the tests and benchmarks should run what users run.
		args = append(args, "-trimpath", "-ldflags=-s -w")
		env = append(env, "CGO_ENABLED=0")
	}
	args = append(args, "./cmd/switchyard")
	cmd := exec.Command(goBin, args...)
	cmd.Dir = root
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("go build ./cmd/switchyard failed: %v\n%s", err, stderr.String())
	}
	return out, nil
}

func moduleRoot(goBin string) (string, error) {
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("cannot find the module: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("cannot find the module: run the tests inside the switchyard repository, or set %s", BinaryEnv)
	}
	return filepath.Dir(gomod), nil
}
