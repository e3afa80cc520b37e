package scan

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/workspace"
)

// grouped feeds one grouped row to the collector like Count events of the
// same text: through admit, discover.ExtractN and, later, the same judge
// (catalog Build) as file events, with the row's count and first and last
// times. URL events (isURL) give names; the others are health events. A
// row of a log other than Application is taken as forged, as in files.
// Rows of the names query: a "name" row is Count events naming one name
// (its data is the name under its section's header, see Row.Data), which
// counts no events itself; an "events" row counts the computer's URL
// events and its newest, and names nothing.
// source names where the row came from when it has no resource ID.
// Each row is handed to the report builder as it arrives, which judges its
// names at once and keeps bounded lists (catalog.Builder): nothing of a
// row is kept after it (a name is copied out of the row's text).
func (c *collector) grouped(m *rowMerge, r workspace.Row, isURL bool, source string) {
	ev := admit(rowEvent(r, source))
	ev.Computer, ev.File = m.intern(ev.Computer), m.intern(ev.File)
	if !isURL {
		c.groupedHealth(ev, r)
		return
	}
	n := int(min(r.Count, math.MaxInt32))
	events, newest := n, r.Last
	if r.Kind == "name" { // its events are counted by the computer's "events" rows
		events, newest = 0, time.Time{}
	}
	ob, found, rejected := c.hostNames(ev, events, newest)
	// The row's sightings and their evidence go in the collector's arrays,
	// used again for every row: the builder keeps neither, and a fleet's
	// rows are many.
	ob.Sightings = c.sightBuf[:0]
	evs := c.evBuf[:0]
	defer func() { c.sightBuf, c.evBuf = clear0(ob.Sightings), clear0(evs) }()
	for _, f := range found {
		ob.Sightings = append(ob.Sightings, catalog.Sighting{Host: strings.Clone(f.Host), Status: discover.StatusesOf(f.Evidence.Status), Count: n,
			First: r.First, Last: r.Last, Evidence: rowEvidence(&evs, f.Evidence, r)})
	}
	for _, x := range rejected {
		// Status stays empty: like a file's rejects, these are not
		// listed among the host's unreachable names.
		ob.Sightings = append(ob.Sightings, catalog.Sighting{Host: strings.Clone(x.Value), Count: n, First: r.First, Last: r.Last,
			Evidence: rowEvidence(&evs, x.Evidence, r), Code: x.Code, Reason: x.Reason})
	}
	c.observe(ev.Computer, ob)
}

// clear0 empties a reused array, its elements zeroed so that it keeps no
// strings alive.
func clear0[T any](s []T) []T {
	clear(s)
	return s[:0]
}

// rowEvent is the last event of a row: the agent's provider (a raw
// row's own Source), the row's
// event ID, log, computer and data, at its last time; its file is the
// row's resource ID, else source.
func rowEvent(r workspace.Row, source string) evtx.Event {
	file, provider := source, "WVD-Agent"
	if r.ResourceID != "" {
		file = r.ResourceID
	}
	if r.Source != "" { // a raw row of the Event table names its own
		provider = r.Source
	}
	return evtx.Event{Provider: provider, EventID: r.EventID, Time: r.Last, Computer: r.Computer,
		Channel: r.EventLog, Data: r.Data(), File: file, Chunk: -1}
}

// rowEvidence is the evidence of a row: its last event and, when the row
// holds more than one, its first; appended to buf, whose part it is.
func rowEvidence(buf *[]discover.Evidence, ev discover.Evidence, r workspace.Row) []discover.Evidence {
	start := len(*buf)
	*buf = append(*buf, ev)
	if r.Count > 1 && r.First.Before(r.Last) {
		ev.Time = r.First
		*buf = append(*buf, ev)
	}
	return (*buf)[start:len(*buf):len(*buf)]
}

// groupedHealth records a row of health events: its last event and, when
// it holds more than one, its first.
func (c *collector) groupedHealth(ev evtx.Event, r workspace.Row) {
	c.health(ev)
	if r.Count > 1 && r.First.Before(r.Last) {
		ev.Time = r.First
		c.health(ev)
	}
}

// readExport reads an exported result into the collector and returns the
// rows read and skipped.
func (r *run) readExport(path string, isCSV bool) (rows, bad int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	feed := r.feed(path)
	err = workspace.ReadExport(f, path, isCSV, feed)
	return feed.Rows(), feed.BadRows(), err
}

// feed is a workspace feed of rows into the collector: URL events give
// names, health events go to the hosts' health. The first ten bad rows
// are named.
func (r *run) feed(source string) *workspace.Feed {
	bad, provider, m := 0, "", newRowMerge()
	if len(r.o.Events.Providers) > 0 {
		provider = r.o.Events.Providers[0]
	}
	return &workspace.Feed{Source: source, Wanted: r.o.Events.EventIDs, Provider: provider,
		Row: func(row workspace.Row) {
			r.c.grouped(m, row, slices.Contains(r.urlIDs, row.EventID), source)
			r.noteResource(m, row.Computer, row.ResourceID)
		},
		Bad: func(src string, n int, err error) {
			if bad++; bad <= maxDetails {
				r.detail(fmt.Sprintf("%s: row %d skipped: %v", src, n, err))
			}
		}}
}
