package scan

import "strings"

// rowMerge is what the rows of one feed (a workspace's answers, one export
// file) share: one copy of each resource ID string, so a fleet's rows cost
// memory per host, not per row. The rows' sightings themselves go to the
// report builder as they arrive, which merges and bounds them.
type rowMerge struct {
	strs map[string]string
}

func newRowMerge() *rowMerge {
	return &rowMerge{strs: map[string]string{}}
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
