package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 500},
		{1 * mb, 500},  // 16 MB would be 1,500 %: capped
		{4 * mb, 300},  // 4 MB may grow to 16
		{8 * mb, 100},  // Go's default, here
		{12 * mb, 50},  // 33 % would be below the floor
		{16 * mb, 50},  // at the threshold
		{200 * mb, 50}, // far past it
	} {
		if got := gcPercentFor(tc.live, 16*mb, 50, 500); got != tc.want {
			t.Errorf("gcPercentFor(%d MB) = %d, want %d", tc.live/mb, got, tc.want)
		}
	}
}

// The tuner follows the live heap from one collection to the next.
func TestGCTunerFollowsTheLiveHeap(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	tuner := startGCTuner(64<<20, 50, 500)
	defer tuner.stop()
	percent := func() int {
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(s)
		return int(s[0].Value.Uint64())
	}
	// waitFor collects until the tuner has set a percent that satisfies
	// ok: its finalizer runs on its own goroutine after a collection.
	waitFor := func(what string, ok func(int) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok(percent()) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the percent stayed at %d", what, percent())
			}
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
	}
	// A test binary's live heap is a few MB: far under 64 MB.
	waitFor("small heap", func(p int) bool { return p > 200 })
	// 96 MB kept live is past the threshold.
	ballast := make([][]byte, 96)
	for i := range ballast {
		ballast[i] = make([]byte, 1<<20)
		ballast[i][0] = 1
	}
	waitFor("large heap", func(p int) bool { return p == 50 })
	runtime.KeepAlive(ballast)
	ballast = nil
	waitFor("small again", func(p int) bool { return p > 200 })
}
