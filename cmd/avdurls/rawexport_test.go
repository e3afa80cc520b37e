package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/scan"
	"github.com/avdurls/avdurls/workspace/workspacetest"
)

// rawColumns are the Event table's columns as a user's own export of
// 'Event | where Source == "WVD-Agent"' holds them, in the table's order.
var rawColumns = []string{"TenantId", "SourceSystem", "TimeGenerated", "Source", "EventLog", "Computer", "EventLevel",
	"EventLevelName", "ParameterXml", "EventData", "EventID", "RenderedDescription", "AzureDeploymentID", "Role",
	"EventCategory", "UserName", "Message", "MG", "ManagementGroupName", "Type", "_ResourceId"}

// rawCells is one event as the cells of rawColumns, times in form.
func rawCells(e workspacetest.Event, timeForm string) []string {
	v := map[string]string{"TenantId": "11111111-2222-3333-4444-555555555555", "SourceSystem": "OpsManager",
		"TimeGenerated": e.Time.UTC().Format(timeForm), "Source": "WVD-Agent", "EventLog": e.EventLog, "Computer": e.Computer,
		"EventLevel": "4", "EventLevelName": "Information", "EventID": strconv.Itoa(e.EventID), "RenderedDescription": e.Text,
		"EventCategory": "0", "Type": "Event", "_ResourceId": strings.ToLower(e.ResourceID)}
	if e.EventID == 3702 { // the data block instead of the rendered text
		v["RenderedDescription"], v["ParameterXml"] = "", "<Param>"+xmlEscape(e.Text)+"</Param>"
	}
	cells := make([]string, len(rawColumns))
	for i, c := range rawColumns {
		cells[i] = v[c]
	}
	return cells
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;").Replace(s)
}

// writeRawExports writes events, with rows of another source among them,
// as az CLI's JSON and the portal's CSV of the Event table's own columns;
// drop leaves those columns out.
func writeRawExports(t *testing.T, dir string, evs []workspacetest.Event, drop ...string) (jsonPath, csvPath string) {
	t.Helper()
	other := workspacetest.Event{Computer: "avd-000.contoso.local", EventLog: "Application", EventID: 3701, Time: sampleNow.Add(-time.Hour),
		Text: "Accessible URLs:\nevil.example.org"}
	var objs []map[string]string
	var csvb strings.Builder
	cw := csv.NewWriter(&csvb)
	var head []string
	keep := []int{}
	for i, c := range rawColumns {
		if !contains(drop, c) {
			keep = append(keep, i)
			h := c
			if c == "TimeGenerated" {
				h = "TimeGenerated [UTC]"
			}
			head = append(head, h)
		}
	}
	_ = cw.Write(head)
	for i, e := range append(evs, other) {
		js, portal := rawCells(e, time.RFC3339Nano), rawCells(e, "1/2/2006, 3:04:05.000 PM")
		if i == len(evs) {
			js[3], portal[3] = "Not-The-Agent", "Not-The-Agent"
		}
		obj := map[string]string{"TableName": "PrimaryResult"}
		var row []string
		for _, k := range keep {
			obj[rawColumns[k]] = js[k]
			row = append(row, portal[k])
		}
		objs = append(objs, obj)
		_ = cw.Write(row)
	}
	cw.Flush()
	b, err := json.MarshalIndent(objs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	jsonPath, csvPath = filepath.Join(dir, "event-az.json"), filepath.Join(dir, "event-portal.csv")
	if err := os.WriteFile(jsonPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(csvPath, append([]byte("\xef\xbb\xbf"), csvb.String()...), 0o644); err != nil {
		t.Fatal(err)
	}
	return jsonPath, csvPath
}

// runCmd runs a command of avdurls with its own output buffers.
func runCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestRawEventExports: a user's own export of raw Event rows (az JSON,
// portal CSV with "TimeGenerated [UTC]") reads into the report the
// workspace scan gives; rows of another source are left out; scan and
// events agree on the kind; an export lacking columns is refused naming
// them, never read as URL-tool output.
func TestRawEventExports(t *testing.T) {
	evs := fleetEvents(t, t.TempDir(), 6)
	for i := range evs { // the portal writes milliseconds
		evs[i].Time = evs[i].Time.Truncate(time.Millisecond)
	}
	f := &workspacetest.Fake{Events: evs}
	e := fakeEnv(t, f, workspacetest.StaticCred{}, sampleNow)
	ws, errs, code := runScanIn(t, e, "-q", "-f", "json", "--workspace", testWorkspace, "--since", "30d")
	if code != exitOK {
		t.Fatalf("workspace: exit %d: %s", code, errs)
	}
	want := wsComparable(t, ws)
	dir := t.TempDir()
	jsonPath, csvPath := writeRawExports(t, dir, evs)
	for _, p := range []string{jsonPath, csvPath} {
		head, _ := os.ReadFile(p)
		if k := scan.Sniff(head); k != scan.KindAzJSON && k != scan.KindAzCSV {
			t.Fatalf("%s sniffed as %q", p, k)
		}
		out, errs, code := runScan(t, "-q", "-f", "json", p)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", p, code, errs)
		}
		wsDiffReports(t, "raw export "+filepath.Base(p), want, wsComparable(t, out))
		if strings.Contains(out, "evil.example.org") {
			t.Errorf("%s: a row of another source was read", p)
		}
		evOut, errs, code := runCmd(t, "events", p)
		if code != exitOK || !strings.Contains(evOut, "avd-005.contoso.local") || !strings.Contains(evOut, "/subscriptions/") ||
			strings.Contains(evOut, "evil.example.org") {
			t.Errorf("events %s: exit %d: %s\n%s", p, code, errs, evOut)
		}
	}
	// Lacking columns: refused, naming them; never taken as URL-tool output.
	bad := t.TempDir()
	jsonPath, csvPath = writeRawExports(t, bad, evs, "EventID", "Computer")
	for _, p := range []string{jsonPath, csvPath} {
		head, _ := os.ReadFile(p)
		if k := scan.Sniff(head); k != scan.KindAzJSON && k != scan.KindAzCSV {
			t.Fatalf("%s without columns sniffed as %q", p, k)
		}
		_, errs, code := runScan(t, "-q", "-f", "json", p)
		if code == exitOK || !strings.Contains(errs, "EventID") || !strings.Contains(errs, "Computer") {
			t.Errorf("%s without EventID, Computer: exit %d: %s", p, code, errs)
		}
		_, errs, code = runCmd(t, "events", p)
		if code == exitOK || !strings.Contains(errs, "EventID") {
			t.Errorf("events %s without EventID: exit %d: %s", p, code, errs)
		}
	}
}
