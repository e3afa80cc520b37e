package evtx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// synthRecords is a mix of WVD-Agent events with awkward Data strings and
// noise from other providers and channels.
func synthRecords(n int) []evtxtest.Record {
	data := [][]string{
		nil, {""}, {"", ""}, {"a", "", "c", ""},
		{"Accessible URLs:\n=====\nrdgateway-c100-eus2-r1.wvd.microsoft.com\neastus2-shared.prod.warm.ingest.monitor.core.windows.net\n\nNOT Accessible URLs:\n=====\n<empty>"},
		{`<x a="1">&amp;</x>`, "comma,separated;list", "Grüße — 東京"},
		{strings.Repeat("long ", 500)},
	}
	providers := []string{"WVD-Agent", "WVD-Agent", "MsiInstaller", "ESENT", "wvd-agent"}
	base := time.Date(2025, 3, 4, 5, 6, 7, 891234500, time.UTC)
	recs := make([]evtxtest.Record, n)
	for i := range recs {
		recs[i] = evtxtest.Record{
			Provider: providers[i%len(providers)],
			EventID:  []uint16{3701, 3702, 3019, 1040}[i%4],
			Level:    4,
			Time:     base.Add(time.Duration(i) * 90 * time.Second),
			Computer: fmt.Sprintf("avd-%d.contoso.local", i%3),
			Data:     data[i%len(data)],
		}
		if i%17 == 0 {
			recs[i].Channel = "System"
		}
	}
	return recs
}

// expectEvent is what the reader must return for a written record.
func expectEvent(r evtxtest.Record, id uint64) Event {
	ch := r.Channel
	if ch == "" {
		ch = "Application"
	}
	d := r.Data
	if d == nil {
		d = []string{}
	}
	return Event{Provider: r.Provider, EventID: uint32(r.EventID), RecordID: id, Time: r.Time.UTC(),
		Computer: r.Computer, Channel: ch, Data: d}
}

func readAll(t *testing.T, b []byte, f filter) ([]Event, []Warning, Stats, error) {
	t.Helper()
	return readAllOpt(t, b, withFilter(f, Options{}))
}

func readAllOpt(t *testing.T, b []byte, opt Options) ([]Event, []Warning, Stats, error) {
	t.Helper()
	var evs []Event
	var ws []Warning
	st, err := readEVTX(bytes.NewReader(b), int64(len(b)), "mem.evtx", opt, Handlers{Event: func(ev Event) error {
		evs = append(evs, ev)
		return nil
	}, Warning: func(w Warning) { ws = append(ws, w) }})
	if st.Panics > 0 {
		t.Errorf("the decoder panicked in %d chunks (recovered, but a bug): %v", st.Panics, ws)
	}
	return evs, ws, st, err
}

