package evtx

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// fuzzSeeds are small real files from the corpus, when it is there.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	dir := filepath.Join("..", "..", "shared", "evtx-corpus")
	for _, name := range []string{"27_Application15.evtx", "26_Application_no_crc32.evtx", "37_Microsoft-Windows-HelloForBusiness_4Operational.evtx", "33_MSExchange_Management_wec.evtx"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			seeds = append(seeds, b)
		}
	}
	return seeds
}

// FuzzRead feeds whole files to the reader: any bytes give events and
// warnings or an error, never a panic, and every event is well formed.
func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte("ElfFile\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := readEVTX(bytes.NewReader(b), int64(len(b)), "fuzz", Options{}, Handlers{Event: func(ev Event) error {
			if ev.Data == nil {
				t.Fatalf("event %d has nil Data", ev.RecordID)
			}
			return nil
		}, Warning: func(Warning) {}})
		if err != nil && len(b) >= 8 && bytes.Equal(b[:8], fileMagic) && len(b) >= 128 {
			t.Fatalf("file with a valid signature failed: %v", err)
		}
		if st.Panics > 0 {
			t.Fatalf("the decoder panicked in %d chunks (recovered, but a bug)", st.Panics)
		}
	})
}

// FuzzChunk decodes arbitrary bytes as one chunk, the unit of damage.
func FuzzChunk(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		if len(s) >= fileHeaderSize+chunkSize {
			f.Add(s[fileHeaderSize : fileHeaderSize+chunkSize])
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file := append(make([]byte, fileHeaderSize), b...)
		fi := &fileInfo{r: bytes.NewReader(file), name: "fuzz", total: 1, inRange: 1}
		res := fi.decodeChunk(0, make([]byte, chunkSize), newParser())
		if res.err != nil {
			t.Fatal(res.err)
		}
		if res.panicked {
			t.Fatalf("the decoder panicked (recovered, but a bug): %v", res.warnings)
		}
		for _, r := range res.records {
			if r.ev != nil && r.ev.Data == nil {
				t.Fatalf("record %d has nil Data", r.id)
			}
		}
	})
}

// FuzzParseEventXML feeds rendered event XML (as wevtutil, Get-WinEvent and
// evtxexport write it) to the XML reader and the Event builder.
func FuzzParseEventXML(f *testing.F) {
	f.Add([]byte(`<Events><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="WVD-Agent"/><EventID Qualifiers="0">3701</EventID><TimeCreated SystemTime="2024-01-01T00:00:00.1234567Z"/><EventRecordID>7</EventRecordID><Channel>Application</Channel><Computer>h</Computer></System><EventData><Data>a.example.com</Data><Data></Data></EventData><RenderingInfo Culture="en-US"><Message>m</Message></RenderingInfo></Event></Events>`))
	f.Add([]byte(`<Event><System><Provider EventSourceName="x"/></System><UserData><A><B>1</B></A></UserData></Event>`))
	f.Add([]byte(`<Event><Event><Event>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		els, _ := parseEvents(bytes.NewReader(b))
		for _, el := range els {
			ev := eventFromElement(el)
			if ev.Data == nil {
				t.Fatal("nil Data")
			}
		}
		// The streaming reader with small bounds: every event is either
		// delivered within them or counted as skipped.
		opt := Options{MaxEventBytes: 64, MaxEventElements: 8}
		n, warned := 0, 0
		st, _ := readXMLFunc(bytes.NewReader(b), "f.xml", opt, func(Warning) { warned++ }, func(ev Event) error {
			if n++; ev.Data == nil || ev.File != "f.xml" {
				t.Fatalf("event %+v", ev)
			}
			return nil
		})
		if st.Records != n || st.Matched != n || st.Oversized != warned || st.Bytes > int64(len(b)) {
			t.Fatalf("stats %+v for %d events and %d warnings", st, n, warned)
		}
	})
}
