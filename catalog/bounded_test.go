package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// TestBoundedListMemory: a flood of distinct rejected names keeps at most
// twice the bound in memory, counts every sighting, and estimates the
// names left out within a few per cent.
func TestBoundedListMemory(t *testing.T) {
	v := Default().Newest()
	b := v.NewBuilder(BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost, MaxListed: 1000, Region: "eastus2"})
	const n = 50000
	peak := 0
	for i := range n {
		b.Observe("h", &Observation{Events: 1, Findings: []discover.Finding{finding(fmt.Sprintf("x%06d.flood.example", i), "h", discover.Reachable, uint64(i))}})
		peak = max(peak, len(b.j.rejected.b.items))
	}
	if peak > 2000 {
		t.Errorf("%d names held at most, want at most 2000", peak)
	}
	rep := b.Report()
	if len(rep.Rejected) != 1000 || rep.RejectedMore.Sightings != n-1000 || !rep.RejectedMore.Estimated {
		t.Fatalf("%d listed, rest %+v; want 1000 listed and %d sightings left out", len(rep.Rejected), rep.RejectedMore, n-1000)
	}
	if got := len(rep.Rejected) + rep.RejectedMore.Names; math.Abs(float64(got-n)) > 0.1*n {
		t.Errorf("about %d names, want %d within 10%%", got, n)
	}
	if len(b.names) > maxNames {
		t.Errorf("%d names cached", len(b.names))
	}
}

// TestBoundedListExact: a list within its bound is exact, and says so.
func TestBoundedListExact(t *testing.T) {
	v := Default().Newest()
	b := v.NewBuilder(BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost, MaxListed: 10})
	for i := range 10 {
		b.Observe("h", &Observation{Findings: []discover.Finding{finding(fmt.Sprintf("x%d.flood.example", i), "h", discover.Reachable, 1)}})
	}
	rep := b.Report()
	if len(rep.Rejected) != 10 || rep.RejectedMore != (Rest{}) {
		t.Errorf("%d listed, rest %+v; want 10 and nothing left out", len(rep.Rejected), rep.RejectedMore)
	}
}

// TestEvidenceSample: the evidence of a name is its three oldest and three
// newest sightings and the newest of the four smallest computers, in any
// order of arrival.
func TestEvidenceSample(t *testing.T) {
	var list []discover.Evidence
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		list = append(list, discover.Evidence{Computer: fmt.Sprintf("c%02d", i%10), File: "f", RecordID: uint64(i), Time: base.Add(time.Duration(i) * time.Minute)})
	}
	got := capEvidence(slices.Clone(list))
	var recs []uint64
	for _, e := range got {
		recs = append(recs, e.RecordID)
	}
	// newest 99 98 97; the newest of c00..c03: 90 91 92 93; oldest 2 1 0.
	if want := []uint64{99, 98, 97, 93, 92, 91, 90, 2, 1, 0}; !slices.Equal(recs, want) {
		t.Errorf("sample records %v, want %v", recs, want)
	}
	slices.Reverse(list)
	var acc []discover.Evidence
	n := 0
	for _, e := range list {
		addSighting(&n, &acc, nil, nil, Sighting{Count: 1, Evidence: []discover.Evidence{e}})
	}
	if !reflect.DeepEqual(capEvidence(acc), got) || n != 100 {
		t.Errorf("sampled as it grows: %v", capEvidence(acc))
	}
}

