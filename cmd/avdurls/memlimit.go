package main

// The soft memory limits the commands set (internal/memlimit): what a
// command holds is bounded (lists, evidence, entries, a fleet's pending
// names), and the limit keeps the garbage around it from doubling the
// resident size.
const (
	defaultMemoryLimit = 160 << 20
	// scanMemoryLimit is a scan's, raised while it runs as its live data
	// nears it (memlimit.Watch): a fleet's names wait per host for its
	// region (about 125 MB live at 10,000 hosts × 20 texts without a
	// region given), read within 256 MiB resident.
	scanMemoryLimit = 208 << 20
)
