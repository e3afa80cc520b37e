package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/internal/atomicfile"
	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/render"
	"github.com/avdurls/avdurls/scan"
)

const eventsUsage = `Usage:
    avdurls events [options] PATH...

Prints the matching events of every .evtx file named (and every .evtx file
below each folder named), one JSON object a line: provider, eventId,
recordId, time (RFC 3339, UTC, full precision), computer, channel, data
(the ordered strings), and the file and chunk it came from. Strings are
kept whole, but bidi and invisible characters are written as \u escapes,
never raw. Damaged chunks are reported on stderr.

Options:
        --provider NAME   event provider, or '*' for every record (default WVD-Agent)
        --event-id IDS    event IDs (default: all IDs of the provider)
    -o, --output FILE     write to FILE atomically instead of stdout
    -q, --quiet           no warnings about damaged chunks

Exit status: 0 ok, 1 error, 2 bad command line, 3 some input damaged.
`

// cmdEvents is the events command: the inputs' events, one JSON object
// a line, each input read as the same kind as scan reads it.
func (e *env) cmdEvents(args []string) (int, error) {
	fs := newFlags("events")
	var ids idList
	provider := fs.String("provider", "WVD-Agent", "")
	fs.Var(&ids, "event-id", "")
	output := fs.StringP("output", "o", "", "")
	quiet := fs.BoolP("quiet", "q", false, "")
	if err := parseFlags(fs, args, eventsUsage, e.stdout); err != nil {
		return exitUsage, err
	}
	if fs.NArg() == 0 {
		return exitUsage, usagef("events needs at least one .evtx file or folder")
	}
	ins, err := scan.Expand(fs.Args())
	if err != nil {
		return exitError, err
	}
	if err := atomicfile.Check(*output, ins.Paths()); err != nil {
		return exitError, err
	}
	opt := evtx.Options{EventIDs: ids.ids}
	if *provider != "*" {
		opt.Providers = []string{*provider}
	}
	var st scan.Stats
	err = atomicfile.Write(*output, e.stdout, func(w io.Writer) error {
		var err error
		st, err = scan.Events(ins, opt, func(ev evtx.Event) error { return render.WriteJSONLine(w, ev) }, e.notify(*quiet))
		return err
	})
	if len(st.Kinds) > 0 {
		e.infof("%s", kindsLine(st))
	}
	if err != nil {
		return exitError, err
	}
	if st.Partial {
		return exitPartial, nil
	}
	return exitOK, nil
}

// kindsLine counts the inputs read, by kind: "3 inputs: 2 evtx, 1 azjson".
func kindsLine(st scan.Stats) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(st.Kinds)) {
		parts = append(parts, fmt.Sprintf("%d %s", st.Kinds[k], k))
	}
	return fmt.Sprintf("%s: %s", termtext.Plural(st.Inputs, "input"), strings.Join(parts, ", "))
}
