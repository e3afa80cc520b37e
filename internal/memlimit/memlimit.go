// Package memlimit sets a process's soft memory limit
// (runtime/debug.SetMemoryLimit) and raises it while the live data grows
// toward it: past the limit the garbage collector runs more often, so
// that the garbage around bounded data does not double the resident
// size, but with live data at the limit it would run without pause.
// GOMEMLIMIT, when set, wins.
package memlimit

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Set sets the soft memory limit to n bytes unless GOMEMLIMIT is set,
// and returns whether it did.
func Set(n int64) bool {
	if os.Getenv("GOMEMLIMIT") != "" {
		return false
	}
	debug.SetMemoryLimit(n)
	return true
}

// Next is the limit for live bytes of live data under limit: once the
// live data passes three quarters of the limit, half as much again as
// the live data, so that the collector keeps room to work in (with live
// data at the limit it runs without pause, at up to half the CPU: a scan
// of 20,000 hosts without a region took 31 s, against 7 s for 10,000);
// never lower than limit.
func Next(live, limit int64) int64 {
	if live > limit/4*3 {
		return max(limit, live/2*3)
	}
	return limit
}

// Watch raises the soft limit as the live data grows (Next), from the
// limit n it starts at, reading the live heap every 100 ms; the returned
// stop ends the watch.
func Watch(n int64) (stop func()) {
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
			if next := Next(int64(sample[0].Value.Uint64()), n); next != n {
				n = next
				debug.SetMemoryLimit(n)
			}
		}
	}()
	return func() { close(done) }
}
