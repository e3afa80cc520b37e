package main

import (
	"os"
	"runtime/debug"
)

// The soft memory limits (runtime/debug.SetMemoryLimit): what a command
// holds is bounded (lists, evidence, entries, a fleet's pending names),
// and past the limit the garbage collector runs more often, so that the
// garbage around it does not double the resident size. They are soft: a
// run that needs more gets more. GOMEMLIMIT, when set, wins.
const (
	defaultMemoryLimit = 160 << 20
	// scanMemoryLimit is a scan's: a fleet's names wait per host for its
	// region (about 125 MB live at 10,000 hosts × 20 texts without a
	// region given), read within 256 MiB resident.
	scanMemoryLimit = 208 << 20
)

// setMemoryLimit sets the soft memory limit to n bytes unless GOMEMLIMIT
// is set.
func setMemoryLimit(n int64) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(n)
	}
}