// TestSyntheticRoundTrip reads files written by the test writer and
// compares every record with what was written, and with evtxexport.
func TestSyntheticRoundTrip(t *testing.T) {
	recs := synthRecords(500)
	for _, tc := range []struct {
		name string
		opt  evtxtest.Options
	}{
		{"filled", evtxtest.Options{}},
		{"small-chunks", evtxtest.Options{RecordsPerChunk: 9, FirstRecordID: 7000, ExtraEmptyChunks: 2}},
		{"dirty-nocrc", evtxtest.Options{Dirty: true, NoCRC: true}},
		{"provider-substitution", evtxtest.Options{ProviderInSubstitution: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := evtxtest.Bytes(recs, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			evs, ws, st, err := readAll(t, b, filter{})
			if err != nil || len(ws) > 0 {
				t.Fatalf("Read: err %v, warnings %v", err, ws)
			}
			if len(evs) != len(recs) || st.Records != len(recs) {
				t.Fatalf("Read delivered %d records (stats %d), want %d", len(evs), st.Records, len(recs))
			}
			first := tc.opt.FirstRecordID
			if first == 0 {
				first = 1
			}
			for i, ev := range evs {
				want := expectEvent(recs[i], first+uint64(i))
				if d := diffEvent(ev, want); len(d) > 0 || ev.RecordID != want.RecordID {
					t.Fatalf("record %d: %s (id %d, want %d)", i, strings.Join(d, "; "), ev.RecordID, want.RecordID)
				}
			}
			// The same file as libevtx reads it.
			path := filepath.Join(t.TempDir(), tc.name+".evtx")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			peer, bad := evtxexport(t, path, "items")
			if bad > 0 || len(peer) != len(evs) {
				t.Fatalf("evtxexport rendered %d records (%d failures), we read %d", len(peer), bad, len(evs))
			}
			for _, ev := range evs {
				if d := diffEvent(ev, peer[ev.RecordID]); len(d) > 0 {
					t.Errorf("record %d: ours vs evtxexport: %s", ev.RecordID, strings.Join(d, "; "))
				}
			}
		})
	}
}

// TestFilter checks provider (case-insensitive) and event ID selection.
func TestFilter(t *testing.T) {
	recs := synthRecords(200)
	b, err := evtxtest.Bytes(recs, evtxtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	evs, _, st, err := readAll(t, b, filter{Providers: []string{"wvd-AGENT"}, EventIDs: []uint32{3701, 3702}})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, r := range recs {
		if strings.EqualFold(r.Provider, "WVD-Agent") && (r.EventID == 3701 || r.EventID == 3702) {
			want++
		}
	}
	if len(evs) != want || st.Matched != want || st.Records+st.SkippedRecords != len(recs) || st.SkippedRecords == 0 {
		t.Fatalf("filter delivered %d (matched %d of %d decoded, %d skipped), want %d", len(evs), st.Matched, st.Records, st.SkippedRecords, want)
	}
	slow, _, st2, _ := readAllOpt(t, b, Options{Providers: []string{"wvd-AGENT"}, EventIDs: []uint32{3701, 3702}, NoPrefilter: true})
	if !slices.EqualFunc(evs, slow, func(a, b Event) bool { return len(diffEvent(a, b)) == 0 && a.RecordID == b.RecordID }) || st2.Records != len(recs) {
		t.Fatalf("prefilter changed the result: %d vs %d events", len(evs), len(slow))
	}
}

// TestDamage reads every damage mode of the writer: no panic, every intact
// chunk's records delivered, and a warning naming the damaged chunk.
func TestDamage(t *testing.T) {
	recs := synthRecords(300)
	clean, err := evtxtest.Bytes(recs, evtxtest.Options{RecordsPerChunk: 25})
	if err != nil {
		t.Fatal(err)
	}
	all, _, _, _ := readAll(t, clean, filter{})
	chunkOf := map[uint64]int{}
	for _, ev := range all {
		chunkOf[ev.RecordID] = ev.Chunk
	}
	offs := evtxtest.ChunkOffsets(clean)
	if len(offs) != 12 {
		t.Fatalf("writer made %d chunks, want 12", len(offs))
	}
	for _, tc := range []struct {
		name     string
		b        []byte
		damaged  []int // chunks that may lose records
		warnings bool  // a warning must name a damaged chunk
	}{
		{"bad-chunk-magic", evtxtest.CorruptChunkMagic(clean, 3), []int{3}, true},
		{"bad-chunk-crc", evtxtest.CorruptChunkCRC(clean, 4), []int{4}, true},
		{"zero-size-record", evtxtest.ZeroSizeRecord(clean, 5, 2), []int{5}, true},
		{"oversize-record", evtxtest.OversizeRecord(clean, 6, 0), []int{6}, true},
		{"flipped-byte-in-records", evtxtest.FlipByte(clean, offs[7]+600), []int{7}, false},
		{"header-count-lies-low", evtxtest.SetHeaderChunkCount(clean, 2), nil, false},
		{"header-count-lies-high", evtxtest.SetHeaderChunkCount(clean, 40), nil, true},
		{"truncated-mid-chunk", evtxtest.Truncate(clean, offs[8]+30000), []int{8, 9, 10, 11}, true},
		{"truncated-at-chunk-boundary", evtxtest.Truncate(clean, offs[9]), []int{9, 10, 11}, true},
		{"truncated-in-header", evtxtest.Truncate(clean, 100), allChunks(12), false},
		{"wrapped", evtxtest.Wrap(clean, 5), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, ws, _, err := readAll(t, tc.b, filter{})
			if err != nil {
				if tc.name == "truncated-in-header" {
					return // too short to be a file: an error naming it
				}
				t.Fatalf("Read: %v", err)
			}
			got := map[uint64]bool{}
			for _, ev := range evs {
				got[ev.RecordID] = true
			}
			for id, c := range chunkOf {
				if !got[id] && !slices.Contains(tc.damaged, c) {
					t.Errorf("record %d of intact chunk %d lost", id, c)
				}
			}
			if tc.warnings {
				named := false
				for _, w := range ws {
					named = named || slices.Contains(tc.damaged, w.Chunk) || w.Chunk < 0
				}
				if !named {
					t.Errorf("no warning names a damaged chunk %v; warnings: %v", tc.damaged, ws)
				}
			}
			t.Logf("%d of %d records, %d warnings", len(evs), len(chunkOf), len(ws))
		})
	}
}

func allChunks(n int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = i
	}
	return c
}

