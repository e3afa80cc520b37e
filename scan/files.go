package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/internal/termtext"
)

// maxDetails is how many warnings about damaged chunks one file gets;
// the rest are counted.
const maxDetails = 10

// Files is the inputs of Expand as a source: .evtx files in parallel,
// then the other inputs, which are small, one after another, each read
// as its kind.
func Files(ins Inputs) Source { return filesSource{ins} }

type filesSource struct{ ins Inputs }

func (s filesSource) read(_ context.Context, r *run) error {
	r.st.Inputs, r.st.Skipped = len(s.ins.List), s.ins.Skipped
	for _, in := range s.ins.List {
		r.st.Kinds[in.Kind]++
	}
	for _, u := range s.ins.Unreadable {
		r.unreadable(u)
	}
	readable, err := r.readEVTX(s.ins.Of(KindEVTX))
	if err != nil {
		return err
	}
	for _, in := range s.ins.List {
		if in.Kind != KindEVTX && r.readOther(in) {
			readable++
		}
	}
	if s.ins.Skipped > 0 {
		r.note(Info, fmt.Sprintf("skipped %s in the folders given that are not event logs, event XML, URL-tool output or reports", termtext.Plural(s.ins.Skipped, "file")), nil)
	}
	if readable == 0 {
		return fmt.Errorf("none of the %d input files could be read", len(s.ins.List)+len(s.ins.Unreadable))
	}
	if r.c.events == 0 && r.st.Old == 0 {
		r.note(Warning, fmt.Sprintf("no %s events with IDs %s in %s; the allowlist holds catalog rows only and every wildcard stays unresolved",
			strings.Join(r.o.Events.Providers, ", "), idString(r.urlIDs), termtext.Plural(len(s.ins.List), "file")), nil)
	}
	return nil
}

// unreadable records a file in a folder that could not be read: named
// with the reason, and the scan is partial.
func (r *run) unreadable(u Unreadable) {
	msg := u.Message()
	r.st.Partial = true
	r.st.Unreadable++
	r.note(Error, msg, u.Err)
	r.inputs = append(r.inputs, catalog.InputFile{File: discover.CleanText(u.Path, discover.MaxPath), Error: discover.CleanText(msg, discover.MaxPath)})
}

// damagedLine is the one line a damaged or cut .evtx file gets, even
// when the details (each damaged chunk) are not shown; "" for a sound one.
func damagedLine(res evtx.FileResult) string {
	st := res.Stats
	switch {
	case st.DamagedChunks > 0 && st.Truncated:
		return fmt.Sprintf("%s: %s damaged and the file cut short; the records in them are missing", res.Path, termtext.Plural(st.DamagedChunks, "chunk"))
	case st.DamagedChunks > 0:
		return fmt.Sprintf("%s: %s damaged; the records in them are missing", res.Path, termtext.Plural(st.DamagedChunks, "chunk"))
	case st.Truncated:
		return fmt.Sprintf("%s: the file is cut short; the records of its last chunk are missing", res.Path)
	}
	return ""
}

// readEVTX reads the .evtx files on all cores and returns how many could be
// read in full or in part.
func (r *run) readEVTX(files []string) (int, error) {
	if r.o.Progress != nil {
		r.o.Progress.Start(files)
		defer r.o.Progress.Done()
	}
	readable := 0
	nwarn := map[string]int{}
	h := evtx.Handlers{
		Event: func(ev evtx.Event) error { r.take(ev); return nil },
		Warning: func(w evtx.Warning) {
			if nwarn[w.File]++; nwarn[w.File] <= maxDetails {
				r.detail(w.String())
			}
		},
		File: func(res evtx.FileResult) {
			if res.Err == nil || errors.Is(res.Err, evtx.ErrBudget) {
				readable++ // in full or in part
			}
			if n := nwarn[res.Path]; n > maxDetails {
				r.detail(fmt.Sprintf("%s: %d more warnings not shown", res.Path, n-maxDetails))
			}
			r.fileDone(res)
		},
	}
	if r.o.Progress != nil {
		h.Progress = r.o.Progress.Add
	}
	return readable, evtx.Read(evtx.Files(files...), r.o.Events, h)
}

