package evtx

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// corpusDir is where the shared corpus of real .evtx files lives: beside
// the checkout, in CI as here.
func corpusDir(t testing.TB) string {
	if d := os.Getenv("AVDURLS_CORPUS"); d != "" {
		return d
	}
	d, err := filepath.Abs(filepath.Join("..", "..", "shared", "evtx-corpus"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d); err != nil {
		requireInCI(t, "corpus not found at %s (set AVDURLS_CORPUS)", d)
	}
	return d
}

// corpusFiles lists the corpus's .evtx files, sorted; none is a failure in CI.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	dir := corpusDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.evtx"))
	if len(files) == 0 {
		requireInCI(t, "no .evtx files in %s", dir)
	}
	sort.Strings(files)
	return files
}

// requireInCI skips locally but fails in CI, where every tool must be there.
func requireInCI(t testing.TB, format string, a ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, a...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (required in CI)", msg)
	}
	t.Skip(msg)
}

// evtxexport runs libevtx's evtxexport in XML mode and returns the events it
// rendered, keyed by record ID, plus how many XML documents failed to parse
// (one more when evtxexport gave up before the end of the file).
func evtxexport(t testing.TB, path string, mode string) (map[uint64]Event, int) {
	t.Helper()
	bin, err := exec.LookPath("evtxexport")
	if err != nil {
		requireInCI(t, "evtxexport not installed (apt-get install libevtx-utils)")
	}
	cmd := exec.Command(bin, "-f", "xml", "-m", mode, path)
	var out bytes.Buffer
	cmd.Stdout = &out
	events := map[uint64]Event{}
	bad := 0
	if err := cmd.Run(); err != nil {
		bad++ // it stopped at a record it could not render; keep what it printed
	}
	s := out.String()
	for {
		i := strings.Index(s, "<Event ")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "</Event>")
		if j < 0 {
			bad++
			break
		}
		doc := s[i : i+j+len("</Event>")]
		s = s[i+j:]
		els, err := parseEvents(strings.NewReader(doc))
		if err != nil || len(els) != 1 {
			bad++
			continue
		}
		ev := eventFromElement(els[0])
		events[ev.RecordID] = ev
	}
	return events, bad
}

// sameText compares strings the way the peer can render them: libevtx
// replaces characters outside the Basic Multilingual Plane.
func sameText(a, b string) bool {
	if a == b {
		return true
	}
	norm := func(s string) string {
		// XML parsing turns CR LF into LF; libevtx renders a value of
		// only white space as an empty element.
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
		if strings.TrimSpace(s) == "" {
			return ""
		}
		return strings.Map(func(r rune) rune {
			if r > 0xffff {
				return '?'
			}
			return r
		}, s)
	}
	a, b = norm(a), norm(b)
	if a == b {
		return true
	}
	// libevtx swallows the code unit after an unpaired surrogate; we
	// decode it as U+FFFD followed by that unit, as Go's utf16 package
	// does. Accept that: same text before the first U+FFFD, and the peer's
	// text after its last U+FFFD ends ours.
	if i := strings.IndexRune(b, 0xfffd); i >= 0 && strings.ContainsRune(a, 0xfffd) {
		j := strings.LastIndex(b, "\ufffd")
		return a[:min(i, len(a))] == b[:i] && strings.HasSuffix(a, b[j+len("\ufffd"):])
	}
	return false
}

// diffEvent lists the fields in which two events disagree.
func diffEvent(ours, peer Event) []string {
	var d []string
	if ours.Provider != peer.Provider {
		d = append(d, fmt.Sprintf("provider %q vs %q", ours.Provider, peer.Provider))
	}
	if ours.EventID != peer.EventID {
		d = append(d, fmt.Sprintf("eventId %d vs %d", ours.EventID, peer.EventID))
	}
	if !ours.Time.Equal(peer.Time) {
		d = append(d, fmt.Sprintf("time %s vs %s", ours.Time, peer.Time))
	}
	if ours.Computer != peer.Computer {
		d = append(d, fmt.Sprintf("computer %q vs %q", ours.Computer, peer.Computer))
	}
	if ours.Channel != peer.Channel {
		d = append(d, fmt.Sprintf("channel %q vs %q", ours.Channel, peer.Channel))
	}
	if len(ours.Data) != len(peer.Data) {
		d = append(d, fmt.Sprintf("data has %d values vs %d: %q vs %q", len(ours.Data), len(peer.Data), ours.Data, peer.Data))
	} else {
		for i := range ours.Data {
			if !sameText(ours.Data[i], peer.Data[i]) {
				d = append(d, fmt.Sprintf("data[%d] %q vs %q", i, ours.Data[i], peer.Data[i]))
			}
		}
	}
	return d
}

