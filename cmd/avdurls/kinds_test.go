package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// kindFixtures writes one input of every kind the registry knows, from
// the test's own generators, and returns their paths with the kind each
// is: .evtx, event XML, URL-tool output, a report, the end of a cut
// report, an az JSON and a portal CSV export, an empty report.
func kindFixtures(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	put := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b, err := evtxtest.Bytes(evtxtest.SampleHost("avd-k1.contoso.local", "westeurope", 7), evtxtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	evtxPath := put("host.evtx", b)
	out, errs, code := runScan(t, "-q", "-f", "json", evtxPath)
	if code != exitOK {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	kinds := map[string]string{
		evtxPath: "evtx",
		put("events.xml", []byte(`<Events><Event><System><Provider Name="WVD-Agent"/><EventID>3701</EventID>`+
			`<TimeCreated SystemTime="2024-05-06T06:00:00Z"/><Channel>Application</Channel><Computer>avd-k2</Computer></System>`+
			`<EventData><Data>Accessible URLs:&#10;rdgateway-c100-eus2-r1.wvd.microsoft.com</Data></EventData></Event></Events>`)): "xml",
		put("avd-k3.txt", []byte("Acquired on 2024/05/06 06:00:00\r\nAccessible URLs:\r\nrdgateway-c100-eus2-r1.wvd.microsoft.com\r\n")): "urltool",
		put("report.json", []byte(out)):               "report",
		put("tail.json", []byte(out[len(out)-4096:])): "report-end",
		put("empty.json", nil):                        "empty",
	}
	evs := fleetEvents(t, t.TempDir(), 2)
	jsonPath, csvPath := exportRows(t, dir, evs)
	kinds[jsonPath], kinds[csvPath] = "azjson", "azcsv"
	return kinds
}

var eventsKinds = regexp.MustCompile(`avdurls: 1 input: 1 ([a-z-]+)`)

// TestEventsAndScanKinds runs events and scan, as a user does, on every
// input of the samples and of every generated kind: both read each file
// as the same kind (events says it on stderr, scan in inputs[].kind).
func TestEventsAndScanKinds(t *testing.T) {
	kinds := kindFixtures(t)
	samples, _ := filepath.Glob("../../testdata/exports/*")
	for _, s := range samples {
		kinds[s] = "evtx"
	}
	for path, want := range kinds {
		var out, errb bytes.Buffer
		run([]string{"events", path}, &out, &errb)
		m := eventsKinds.FindStringSubmatch(errb.String())
		if m == nil || m[1] != want {
			t.Errorf("events %s: kind %v, want %s: %s", filepath.Base(path), m, want, errb.String())
		}
		sout, errs, _ := runScan(t, "-q", "-f", "json", path)
		var rep catalog.Report
		if want == "empty" || want == "report-end" {
			// Nothing to report: scan says so, naming the file as what it is.
			if !strings.Contains(errs, filepath.Base(path)) {
				t.Errorf("scan %s: %s", filepath.Base(path), errs)
			}
			continue
		}
		if err := json.Unmarshal([]byte(sout), &rep); err != nil || len(rep.Inputs) != 1 || rep.Inputs[0].Kind != want {
			t.Errorf("scan %s: inputs %+v (err %v), want kind %s: %s", filepath.Base(path), rep.Inputs, err, want, errs)
		}
	}
}
