package catalog

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// The evidence kept per entry and per excluded name is a sample: the
// evidenceEnds oldest and newest sightings, and the newest sighting of
// each of the evidenceHosts computers with the smallest names. Each part
// of it, taken from a union, is the same part taken from the parts'
// samples: a scan of reports keeps the evidence one scan of their inputs
// keeps.
const (
	evidenceEnds  = 3
	evidenceHosts = 4
)

// addSighting records a sighting: its count, the times of the first and
// last sighting (when first and last are given) and its evidence, sampled
// as it grows (capEvidence), so memory stays bounded and the result does
// not depend on order.
func addSighting(count *int, list *[]discover.Evidence, first, last **time.Time, s Sighting) {
	*count += s.Count
	*list = append(*list, s.Evidence...)
	if len(*list) > 4*(2*evidenceEnds+evidenceHosts) {
		*list = capEvidence(*list)
	}
	if first != nil && !s.First.IsZero() && (*first == nil || s.First.Before(**first)) {
		t := s.First
		*first = &t
	}
	if last != nil && !s.Last.IsZero() && (*last == nil || s.Last.After(**last)) {
		t := s.Last
		*last = &t
	}
}

// newestFirst orders evidence newest first, then by computer, file,
// record and status: a total order.
func newestFirst(a, b discover.Evidence) int {
	return cmp.Or(b.Time.Compare(a.Time), strings.Compare(a.Computer, b.Computer),
		strings.Compare(a.File, b.File), cmp.Compare(a.RecordID, b.RecordID), cmp.Compare(a.EventID, b.EventID),
		strings.Compare(string(a.Status), string(b.Status)))
}

// capEvidence returns the sample of a list of evidence, without
// duplicates, newest first (sampleInPlace), in an array of its own. The
// sample of a list is the same whatever part of it was sampled before
// (so a host's names can be sampled early: Builder).
func capEvidence(list []discover.Evidence) []discover.Evidence {
	list = slices.Clone(sampleInPlace(list, newestFirst, func(e discover.Evidence) string { return e.Computer }))
	if list == nil {
		list = []discover.Evidence{}
	}
	return list
}
