package evtx

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// Windows error codes the live reader acts on.
const (
	errnoAccessDenied       = 5
	errnoInsufficientBuffer = 122
	errnoNoMoreItems        = 259
	errnoInvalidBound       = 1734 // RPC_S_INVALID_BOUND: the batch is too large
	errnoChannelNotFound    = 15007
	errnoInvalidQuery       = 15001
)

// Flags of EvtQuery and EvtRender.
const (
	evtQueryChannelPath      = 0x1
	evtQueryReverseDirection = 0x200
	evtRenderEventXML        = 1
)

// Errno is a Windows error code returned by the event log API.
type Errno uint32

func (e Errno) Error() string {
	if name := e.name(); name != "" {
		return fmt.Sprintf("Windows error %d (%s)", uint32(e), name)
	}
	return fmt.Sprintf("Windows error %d", uint32(e))
}

// name is the name of the codes the live reader acts on, "" for others.
func (e Errno) name() string {
	switch e {
	case errnoAccessDenied:
		return "access denied"
	case errnoInsufficientBuffer:
		return "insufficient buffer"
	case errnoNoMoreItems:
		return "no more items"
	case errnoInvalidBound:
		return "batch too large, RPC_S_INVALID_BOUND"
	case errnoChannelNotFound:
		return "channel not found"
	case errnoInvalidQuery:
		return "invalid query"
	}
	return ""
}

// describedErrno is an Errno with the system's text for it (FormatMessage),
// for codes Errno has no name for. errors.As still finds the Errno.
type describedErrno struct {
	errno Errno
	text  string
}

func (d describedErrno) Error() string {
	return fmt.Sprintf("Windows error %d (%s)", uint32(d.errno), d.text)
}

func (d describedErrno) Unwrap() error { return d.errno }

// ErrLiveUnsupported is returned by Read of the Live source where there is no Windows
// event log.
var ErrLiveUnsupported = errors.New("live reading needs Windows (wevtapi.dll); export the log with wevtutil and scan the .evtx file instead")

// evtHandle is an EVT_HANDLE.
type evtHandle uintptr

// evtAPI is the part of the Windows Event Log API (wevtapi.dll) the live
// reader uses. The real one is in live_windows.go; tests use a fake.
type evtAPI interface {
	query(channel, xpath string, flags uint32) (evtHandle, error)
	// next fills hs with up to len(hs) event handles; it returns an Errno
	// (no more items, invalid bound) or another error.
	next(q evtHandle, hs []evtHandle) (int, error)
	// render writes the event's XML (UTF-16LE) into buf and returns the
	// bytes used; a buffer too small gives errnoInsufficientBuffer and the
	// size needed.
	render(h evtHandle, buf []byte) (used int, err error)
	close(h evtHandle) error
}

// liveQuery builds the XPath filter of a live read of the options'
// providers, event IDs and, at now, Since.
func liveQuery(o Options, now time.Time) string {
	var conds []string
	if len(o.Providers) > 0 {
		var ps []string
		for _, p := range o.Providers {
			ps = append(ps, "@Name='"+strings.ReplaceAll(p, "'", "")+"'")
		}
		conds = append(conds, "Provider["+strings.Join(ps, " or ")+"]")
	}
	if len(o.EventIDs) > 0 {
		var ids []string
		for _, id := range o.EventIDs {
			ids = append(ids, fmt.Sprintf("EventID=%d", id))
		}
		conds = append(conds, "("+strings.Join(ids, " or ")+")")
	}
	if !o.Since.IsZero() {
		conds = append(conds, fmt.Sprintf("TimeCreated[timediff(@SystemTime) <= %d]", max(now.Sub(o.Since).Milliseconds(), 0)))
	}
	if len(conds) == 0 {
		return "*"
	}
	return "*[System[" + strings.Join(conds, " and ") + "]]"
}

// initialBatch is the number of event handles asked for per EvtNext.
const initialBatch = 64

