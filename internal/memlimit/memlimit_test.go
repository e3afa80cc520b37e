package memlimit

import "testing"

// TestNext: the scan's soft limit stays while its live data is
// below three quarters of it, then grows to half as much again as the
// live data, and never shrinks.
func TestNext(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct{ live, limit, want int64 }{
		{100 * mib, 208 * mib, 208 * mib}, // a 10,000-host fleet: the limit holds
		{156 * mib, 208 * mib, 208 * mib}, // three quarters: still
		{160 * mib, 208 * mib, 240 * mib}, // past it: room of half the live data
		{250 * mib, 240 * mib, 375 * mib}, // past the limit itself
		{100 * mib, 375 * mib, 375 * mib}, // live data fell: never lower
	} {
		if got := Next(c.live, c.limit); got != c.want {
			t.Errorf("live %d MiB, limit %d MiB: %d MiB, want %d", c.live/mib, c.limit/mib, got/mib, c.want/mib)
		}
	}
}
