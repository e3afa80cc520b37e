package evtx

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// repeatReader yields unit count times.
type repeatReader struct {
	unit      []byte
	pos, left int
}

// Read fills p with copies of the unit.
func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.left > 0 {
		c := copy(p[n:], r.unit[r.pos:])
		n += c
		if r.pos += c; r.pos == len(r.unit) {
			r.pos, r.left = 0, r.left-1
		}
	}
	return n, nil
}

// generated returns prefix, unit repeated count times, and suffix, without
// holding them in memory.
func generated(prefix, unit, suffix []byte, count int) io.Reader {
	return io.MultiReader(bytes.NewReader(prefix), &repeatReader{unit: unit, left: count}, bytes.NewReader(suffix))
}

// peakReader records the largest heap seen, every MiB read.
type peakReader struct {
	r          io.Reader
	n, next    int64
	peak, base uint64
}

// newPeakReader starts measuring from the heap after a collection.
func newPeakReader(r io.Reader) *peakReader {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return &peakReader{r: r, base: ms.HeapAlloc, peak: ms.HeapAlloc}
}

// Read reads and samples the heap every MiB.
func (p *peakReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if p.n += int64(n); p.n >= p.next {
		p.next = p.n + 1<<20
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p.peak = max(p.peak, ms.HeapAlloc)
	}
	return n, err
}

// growth is the largest heap growth seen, in MiB.
func (p *peakReader) growth() float64 { return float64(p.peak-p.base) / (1 << 20) }

// commentData is one <Data> of units "x<!---->": the text comes in one-byte
// pieces, which made appending to a string quadratic.
func commentData(units int) []byte {
	return []byte(`<Event><System><Provider Name="WVD-Agent"/><EventID>3701</EventID></System><EventData><Data>` +
		strings.Repeat("x<!---->", units) + `</Data></EventData></Event>`)
}

// TestReadEventXMLLinear: reading text split by comments allocates in
// proportion to the input. 8x the input may allocate well under 16x the
// bytes (it was about 64x when text pieces were appended to a string).
func TestReadEventXMLLinear(t *testing.T) {
	alloc := func(units int) uint64 {
		in := commentData(units)
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		evs, err := readEventXML(bytes.NewReader(in), "big.xml")
		runtime.ReadMemStats(&ms1)
		if err != nil || len(evs) != 1 || len(evs[0].Data) != 1 || len(evs[0].Data[0]) != units {
			t.Fatalf("%d units: err %v, %d events", units, err, len(evs))
		}
		return ms1.TotalAlloc - ms0.TotalAlloc
	}
	small, large := alloc(16<<10), alloc(128<<10) // 128 KiB and 1 MiB of input
	ratio := float64(large) / float64(small)
	t.Logf("allocated %d and %d bytes: ratio %.1f for 8x the input", small, large, ratio)
	if ratio > 16 {
		t.Errorf("8x the input allocates %.1fx the bytes; reading is not linear", ratio)
	}
}

// TestParseEventXMLMemoryBounded: elements outside events are not kept,
// and an event with too many elements is dropped as it is read, so 20 MB
// of empty elements cost a few MiB of heap.
func TestParseEventXMLMemoryBounded(t *testing.T) {
	const count = 5 << 20 // "<a/>" units: 20 MiB
	for _, tt := range []struct{ name, prefix, suffix string }{
		{"outside", "<Events>", "</Events>"},
		{"inside", "<Events><Event>", "</Event></Events>"},
	} {
		pr := newPeakReader(generated([]byte(tt.prefix), []byte("<a/>"), []byte(tt.suffix), count))
		st, err := parseEventXML(pr, "flood.xml", Options{}, nil, func(*element) error { return nil })
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		t.Logf("%s: %d MiB read, heap grew by %.1f MiB, %+v", tt.name, pr.n>>20, pr.growth(), st)
		if g := pr.growth(); g > 32 {
			t.Errorf("%s: heap grew by %.0f MiB reading %d MiB", tt.name, g, pr.n>>20)
		}
	}
}

// TestReadEventXMLUTF16Streams: UTF-16 input is decoded as it is read.
func TestReadEventXMLUTF16Streams(t *testing.T) {
	le := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	ev := `<Event><System><Provider Name="WVD-Agent"/><EventID>3701</EventID></System><EventData><Data>a.example.com</Data></EventData></Event>`
	prefix := append([]byte{0xff, 0xfe}, le(`<?xml version="1.0" encoding="UTF-16"?><Events>`)...)
	const count = 100000 // 25 MB of UTF-16
	pr := newPeakReader(generated(prefix, le(ev+"\r\n"), le("</Events>"), count))
	n := 0
	st, err := readXMLFunc(pr, "u16.xml", Options{}, nil, func(e Event) error {
		if n++; e.EventID != 3701 || len(e.Data) != 1 || e.Data[0] != "a.example.com" {
			t.Fatalf("event %d: %+v", n, e)
		}
		return nil
	})
	if err != nil || n != count || st.Bytes != pr.n {
		t.Fatalf("read %d events, %+v, err %v; want %d", n, st, err, count)
	}
	t.Logf("%d MiB of UTF-16: heap grew by %.1f MiB", pr.n>>20, pr.growth())
	if g := pr.growth(); g > 32 {
		t.Errorf("heap grew by %.0f MiB reading %d MiB of UTF-16", g, pr.n>>20)
	}
	be := []byte{0xfe, 0xff, 0, '<', 0, 'E', 0, 'v', 0, 'e', 0, 'n', 0, 't', 0, '/', 0, '>'}
	if evs, err := readEventXML(bytes.NewReader(be), "be.xml"); err != nil || len(evs) != 1 {
		t.Errorf("UTF-16BE: %d events, %v", len(evs), err)
	}
}

