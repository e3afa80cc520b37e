package scan

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/internal/termtext"
)

// A Source is where a scan takes its events from: files of any kind
// (Files), this Windows host's live log (Live) or a Log Analytics
// workspace (Workspace).
type Source interface {
	read(ctx context.Context, r *run) error
}

// run is one scan: its options, the collector every source feeds, and
// what it counted.
type run struct {
	o      Options
	c      *collector
	st     Stats
	inputs []catalog.InputFile
	urlIDs []uint32            // the event IDs whose names are read; the rest are health events
	rids   map[string][]string // lower-case computer -> resource IDs of its rows
}

// Run reads a source through one gate into sightings per host and judges
// them against the catalog (catalog.Version.Build): the Report, and what
// was read. An error means no report: nothing could be read at all. What
// went wrong with single inputs is in the notes and Stats.Partial.
func Run(ctx context.Context, o Options, src Source) (catalog.Report, Stats, error) {
	r := &run{o: o, urlIDs: o.Events.EventIDs}
	r.st.Kinds = map[Kind]int{}
	r.st.Since = o.Events.Since
	r.o.Events.EventIDs = withHealth(o.Events.EventIDs)
	if o.RegionMap != nil {
		r.o.Build.RegionMap = o.RegionMap
	}
	r.c = newCollector(o.Catalog.NewBuilder(r.o.Build), o.Build.Cloud, o.MaxNames, o.MaxReportBytes)
	if err := src.read(ctx, r); err != nil {
		return catalog.Report{}, r.st, err
	}
	if o.AzureRegions != nil {
		r.azureRegions(ctx)
	}
	r.st.Events = r.c.events
	if r.c.events == 0 && r.st.Old > 0 {
		r.st.Partial = true
		r.note(Error, fmt.Sprintf("no event kept: every one of the %s read is older than --since (before %s); the allowlist holds catalog rows only: give a longer --since",
			termtext.Plural(r.st.Old, "matching event"), o.Events.Since.UTC().Format(time.RFC3339)), nil)
	}
	rep := r.c.b.Report()
	slices.SortFunc(r.inputs, func(a, b catalog.InputFile) int { return strings.Compare(a.File, b.File) })
	rep.Inputs = r.inputs
	if rep.Inputs == nil {
		rep.Inputs = []catalog.InputFile{}
	}
	if o.RegionMap != nil {
		r.st.RegionMap = o.RegionMap.loose(rep.Hosts)
	}
	return rep, r.st, nil
}

// take hands an event to the collector: URL events give names, the
// agent's health events are kept apart.
func (r *run) take(ev evtx.Event) {
	if slices.Contains(r.urlIDs, ev.EventID) {
		r.c.event(ev)
	} else {
		r.c.health(ev)
	}
}

// note says something, with the error behind it.
func (r *run) note(level Level, text string, err error) {
	if r.o.Notify != nil {
		r.o.Notify(Note{Level: level, Text: text, Err: err})
	}
}

// detail is a warning about one damaged chunk or record.
func (r *run) detail(text string) {
	if r.o.Notify != nil {
		r.o.Notify(Note{Level: Warning, Text: text, Detail: true})
	}
}
