package catalog

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
)

// regionIndexPinned is how many lines of the region index were present
// when it was last extended, and the SHA-256 of those lines joined by
// "\n": reordering, renaming or deleting any of them fails the test;
// appending does not. Extend both when you append regions.
const (
	regionIndexPinned = 79
	regionIndexDigest = "0afebdd0ee65baa21bded67990e7bbc61652aac2f17561898a001cc158b0b4b8"
)

// TestRegionIndex checks the index is append-only, holds every region of
// every cloud's table once, and gives fixed slots.
func TestRegionIndex(t *testing.T) {
	lines := regionIndexLines()
	if len(lines) < regionIndexPinned {
		t.Fatalf("the region index has %d lines, fewer than the %d pinned: lines were deleted", len(lines), regionIndexPinned)
	}
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(strings.Join(lines[:regionIndexPinned], "\n"))))
	if sum != regionIndexDigest {
		t.Errorf("the first %d lines of regionindex.txt changed (digest %s): the index is append-only", regionIndexPinned, sum)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if seen[l] {
			t.Errorf("%s is in the index twice", l)
		}
		seen[l] = true
	}
	for _, c := range Clouds() {
		for _, r := range Regions(c) {
			if !seen[r.Name] {
				t.Errorf("region %s (%s) is not in regionindex.txt: append it", r.Name, c)
			}
		}
	}
	if s, ok := RegionSlot(UnknownRegion); !ok || s != 0 {
		t.Errorf("slot of unknown = %d, %v", s, ok)
	}
	if s, _ := RegionSlot("eastus2"); s == 0 {
		t.Error("eastus2 has no slot")
	}
	if _, ok := RegionSlot("marsnorth"); ok {
		t.Error("marsnorth has a slot")
	}
}
