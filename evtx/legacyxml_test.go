package evtx

import (
	"fmt"
	"io"
)

// readEventXML reads rendered events (wevtutil qe /f:xml, Get-WinEvent's
// ToXml(), with or without a root element) into Events. It holds them all,
// so its input is bounded to 256 MiB; readXML streams. Events
// larger than the default bounds are skipped; the error then wraps
// errEventTooLarge and the other events are returned.
// maxLegacyXMLInput bounds the input of readEventXML, which returns every
// event at once; readXML streams and has no such bound.
const maxLegacyXMLInput = 256 << 20

func readEventXML(r io.Reader, name string) ([]Event, error) {
	var evs []Event
	var first string
	warn := func(w Warning) {
		if first == "" {
			first = w.Reason
		}
	}
	lr := &io.LimitedReader{R: r, N: maxLegacyXMLInput + 1}
	st, err := readXMLFunc(lr, name, Options{}, warn, func(ev Event) error {
		evs = append(evs, ev)
		return nil
	})
	switch {
	case lr.N <= 0:
		return evs, fmt.Errorf("%s: larger than %d MiB; split it or export as .evtx", name, maxLegacyXMLInput>>20)
	case err == nil && st.Oversized > 0:
		err = fmt.Errorf("%s: %d events skipped, the first: %s: %w", name, st.Oversized, first, errEventTooLarge)
	}
	return evs, err
}
