package render

import (
	"fmt"
	"strconv"

	"github.com/avdurls/avdurls/catalog"
)

// ReportDiffDoc is the document of a diff of two reports, the body of the
// next firewall change request: per region, the entries to add with their
// evidence and those to remove; the warnings about what the two reports
// cover first.
func ReportDiffDoc(d catalog.ReportDiff) Doc {
	doc := Doc{Title: "Firewall change request: AVD endpoint changes", Data: d, Empty: "No change.", Warnings: d.Warnings,
		Lines: []string{fmt.Sprintf("From catalog %s to %s.", d.Old.Catalog.Version, d.New.Catalog.Version)},
		CSV:   [][]string{{"region", "change", "address", "port", "protocol", "replaces", "evidence"}}}
	for _, warn := range d.Warnings {
		doc.CSV = append(doc.CSV, []string{"", "warning", "", "", "", "", warn})
	}
	for _, r := range d.Regions {
		s := Section{Heading: "Region " + r.Region}
		if len(r.Add) > 0 {
			t := Table{Heading: "Add", Columns: []Column{{Name: "Address", Code: true}, {Name: "Port"}, {Name: "Protocol"},
				{Name: "Replaces", Code: true}, {Name: "Evidence"}}}
			for _, e := range r.Add {
				t.Rows = append(t.Rows, []string{e.Address, strconv.Itoa(e.Port), e.Protocol, e.Replaces, evidenceLine(e)})
				doc.CSV = append(doc.CSV, []string{r.Region, "add", e.Address, strconv.Itoa(e.Port), e.Protocol, e.Replaces, evidenceLine(e)})
			}
			s.Tables = append(s.Tables, t)
		}
		if len(r.Remove) > 0 {
			t := Table{Heading: "Remove", Columns: []Column{{Name: "Address", Code: true}, {Name: "Port"}, {Name: "Protocol"}, {Name: "Replaces", Code: true}}}
			for _, e := range r.Remove {
				t.Rows = append(t.Rows, []string{e.Address, strconv.Itoa(e.Port), e.Protocol, e.Replaces})
				doc.CSV = append(doc.CSV, []string{r.Region, "remove", e.Address, strconv.Itoa(e.Port), e.Protocol, e.Replaces, ""})
			}
			s.Tables = append(s.Tables, t)
		}
		doc.Sections = append(doc.Sections, s)
	}
	return doc
}

// evidenceLine says where an entry to add comes from: the catalog, or how
// often and when the agent logged it, on which host.
func evidenceLine(e catalog.Entry) string {
	if e.Kind == catalog.KindWildcard.String() {
		return "wildcard, carried as one: " + e.Purpose
	}
	line := e.Source
	if e.EvidenceCount > 0 && len(e.Evidence) > 0 {
		ev := e.Evidence[0]
		line = fmt.Sprintf("%s: seen %s, last on %s (record %d of %s)", e.Source, times(e.EvidenceCount), ev.Time.UTC().Format("2006-01-02 15:04Z"), ev.RecordID, ev.Computer)
	}
	if e.Deprecated {
		line += fmt.Sprintf("; deprecated by Microsoft, still checked by %d host(s)", len(e.CheckedBy))
	}
	return line
}

// times writes a count of times ("once", "3 times").
func times(n int) string {
	if n == 1 {
		return "once"
	}
	return strconv.Itoa(n) + " times"
}