// readLive queries the channel newest first and emits each event rendered
// as XML through the same Event type as .evtx records, at most
// o.MaxEvents. It closes every handle it gets.
func readLive(api evtAPI, o Options, emit func(Event) error) (n int, err error) {
	if o.Channel == "" {
		o.Channel = "Application"
	}
	q, err := api.query(o.Channel, liveQuery(o, time.Now()), evtQueryChannelPath|evtQueryReverseDirection)
	if err != nil {
		return 0, liveError("EvtQuery", o.Channel, err)
	}
	defer api.close(q)
	batch := initialBatch
	buf := make([]byte, 16<<10)
	hs := make([]evtHandle, batch)
	for {
		got, err := api.next(q, hs[:batch])
		var en Errno
		switch {
		case errors.As(err, &en) && en == errnoNoMoreItems:
			return n, nil
		case errors.As(err, &en) && en == errnoInvalidBound:
			if batch == 1 {
				return n, liveError("EvtNext", o.Channel, err)
			}
			batch /= 2
			continue
		case err != nil:
			return n, liveError("EvtNext", o.Channel, err)
		}
		for i, h := range hs[:got] {
			var ev Event
			ev, buf, err = renderLive(api, h, buf, o.Channel)
			api.close(h)
			if err != nil {
				for _, rest := range hs[i+1 : got] {
					api.close(rest)
				}
				return n, err
			}
			if err = emit(ev); err != nil {
				for _, rest := range hs[i+1 : got] {
					api.close(rest)
				}
				return n, err
			}
			n++
			if o.MaxEvents > 0 && n >= o.MaxEvents {
				for _, rest := range hs[i+1 : got] {
					api.close(rest)
				}
				return n, nil
			}
		}
	}
}

// renderLive renders one event, growing buf when the API asks for more.
func renderLive(api evtAPI, h evtHandle, buf []byte, channel string) (Event, []byte, error) {
	for tries := 0; ; tries++ {
		used, err := api.render(h, buf)
		var en Errno
		if errors.As(err, &en) && en == errnoInsufficientBuffer && tries < 4 && used > len(buf) && used <= 64<<20 {
			buf = make([]byte, used)
			continue
		}
		if err != nil {
			return Event{}, buf, liveError("EvtRender", channel, err)
		}
		els, perr := parseEvents(strings.NewReader(decodeUTF16Z(buf[:used])))
		if perr != nil || len(els) != 1 {
			return Event{}, buf, fmt.Errorf("live %s: rendered event is not one <Event>: %v", channel, perr)
		}
		ev := eventFromElement(els[0])
		ev.File = "live:" + channel
		return ev, buf, nil
	}
}

// decodeUTF16Z decodes UTF-16LE up to the first NUL.
func decodeUTF16Z(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := uint16(b[i]) | uint16(b[i+1])<<8
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// liveError turns an error of the event log API call named into a message
// a user can act on: which call failed on which log, the Windows error, and
// what to check.
func liveError(call, channel string, err error) error {
	prefix := fmt.Sprintf("%s on the %s log failed", call, channel)
	var en Errno
	if errors.As(err, &en) {
		switch en {
		case 0:
			// The call failed but GetLastError says nothing, as under
			// Wine, whose wevtapi.dll is a stub.
			return fmt.Errorf("%s: the event log API returned no handle and no error (an emulated or broken Event Log service?); "+
				"on a real Windows host check that the Windows Event Log service is running, "+
				"or export the log (wevtutil epl %s %s.evtx) and scan the file", prefix, channel, channel)
		case errnoAccessDenied:
			return fmt.Errorf("%s: %v; run avdurls as an administrator or as a member of the Event Log Readers group", prefix, err)
		case errnoChannelNotFound:
			return fmt.Errorf("%s: %v; this machine has no %s log (check the channel name)", prefix, err, channel)
		case errnoInvalidQuery:
			return fmt.Errorf("%s: %v; the event log rejected the query (check the provider and event IDs asked for)", prefix, err)
		}
		return fmt.Errorf("%s: %w; is the Windows Event Log service running, and are you an administrator or a member of Event Log Readers?", prefix, err)
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

// readLiveSource is Read of the Live source: the events of the channel
// that pass the options, newest first, each to h.Event; then h.File with
// the counts (Path "live:CHANNEL"). An error of the event log API stops
// the read and is returned.
func readLiveSource(opt Options, h Handlers) error {
	if opt.Channel == "" {
		opt.Channel = "Application"
	}
	var st Stats
	f := opt.filter()
	_, err := readLiveAPI(opt, func(ev Event) error {
		st.Records++
		if !opt.Match(ev) {
			if f.match(ev) {
				st.Old++
			}
			return nil
		}
		st.Matched++
		return h.Event(ev)
	})
	if err != nil {
		return err
	}
	if h.File != nil {
		h.File(FileResult{Path: "live:" + opt.Channel, Stats: st})
	}
	return nil
}
