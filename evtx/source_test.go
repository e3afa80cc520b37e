package evtx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// TestReadSources reads the same records as a file, as EVTX data and as
// rendered XML through the one entry point: the same events, Since
// applied by the reader itself (the skipped counted in Stats.Old), a
// FileResult for every input, and the error of h.Event returned as it is.
func TestReadSources(t *testing.T) {
	recs := synthRecords(120)
	b, err := evtxtest.Bytes(recs, evtxtest.Options{RecordsPerChunk: 20})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s.evtx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	since := recs[60].Time
	opt := Options{Providers: []string{"WVD-Agent"}, Since: since}
	var xml strings.Builder
	xml.WriteString("<Events>")
	for i, r := range recs {
		xml.WriteString(renderXML(expectEvent(r, uint64(i+1))))
	}
	xml.WriteString("</Events>")
	for name, src := range map[string]Source{
		"files": Files(path),
		"evtx":  EVTX(bytes.NewReader(b), int64(len(b)), path),
		"xml":   XML(strings.NewReader(xml.String()), path),
	} {
		var got []Event
		var res []FileResult
		err := Read(src, opt, Handlers{Event: func(ev Event) error { got = append(got, ev); return nil },
			File: func(r FileResult) { res = append(res, r) }})
		if err != nil || len(res) != 1 || res[0].Err != nil {
			t.Fatalf("%s: err %v, results %+v", name, err, res)
		}
		want, old := 0, 0
		for _, r := range recs {
			if !strings.EqualFold(r.Provider, "WVD-Agent") {
				continue
			}
			if r.Time.Before(since) {
				old++
			} else {
				want++
			}
		}
		if len(got) != want || res[0].Stats.Matched != want || res[0].Stats.Old != old {
			t.Errorf("%s: %d events, stats %+v; want %d matched and %d old", name, len(got), res[0].Stats, want, old)
		}
		for _, ev := range got {
			if ev.Time.Before(since) || !opt.Match(ev) {
				t.Errorf("%s: event %+v delivered although the options skip it", name, ev)
			}
		}
	}
	stop := errors.New("stop")
	if err := Read(Files(path), Options{}, Handlers{Event: func(Event) error { return stop }}); err != stop {
		t.Errorf("h.Event error: got %v, want it as it is", err)
	}
	if err := Read(EVTX(bytes.NewReader(nil), 0, "empty.evtx"), Options{}, Handlers{File: func(r FileResult) {
		if !errors.Is(r.Err, ErrEmpty) {
			t.Errorf("empty data: %v, want ErrEmpty", r.Err)
		}
	}}); err != nil {
		t.Errorf("empty data: Read returned %v; the input's error goes to File", err)
	}
}

// renderXML writes an event as wevtutil renders it, enough for the reader.
func renderXML(ev Event) string {
	var b strings.Builder
	esc := func(s string) string {
		var e strings.Builder
		_ = xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	fmt.Fprintf(&b, `<Event><System><Provider Name="%s"/><EventID>%d</EventID><TimeCreated SystemTime="%s"/>`+
		`<EventRecordID>%d</EventRecordID><Channel>%s</Channel><Computer>%s</Computer></System><EventData>`,
		esc(ev.Provider), ev.EventID, ev.Time.Format(time.RFC3339Nano), ev.RecordID, esc(ev.Channel), esc(ev.Computer))
	for _, d := range ev.Data {
		fmt.Fprintf(&b, "<Data>%s</Data>", esc(d))
	}
	b.WriteString("</EventData></Event>")
	return b.String()
}
