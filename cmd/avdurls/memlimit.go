package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The soft memory limits (runtime/debug.SetMemoryLimit): what a command
// holds is bounded (lists, evidence, entries, a fleet's pending names),
// and past the limit the garbage collector runs more often, so that the
// garbage around it does not double the resident size. They are soft: a
// run whose live data nears the limit gets more (raiseMemoryLimit).
// GOMEMLIMIT, when set, wins.
const (
	defaultMemoryLimit = 160 << 20
	// scanMemoryLimit is a scan's: a fleet's names wait per host for its
	// region (about 125 MB live at 10,000 hosts × 20 texts without a
	// region given), read within 256 MiB resident.
	scanMemoryLimit = 208 << 20
)

// setMemoryLimit sets the soft memory limit to n bytes unless GOMEMLIMIT
// is set, and returns whether it did.
func setMemoryLimit(n int64) bool {
	if os.Getenv("GOMEMLIMIT") != "" {
		return false
	}
	debug.SetMemoryLimit(n)
	return true
}

// nextMemoryLimit is the limit for live bytes of live data under limit:
// once the live data passes three quarters of the limit, half as much
// again as the live data, so that the collector keeps room to work in
// (with live data at the limit it runs without pause, at up to half the
// CPU: 20,000 hosts without a region took 31 s, against 7 s for 10,000);
// never lower than limit.
func nextMemoryLimit(live, limit int64) int64 {
	if live > limit/4*3 {
		return max(limit, live/2*3)
	}
	return limit
}

// watchMemoryLimit raises the soft limit while the command runs, as its
// live data grows (nextMemoryLimit), from the limit n it starts at; the
// returned stop ends the watch.
func watchMemoryLimit(n int64) (stop func()) {
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			if next := nextMemoryLimit(int64(sample[0].Value.Uint64()), n); next != n {
				n = next
				debug.SetMemoryLimit(n)
			}
		}
	}()
	return func() { close(done) }
}