// TestNotEVTX: any other content is a clear error naming the file.
func TestNotEVTX(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("hello"), bytes.Repeat([]byte{0}, 70000), []byte("ElfChnk\x00")} {
		_, _, _, err := readAll(t, b, filter{})
		if err == nil || !strings.Contains(err.Error(), "mem.evtx") {
			t.Errorf("Read(%q...) = %v, want an error naming the file", b[:min(len(b), 8)], err)
		}
	}
}

// TestTruncationNamesTheCutChunk: a file cut at 70,000 bytes holds one
// whole chunk and the start of the second; the warning says so.
func TestTruncationNamesTheCutChunk(t *testing.T) {
	clean, err := evtxtest.Bytes(synthRecords(300), evtxtest.Options{RecordsPerChunk: 25})
	if err != nil {
		t.Fatal(err)
	}
	_, warns, st, _ := readAll(t, clean[:70000], filter{})
	want := "header lists 12 chunks but the file holds 1 whole and 368 bytes of chunk 1 (cut): file truncated"
	found := false
	for _, w := range warns {
		found = found || strings.Contains(w.Reason, want)
	}
	if !found || !st.Truncated {
		t.Errorf("warnings %v (truncated %v), want one saying %q", warns, st.Truncated, want)
	}
}

// TestChecksumPolicy: a file header and a chunk header whose checksums do
// not match give warnings and a count with ChecksumWarn, nothing with
// ChecksumIgnore, and the same events with both.
func TestChecksumPolicy(t *testing.T) {
	recs := synthRecords(100)
	b, err := evtxtest.Bytes(recs, evtxtest.Options{RecordsPerChunk: 25})
	if err != nil {
		t.Fatal(err)
	}
	b[124] ^= 0xff                          // the file header's checksum
	b[fileHeaderSize+chunkSize+124] ^= 0xff // chunk 1's header checksum
	warned, ws, st, err := readAllOpt(t, b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	crcWarnings := 0
	for _, w := range ws {
		if strings.Contains(w.Reason, "checksum mismatch") {
			crcWarnings++
		}
	}
	if crcWarnings != 2 || st.ChecksumErrors != 1 || len(warned) != len(recs) {
		t.Fatalf("ChecksumWarn: %d checksum warnings (%v), %d checksum errors, %d of %d events", crcWarnings, ws, st.ChecksumErrors, len(warned), len(recs))
	}
	quiet, ws, st, err := readAllOpt(t, b, Options{Checksums: ChecksumIgnore})
	if err != nil || len(ws) != 0 || st.ChecksumErrors != 0 {
		t.Fatalf("ChecksumIgnore: %v, warnings %v, %d checksum errors", err, ws, st.ChecksumErrors)
	}
	if !slices.EqualFunc(warned, quiet, func(a, b Event) bool { return len(diffEvent(a, b)) == 0 && a.RecordID == b.RecordID }) {
		t.Fatalf("the policy changed the events: %d vs %d", len(warned), len(quiet))
	}
}

// TestReadBudget: Read honours MaxEvents as ReadFiles does: the events up
// to the budget are delivered and the error wraps ErrBudget.
func TestReadBudget(t *testing.T) {
	b, err := evtxtest.Bytes(synthRecords(200), evtxtest.Options{RecordsPerChunk: 25})
	if err != nil {
		t.Fatal(err)
	}
	var file FileResult
	n := 0
	st, err := readEVTX(bytes.NewReader(b), int64(len(b)), "mem.evtx", Options{MaxEvents: 30}, Handlers{
		Event:   func(Event) error { n++; return nil },
		Warning: func(Warning) {},
		File:    func(r FileResult) { file = r },
	})
	if !errors.Is(err, ErrBudget) || !errors.Is(file.Err, ErrBudget) || n != 30 || st.Matched < 30 {
		t.Fatalf("MaxEvents 30: %d events, matched %d, err %v, file %+v", n, st.Matched, err, file)
	}
}

// withFilter is o with the providers and event IDs of f.
func withFilter(f filter, o Options) Options {
	o.Providers, o.EventIDs = f.Providers, f.EventIDs
	return o
}

// readXMLFunc is readXML with an event and a warning function.
func readXMLFunc(r io.Reader, name string, opt Options, warn func(Warning), fn func(Event) error) (Stats, error) {
	return readXML(r, name, opt, Handlers{Event: fn, Warning: warn})
}
