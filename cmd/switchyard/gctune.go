package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// The garbage collector's target for the server moves with what is
// live. The live heap is mostly the text of open documents: a few MB
// while one file is edited, tens of MB with a project's worth open.
//
//   - Small heaps may grow to gcThreshold before a collection. At a
//     fixed percent, a 2 MB live heap is collected after every 1 to 2 MB
//     allocated, which a keystroke in a large file (a new copy of its
//     text, the prompt around the cursor) reaches in one request: at 50,
//     820 collections for 1,000 keystrokes in a 10,000-line file, most of
//     the completion overhead (BenchmarkCompletionOverhead; see
//     BENCHMARKS.md).
//   - Large heaps may grow to 1.5 times what is live (a percent of 50),
//     not Go's 2 times: the heap left behind by a burst of opened files
//     (a session restored) would otherwise stay resident (BenchmarkMemory,
//     100 open 5,000-line files: 67 MB at 100, 56 MB at 50).
const (
	gcThreshold  = 16 << 20
	minGCPercent = 50
	maxGCPercent = 500
)

// tuneGC starts the collector's tuning unless the user set GOGC, which
// stays the way to choose otherwise. It runs once the client has sent
// initialized: the garbage that package initialisation leaves (about
// 1 MB) should not cost a collection before the answer to initialize.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	startGCTuner(gcThreshold, minGCPercent, maxGCPercent)
}

// gcTuner sets the collector's percent after each collection so that the
// next one comes when the heap reaches threshold, within [min, max].
//
// Written here rather than taken from github.com/bytedance/gopkg's
// gctuner, which does the same from runtime.MemStats.HeapInuse: right
// after a collection that still counts the spans not yet swept, so every
// third collection or so it saw a full heap, chose the minimum and
// collected again at 3 MB. The live heap the collector itself marked
// (runtime/metrics /gc/heap/live:bytes) has no such lag.
type gcTuner struct {
	threshold uint64
	min, max  int
	sample    []metrics.Sample
	percent   int
	stopped   atomic.Bool
}

// gcSentinel is garbage as soon as it is made: its finalizer runs once
// per collection.
type gcSentinel struct{ t *gcTuner }

func startGCTuner(threshold uint64, minPercent, maxPercent int) *gcTuner {
	t := &gcTuner{threshold: threshold, min: minPercent, max: maxPercent, percent: -2,
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.arm()
	return t
}

func (t *gcTuner) arm() {
	runtime.SetFinalizer(&gcSentinel{t: t}, func(s *gcSentinel) {
		if s.t.stopped.Load() {
			return
		}
		s.t.tune()
		s.t.arm()
	})
}

func (t *gcTuner) tune() {
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	p := gcPercentFor(t.sample[0].Value.Uint64(), t.threshold, t.min, t.max)
	if p != t.percent {
		t.percent = p
		debug.SetGCPercent(p)
	}
}

// stop ends the tuning; the percent stays where it was.
func (t *gcTuner) stop() { t.stopped.Store(true) }

// gcPercentFor is the percent that lets a heap of live bytes grow to
// threshold before the next collection, within [minPercent, maxPercent].
func gcPercentFor(live, threshold uint64, minPercent, maxPercent int) int {
	if live == 0 {
		return maxPercent
	}
	if live >= threshold {
		return minPercent
	}
	return max(minPercent, min(maxPercent, int((threshold-live)*100/live)))
}
