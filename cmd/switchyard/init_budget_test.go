package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Package initialisation is paid by every start of the server and every
// `switchyard version`, before main runs. These budgets hold it where the
// start-up figures in BENCHMARKS.md were measured. The bytes and the
// number of packages are exact and stable from run to run, so they catch
// a heavy dependency the day it is linked in; the clock is loose (about 15 ms
// on an idle machine, ten times that on a 2-core one running 20 jobs) and
// catches only an init that blocks on the network or disk or computes for
// long. Raising a budget is
// a decision to make on purpose, with the figures in BENCHMARKS.md
// measured again (.ci/bench).
const (
	initBudgetBytes    = 510_000 // allocated by all init functions together (490 KB measured)
	initBudgetPackages = 148     // packages with init work (144 measured)
	initBudgetClockMS  = 250.0   // the fastest of initRuns runs, all inits together
	initRuns           = 5
)

// initTrace is one line of GODEBUG=inittrace=1: "init PKG @T ms, C ms
// clock, B bytes, A allocs".
type initTrace struct {
	pkg     string
	clockMS float64
	bytes   int64
}

func TestInitBudget(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "switchyard")
	// A plain build, whatever flags the test runs with: -race and -cover
	// add init work of their own.
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	var runs [][]initTrace
	for range initRuns {
		cmd := exec.Command(bin, "version")
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("switchyard version: %v\n%s", err, stderr.String())
		}
		runs = append(runs, parseInitTrace(t, stderr.String()))
	}

	last := runs[len(runs)-1]
	var bytesTotal int64
	for _, in := range last {
		bytesTotal += in.bytes
	}
	clock := -1.0
	for _, run := range runs {
		var c float64
		for _, in := range run {
			c += in.clockMS
		}
		if clock < 0 || c < clock {
			clock = c
		}
	}
	t.Logf("package initialisation: %d packages, %d bytes allocated, %.1f ms (fastest of %d)",
		len(last), bytesTotal, clock, initRuns)

	if bytesTotal > initBudgetBytes {
		t.Errorf("init functions allocate %d bytes, budget %d; the heaviest:\n%s",
			bytesTotal, initBudgetBytes, heaviest(last, func(in initTrace) float64 { return float64(in.bytes) }, "%.0f bytes"))
	}
	if len(last) > initBudgetPackages {
		t.Errorf("%d packages have init work, budget %d (a new dependency?); the heaviest by bytes:\n%s",
			len(last), initBudgetPackages, heaviest(last, func(in initTrace) float64 { return float64(in.bytes) }, "%.0f bytes"))
	}
	if clock > initBudgetClockMS {
		t.Errorf("package initialisation took %.1f ms at best of %d runs, budget %.0f ms; the slowest:\n%s",
			clock, initRuns, initBudgetClockMS, heaviest(last, func(in initTrace) float64 { return in.clockMS }, "%.2f ms"))
	}
}

func parseInitTrace(t *testing.T, stderr string) []initTrace {
	t.Helper()
	var out []initTrace
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 11 || f[0] != "init" || f[6] != "clock," || f[8] != "bytes," {
			continue
		}
		c, err1 := strconv.ParseFloat(f[4], 64)
		b, err2 := strconv.ParseInt(f[7], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("unexpected inittrace line %q", sc.Text())
		}
		out = append(out, initTrace{pkg: f[1], clockMS: c, bytes: b})
	}
	if len(out) == 0 {
		t.Fatalf("no inittrace lines in the output of GODEBUG=inittrace=1 switchyard version:\n%s", stderr)
	}
	return out
}

// heaviest lists the eight packages that weigh most by weight.
func heaviest(ins []initTrace, weight func(initTrace) float64, format string) string {
	ins = append([]initTrace(nil), ins...)
	sort.SliceStable(ins, func(i, j int) bool { return weight(ins[i]) > weight(ins[j]) })
	var sb strings.Builder
	for _, in := range ins[:min(8, len(ins))] {
		fmt.Fprintf(&sb, "\t%s: "+format+"\n", in.pkg, weight(in))
	}
	return sb.String()
}