// TestStreamReportEqualsDecode: a report read as a stream gives the same
// head, entries and items as DecodeReport, for every schema version.
func TestStreamReportEqualsDecode(t *testing.T) {
	v := Default().Newest()
	obs := map[string]*Observation{"h": {Events: 3, Findings: []discover.Finding{
		finding("rdgateway-c100-eus2-r1.wvd.microsoft.com", "h", discover.Reachable, 1),
		finding("x.flood.example", "h", discover.Unreachable, 2),
		finding("gsm123eh.servicebus.windows.net", "h", discover.Reachable, 3),
	}}}
	rep := v.Build(obs, BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost, Region: "eastus2"})
	for _, version := range []int{3, 4} {
		rep.SchemaVersion = version
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		want, err := DecodeReport(b)
		if err != nil {
			t.Fatal(err)
		}
		var got Report
		var entries []Entry
		lists := map[string][]Excluded{}
		head, err := StreamReport(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, ReportVisitor{
			Entry:    func(_ string, e Entry) error { entries = append(entries, e); return nil },
			Excluded: func(l string, x Excluded) error { lists[l] = append(lists[l], x); return nil },
		})
		if err != nil {
			t.Fatalf("version %d: %v", version, err)
		}
		got = head
		if !reflect.DeepEqual(got.Hosts, want.Hosts) || got.SchemaVersion != want.SchemaVersion || got.RejectedMore != want.RejectedMore {
			t.Errorf("version %d: head %+v, want %+v", version, got, want)
		}
		same := func(a, b []Excluded) bool { return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b) }
		if !reflect.DeepEqual(entries, want.Regions[0].Entries) || !same(lists["rejected"], want.Rejected) || !same(lists["deprecated"], want.Deprecated) || !same(lists["review"], want.Review) {
			t.Errorf("version %d: entries or lists differ", version)
		}
	}
	for _, bad := range []string{`{"schemaVersion":4,"bogus":1}`, `{"schemaVersion":4`, `[]`, `{"schemaVersion":4,"cloud":"public"} x`} {
		if _, err := StreamReport(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader([]byte(bad))), nil }, ReportVisitor{}); err == nil {
			t.Errorf("StreamReport(%q) = nil error", bad)
		}
	}
}

// TestBoundedNeverOverBound: whatever the order of the names, a list never
// lists more than its bound; the name whose arrival makes a list prune
// itself may be the one left out, and must then stay out (it once came
// back, and a list of 7 listed 8).
func TestBoundedNeverOverBound(t *testing.T) {
	for seed := 0; seed < 50; seed++ {
		l := newExclList(7)
		total := 0
		for i := 0; i < 200; i++ {
			n := fmt.Sprintf("n%d-%d.example.com", seed, (i*7919+seed)%1000)
			l.add(n, CodeUntrusted, "r", "", Sighting{Host: n, Count: 1})
			total++
		}
		list, rest := l.finish()
		if len(list) > 7 {
			t.Fatalf("seed %d: %d listed, bound 7", seed, len(list))
		}
		n := rest.Sightings
		for _, x := range list {
			n += x.EvidenceCount
		}
		if n != total {
			t.Fatalf("seed %d: %d sightings accounted for, %d added", seed, n, total)
		}
	}
}

// TestMaxHosts: computers past the bound are counted, not held: their
// events in hostsMore, their number estimated, every name they give
// rejected; the computers within it are as they would be alone.
func TestMaxHosts(t *testing.T) {
	v := Default().Newest()
	b := v.NewBuilder(BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost, Region: "eastus2", MaxHosts: 3})
	for i := 0; i < 10; i++ {
		c := fmt.Sprintf("avd-%d", i)
		b.Observe(c, &Observation{Events: 2, Findings: []discover.Finding{finding(fmt.Sprintf("rdgateway-c%d-eus2-r1.wvd.microsoft.com", 100+i), c, discover.Reachable, 1)}})
	}
	rep := b.Report()
	if len(rep.Hosts) != 3 || rep.HostsMore.Names != 7 || rep.HostsMore.Sightings != 14 || rep.HostsMore.Estimated {
		t.Fatalf("%d hosts, hostsMore %+v; want 3 hosts and 7 more with 14 events", len(rep.Hosts), rep.HostsMore)
	}
	n := 0
	for _, x := range rep.Rejected {
		if x.Code == CodeTooManyHosts {
			n++
		}
	}
	if n != 7 || len(rep.Regions[0].Entries) == 0 {
		t.Errorf("%d names rejected as too-many-hosts, want 7; entries %d", n, len(rep.Regions[0].Entries))
	}
	if err := rep.Check(); err != nil {
		t.Errorf("the report does not check: %v", err)
	}
	// A flood of computers: memory is the sample, the count estimated.
	b = v.NewBuilder(BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost, Region: "eastus2", MaxHosts: 10})
	for i := 0; i < 20000; i++ {
		b.Observe(fmt.Sprintf("forged-%d", i), &Observation{Events: 1})
	}
	if len(b.hosts) != 10 || len(b.moreHosts.items) > 2*maxHostsSample {
		t.Fatalf("%d hosts held, %d sampled: not bounded", len(b.hosts), len(b.moreHosts.items))
	}
	rep = b.Report()
	if m := rep.HostsMore; !m.Estimated || m.Names < 19990*9/10 || m.Names > 19990*11/10 || m.Sightings != 19990 {
		t.Errorf("hostsMore %+v, want about 19990 computers, 19990 events", m)
	}
}
