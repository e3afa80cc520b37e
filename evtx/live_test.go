package evtx

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// fakeAPI simulates wevtapi.dll: events rendered as XML, a largest batch,
// buffers that must grow, and handle accounting.
type fakeAPI struct {
	events    []string // XML, newest first
	maxBatch  int
	queryErr  error
	nextErr   error // returned once, after the first batch
	pos       int
	open      map[evtHandle]bool
	nextID    evtHandle
	byHandle  map[evtHandle]int
	batches   []int
	renders   int
	gotXPath  string
	gotFlags  uint32
	gotChanel string
}

func newFake(n int) *fakeAPI {
	f := &fakeAPI{maxBatch: 1 << 30, open: map[evtHandle]bool{}, byHandle: map[evtHandle]int{}}
	for i := 0; i < n; i++ {
		host := fmt.Sprintf("rdgateway-c%03d-eus2-r1.wvd.microsoft.com", i)
		if i%3 == 0 {
			host = strings.Repeat("x", 3000) + "." + host // a large event: the buffer must grow
		}
		f.events = append(f.events, fmt.Sprintf(`<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="WVD-Agent"/><EventID Qualifiers="0">3701</EventID><TimeCreated SystemTime="2026-01-01T00:%02d:00.0000000Z"/><EventRecordID>%d</EventRecordID><Channel>Application</Channel><Computer>avd-0</Computer></System><EventData><Data>%s</Data></EventData><RenderingInfo Culture="en-US"><Message>URLs</Message></RenderingInfo></Event>`, i%60, 1000-i, host))
	}
	return f
}

func (f *fakeAPI) handle() evtHandle {
	f.nextID++
	f.open[f.nextID] = true
	return f.nextID
}

func (f *fakeAPI) query(channel, xpath string, flags uint32) (evtHandle, error) {
	f.gotChanel, f.gotXPath, f.gotFlags = channel, xpath, flags
	if f.queryErr != nil {
		return 0, f.queryErr
	}
	return f.handle(), nil
}

func (f *fakeAPI) next(q evtHandle, hs []evtHandle) (int, error) {
	if !f.open[q] {
		return 0, Errno(6)
	}
	if len(hs) > f.maxBatch {
		return 0, Errno(errnoInvalidBound)
	}
	if f.nextErr != nil && f.pos > 0 {
		err := f.nextErr
		f.nextErr = nil
		return 0, err
	}
	if f.pos >= len(f.events) {
		return 0, Errno(errnoNoMoreItems)
	}
	n := 0
	for n < len(hs) && f.pos < len(f.events) {
		h := f.handle()
		f.byHandle[h] = f.pos
		hs[n] = h
		n++
		f.pos++
	}
	f.batches = append(f.batches, n)
	return n, nil
}

func (f *fakeAPI) render(h evtHandle, buf []byte) (int, error) {
	f.renders++
	if !f.open[h] {
		return 0, Errno(6)
	}
	u := utf16.Encode([]rune(f.events[f.byHandle[h]] + "\x00"))
	need := 2 * len(u)
	if need > len(buf) {
		return need, Errno(errnoInsufficientBuffer)
	}
	for i, c := range u {
		buf[2*i], buf[2*i+1] = byte(c), byte(c>>8)
	}
	return need, nil
}

func (f *fakeAPI) close(h evtHandle) error {
	if !f.open[h] {
		return fmt.Errorf("double close of %d", h)
	}
	delete(f.open, h)
	return nil
}

func TestLiveRead(t *testing.T) {
	f := newFake(150)
	f.maxBatch = 20 // the first EvtNext of 64 fails with RPC_S_INVALID_BOUND: halve until it fits
	var got []Event
	n, err := readLive(f, Options{Providers: []string{"WVD-Agent"}, EventIDs: []uint32{3701, 3702}}, func(ev Event) error {
		got = append(got, ev)
		return nil
	})
	if err != nil || n != 150 || len(got) != 150 {
		t.Fatalf("readLive = %d, %v; got %d events", n, err, len(got))
	}
	if len(f.open) != 0 {
		t.Errorf("%d handles left open", len(f.open))
	}
	if f.batches[0] != 16 {
		t.Errorf("first batch %d, want 16 (64 halved twice)", f.batches[0])
	}
	if f.gotChanel != "Application" || f.gotFlags != evtQueryChannelPath|evtQueryReverseDirection ||
		f.gotXPath != "*[System[Provider[@Name='WVD-Agent'] and (EventID=3701 or EventID=3702)]]" {
		t.Errorf("query %q %q %#x", f.gotChanel, f.gotXPath, f.gotFlags)
	}
	ev := got[0]
	if ev.Provider != "WVD-Agent" || ev.EventID != 3701 || ev.RecordID != 1000 || ev.Message != "URLs" || !strings.HasPrefix(ev.Data[0], "xxx") || ev.File != "live:Application" {
		t.Errorf("first event %+v", ev)
	}
	if got[1].Data[0] != "rdgateway-c001-eus2-r1.wvd.microsoft.com" {
		t.Errorf("second event data %q", got[1].Data)
	}
}

