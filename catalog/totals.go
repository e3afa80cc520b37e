package catalog

import "github.com/avdurls/avdurls/discover"

// Totals counts what a report's allowlists hold, over every region.
type Totals struct {
	// Entries counts the names and IP rules to allow; Deprecated, those of
	// them that are deprecated but still checked.
	Entries, Deprecated int
	// Wildcards counts the wildcard rows carried as wildcards; Unresolved,
	// those no discovered host replaces and that are not carried.
	Wildcards, Unresolved int
}

// Totals counts the report's entries, wildcards and unresolved rows.
func (rep Report) Totals() Totals {
	var t Totals
	for _, r := range rep.Regions {
		t.Entries += len(r.Entries) + len(r.IPRules)
		for _, e := range r.Entries {
			if e.Deprecated {
				t.Deprecated++
			}
		}
		t.Wildcards += len(r.Wildcards)
		t.Unresolved += len(r.Unresolved)
	}
	return t
}

// Codes counts the names kept out of the allowlists (rejected, to review,
// deprecated) that are listed, by the code of why.
func (rep Report) Codes() map[discover.Code]int {
	n := map[discover.Code]int{}
	for _, list := range [][]Excluded{rep.Rejected, rep.Review, rep.Deprecated} {
		for _, x := range list {
			n[x.Code]++
		}
	}
	return n
}
