package workspace

import (
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// Row is one grouped row of the workspace query (or of an export of it):
// the events of one computer with one event ID, log and text, how many
// there were and when the first and last were logged. Every field was
// checked (see parseRow); the computer and text are still the input's.
type Row struct {
	Computer, EventLog, Text, ResourceID string
	// Source is the event's provider of a raw row of the Event table;
	// grouped rows leave it empty (the query asked for one provider).
	Source string
	// Kind, Name and Status are set by rows of the names query (see
	// KQL): Kind "name" rows give a Name and the section Status above it
	// ("reachable", "unreachable" or ""), "events" rows count URL
	// events, "health" rows (and rows of other shapes, Kind "") carry
	// their Text.
	Kind, Name, Status string
	EventID            uint32
	Count              int64
	First, Last        time.Time
}

// maxRowText bounds the text of one row: an event record is at most 64 KiB.
const maxRowText = 1 << 20

// maxRowCount bounds the count of one row: more than a host logs in years.
const maxRowCount = 1 << 40

// parseRow reads one row of a layout from its cells (strings, float64
// or nil), which the service or an export file sent: every value is
// checked.
func parseRow(l layout, cell func(i int) any) (Row, error) {
	get := func(name string) any {
		i, ok := l.idx[name]
		if !ok {
			return nil
		}
		return cell(i)
	}
	if l.shape == shapeRaw {
		return parseRaw(get)
	}
	r, err := parseGrouped(get)
	if err != nil || l.shape != shapeNames {
		return r, err
	}
	return parseNames(r, get)
}

// parseNames reads the columns the names query adds.
func parseNames(r Row, get func(string) any) (Row, error) {
	var err error
	if r.Kind, err = cellString(get("kind"), 16); err != nil || !slices.Contains([]string{"name", "events", "health"}, r.Kind) {
		return r, fmt.Errorf("Kind: not name, events or health (%v)", err)
	}
	if r.Name, err = cellString(get("name"), maxRowText); err != nil {
		return r, fmt.Errorf("Name: %w", err)
	}
	if r.Status, err = cellString(get("status"), 16); err != nil || !slices.Contains([]string{"", "reachable", "unreachable"}, r.Status) {
		return r, fmt.Errorf("Status: not reachable, unreachable or empty (%v)", err)
	}
	if r.Kind == "name" && r.Name == "" {
		return r, errors.New("Name: empty in a row of kind name")
	}
	return r, nil
}

// parseGrouped reads a row of the README's grouped query.
func parseGrouped(get func(string) any) (Row, error) {
	var r Row
	var err error
	if r.Computer, err = cellString(get("computer"), 1024); err != nil {
		return r, fmt.Errorf("Computer: %w", err)
	}
	if r.EventLog, err = cellString(get("eventlog"), 1024); err != nil {
		return r, fmt.Errorf("EventLog: %w", err)
	}
	if r.Text, err = cellString(get("text"), maxRowText); err != nil {
		return r, fmt.Errorf("Text: %w", err)
	}
	if rid, err := cellString(get("resourceid"), discover.MaxPath); err == nil && validResourceID(rid) {
		r.ResourceID = rid
	}
	id, err := cellInt(get("eventid"), math.MaxUint16)
	if err != nil {
		return r, fmt.Errorf("EventID: %w", err)
	}
	r.EventID = uint32(id)
	if r.Count, err = cellInt(get("count"), maxRowCount); err != nil || r.Count < 1 {
		return r, fmt.Errorf("Count: not a count of at least 1 (%v)", err)
	}
	if r.First, err = cellTime(get("first")); err != nil {
		return r, fmt.Errorf("First: %w", err)
	}
	if r.Last, err = cellTime(get("last")); err != nil {
		return r, fmt.Errorf("Last: %w", err)
	}
	if r.Last.Before(r.First) {
		return r, fmt.Errorf("Last (%s) is before First (%s)", r.Last.Format(time.RFC3339), r.First.Format(time.RFC3339))
	}
	return r, nil
}

// parseRaw reads a row of the Event table as a row of one event: its
// text is the first of RenderedDescription, ParameterXml and EventData
// that is not empty, as the query's coalesce takes it.
func parseRaw(get func(string) any) (Row, error) {
	r := Row{Count: 1}
	var err error
	if r.Source, err = cellString(get("source"), 1024); err != nil {
		return r, fmt.Errorf("Source: %w", err)
	}
	if r.Computer, err = cellString(get("computer"), 1024); err != nil {
		return r, fmt.Errorf("Computer: %w", err)
	}
	if r.EventLog, err = cellString(get("eventlog"), 1024); err != nil {
		return r, fmt.Errorf("EventLog: %w", err)
	}
	for _, c := range rawTextColumns {
		if r.Text, err = cellString(get(c), maxRowText); err != nil {
			return r, fmt.Errorf("%s: %w", c, err)
		}
		if r.Text != "" {
			break
		}
	}
	if rid, err := cellString(get("_resourceid"), discover.MaxPath); err == nil && validResourceID(rid) {
		r.ResourceID = rid
	}
	id, err := cellInt(get("eventid"), math.MaxUint16)
	if err != nil {
		return r, fmt.Errorf("EventID: %w", err)
	}
	r.EventID = uint32(id)
	if r.First, err = cellTime(get("timegenerated")); err != nil {
		return r, fmt.Errorf("TimeGenerated: %w", err)
	}
	r.Last = r.First
	return r, nil
}

// sectionHeaders are the headers that give a name its section status
// again (discover reads them as the agent's own).
var sectionHeaders = map[string]string{"": "", "reachable": "Accessible URLs:\n", "unreachable": "NOT Accessible URLs:\n"}

// cellString reads a text cell; nil is the empty string.
func cellString(v any, max int) (string, error) {
	switch s := v.(type) {
	case nil:
		return "", nil
	case string:
		if len(s) > max {
			return "", fmt.Errorf("longer than %d bytes", max)
		}
		return s, nil
	}
	return "", fmt.Errorf("not text but %T", v)
}

// cellInt reads a whole number from 0 to max: a JSON number or the
// decimal text of one (az CLI and CSV exports write numbers as text).
func cellInt(v any, max int64) (int64, error) {
	switch n := v.(type) {
	case float64:
		if n != math.Trunc(n) || n < 0 || n > float64(max) {
			return 0, fmt.Errorf("%v is not a whole number from 0 to %d", n, max)
		}
		return int64(n), nil
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		if err != nil || i < 0 || i > max {
			return 0, fmt.Errorf("%q is not a whole number from 0 to %d", discover.CleanText(n, 40), max)
		}
		return i, nil
	}
	return 0, fmt.Errorf("not a number but %T", v)
}

// timeLayouts are the forms of a datetime cell: the API's and az CLI's
// ISO 8601, and the portal's CSV export ("5/6/2024, 6:30:00.123 AM", UTC).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02 15:04:05.9999999",
	"1/2/2006, 3:04:05.999 PM", "1/2/2006 3:04:05.999 PM", "1/2/2006, 3:04:05 PM", "1/2/2006 3:04:05 PM"}

