package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/catalog"
)

// VersionDiffDoc is the document of a catalog diff: a headline, and a
// table of changes per cloud and scope.
func VersionDiffDoc(d catalog.VersionDiff) Doc {
	doc := Doc{Title: diffHeadline(d), Empty: "No change.", Data: d,
		CSV: [][]string{{"cloud", "scope", "change", "address", "port", "protocol", "details"}}}
	for _, g := range changeGroups(d.Changes) {
		t := Table{Columns: []Column{{Name: "Change"}, {Name: "Address", Code: true}, {Name: "Port"}, {Name: "Protocol"}, {Name: "Details"}}}
		for _, c := range g {
			port, proto, details := changeRow(c)
			t.Rows = append(t.Rows, []string{c.Change, c.Address, port, proto, details})
			doc.CSV = append(doc.CSV, []string{string(c.Cloud), string(c.Scope), c.Change, c.Address, port, proto, details})
		}
		doc.Sections = append(doc.Sections, Section{Heading: fmt.Sprintf("Cloud %s, scope %s", g[0].Cloud, g[0].Scope), Tables: []Table{t}})
	}
	return doc
}

// changeGroups splits changes (in DiffVersions order) by cloud and scope.
func changeGroups(changes []catalog.RowChange) [][]catalog.RowChange {
	var groups [][]catalog.RowChange
	for i, c := range changes {
		if i == 0 || c.Cloud != changes[i-1].Cloud || c.Scope != changes[i-1].Scope {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], c)
	}
	return groups
}

// diffHeadline names the two sides and counts the changes.
func diffHeadline(d catalog.VersionDiff) string {
	n := map[string]int{}
	for _, c := range d.Changes {
		n[c.Change]++
	}
	return fmt.Sprintf("Catalog %s (%s) -> %s (%s): %d added, %d removed, %d changed",
		d.A.ID, d.A.SourceDate, d.B.ID, d.B.SourceDate, n[catalog.ChangeAdded], n[catalog.ChangeRemoved], n[catalog.ChangeChanged])
}

// changeRow gives the port, protocol and details of a change: for a row
// added or removed its status, tag and purpose, for a changed one each
// changed field as old -> new.
func changeRow(c catalog.RowChange) (port, proto, details string) {
	r := c.New
	if r == nil {
		r = c.Old
	}
	port, proto = strconv.Itoa(r.Port), r.Protocol
	if c.Change != catalog.ChangeChanged {
		parts := []string{rowStatus(*r)}
		if r.ServiceTag != "" {
			parts = append(parts, "service tag "+r.ServiceTag)
		}
		if r.Purpose != "" {
			parts = append(parts, r.Purpose)
		}
		return port, proto, strings.Join(parts, "; ")
	}
	var parts []string
	for _, f := range c.Fields {
		parts = append(parts, fmt.Sprintf("%s: %s -> %s", f, fieldValue(*c.Old, f), fieldValue(*c.New, f)))
	}
	return port, proto, strings.Join(parts, "; ")
}

// rowStatus is "required", "optional" or "deprecated", and "registrable".
func rowStatus(r catalog.Row) string {
	s := "optional"
	switch {
	case r.Deprecated:
		s = "deprecated"
	case r.Required:
		s = "required"
	}
	if r.Registrable {
		s += ", registrable"
	}
	return s
}

// fieldValue is the value of a field named in RowChange.Fields.
func fieldValue(r catalog.Row, field string) string {
	switch field {
	case "port":
		return strconv.Itoa(r.Port)
	case "protocol":
		return r.Protocol
	case "serviceTag":
		if r.ServiceTag == "" {
			return "(none)"
		}
		return r.ServiceTag
	case "purpose":
		return strconv.Quote(r.Purpose)
	case "required":
		return yesNo(r.Required)
	case "deprecated":
		return yesNo(r.Deprecated)
	case "registrable":
		return yesNo(r.Registrable)
	}
	return ""
}

// yesNo writes a flag as a word.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
