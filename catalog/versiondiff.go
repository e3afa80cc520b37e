package catalog

// VersionEnd is one side of a catalog diff: the argument it was named by
// and the version it found.
type VersionEnd struct {
	Arg        string `json:"arg"`
	ID         string `json:"id"`
	SourceDate string `json:"sourceDate"`
	Confidence string `json:"confidence"`
	Source     string `json:"source"`
}

// VersionDiff is the row changes from version A to B, the JSON output of
// avdurls catalog diff.
type VersionDiff struct {
	A       VersionEnd  `json:"a"`
	B       VersionEnd  `json:"b"`
	Changed bool        `json:"changed"`
	Changes []RowChange `json:"changes"`
}

// NewVersionDiff compares version a (named by argA) with b (named by
// argB).
func NewVersionDiff(argA string, a *Version, argB string, b *Version) VersionDiff {
	d := VersionDiff{A: VersionEnd{argA, a.ID, a.SourceDate, a.Confidence, a.Source},
		B: VersionEnd{argB, b.ID, b.SourceDate, b.Confidence, b.Source}, Changes: DiffVersions(a, b)}
	d.Changed = len(d.Changes) > 0
	if d.Changes == nil {
		d.Changes = []RowChange{}
	}
	return d
}
