package workspace

import (
	"fmt"
	"strings"
)

// shape is what the rows of an answer or export are: grouped by the
// README's query, or the Event table's own rows.
type shape int

const (
	shapeGrouped shape = iota // Computer, EventID, EventLog, Count, First, Last, Text
	shapeRaw                  // the Event table's columns: TimeGenerated, Source, ...
	shapeNames                // the names query: the grouped columns and Kind, Name, Status
)

// layout is where a table's columns are: its shape and the positions of
// the lower-case column names.
type layout struct {
	shape shape
	idx   map[string]int
}

// columns are the columns the grouped query projects, lower case;
// resourceid is optional.
var columns = []string{"computer", "eventid", "eventlog", "text", "count", "first", "last"}

// nameColumns are the columns the names query adds to the grouped ones.
var nameColumns = []string{"kind", "name", "status"}

// rawColumns are the Event table's columns a raw row needs, lower case;
// one of rawTextColumns is needed too, and _resourceid is optional.
var rawColumns = []string{"timegenerated", "computer", "source", "eventlog", "eventid"}

// rawTextColumns are the Event table's columns that hold an event's text,
// in the order the query's coalesce reads them.
var rawTextColumns = []string{"rendereddescription", "parameterxml", "eventdata"}

// rawOnly are columns of the Event table that no grouped result has: a
// table holding one is taken as raw rows.
var rawOnly = []string{"timegenerated", "source", "rendereddescription", "parameterxml", "eventdata", "_resourceid",
	"tenantid", "sourcesystem", "eventlevel", "eventlevelname", "eventcategory"}

// columnName is a column's name as layouts compare it: lower case,
// without the unit the portal adds ("TimeGenerated [UTC]").
func columnName(n string) string {
	n = strings.ToLower(strings.TrimSpace(n))
	if i := strings.IndexByte(n, '['); i > 0 {
		n = strings.TrimSpace(n[:i])
	}
	return n
}

// rowLayout tells the shape of a table from its column names and where
// each column is; it fails naming the columns the shape needs and the
// table lacks.
func rowLayout(names []string) (layout, error) {
	idx := map[string]int{}
	raw := false
	for i, n := range names {
		n = columnName(n)
		if _, dup := idx[n]; !dup {
			idx[n] = i
		}
		for _, r := range rawOnly {
			raw = raw || n == r
		}
	}
	missing := lacking(idx, columns)
	_, kind := idx["kind"]
	if kind {
		missing = append(missing, lacking(idx, nameColumns)...)
	}
	if len(missing) == 0 && kind {
		return layout{shapeNames, idx}, nil
	}
	if len(missing) == 0 {
		return layout{shapeGrouped, idx}, nil
	}
	if !raw {
		return layout{}, fmt.Errorf("the result lacks the column(s) %s: use the query of the README (avdurls projects Computer, EventID, EventLog, ResourceId, Count, First, Last, Text) or export the Event table's own columns",
			names2(missing))
	}
	missing = lacking(idx, rawColumns)
	if len(lacking(idx, rawTextColumns)) == len(rawTextColumns) {
		missing = append(missing, "RenderedDescription (or ParameterXml or EventData)")
	}
	if len(missing) > 0 {
		return layout{}, fmt.Errorf("the rows of the Event table lack the column(s) %s: export the table's own columns (Event | where Source == \"WVD-Agent\", every column) or the README's query",
			names2(missing))
	}
	return layout{shapeRaw, idx}, nil
}

// lacking returns the names of want that idx lacks.
func lacking(idx map[string]int, want []string) []string {
	var out []string
	for _, c := range want {
		if _, ok := idx[c]; !ok {
			out = append(out, c)
		}
	}
	return out
}

// tableNames are the column names as the Event table and the README's
// query spell them, by lower-case name.
var tableNames = map[string]string{"computer": "Computer", "eventid": "EventID", "eventlog": "EventLog", "text": "Text",
	"count": "Count", "first": "First", "last": "Last", "timegenerated": "TimeGenerated", "source": "Source",
	"kind": "Kind", "name": "Name", "status": "Status"}

// names2 lists column names as the table spells them.
func names2(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c
		if n, ok := tableNames[c]; ok {
			out[i] = n
		}
	}
	return strings.Join(out, ", ")
}

// knownColumns are the column names of either shape; an input whose
// header holds three of them looks like an export (see LooksLikeRows).
var knownColumns = func() map[string]bool {
	m := map[string]bool{"resourceid": true, "tablename": true}
	for _, l := range [][]string{columns, nameColumns, rawColumns, rawTextColumns, rawOnly} {
		for _, c := range l {
			m[strings.ToLower(c)] = true
		}
	}
	return m
}()

// looksLikeRows tells column names of Log Analytics rows: three or more
// of either shape's columns, whether or not all that a shape needs.
func looksLikeRows(names []string) bool {
	n := 0
	seen := map[string]bool{}
	for _, c := range names {
		c = columnName(c)
		if knownColumns[c] && !seen[c] {
			seen[c] = true
			n++
		}
	}
	return n >= 3
}