// TestReadEventXMLOversized: an event beyond the bounds is skipped with a
// warning that names its line; the events around it are read.
func TestReadEventXMLOversized(t *testing.T) {
	good := `<Event><System><EventID>3701</EventID></System></Event>`
	in := good + "\n<Event><EventData><Data>" + strings.Repeat("y", 2000) + "</Data></EventData></Event>\n" +
		"<Event>" + strings.Repeat("<a/>", 50) + "</Event>\n" + good
	var warns []Warning
	opt := Options{MaxEventBytes: 1 << 10, MaxEventElements: 20}
	n := 0
	st, err := readXMLFunc(strings.NewReader(in), "o.xml", opt, func(w Warning) { warns = append(warns, w) }, func(Event) error { n++; return nil })
	if err != nil || n != 2 || st.Oversized != 2 || len(warns) != 2 {
		t.Fatalf("%d events, %+v, %d warnings, err %v; want 2 events and 2 skipped", n, st, len(warns), err)
	}
	for i, want := range []string{"o.xml: event at line 2 holds more than 1 KiB of text and attributes; it was skipped",
		"o.xml: event at line 3 has more than 20 elements; it was skipped"} {
		if !strings.HasPrefix(warns[i].String(), want) {
			t.Errorf("warning %d = %q, want %q...", i, warns[i], want)
		}
	}
	huge := good + "<Event><Data>" + strings.Repeat("z", DefaultMaxEventBytes+1) + "</Data></Event>" + good
	evs, err := readEventXML(strings.NewReader(huge), "h.xml")
	if len(evs) != 2 || !errors.Is(err, errEventTooLarge) || !strings.Contains(err.Error(), "more than 1 MiB") {
		t.Errorf("ReadEventXML: %d events, err %v; want 2 and errEventTooLarge", len(evs), err)
	}
}

// TestReadEventXMLBudgets: MaxEvents counts matching events only, and both
// it and Timeout cut the read with an error wrapping ErrBudget.
func TestReadEventXMLBudgets(t *testing.T) {
	in := strings.Repeat(`<Event><System><Provider Name="WVD-Agent"/><EventID>3701</EventID></System></Event>`+
		`<Event><System><Provider Name="Other"/></System></Event>`, 5)
	read := func(opt Options) (int, error) {
		n := 0
		_, err := readXMLFunc(strings.NewReader(in), "b.xml", opt, nil, func(Event) error { n++; return nil })
		return n, err
	}
	wvd := []string{"wvd-agent"}
	if n, err := read(Options{Providers: wvd, MaxEvents: 5}); n != 5 || err != nil {
		t.Errorf("MaxEvents 5 of 5: %d events, err %v", n, err)
	}
	n, err := read(Options{Providers: wvd, MaxEvents: 3})
	if n != 3 || !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "b.xml: more than 3 matching events") {
		t.Errorf("MaxEvents 3 of 5: %d events, err %v", n, err)
	}
	slow := strings.NewReader(strings.Repeat("<a/>", 4*xmlTimeCheck))
	_, err = readXMLFunc(slow, "t.xml", Options{Timeout: time.Nanosecond}, nil, func(Event) error { return nil })
	if !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "the time budget per file") {
		t.Errorf("Timeout: err %v, want ErrBudget", err)
	}
	stop := errors.New("stop")
	if _, err := readXMLFunc(strings.NewReader(in), "s.xml", Options{}, nil, func(Event) error { return stop }); err != stop {
		t.Errorf("fn error: got %v, want it as it is", err)
	}
}

// TestReadEventXMLTokenTooLarge: one comment longer than the decoder may
// hold ends the read with a clear error instead of taking its size.
func TestReadEventXMLTokenTooLarge(t *testing.T) {
	in := generated([]byte("<Event/><!--"), []byte("a<b>c"), []byte("--><Event/>"), (minTokenLimit/5)+1)
	n := 0
	_, err := readXMLFunc(in, "c.xml", Options{}, nil, func(Event) error { n++; return nil })
	if n != 1 || err == nil || !strings.Contains(err.Error(), "longer than 16 MiB") {
		t.Errorf("%d events, err %v; want 1 and a token error", n, err)
	}
}

// TestReadEventXMLDeclarations: wevtutil output, possibly concatenated,
// has no root element and an XML declaration per part.
func TestReadEventXMLDeclarations(t *testing.T) {
	in := "\ufeff<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Event><System><EventID>1</EventID></System></Event>\r\n" +
		"<?xml version=\"1.0\" encoding=\"windows-1252\"?><Event><System><EventID>2</EventID></System></Event>"
	evs, err := readEventXML(strings.NewReader(in), "d.xml")
	if err != nil || len(evs) != 2 || evs[0].EventID != 1 || evs[1].EventID != 2 {
		t.Errorf("got %+v, %v; want events 1 and 2", evs, err)
	}
	if _, err := readEventXML(strings.NewReader("<Event><System>"), "t.xml"); err == nil {
		t.Error("truncated XML: no error")
	}
}