// cellTime reads a datetime cell, in UTC, between 2000 and 2200.
func cellTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("not a datetime but %T", v)
	}
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 2000 || t.Year() > 2200 {
				break
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a datetime of this century", discover.CleanText(s, 40))
}

// validResourceID accepts an Azure resource ID: /subscriptions/..., of
// printable ASCII without spaces.
func validResourceID(s string) bool {
	if !strings.HasPrefix(strings.ToLower(s), "/subscriptions/") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// Data is the row's text as event data: the values of an XML event data
// block (ParameterXml <Param>, EventData <Data>) when the text is one,
// else the text itself. A names row's data is its name under the header
// of its section status, so that the same extraction reads it; an events
// row has none.
func (r Row) Data() []string {
	switch r.Kind {
	case "name":
		return []string{sectionHeaders[r.Status] + r.Name}
	case "events":
		return nil
	}
	text := r.Text
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "<") {
		return []string{text}
	}
	var vals []string
	d := xml.NewDecoder(strings.NewReader(t))
	var cur *strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local == "Param" || e.Name.Local == "Data" {
				cur = &strings.Builder{}
			}
		case xml.CharData:
			if cur != nil {
				cur.Write(e)
			}
		case xml.EndElement:
			if cur != nil && (e.Name.Local == "Param" || e.Name.Local == "Data") {
				vals = append(vals, cur.String())
				cur = nil
			}
		}
	}
	if len(vals) == 0 {
		return []string{text}
	}
	return vals
}