func TestLiveMaxAndErrors(t *testing.T) {
	f := newFake(100)
	n, err := readLive(f, Options{MaxEvents: 10}, func(Event) error { return nil })
	if err != nil || n != 10 || len(f.open) != 0 {
		t.Errorf("Max 10: %d, %v, %d open", n, err, len(f.open))
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{Errno(errnoAccessDenied), "EvtQuery on the Application log failed: Windows error 5 (access denied); run avdurls as an administrator or as a member of the Event Log Readers group"},
		{Errno(errnoChannelNotFound), "channel not found"},
		// The call failed and GetLastError says 0, as under Wine's stub.
		{Errno(0), "EvtQuery on the Application log failed: the event log API returned no handle and no error (an emulated or broken Event Log service?)"},
		{Errno(1717), "EvtQuery on the Application log failed: Windows error 1717; is the Windows Event Log service running, and are you an administrator or a member of Event Log Readers?"},
		{describedErrno{1753, "There are no more endpoints available from the endpoint mapper"}, "EvtQuery on the Application log failed: Windows error 1753 (There are no more endpoints available from the endpoint mapper); is the Windows Event Log service running"},
	} {
		f := newFake(1)
		f.queryErr = tc.err
		if _, err := readLive(f, Options{}, func(Event) error { return nil }); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("query error %v: got %v, want %q", tc.err, err, tc.want)
		}
	}
	f = newFake(200)
	f.nextErr = Errno(1234)
	if _, err := readLive(f, Options{}, func(Event) error { return nil }); err == nil || len(f.open) != 0 ||
		!strings.Contains(err.Error(), "EvtNext on the Application log failed: Windows error 1234;") {
		t.Errorf("EvtNext failure: err %v, %d handles open", err, len(f.open))
	}
	f = newFake(200)
	f.nextErr = Errno(0)
	if _, err := readLive(f, Options{}, func(Event) error { return nil }); err == nil || len(f.open) != 0 ||
		!strings.Contains(err.Error(), "EvtNext on the Application log failed: the event log API returned no handle and no error") {
		t.Errorf("EvtNext failure with error 0: err %v, %d handles open", err, len(f.open))
	}
	// errors.As still finds the code under the system's text.
	var en Errno
	if err := liveError("EvtRender", "Application", describedErrno{errnoInsufficientBuffer, "x"}); !errors.As(err, &en) || en != errnoInsufficientBuffer {
		t.Errorf("describedErrno does not unwrap: %v", err)
	}
	f = newFake(200)
	stop := fmt.Errorf("stop")
	if _, err := readLive(f, Options{}, func(Event) error { return stop }); err != stop || len(f.open) != 0 {
		t.Errorf("emit error: %v, %d handles open", err, len(f.open))
	}
	f = newFake(5)
	f.maxBatch = 0
	if _, err := readLive(f, Options{}, func(Event) error { return nil }); err == nil {
		t.Error("a batch of 1 that still fails must be an error")
	}
}

func TestLiveQuery(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{}, "*"},
		{Options{Providers: []string{"WVD-Agent"}}, "*[System[Provider[@Name='WVD-Agent']]]"},
		{Options{Providers: []string{"a'b"}, Since: now.Add(-36 * time.Hour)}, "*[System[Provider[@Name='ab'] and TimeCreated[timediff(@SystemTime) <= 129600000]]]"},
	} {
		if got := liveQuery(tc.o, now); got != tc.want {
			t.Errorf("liveQuery(%+v) = %q, want %q", tc.o, got, tc.want)
		}
	}
}
