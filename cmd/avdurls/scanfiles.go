package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/scan"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
)

// scanFiles is the file source of the scan pipeline: .evtx files in
// parallel, then the other inputs (event XML, URL-tool output, reports,
// exported workspace rows) one after another.
func scanFiles(j *scanJob) (int, error) {
	ins, skipped, err := expandInputs(j.o.paths)
	if err != nil {
		return exitError, err
	}
	if err := j.checkOutputs(allPaths(ins)); err != nil {
		return exitError, err
	}
	opt := evtx.Options{Providers: []string{j.o.provider}, EventIDs: withHealth(j.o.ids.ids),
		NoPrefilter: j.o.noPrefilter, Timeout: j.o.fileTimeout, MaxEvents: j.o.maxEvents}
	if j.o.since > 0 {
		opt.Since = time.Now().Add(-j.o.since)
	}
	readable, err := j.readEVTX(pathsOf(ins, scan.KindEVTX), opt, j.take)
	if err != nil {
		return exitError, err
	}
	readable += j.readOthers(ins, opt, j.take)
	if j.old > 0 {
		infof("%s older than --since %s (before %s) skipped", termtext.Plural(j.old, "event"), j.o.since, opt.Since.UTC().Format(time.RFC3339))
	}
	if skipped > 0 {
		infof("skipped %d files in the folders given that are not event logs, event XML, URL-tool output or reports", skipped)
	}
	if readable == 0 {
		return exitError, fmt.Errorf("none of the %d input files could be read", len(ins))
	}
	if j.c.events == 0 {
		warnf("no %s events with IDs %s in %d files; the allowlist holds catalog rows only and every wildcard stays unresolved", j.o.provider, j.o.ids.String(), len(ins))
	}
	return j.finish(len(ins))
}

// budgetHint follows a budget cut: the options that raise the budgets.
const budgetHint = " (raise --max-events or --file-timeout if the events are genuine)"

// take hands an event to the collector: URL events give names, the
// agent's health events are kept apart.
func (j *scanJob) take(ev evtx.Event) {
	if slices.Contains(j.o.ids.ids, ev.EventID) {
		j.c.event(ev)
	} else {
		j.c.health(ev)
	}
}

// readEVTX reads the .evtx files on all cores and returns how many could be
// read in full or in part.
func (j *scanJob) readEVTX(files []string, opt evtx.Options, take func(evtx.Event)) (int, error) {
	bar := newProgress(files, j.o.quiet)
	defer bar.finish()
	readable := 0
	nwarn := map[string]int{}
	err := evtx.Read(evtx.Files(files...), opt, evtx.Handlers{
		Event: func(ev evtx.Event) error {
			take(ev)
			return nil
		},
		Warning: func(w evtx.Warning) {
			nwarn[w.File]++
			if !j.o.quiet && nwarn[w.File] <= 10 {
				warnf("%s", w)
			}
		},
		File: func(r evtx.FileResult) {
			if r.Err == nil || errors.Is(r.Err, evtx.ErrBudget) {
				readable++ // in full or in part
			}
			if n := nwarn[r.Path]; n > 10 && !j.o.quiet {
				warnf("%s: %d more warnings not shown", r.Path, n-10)
			}
			j.fileDone(r)
		},
		Progress: bar.add,
	})
	return readable, err
}

// fileDone records one .evtx file read: its counts, and what went wrong
// with the advice for it.
func (j *scanJob) fileDone(r evtx.FileResult) {
	st := r.Stats
	j.old += st.Old
	in := catalog.InputFile{File: r.Path, Records: st.Records, Matched: st.Matched, Damaged: st.DamagedChunks}
	if r.Err != nil {
		j.partial = true
		in.Error = r.Err.Error()
		msg := r.Err.Error()
		switch {
		case errors.Is(r.Err, evtx.ErrEmpty):
			msg += "; export the log again (wevtutil epl Application host.evtx); file skipped"
		case errors.Is(r.Err, evtx.ErrNotEVTX):
			msg += "; export the log as .evtx (wevtutil epl Application host.evtx); file skipped"
		case errors.Is(r.Err, os.ErrPermission):
			msg += "; run as a user who may read it, or copy it first; file skipped"
		case errors.Is(r.Err, evtx.ErrBudget):
			msg += budgetHint
		default:
			msg += "; file skipped"
		}
		errorf("%s", msg)
	}
	if st.DamagedChunks > 0 || st.Truncated {
		j.partial = true // records may be missing
	}
	j.inputs = append(j.inputs, in)
}

// readOthers reads the inputs that are not .evtx files, which are small,
// one after another, and returns how many could be read.
func (j *scanJob) readOthers(ins []input, opt evtx.Options, take func(evtx.Event)) int {
	readable := 0
	for _, in := range ins {
		n, cut, ok, err := j.readOther(in, opt, take)
		if !ok {
			continue
		}
		rec := catalog.InputFile{File: discover.CleanText(in.path, discover.MaxPath), Matched: n}
		j.partial = j.partial || cut
		switch {
		case err != nil && cut: // a budget: what was read stands
			readable++
			rec.Error = err.Error()
			errorf("%v%s", err, budgetHint)
		case err != nil:
			j.partial = true
			rec.Error = err.Error()
			errorf("%v; file skipped", err)
		default:
			readable++
		}
		j.inputs = append(j.inputs, rec)
	}
	return readable
}

// readOther reads one input by its kind; ok is false for .evtx files,
// read before.
func (j *scanJob) readOther(in input, opt evtx.Options, take func(evtx.Event)) (n int, cut, ok bool, err error) {
	switch in.kind {
	case scan.KindXML:
		var old int
		n, old, cut, err = readXML(in.path, opt, func(w evtx.Warning) { warnf("%s", w) }, take)
		j.old += old
	case scan.KindURLTool:
		err, n = j.c.readURLTool(in.path), 1
	case scan.KindReport, scan.KindReportEnd: // readReport says what is left of a cut one
		err = j.c.report(in.path)
	case scan.KindEmpty:
		err = fmt.Errorf("%s: empty file (0 bytes)", in.path)
	case scan.KindAzJSON, scan.KindAzCSV:
		var bad int
		n, bad, err = j.c.readExport(in.path, in.kind == scan.KindAzCSV, j.o)
		j.partial = j.partial || bad > 0
	default:
		return 0, false, false, nil
	}
	return n, cut, true, err
}
