package evtxtest

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// oddData are insertion strings that readers get wrong: none, empty ones in
// every position, XML specials, separators, text beyond ASCII (BMP only:
// libevtx mangles the rest), long text.
var oddData = [][]string{
	nil,
	{},
	{""},
	{"", ""},
	{"only"},
	{"a", "", "c", ""},
	{"", "after an empty one"},
	{`<tag attr="v">&amp;</tag>`, "'single' \"double\"", "a & b < c > d"},
	{"comma,separated,hosts", "semi;colon", "line one\nline two\r\nline three"},
	{"Grüße aus Köln", "東京 — ☃ Ω ß €", "Ελληνικά, русский, עברית"},
	{"tab\tseparated", "  leading and trailing spaces  "},
	{"https://rdgateway-c225-UKS-r1.wvd.microsoft.com:443/api/health", "eastus2-shared.prod.warm.ingest.monitor.core.windows.net"},
	{strings.Repeat("long text ", 300)},
}

// mixedRecords returns n records of several sources, computers and
// channels with the strings of oddData and sizes that fill chunks unevenly.
func mixedRecords(n int) []Record {
	r := rand.New(rand.NewPCG(7, 11))
	providers := []string{"WVD-Agent", "WVD-Agent", "WVD-Agent", "MsiInstaller", "ESENT", "SecurityCenter", "Application Error", "Ünïcödé Source"}
	computers := []string{"avd-eus2-0.contoso.local", "AVD-WEU-0", "desktop-ħ"}
	base := time.Date(2024, 5, 6, 7, 8, 9, 123456700, time.UTC)
	recs := make([]Record, n)
	for i := range recs {
		rec := Record{
			Provider:   providers[r.IntN(len(providers))],
			EventID:    []uint16{3701, 3702, 3019, 0, 65535, 1040}[r.IntN(6)],
			Qualifiers: []uint16{0, 0, 16384, 32768, 49152, 65535}[r.IntN(6)],
			Level:      uint8(r.IntN(5)),
			Time:       base.Add(time.Duration(i)*37*time.Second + time.Duration(r.IntN(1e7))*100),
			Computer:   computers[r.IntN(len(computers))],
			Data:       oddData[r.IntN(len(oddData))],
		}
		if r.IntN(10) == 0 {
			rec.Channel = "System"
		}
		if r.IntN(50) == 0 {
			rec.RecordID = uint64(1_000_000 + i*1000) // a jump; the next records follow on
		}
		recs[i] = rec
	}
	// Times at the edges of what FILETIME and the readers show.
	recs[0].Time = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	recs[1].Time = time.Date(1999, 12, 31, 23, 59, 59, 999999900, time.UTC)
	recs[2].Time = time.Date(2099, 6, 1, 12, 0, 0, 100, time.FixedZone("CEST", 2*3600))
	return recs
}

// testFiles are the files both readers are checked on.
func testFiles() []struct {
	name string
	recs []Record
	opt  Options
} {
	mixed := mixedRecords(400)
	return []struct {
		name string
		recs []Record
		opt  Options
	}{
		{"filled", mixed, Options{}},
		{"per-chunk", mixed[:60], Options{RecordsPerChunk: 7, FirstRecordID: 5000, ExtraEmptyChunks: 3}},
		{"dirty", mixed[:150], Options{Dirty: true, ExtraEmptyChunks: 1}},
		{"nocrc", mixed, Options{NoCRC: true}},
		{"provider-substitution", mixed, Options{ProviderInSubstitution: true}},
		{"one", mixed[:1], Options{}},
		{"sample", SampleHost("avd-eus2-0.contoso.local", "eastus2", 1), Options{}},
	}
}

func TestEvtxexportReadsOurFiles(t *testing.T) {
	lookTool(t, "evtxexport", "libevtx-utils")
	for _, f := range testFiles() {
		t.Run(f.name, func(t *testing.T) {
			b, err := Bytes(f.recs, f.opt)
			if err != nil {
				t.Fatal(err)
			}
			got := runEvtxexport(t, f.name, b)
			// evtxexport prints SystemTime to 100 ns, all FILETIME holds.
			compareEvents(t, "evtxexport", got, wantEvents(f.recs, f.opt, 100), 0)
			t.Logf("%d records, %d chunks, %d bytes", len(got), len(ChunkOffsets(b)), len(b))
		})
	}
}

func TestPythonEvtxReadsOurFile(t *testing.T) {
	lookTool(t, "evtx_dump.py", "python3-evtx")
	// python-evtx's dumper mangles text beyond Latin-1 and moves empty
	// strings at the start of a string array behind the first non-empty one
	// (Nodes.py, WstringArrayTypeNode.string), so this file avoids both; it
	// is slow, so the file is small.
	var recs []Record
	for _, r := range mixedRecords(400) {
		ok := r.Computer != "desktop-ħ" && !strings.ContainsFunc(r.Provider, isBeyondLatin1)
		for _, d := range r.Data {
			ok = ok && !strings.ContainsFunc(d, isBeyondLatin1)
		}
		if len(r.Data) > 0 && r.Data[0] == "" && slices.ContainsFunc(r.Data, func(s string) bool { return s != "" }) {
			ok = false
		}
		if ok && len(recs) < 120 {
			recs = append(recs, r)
		}
	}
	recs = append(recs, SampleHost("avd-weu-0.contoso.local", "westeurope", 3)[:40]...)
	opt := Options{RecordsPerChunk: 50, Dirty: true}
	b, err := Bytes(recs, opt)
	if err != nil {
		t.Fatal(err)
	}
	got := runPythonEvtx(t, "python", b)
	// python-evtx prints microseconds of float(filetime)*1e-7 - 11644473600
	// (BinaryParser.parse_filetime): a float64 of 1.3e10 seconds holds them
	// to 2 µs, and the microseconds are rounded on top.
	compareEvents(t, "evtx_dump.py", got, wantEvents(recs, opt, 100), 4*time.Microsecond)
	t.Logf("%d records, %d chunks", len(got), len(ChunkOffsets(b)))
}

func isBeyondLatin1(r rune) bool { return r > 0xff }
