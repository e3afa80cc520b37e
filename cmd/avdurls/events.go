package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/internal/atomicfile"
	"github.com/avdurls/avdurls/scan"
)

const eventsUsage = `Usage:
    avdurls events [options] PATH...

Prints the matching events of every .evtx file named (and every .evtx file
below each folder named), one JSON object a line: provider, eventId,
recordId, time (RFC 3339, UTC, full precision), computer, channel, data
(the ordered strings), and the file and chunk it came from. Damaged chunks
are reported on stderr.

Options:
        --provider NAME   event provider, or '*' for every record (default WVD-Agent)
        --event-id IDS    event IDs (default: all IDs of the provider)
    -o, --output FILE     write to FILE atomically instead of stdout
    -q, --quiet           no warnings about damaged chunks

Exit status: 0 ok, 1 error, 2 bad command line, 3 some input damaged.
`

func cmdEvents(args []string, stdout io.Writer) (int, error) {
	fs := newFlags("events")
	var ids idList
	provider := fs.String("provider", "WVD-Agent", "")
	fs.Var(&ids, "event-id", "")
	output := fs.StringP("output", "o", "", "")
	quiet := fs.BoolP("quiet", "q", false, "")
	if err := parseFlags(fs, args, eventsUsage, stdout); err != nil {
		return exitUsage, err
	}
	if fs.NArg() == 0 {
		return exitUsage, usagef("events needs at least one .evtx file or folder")
	}
	ins, _, err := expandInputs(fs.Args())
	if err != nil {
		return exitError, err
	}
	if err := atomicfile.Check(*output, allPaths(ins)); err != nil {
		return exitError, err
	}
	f := evtx.Options{EventIDs: ids.ids}
	if *provider != "*" {
		f.Providers = []string{*provider}
	}
	er := &eventsRun{filter: f, quiet: *quiet, status: exitOK}
	err = atomicfile.Write(*output, stdout, func(w io.Writer) error { return er.write(w, ins) })
	if err != nil {
		return exitError, err
	}
	return er.status, nil
}

// eventsRun writes the matching events of the inputs, one JSON object a
// line, and keeps the exit status.
type eventsRun struct {
	filter evtx.Options
	quiet  bool
	status int
	failed int
}

// write reads every input: .evtx files in parallel, then event XML and
// URL-tool output.
func (er *eventsRun) write(w io.Writer, ins []input) error {
	enc := json.NewEncoder(w)
	err := evtx.Read(evtx.Files(pathsOf(ins, scan.KindEVTX)...), er.filter, evtx.Handlers{
		Event: func(ev evtx.Event) error { return enc.Encode(ev) },
		Warning: func(wn evtx.Warning) {
			if !er.quiet {
				warnf("%s", wn)
			}
		},
		File: func(r evtx.FileResult) {
			if r.Stats.DamagedChunks > 0 || r.Stats.Truncated {
				er.status = exitPartial // records may be missing
			}
			if r.Err != nil {
				er.fail(r.Err)
			}
		},
	})
	if err != nil {
		return err
	}
	for _, in := range ins {
		if err := er.writeOther(enc, in); err != nil {
			return err
		}
	}
	if er.failed == len(ins) {
		return fmt.Errorf("none of the %d input files could be read", len(ins))
	}
	return nil
}

// fail reports an input that could not be read.
func (er *eventsRun) fail(err error) {
	errorf("%v; file skipped", err)
	er.status = exitPartial
	er.failed++
}

// writeOther writes the matching events of one input that is not .evtx.
func (er *eventsRun) writeOther(enc *json.Encoder, in input) error {
	var evs []evtx.Event
	var err error
	switch in.kind {
	case scan.KindXML:
		var cut bool
		_, _, cut, err = readXML(in.path, er.filter, func(w evtx.Warning) { warnf("%s", w) }, func(ev evtx.Event) { evs = append(evs, ev) })
		if cut && err == nil {
			er.status = exitPartial
		}
	case scan.KindURLTool:
		var ev evtx.Event
		ev, err = readURLToolEvent(in.path)
		evs = []evtx.Event{ev}
	case scan.KindReport:
		err = fmt.Errorf("%s: an avdurls report holds no events", in.path)
	}
	if err != nil {
		er.fail(err)
	}
	for _, ev := range evs {
		if in.kind == scan.KindURLTool || er.filter.Match(ev) {
			if err := enc.Encode(ev); err != nil {
				return err
			}
		}
	}
	return nil
}
