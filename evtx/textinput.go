package evtx

import (
	"errors"
	"fmt"
	"io"

	"github.com/avdurls/avdurls/internal/textenc"
)

// readXML reads rendered events (the XML source) as a stream, calling
// h.Event with every event that passes the options, h.Warning for every
// event skipped for its size, and h.File at the end. Memory is bounded by
// one event (see Options.MaxEventBytes), not by the input. UTF-16 and
// UTF-8 with a byte order mark are decoded as they are read. It stops at
// the first syntax error (wrapped with name), budget (wrapping ErrBudget)
// or error of h.Event (returned as it is); the events before were
// delivered.
func readXML(r io.Reader, name string, opt Options, h Handlers) (Stats, error) {
	cr := &countingReader{r: r}
	var fnErr error
	matched, old := 0, 0
	f := opt.filter()
	st, err := parseEventXML(textenc.Reader(cr), name, opt, h.Warning, func(el *element) error {
		ev := eventFromElement(el)
		ev.File = name
		if !f.match(ev) {
			return nil
		}
		if !opt.Since.IsZero() && ev.Time.Before(opt.Since) {
			old++
			return nil
		}
		if opt.MaxEvents > 0 && matched >= opt.MaxEvents {
			return budgetError(fmt.Sprintf("%s: more than %d matching events, the budget per file; the rest of the file was skipped", name, opt.MaxEvents))
		}
		matched++
		fnErr = h.Event(ev)
		return fnErr
	})
	st.Matched, st.Old, st.Bytes = matched, old, cr.n
	if err != nil && err != fnErr && !errors.Is(err, ErrBudget) {
		err = fmt.Errorf("%s: rendered event XML: %w", name, err)
	}
	if h.File != nil && (fnErr == nil || err != fnErr) {
		h.File(FileResult{Path: name, Stats: st, Err: err})
	}
	return st, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

// Read reads from the underlying reader and counts.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