// TestConformanceCorpus reads every real file of the shared corpus and
// compares every record evtxexport renders with ours, field by field.
func TestConformanceCorpus(t *testing.T) {
	files := corpusFiles(t)
	var totFiles, totPeer, totCompared, totFields, totDisagree, totExtra, totUnrendered int
	for _, path := range files {
		name := filepath.Base(path)
		ours := map[uint64]Event{}
		var warns []Warning
		st, err := readFile(path, Options{}, Handlers{Event: func(ev Event) error {
			ours[ev.RecordID] = ev
			return nil
		}, Warning: func(w Warning) { warns = append(warns, w) }})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if st.Panics > 0 {
			t.Errorf("%s: the decoder panicked in %d chunks (recovered, but a bug)", name, st.Panics)
		}
		peer, bad := evtxexport(t, path, "items")
		recovered, _ := evtxexport(t, path, "recovered")
		totFiles++
		totPeer += len(peer)
		totUnrendered += bad
		missing, disagree, extra := 0, 0, 0
		for id, pe := range peer {
			oe, ok := ours[id]
			if !ok {
				missing++
				if missing <= 3 {
					t.Errorf("%s: record %d exported by evtxexport is missing", name, id)
				}
				continue
			}
			totCompared++
			totFields += 6 + len(pe.Data)
			if d := diffEvent(oe, pe); len(d) > 0 {
				disagree++
				if disagree <= 3 {
					t.Errorf("%s: record %d: %s", name, id, strings.Join(d, "; "))
				}
			}
		}
		// Chunks from which evtxexport exported at least one record.
		peerChunks := map[int]bool{}
		for id := range peer {
			if oe, ok := ours[id]; ok {
				peerChunks[oe.Chunk] = true
			}
		}
		for id, oe := range ours {
			if _, ok := peer[id]; ok {
				continue
			}
			extra++
			_, isRecovered := recovered[id]
			// Allowed: records libevtx flags as recovered, records in
			// chunks it does not export (stale, past the header's count,
			// truncated), records past their chunk header's last record
			// (flushed by a log not closed cleanly), records we could
			// decode only in part (reported as damage), and files it
			// cannot render to the end.
			if !isRecovered && !oe.Recovered && !oe.Partial && peerChunks[oe.Chunk] && bad == 0 {
				t.Errorf("%s: record %d (chunk %d) delivered but neither exported nor recovered by evtxexport, though it exported that chunk", name, id, oe.Chunk)
			}
			if !oe.Partial && (oe.Provider == "" || oe.Time.IsZero() || oe.Channel == "") {
				t.Errorf("%s: extra record %d is not well formed: %+v", name, id, oe)
			}
		}
		if bad > 0 {
			// libevtx could not render the whole file: python-evtx is the
			// second opinion on which records exist.
			ids := pythonEvtxIDs(t, path)
			pmissing := 0
			for _, id := range ids {
				if _, ok := ours[id]; !ok {
					pmissing++
				}
			}
			if pmissing > 0 {
				t.Errorf("%s: %d of the %d records python-evtx lists are missing", name, pmissing, len(ids))
			}
			t.Logf("%s: evtxexport could not render it all; python-evtx lists %d records, %d missing from ours", name, len(ids), pmissing)
		}
		totDisagree += disagree
		totExtra += extra
		t.Logf("%-70s ours=%5d peer=%5d missing=%d disagree=%d extra=%d unrendered-by-peer=%d chunks=%d stale=%d damaged=%d crcErr=%d warnings=%d",
			name, len(ours), len(peer), missing, disagree, extra, bad, st.Chunks, st.StaleChunks, st.DamagedChunks, st.ChecksumErrors, len(warns))
	}
	t.Logf("TOTAL files=%d peer-records=%d compared=%d fields=%d disagreements=%d extra=%d peer-unrendered=%d",
		totFiles, totPeer, totCompared, totFields, totDisagree, totExtra, totUnrendered)
}

var recordIDRe = regexp.MustCompile(`<EventRecordID>(\d+)</EventRecordID>`)

// pythonEvtxIDs lists the record IDs python-evtx's evtx_dump.py prints.
func pythonEvtxIDs(t testing.TB, path string) []uint64 {
	t.Helper()
	bin, err := exec.LookPath("evtx_dump.py")
	if err != nil {
		requireInCI(t, "evtx_dump.py not installed (apt-get install python3-evtx)")
	}
	out, _ := exec.Command(bin, path).Output() // it may stop at a bad record
	var ids []uint64
	for _, m := range recordIDRe.FindAllSubmatch(out, -1) {
		id, err := strconv.ParseUint(string(m[1]), 10, 64)
		if err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// TestCorpusBounded reads every real corpus file, in full and for WVD-Agent
// only: no panic, no hang, and memory allocated in proportion to the file.
func TestCorpusBounded(t *testing.T) {
	for _, path := range corpusFiles(t) {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []filter{{}, {Providers: []string{"WVD-Agent"}}} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := readFile(path, withFilter(f, Options{}), Handlers{Event: func(Event) error { return nil }, Warning: func(Warning) {}})
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(path), err)
			}
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("%s: %v", filepath.Base(path), d) // a hang guard
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(64*fi.Size())+(16<<20) {
				t.Errorf("%s: allocated %d MiB for %d KiB", filepath.Base(path), alloc>>20, fi.Size()>>10)
			}
		}
	}
}
