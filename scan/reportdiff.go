package scan

import (
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
)

// DiffReports reads the reports at oldPath and newPath (each at most max
// bytes; 0 is DefaultMaxReportBytes), judges each again with o (Rejudge)
// and compares what they allow: the entries to add and remove per region,
// the entries either lists that o does not allow (Refused), and where the
// two do not cover the same ground or were made with other options than
// o (Warnings).
func DiffReports(oldPath, newPath string, max int64, o JudgeOptions) (catalog.ReportDiff, error) {
	var sides [2]catalog.Report
	var refused []catalog.Refused
	var optWarn []string
	for i, side := range []string{"old", "new"} {
		path := []string{oldPath, newPath}[i]
		rep, err := ReadReport(path, max)
		if err != nil {
			return catalog.ReportDiff{}, err
		}
		built, ref, err := Rejudge(rep, path, side, o)
		if err != nil {
			return catalog.ReportDiff{}, err
		}
		optWarn = append(optWarn, OptionWarnings(rep, strings.ToUpper(side), o)...)
		sides[i], refused = built, append(refused, ref...)
	}
	d := catalog.DiffReports(sides[0], sides[1])
	d.Old.File, d.New.File = discover.CleanText(oldPath, discover.MaxPath), discover.CleanText(newPath, discover.MaxPath)
	d.Refused = append(d.Refused, refused...)
	d.Warnings = append(catalog.CoverageWarnings(sides[0], sides[1]), optWarn...)
	return d, nil
}
