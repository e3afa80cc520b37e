package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/catalog"
)

// floodPart writes event XML of part p of a flood: four hosts (two whose
// region their names tell, two not), names of every list, many of them
// distinct, some shared with the other parts.
func floodPart(t *testing.T, dir string, p int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("<Events>\n")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for e := 0; e < 24; e++ {
		computer := fmt.Sprintf("avd-%d.contoso.local", (e+p)%4)
		var ok, notOK []string
		if (e+p)%4 < 2 {
			ok = append(ok, "eastus2-shared.prod.warm.ingest.monitor.core.windows.net")
		}
		for i := 0; i < 30; i++ {
			n := p*1000 + e*30 + i
			if i%3 == 0 {
				n = e*30 + i // the same names in every part
			}
			ok = append(ok, fmt.Sprintf("h%05d.flood.example.net", n), fmt.Sprintf("rdgateway-f%05d-eus2-r1.wvd.microsoft.com", n%400))
			notOK = append(notOK, fmt.Sprintf("u%05d.flood.example.net", n))
			if i%5 == 0 {
				ok = append(ok, fmt.Sprintf("gsm%05dxt.blob.core.windows.net", n), fmt.Sprintf("acct%05deh.servicebus.windows.net", n))
			}
		}
		text := "Accessible URLs:\n" + strings.Join(ok, "\n") + "\n\nNOT Accessible URLs:\n" + strings.Join(notOK, "\n")
		fmt.Fprintf(&b, `<Event><System><Provider Name="WVD-Agent"/><EventID>3701</EventID><TimeCreated SystemTime="%s"/>`+
			`<EventRecordID>%d</EventRecordID><Channel>Application</Channel><Computer>%s</Computer></System><EventData><Data>%s</Data></EventData></Event>`+"\n",
			base.Add(time.Duration(p*100+e)*time.Minute).Format(time.RFC3339), e+1, computer, strings.ReplaceAll(text, "\n", "&#10;"))
	}
	b.WriteString("</Events>\n")
	path := filepath.Join(dir, fmt.Sprintf("part%d.xml", p))
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// boundedScan scans paths with small bounds, so that every list is cut.
func boundedScan(t *testing.T, paths ...string) catalog.Report {
	t.Helper()
	o := testOptions(nil)
	o.Build.MaxListed, o.Build.MaxEntries = 7, 5
	ins, err := Expand(paths)
	if err != nil {
		t.Fatal(err)
	}
	rep, st, err := Run(context.Background(), o, Files(ins))
	if err != nil || st.Partial {
		t.Fatalf("scan %v: %v (partial %v)", paths, err, st.Partial)
	}
	rep.Inputs = nil // the files differ by design
	return rep
}

func writeReport(t *testing.T, path string, rep catalog.Report) string {
	t.Helper()
	rep.Inputs = []catalog.InputFile{}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBoundedMergeEqualsOneScan: with every list cut at its bound, a scan
// of the reports of parts of the input, and of reports of reports, gives
// the report one scan of all the input gives: the same names listed with
// the same counts and evidence, the same counts of what was left out.
func TestBoundedMergeEqualsOneScan(t *testing.T) {
	dir := t.TempDir()
	var parts, reports []string
	for p := 0; p < 4; p++ {
		parts = append(parts, floodPart(t, dir, p))
	}
	one := boundedScan(t, parts...)
	for _, l := range []struct {
		name string
		n    int
		rest catalog.Rest
	}{{"rejected", len(one.Rejected), one.RejectedMore}, {"deprecated", len(one.Deprecated), one.DeprecatedMore}, {"review", len(one.Review), one.ReviewMore}} {
		if l.n == 0 || l.rest.Names == 0 || l.rest.Sightings == 0 || !l.rest.Estimated {
			t.Fatalf("%s: %d listed, %+v left out: the test needs every list cut", l.name, l.n, l.rest)
		}
	}
	for _, h := range one.Hosts {
		if h.UnreachableMore == 0 || len(h.Unreachable) != 100 {
			t.Fatalf("host %s: %d unreachable listed, %d more: want the list cut", h.Computer, len(h.Unreachable), h.UnreachableMore)
		}
	}
	for p, part := range parts {
		reports = append(reports, writeReport(t, filepath.Join(dir, fmt.Sprintf("r%d.json", p)), boundedScan(t, part)))
	}
	merged := boundedScan(t, reports...)
	r01 := writeReport(t, filepath.Join(dir, "r01.json"), boundedScan(t, reports[0], reports[1]))
	twice := boundedScan(t, r01, reports[2], reports[3])
	for name, got := range map[string]catalog.Report{"reports": merged, "reports of reports": twice} {
		if !reflect.DeepEqual(one, got) {
			ja, _ := json.MarshalIndent(one, "", " ")
			jb, _ := json.MarshalIndent(got, "", " ")
			t.Errorf("scan of %s differs from one scan:\n%s", name, firstDiff(string(jb), string(ja)))
		}
	}
}
