package catalog

import (
	_ "embed"
	"strings"
	"sync"
)

//go:embed regionindex.txt
var regionIndexTxt string

// regionIndex is regionindex.txt parsed: region name -> slot.
var regionIndex = sync.OnceValue(func() map[string]int {
	m := map[string]int{}
	for _, line := range regionIndexLines() {
		if _, dup := m[line]; !dup {
			m[line] = len(m)
		}
	}
	return m
})

// regionIndexLines are the region names of regionindex.txt, in order.
func regionIndexLines() []string {
	var out []string
	for _, line := range strings.Split(regionIndexTxt, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// RegionSlot is the fixed slot of a region in the committed, append-only
// region index (catalog/regionindex.txt): 0 for "unknown", then one per
// Azure region of any cloud. Rule priorities come from it, so a region's
// priority never depends on the other regions of a run. ok is false for a
// region the index lacks (one Azure reported that the table does not
// have yet).
func RegionSlot(region string) (slot int, ok bool) {
	slot, ok = regionIndex()[region]
	return slot, ok
}

// RegionSlots is the number of slots of the index.
func RegionSlots() int { return len(regionIndex()) }
