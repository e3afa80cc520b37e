package scan

import (
	"cmp"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
)

// rowMerge folds the sightings of the rows of one feed (a workspace's
// answers, one export file) as they arrive: one sighting per computer,
// name, statuses, code and reason, whose count is the sum of its rows'
// counts, first and last the earliest and latest, and evidence the
// newest maxRowEvidence items (the report keeps the newest 20 of an
// address over every host, so a host's few newest are what it can
// show). The computer and resource ID strings of the rows are shared,
// so a fleet's rows cost memory per name and host, not per row.
type rowMerge struct {
	at   map[mergeKey]int // the sighting's index in its observation
	strs map[string]string
}

// mergeKey is what makes two rows' sightings one.
type mergeKey struct {
	ob                 *catalog.Observation
	host, code, reason string
	status             discover.Statuses
}

// maxRowEvidence is how many evidence items a merged sighting keeps:
// its newest row's last and first event, or the last events of its two
// newest rows.
const maxRowEvidence = 2

// maxHealthKept bounds a host's health list before it is trimmed to the
// newest 20 the report shows (the same order as the report's).
const maxHealthKept = 80

func newRowMerge() *rowMerge {
	return &rowMerge{at: map[mergeKey]int{}, strs: map[string]string{}}
}

// intern returns the one copy of s this feed keeps.
func (m *rowMerge) intern(s string) string {
	if v, ok := m.strs[s]; ok {
		return v
	}
	s = strings.Clone(s)
	m.strs[s] = s
	return s
}

// add merges s into ob's sightings.
func (m *rowMerge) add(ob *catalog.Observation, s catalog.Sighting) {
	k := mergeKey{ob, s.Host, string(s.Code), s.Reason, s.Status}
	i, ok := m.at[k]
	if !ok {
		// A name is a part of its row's text: its own copy lets the
		// text go.
		s.Host = m.intern(s.Host)
		k.host = s.Host
		m.at[k] = len(ob.Sightings)
		ob.Sightings = append(ob.Sightings, s)
		return
	}
	cur := &ob.Sightings[i]
	cur.Count += s.Count
	if s.First.Before(cur.First) {
		cur.First = s.First
	}
	if s.Last.After(cur.Last) {
		cur.Last = s.Last
	}
	if cap(cur.Evidence) < maxRowEvidence+2 { // a row gives at most 2: no more growth
		cur.Evidence = append(make([]discover.Evidence, 0, maxRowEvidence+2), cur.Evidence...)
	}
	cur.Evidence = newestEvidence(append(cur.Evidence, s.Evidence...), maxRowEvidence)
}

// newestEvidence sorts evidence as the report does (newest first, then
// computer, file, record and status) and keeps the first max distinct
// items.
func newestEvidence(list []discover.Evidence, max int) []discover.Evidence {
	slices.SortFunc(list, func(a, b discover.Evidence) int {
		return cmp.Or(b.Time.Compare(a.Time), strings.Compare(a.Computer, b.Computer),
			strings.Compare(a.File, b.File), cmp.Compare(a.RecordID, b.RecordID), strings.Compare(string(a.Status), string(b.Status)))
	})
	list = slices.Compact(list)
	return list[:min(len(list), max)]
}

// trimHealth keeps a host's health list bounded: past maxHealthKept it
// is sorted as the report sorts it and cut to the newest 20, which are
// all the report shows.
func trimHealth(ob *catalog.Observation) {
	if len(ob.Health) <= maxHealthKept {
		return
	}
	slices.SortFunc(ob.Health, func(a, b catalog.HealthEvent) int {
		return cmp.Or(b.Time.Compare(a.Time), cmp.Compare(a.EventID, b.EventID), strings.Compare(a.File, b.File), cmp.Compare(a.RecordID, b.RecordID))
	})
	ob.Health = slices.Compact(ob.Health)
	ob.Health = slices.Clip(ob.Health[:min(len(ob.Health), 20)])
}
