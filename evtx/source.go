package evtx

import (
	"fmt"
	"io"
)

// A Source is where Read takes events from: .evtx files (Files), EVTX or
// rendered XML data in hand (EVTX, XML) or this machine's event log
// (Live).
type Source struct {
	kind  sourceKind
	paths []string
	ra    io.ReaderAt
	size  int64
	r     io.Reader
	name  string
}

type sourceKind int

const (
	sourceFiles sourceKind = iota + 1
	sourceEVTX
	sourceXML
	sourceLive
)

// Files is the .evtx files at paths, read in parallel.
func Files(paths ...string) Source { return Source{kind: sourceFiles, paths: paths} }

// EVTX is EVTX data of the given size (for tests, fuzzing and data that
// is no file); name labels its events and warnings.
func EVTX(r io.ReaderAt, size int64, name string) Source {
	return Source{kind: sourceEVTX, ra: r, size: size, name: name}
}

// XML is rendered event XML (wevtutil qe /f:xml, Get-WinEvent's ToXml(),
// with or without a root element; UTF-8 or UTF-16 with a byte order mark),
// read as a stream: memory is bounded by one event, not by the input.
func XML(r io.Reader, name string) Source { return Source{kind: sourceXML, r: r, name: name} }

// Live is this machine's event log (Options.Channel, Application by
// default), newest first, through the Windows Event Log API; elsewhere
// Read returns ErrLiveUnsupported.
func Live() Source { return Source{kind: sourceLive} }

// Read reads a source: h.Event gets every distinct event that passes the
// options (Match), h.Warning every damaged chunk or record or oversized
// event, h.File the end of every input with its counts and what went
// wrong with it (an input that cannot be opened, is not of its kind or
// that a budget cut is reported there, not returned), h.Progress the
// bytes of .evtx input done. Handlers run on the caller's goroutine, in
// the order of inputs and chunks, whatever the parallelism. Read returns
// the first error of h.Event, which stops the read, or why the live log
// could not be read.
func Read(src Source, opt Options, h Handlers) error {
	event := h.Event
	h.Event = func(ev Event) error {
		if event == nil {
			return nil
		}
		if err := event(ev); err != nil {
			return eventError{err}
		}
		return nil
	}
	if h.Warning == nil {
		h.Warning = func(Warning) {}
	}
	var err error
	switch src.kind {
	case sourceFiles:
		err = readFiles(src.paths, opt, h)
	case sourceEVTX:
		_, err = readEVTX(src.ra, src.size, src.name, opt, h)
		err = onlyEventError(err)
	case sourceXML:
		_, err = readXML(src.r, src.name, opt, h)
		err = onlyEventError(err)
	case sourceLive:
		err = readLiveSource(opt, h)
	default:
		return fmt.Errorf("evtx: Read of an empty Source")
	}
	if ee, ok := err.(eventError); ok {
		return ee.err
	}
	return err
}

// onlyEventError keeps an error of h.Event; an input's own error went to
// h.File.
func onlyEventError(err error) error {
	if _, ok := err.(eventError); ok {
		return err
	}
	return nil
}

// eventError marks an error of h.Event on its way out of a reader.
type eventError struct{ err error }

func (e eventError) Error() string { return e.err.Error() }
func (e eventError) Unwrap() error { return e.err }
