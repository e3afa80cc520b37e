package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// TestFleetMergeEqualsSingleScan: hundreds of hosts each run their own
// scan (as 'avdurls scan --live --format json' would on each host); a
// central scan of those reports gives the same allowlist, hosts, rejected
// and deprecated names, counts and evidence as one scan over all the
// hosts' events.
func TestFleetMergeEqualsSingleScan(t *testing.T) {
	const hosts = 240
	dir := t.TempDir()
	exports, reports := filepath.Join(dir, "exports"), filepath.Join(dir, "reports")
	for _, d := range []string{exports, reports} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	regions := []string{"eastus2", "westeurope", "japaneast", "uksouth"}
	for i := 0; i < hosts; i++ {
		computer := fmt.Sprintf("avd-%03d.contoso.local", i)
		recs := evtxtest.SampleHost(computer, regions[i%len(regions)], int64(i))
		// A few forged or odd events on some hosts.
		if i%7 == 0 {
			recs = append(recs, evtxtest.Record{Provider: "WVD-Agent", EventID: 3701, Time: recs[0].Time, Computer: computer,
				Data: []string{"wvd.microsoft.com.evil.example\n10.0.0.1\nrdbroker%2ewvd.microsoft.com"}})
			recs = append(recs, evtxtest.Record{Provider: "WVD-Agent", EventID: 3701, Time: recs[0].Time, Computer: computer,
				Channel: "System", Data: []string{"rdgateway-c999-eus2-r1.wvd.microsoft.com"}})
		}
		b, err := evtxtest.Bytes(recs, evtxtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		export := filepath.Join(exports, fmt.Sprintf("host%03d.evtx", i))
		if err := os.WriteFile(export, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, errs, code := runScan(t, "-q", "-f", "json", "-o", filepath.Join(reports, fmt.Sprintf("host%03d.json", i)), export)
		if code != exitOK {
			t.Fatalf("host %d: exit %d: %s", i, code, errs)
		}
	}
	decode := func(out string) catalog.Report {
		var rep catalog.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		rep.Inputs = nil // the files differ by design
		return rep
	}
	single, errs, code := runScan(t, "-q", "-f", "json", exports)
	if code != exitOK {
		t.Fatalf("single scan: exit %d: %s", code, errs)
	}
	merged, errs, code := runScan(t, "-q", "-f", "json", reports)
	if code != exitOK {
		t.Fatalf("merged scan: exit %d: %s", code, errs)
	}
	a, b := decode(single), decode(merged)
	if len(a.Hosts) != hosts || len(a.Regions) != len(regions) || len(a.Rejected) == 0 || len(a.Deprecated)+stillChecked(a) == 0 {
		t.Fatalf("single scan: %d hosts, %d regions, %d rejected, %d deprecated", len(a.Hosts), len(a.Regions), len(a.Rejected), len(a.Deprecated))
	}
	if !reflect.DeepEqual(a, b) {
		ja, _ := json.MarshalIndent(a, "", " ")
		jb, _ := json.MarshalIndent(b, "", " ")
		la, lb := string(ja), string(jb)
		for i := 0; i < min(len(la), len(lb)); i++ {
			if la[i] != lb[i] {
				t.Fatalf("merged reports differ from the single scan at byte %d:\nsingle: ...%s...\nmerged: ...%s...", i, la[max(0, i-300):min(len(la), i+200)], lb[max(0, i-300):min(len(lb), i+200)])
			}
		}
		t.Fatalf("merged reports differ from the single scan (lengths %d, %d)", len(la), len(lb))
	}
	// Merging the merged report again changes nothing either.
	if err := os.WriteFile(filepath.Join(dir, "all.json"), []byte(merged), 0o644); err != nil {
		t.Fatal(err)
	}
	again, _, _ := runScan(t, "-q", "-f", "json", filepath.Join(dir, "all.json"))
	if c := decode(again); !reflect.DeepEqual(c.Regions, a.Regions) {
		t.Error("a merged report merged again gives other regions")
	}
}

// stillChecked counts the entries kept under deprecated rows because a
// host's newest check still lists them.
func stillChecked(rep catalog.Report) int {
	n := 0
	for _, r := range rep.Regions {
		for _, e := range r.Entries {
			if e.Deprecated {
				n++
			}
		}
	}
	return n
}