// fileDone records one .evtx file read: its counts, and what went wrong
// with the advice for it.
func (r *run) fileDone(res evtx.FileResult) {
	st := res.Stats
	r.st.Old += st.Old
	in := catalog.InputFile{File: discover.CleanText(res.Path, discover.MaxPath), Kind: string(KindEVTX), Records: st.Records, Matched: st.Matched, Damaged: st.DamagedChunks}
	if res.Err != nil {
		r.st.Partial = true
		in.Error = discover.CleanText(res.Err.Error(), discover.MaxPath)
		msg := res.Err.Error()
		switch {
		case errors.Is(res.Err, evtx.ErrEmpty):
			msg += "; export the log again (wevtutil epl Application host.evtx); file skipped"
		case errors.Is(res.Err, evtx.ErrNotEVTX):
			msg += "; export the log as .evtx (wevtutil epl Application host.evtx); file skipped"
		case errors.Is(res.Err, os.ErrPermission):
			msg += "; run as a user who may read it, or copy it first; file skipped"
		case errors.Is(res.Err, evtx.ErrBudget):
		default:
			msg += "; file skipped"
		}
		r.note(Error, msg, res.Err)
	}
	if line := damagedLine(res); line != "" {
		r.st.Partial = true // records may be missing
		r.note(Warning, line, nil)
	}
	r.inputs = append(r.inputs, in)
}

// readOther reads one input that is not an .evtx file by its kind, and
// says whether it could be read (in full or in part).
func (r *run) readOther(in Input) bool {
	n, cut, err := r.readKind(in)
	rec := catalog.InputFile{File: discover.CleanText(in.Path, discover.MaxPath), Kind: string(in.Kind), Matched: n}
	r.st.Partial = r.st.Partial || cut
	defer func() { r.inputs = append(r.inputs, rec) }()
	switch {
	case err != nil && cut: // a budget: what was read stands
		rec.Error = discover.CleanText(err.Error(), discover.MaxPath)
		r.note(Error, err.Error(), err)
		return true
	case err != nil:
		r.st.Partial = true
		rec.Error = discover.CleanText(err.Error(), discover.MaxPath)
		r.note(Error, err.Error()+"; file skipped", err)
		return false
	}
	return true
}

// readKind reads one input of a kind other than .evtx: the events it
// gives, whether it was cut or damaged, and why it could not be read.
func (r *run) readKind(in Input) (n int, cut bool, err error) {
	switch in.Kind {
	case KindXML:
		return r.readXML(in.Path)
	case KindURLTool:
		ev, err := readURLToolEvent(in.Path)
		if err != nil {
			return 0, false, err
		}
		r.c.event(ev)
		return 1, false, nil
	case KindReport, KindReportEnd: // ReadReport says what is left of a cut one
		return 0, false, r.c.report(in.Path)
	case KindEmpty:
		return 0, false, fmt.Errorf("%s: empty file (0 bytes)", in.Path)
	case KindAzJSON, KindAzCSV:
		rows, bad, err := r.readExport(in.Path, in.Kind == KindAzCSV)
		return rows, bad > 0, err
	}
	return 0, false, fmt.Errorf("%s: no reader for inputs of kind %q", in.Path, in.Kind)
}

// readXML streams rendered event XML into the collector. A budget cut or
// an event skipped for its size makes the read partial; the events read
// stand.
func (r *run) readXML(path string) (n int, partial bool, err error) {
	var res evtx.FileResult
	err = readXMLFile(path, r.o.Events, evtx.Handlers{
		Event:   func(ev evtx.Event) error { r.take(ev); return nil },
		Warning: func(w evtx.Warning) { r.note(Warning, w.String(), nil) },
		File:    func(fr evtx.FileResult) { res = fr },
	})
	if err == nil {
		err = res.Err
	}
	r.st.Old += res.Stats.Old
	if errors.Is(err, evtx.ErrBudget) {
		return res.Stats.Matched, true, err
	}
	return res.Stats.Matched, res.Stats.Oversized > 0, err
}

// readXMLFile reads the rendered event XML of a file.
func readXMLFile(path string, opt evtx.Options, h evtx.Handlers) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	return evtx.Read(evtx.XML(fh, path), opt, h)
}

// readURLToolEvent reads URL-tool output as one event; the computer is the
// file's name without its extension, the time its modification time.
func readURLToolEvent(path string) (evtx.Event, error) {
	fh, err := os.Open(path)
	if err != nil {
		return evtx.Event{}, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return evtx.Event{}, err
	}
	text, err := ReadText(fh, path)
	if err != nil {
		return evtx.Event{}, err
	}
	computer := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return discover.URLToolEvent(text, path, computer, fi.ModTime()), nil
}
