package scan

import (
	"errors"
	"fmt"
	"os"

	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/workspace"
)

// Events reads every input as the events it holds, each kind by its own
// reader as a scan reads it: .evtx files in parallel, then the others in
// order; a workspace export gives the last event of each row, URL-tool
// output its one event (whatever the options), a report none (an error).
// event gets the events that pass opt; notify hears what went wrong.
// Stats counts the inputs, those that failed (Unreadable) and whether any
// was damaged or cut (Partial); the error is that of event, or says that
// no input could be read.
func Events(ins Inputs, opt evtx.Options, event func(evtx.Event) error, notify func(Note)) (Stats, error) {
	st := Stats{Inputs: len(ins.List), Kinds: map[Kind]int{}}
	say := func(n Note) {
		if notify != nil {
			notify(n)
		}
	}
	fail := func(err error) {
		say(Note{Level: Error, Text: err.Error() + "; file skipped", Err: err})
		st.Partial = true
		st.Unreadable++
	}
	err := evtx.Read(evtx.Files(ins.Of(KindEVTX)...), opt, evtx.Handlers{
		Event:   event,
		Warning: func(w evtx.Warning) { say(Note{Level: Warning, Text: w.String(), Detail: true}) },
		File: func(r evtx.FileResult) {
			if line := damagedLine(r); line != "" {
				st.Partial = true
				say(Note{Level: Warning, Text: line})
			}
			if r.Err != nil {
				fail(r.Err)
			}
		},
	})
	if err != nil {
		return st, err
	}
	for _, in := range ins.List {
		st.Kinds[in.Kind]++
		if in.Kind == KindEVTX {
			continue
		}
		if err := otherEvents(in, opt, event, say, fail, &st); err != nil {
			return st, err
		}
	}
	for _, u := range ins.Unreadable {
		say(Note{Level: Error, Text: u.Message(), Err: u.Err})
		st.Partial = true
		st.Unreadable++
	}
	if n := len(ins.List) + len(ins.Unreadable); st.Unreadable == n {
		return st, fmt.Errorf("none of the %d input files could be read", n)
	}
	return st, nil
}

// stopped marks an error of the event function, which ends Events.
type stopped struct{ error }

// otherEvents reads the events of one input that is not .evtx; only an
// error of event is returned, the input's own go to fail.
func otherEvents(in Input, opt evtx.Options, event func(evtx.Event) error, say func(Note), fail func(error), st *Stats) error {
	emit := func(ev evtx.Event) error {
		if err := event(ev); err != nil {
			return stopped{err}
		}
		return nil
	}
	var err error
	switch in.Kind {
	case KindXML:
		var res evtx.FileResult
		err = readXMLFile(in.Path, opt, evtx.Handlers{Event: event,
			Warning: func(w evtx.Warning) { say(Note{Level: Warning, Text: w.String()}) },
			File:    func(r evtx.FileResult) { res = r }})
		if err != nil {
			return err // of event
		}
		st.Partial = st.Partial || errors.Is(res.Err, evtx.ErrBudget) || res.Stats.Oversized > 0
		if res.Err != nil && !errors.Is(res.Err, evtx.ErrBudget) {
			fail(res.Err)
		}
		return nil
	case KindURLTool:
		var ev evtx.Event
		if ev, err = readURLToolEvent(in.Path); err == nil {
			err = emit(ev)
		}
	case KindAzJSON, KindAzCSV:
		err = exportEvents(in, opt, emit)
	case KindReport, KindReportEnd:
		err = fmt.Errorf("%s: an avdurls report holds no events", in.Path)
	case KindEmpty:
		err = fmt.Errorf("%s: empty file (0 bytes)", in.Path)
	}
	var s stopped
	if errors.As(err, &s) {
		return s.error
	}
	if err != nil {
		fail(err)
	}
	return nil
}

// exportEvents emits the last event of every row of an export that passes
// the options.
func exportEvents(in Input, opt evtx.Options, emit func(evtx.Event) error) error {
	f, err := os.Open(in.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	var stop error
	feed := &workspace.Feed{Source: in.Path, Wanted: nil, Row: func(r workspace.Row) {
		if ev := rowEvent(r, in.Path); stop == nil && opt.Match(ev) {
			stop = emit(ev)
		}
	}}
	if err := workspace.ReadExport(f, in.Path, in.Kind == KindAzCSV, feed); err != nil {
		return err
	}
	return stop
}
