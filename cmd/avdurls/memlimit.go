package main

import (
	"os"
	"runtime/debug"
)

// scanMemoryLimit is the soft memory limit of a scan: past it the
// garbage collector runs more often, so that a fleet's rows (whose
// sightings take about 130 MB at 10,000 hosts × 20 texts) are read
// within 256 MiB resident instead of twice their live size. It is soft:
// a scan that needs more gets more. GOMEMLIMIT, when set, wins.
const scanMemoryLimit = 208 << 20

// setScanMemoryLimit sets scanMemoryLimit unless GOMEMLIMIT is set.
func setScanMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(scanMemoryLimit)
	}
}
