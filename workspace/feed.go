package workspace

import (
	"fmt"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/discover"
)

// Feed checks rows, of an answer or an export, and hands each good one to
// Row. A row that fails a check is skipped, counted and passed to Bad with
// its number; an event ID of a grouped row that was not asked for
// (Wanted) is such a failure. A raw row of the Event table of another
// provider (Provider) or event ID is no failure: it is counted apart
// (Other), as a log's other records are.
type Feed struct {
	Source   string   // where the rows come from, for Bad
	Wanted   []uint32 // the event IDs asked for; nil takes any
	Provider string   // the provider raw rows must name; "" takes any
	Row      func(Row)
	Bad      func(source string, n int, err error)

	n, rows, bad, other int

	// An answer being streamed is staged (see answer): its rows are
	// handed on once it proved whole.
	staging bool
	staged  []Row
	badLog  []badRow
	lay     layout
}

// badRow is a bad row of a staged answer, said once the answer stands.
type badRow struct {
	n   int
	err error
}

// Rows and BadRows count the rows handed on and skipped so far; Other the
// raw rows of other providers or event IDs.
func (f *Feed) Rows() int    { return f.rows }
func (f *Feed) BadRows() int { return f.bad }
func (f *Feed) Other() int   { return f.other }

// add checks one row, of the layout l, and hands it on.
func (f *Feed) add(l layout, cell func(int) any) {
	f.n++
	r, err := parseRow(l, cell)
	unwanted := err == nil && f.Wanted != nil && !slices.Contains(f.Wanted, r.EventID)
	if l.shape == shapeRaw && err == nil && (unwanted || f.Provider != "" && !strings.EqualFold(r.Source, f.Provider)) {
		f.other++
		return
	}
	if unwanted {
		err = fmt.Errorf("event ID %d was not asked for", r.EventID)
	}
	if err != nil {
		f.skip(err)
		return
	}
	if f.staging {
		f.staged = append(f.staged, r)
		return
	}
	f.Row(r)
	f.rows++
}

// skip counts a bad row (the f.n-th).
func (f *Feed) skip(err error) {
	if f.staging {
		f.badLog = append(f.badLog, badRow{f.n, err})
		return
	}
	f.bad++
	if f.Bad != nil {
		f.Bad(f.Source, f.n, err)
	}
}

// begin starts staging an answer.
func (f *Feed) begin() {
	f.staging, f.staged, f.badLog = true, f.staged[:0], f.badLog[:0]
}

// end ends staging an answer: when keep, its rows and bad rows are
// handed on; else (the answer was cut at a limit and its range will be
// asked again in parts) they are dropped, its row numbers given back.
func (f *Feed) end(keep bool) {
	f.staging = false
	if !keep {
		f.n -= len(f.staged) + len(f.badLog)
	}
	for _, b := range f.badLog {
		if keep {
			f.bad++
			if f.Bad != nil {
				f.Bad(f.Source, b.n, b.err)
			}
		}
	}
	for i, r := range f.staged {
		if keep {
			f.Row(r)
			f.rows++
		}
		f.staged[i] = Row{} // let the texts go
	}
	f.staged, f.badLog = f.staged[:0], f.badLog[:0]
}

// answerSink is a Feed as the TableSink of a streamed answer.
type answerSink struct{ f *Feed }

// Columns implements TableSink: the layout of a streamed answer.
func (s answerSink) Columns(cols []Column) error {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	l, err := rowLayout(names)
	if err != nil {
		return err
	}
	if err := checkColumnTypes(cols, l.idx); err != nil {
		return err
	}
	s.f.lay = l
	return nil
}

// Row implements TableSink: one row of a streamed answer.
func (s answerSink) Row(cells []any) {
	s.f.add(s.f.lay, func(j int) any {
		if j < len(cells) {
			return cells[j]
		}
		return nil
	})
}

// table checks a result table and feeds its rows.
func (feed *Feed) table(t Table) error {
	names := make([]string, len(t.Columns))
	for i, col := range t.Columns {
		names[i] = col.Name
	}
	l, err := rowLayout(names)
	if err != nil {
		return err
	}
	if err := checkColumnTypes(t.Columns, l.idx); err != nil {
		return err
	}
	for _, cells := range t.Rows {
		feed.add(l, func(j int) any {
			if j < len(cells) {
				return cells[j]
			}
			return nil
		})
	}
	return nil
}

// columnTypes are the service's types each column may have.
var columnTypes = map[string][]string{
	"computer": {"string"}, "eventlog": {"string"}, "text": {"string"}, "resourceid": {"string"},
	"eventid": {"int", "long"}, "count": {"int", "long"}, "first": {"datetime"}, "last": {"datetime"},
}

// checkColumnTypes checks the types the service gave the columns.
func checkColumnTypes(cols []Column, idx map[string]int) error {
	for name, i := range idx {
		want, ok := columnTypes[name]
		if !ok || cols[i].Type == "" {
			continue
		}
		if !slices.Contains(want, strings.ToLower(cols[i].Type)) {
			return fmt.Errorf("column %s has type %q, not %s", discover.CleanText(cols[i].Name, 80),
				discover.CleanText(cols[i].Type, 40), strings.Join(want, " or "))
		}
	}
	return nil
}
