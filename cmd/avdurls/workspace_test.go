package main

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/evtx/evtxtest"
	"github.com/avdurls/avdurls/scan"
	"github.com/avdurls/avdurls/workspace"
	"github.com/avdurls/avdurls/workspace/workspacetest"
)

const testWorkspace = workspacetest.ID

// fakeEnv is an environment whose workspace client talks to a loopback
// TLS fake through the SDK's cloud configuration, with a static
// credential and tiny retry delays, and whose clock is fixed.
func fakeEnv(t testing.TB, f *workspacetest.Fake, cred azcore.TokenCredential, now time.Time) *env {
	t.Helper()
	e := newEnv(nil, nil)
	e.now = func() time.Time { return now }
	e.newQuerier = func(string, time.Duration) (workspace.Querier, error) { return workspacetest.Querier(t, f, cred) }
	return e
}

// runScanIn runs scan in an environment, with its own output buffers.
func runScanIn(t *testing.T, e *env, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	e.stdout, e.stderr = &out, &errb
	code := e.run(append([]string{"scan"}, args...))
	return out.String(), errb.String(), code
}

// fleetEvents makes one event set for a fleet: the records of .evtx
// files per host, and the same events as the workspace's Event table.
func fleetEvents(t *testing.T, dir string, hosts int) []workspacetest.Event {
	t.Helper()
	regions := []string{"eastus2", "westeurope", "japaneast"}
	var evs []workspacetest.Event
	for i := range hosts {
		computer := fmt.Sprintf("avd-%03d.contoso.local", i)
		recs := evtxtest.SampleHost(computer, regions[i%len(regions)], int64(i))
		if i%4 == 0 { // forged: another log, and hostile names
			recs = append(recs, evtxtest.Record{Provider: "WVD-Agent", EventID: 3701, Time: recs[0].Time, Computer: computer,
				Channel: "System", Data: []string{"rdgateway-c999-eus2-r1.wvd.microsoft.com"}},
				evtxtest.Record{Provider: "WVD-Agent", EventID: 3702, Time: recs[1].Time, Computer: computer,
					Data: []string{"NOT Accessible URLs:\nwvd.microsoft.com.evil.example\nrdbroker%2ewvd.microsoft.com"}})
		}
		b, err := evtxtest.Bytes(recs, evtxtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("host%03d.evtx", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
		rid := fmt.Sprintf("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-avd/providers/Microsoft.Compute/virtualMachines/avd-%03d", i)
		for _, r := range recs {
			if r.Provider != "WVD-Agent" {
				continue
			}
			log := cmp.Or(r.Channel, "Application")
			evs = append(evs, workspacetest.Event{Computer: computer, EventLog: log, Text: strings.Join(r.Data, "\n"), ResourceID: rid,
				EventID: int(r.EventID), Time: r.Time})
		}
	}
	return evs
}

// comparable strips from a report what differs by design between files
// and workspace rows: evidence (file and record vs resource ID, one item
// per row), health lists (one per row), inputs.
func wsComparable(t *testing.T, out string) catalog.Report {
	t.Helper()
	var rep catalog.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	rep.Inputs = nil
	for i := range rep.Regions {
		for j := range rep.Regions[i].Entries {
			rep.Regions[i].Entries[j].Evidence = nil
		}
	}
	for _, list := range []*[]catalog.Excluded{&rep.Rejected, &rep.Deprecated, &rep.Review} {
		for j := range *list {
			(*list)[j].Evidence = nil
		}
	}
	for i := range rep.Hosts {
		rep.Hosts[i].Health = nil
	}
	return rep
}

// diffReports fails with the first difference of two reports.
func wsDiffReports(t *testing.T, what string, a, b catalog.Report) {
	t.Helper()
	ja, _ := json.MarshalIndent(a, "", " ")
	jb, _ := json.MarshalIndent(b, "", " ")
	la, lb := string(ja), string(jb)
	if la == lb {
		return
	}
	for i := 0; i < min(len(la), len(lb)); i++ {
		if la[i] != lb[i] {
			t.Fatalf("%s differs at byte %d:\nfiles: ...%s...\nother: ...%s...", what, i, la[max(0, i-400):min(len(la), i+200)], lb[max(0, i-400):min(len(lb), i+200)])
		}
	}
	t.Fatalf("%s differs in length (%d, %d)", what, len(la), len(lb))
}

var sampleNow = time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC)

// TestWorkspaceEqualsFiles: the allowlist, hosts, unreachable names,
// rejected and deprecated names, counts and first/last times from the
// workspace equal those of scanning the same events as .evtx files, also
// when the fake cuts answers at its row limit and the time range splits.
func TestWorkspaceEqualsFiles(t *testing.T) {
	dir := t.TempDir()
	f := &workspacetest.Fake{Events: fleetEvents(t, dir, 18), MaxRows: 25}
	e := fakeEnv(t, f, workspacetest.StaticCred{}, sampleNow)
	files, errs, code := runScan(t, "-q", "-f", "json", dir)
	if code != exitOK {
		t.Fatalf("files: exit %d: %s", code, errs)
	}
	ws, errs, code := runScanIn(t, e, "-q", "-f", "json", "--workspace", testWorkspace, "--since", "30d")
	if code != exitOK {
		t.Fatalf("workspace: exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "splitting the time range in two") || !strings.Contains(errs, "E_QUERY_RESULT_SET_TOO_LARGE") ||
		!strings.Contains(errs, "splitting the computers in two (hash(Computer, 2))") {
		t.Errorf("the split is not reported: %s", errs)
	}
	if len(f.Queries()) < 3 {
		t.Errorf("%d queries: the time range was not split", len(f.Queries()))
	}
	a, b := wsComparable(t, files), wsComparable(t, ws)
	if len(a.Hosts) != 18 || len(a.Regions) != 3 || len(a.Rejected) == 0 || len(a.Deprecated)+stillChecked(a) == 0 {
		t.Fatalf("files: %d hosts, %d regions, %d rejected, %d deprecated", len(a.Hosts), len(a.Regions), len(a.Rejected), len(a.Deprecated))
	}
	wsDiffReports(t, "workspace report", a, b)
	if !strings.Contains(ws, "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-avd/providers/Microsoft.Compute/virtualMachines/avd-001") {
		t.Error("the evidence does not name the record's resource ID")
	}
	for _, r := range b.Rejected {
		if r.Address == "rdgateway-c999-eus2-r1.wvd.microsoft.com" && r.Code != "forged-channel" {
			t.Errorf("an event of the System log was not rejected as forged: %+v", r)
		}
	}
}

// TestWorkspaceQueryText checks the query sent: the Event table, the
// provider, the URL and health event IDs, grouping by the service, and
// the time range of --since.
func TestWorkspaceQueryText(t *testing.T) {
	f := &workspacetest.Fake{}
	e := fakeEnv(t, f, workspacetest.StaticCred{}, sampleNow)
	_, errs, code := runScanIn(t, e, "-q", "-f", "json", "--workspace", testWorkspace, "--since", "2d")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if len(f.Queries()) != 1 {
		t.Fatalf("%d queries", len(f.Queries()))
	}
	want := workspace.KQL("WVD-Agent", []uint32{3019, 3277, 3701, 3702, 3703}, sampleNow.Add(-48*time.Hour), sampleNow)
	for _, w := range []string{"let Agent = Event\n| where TimeGenerated >= datetime(2024-05-18T00:00:00Z) and TimeGenerated < datetime(2024-05-20T00:00:00Z)\n",
		`| where Source == "WVD-Agent" and EventID in (3019, 3277, 3701, 3702, 3703)`, "extract_all(", "mv-apply", `Kind = "events"`} {
		if !strings.Contains(want, w) {
			t.Errorf("the query lacks %q", w)
		}
	}
	if f.Queries()[0] != want {
		t.Errorf("query:\n%s\nwant:\n%s", f.Queries()[0], want)
	}
	// No rows: say how to collect the events.
	if !strings.Contains(errs, "Application!*[System[Provider[@Name='WVD-Agent'] and (EventID=3701") {
		t.Errorf("no XPath advice for an empty result: %s", errs)
	}
}

// TestWorkspaceThrottled: a 429 with Retry-After is retried by the SDK's
// policy and the scan succeeds.
func TestWorkspaceThrottled(t *testing.T) {
	dir := t.TempDir()
	f := &workspacetest.Fake{Events: fleetEvents(t, dir, 2), Throttle: 1}
	e := fakeEnv(t, f, workspacetest.StaticCred{}, sampleNow)
	out, errs, code := runScanIn(t, e, "-q", "-f", "json", "--workspace", testWorkspace, "--since", "30d")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if f.Calls() != 2 || len(f.Queries()) != 1 {
		t.Errorf("%d calls, %d answered: the 429 was not retried once", f.Calls(), len(f.Queries()))
	}
	if rep := wsComparable(t, out); len(rep.Hosts) != 2 {
		t.Errorf("%d hosts", len(rep.Hosts))
	}
}

// TestWorkspaceErrorsExplained: a credential that fails, a refused
// identity and a workspace without the Event table each get a message
// that says what to do.
func TestWorkspaceErrorsExplained(t *testing.T) {
	noTable := `{"error":{"code":"BadArgumentError","message":"The request had some invalid properties","details":[{"code":"InvalidQuery","message":"Query could not be parsed at 'Event'","innererror":{"code":"SemanticError","message":"A semantic error occurred.","innererror":{"code":"SEM0100","message":"'where' operator: Failed to resolve table or column expression named 'Event'"}}}]}}`
	cases := []struct {
		name string
		f    *workspacetest.Fake
		cred workspacetest.StaticCred
		want []string
	}{
		{"token", &workspacetest.Fake{}, workspacetest.StaticCred{Err: errors.New("DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:\n\tAzureCLICredential: please run 'az login' to set up an account")},
			[]string{"no token for the Log Analytics API", "AzureCLICredential", "az login", "managed identity", "Log Analytics Reader"}},
		{"forbidden", &workspacetest.Fake{Status: 403, Body: `{"error":{"code":"InsufficientAccessError","message":"The provided credentials have insufficient access to perform the requested operation"}}`}, workspacetest.StaticCred{},
			[]string{"HTTP 403", "InsufficientAccessError", "Log Analytics Reader", "az role assignment create"}},
		{"no Event table", &workspacetest.Fake{Status: 400, Body: noTable}, workspacetest.StaticCred{},
			[]string{"no Event table", "Failed to resolve table", "Application!*[System[Provider[@Name='WVD-Agent']"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := fakeEnv(t, tc.f, tc.cred, sampleNow)
			out, errs, code := runScanIn(t, e, "-q", "--workspace", testWorkspace)
			if code != exitError || out != "" {
				t.Fatalf("exit %d, output %q", code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs, w) {
					t.Errorf("message lacks %q:\n%s", w, errs)
				}
			}
		})
	}
}

// TestWorkspaceFlags checks the command line of the workspace path.
func TestWorkspaceFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--workspace", "not-a-guid"},
		{"--workspace", testWorkspace, "some.evtx"},
		{"--workspace", testWorkspace, "--live"},
		{"--workspace", testWorkspace, "--since", "7x"},
	} {
		if _, errs, code := runScan(t, args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d: %s", args, code, exitUsage, errs)
		}
	}
}

// exportRows writes the grouped rows of events as az CLI's JSON (every
// value as text, with TableName) and as the portal's CSV.
func exportRows(t *testing.T, dir string, evs []workspacetest.Event) (jsonPath, csvPath string) {
	t.Helper()
	rows := workspacetest.GroupEvents(evs, time.Time{}, sampleNow)
	var objs []map[string]string
	var csvb strings.Builder
	cw := csv.NewWriter(&csvb)
	_ = cw.Write([]string{"Computer", "EventID", "EventLog", "ResourceId", "Count", "First [UTC]", "Last [UTC]", "Text"})
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = fmt.Sprint(v)
		}
		_ = cw.Write(cells)
		objs = append(objs, map[string]string{"TableName": "PrimaryResult", "Computer": cells[0], "EventID": cells[1], "EventLog": cells[2],
			"ResourceId": cells[3], "Count": cells[4], "First": cells[5], "Last": cells[6], "Text": cells[7]})
	}
	cw.Flush()
	js, err := json.MarshalIndent(objs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	jsonPath, csvPath = filepath.Join(dir, "az.json"), filepath.Join(dir, "portal.csv")
	if err := os.WriteFile(jsonPath, js, 0o644); err != nil {
		t.Fatal(err)
	}
	// The portal writes a byte order mark.
	if err := os.WriteFile(csvPath, append([]byte("\xef\xbb\xbf"), csvb.String()...), 0o644); err != nil {
		t.Fatal(err)
	}
	return jsonPath, csvPath
}

// TestExportEqualsWorkspace: the exported results, as JSON and CSV, named
// or in a folder, read into the same report as the workspace scan.
func TestExportEqualsWorkspace(t *testing.T) {
	evtxDir, exports := t.TempDir(), t.TempDir()
	evs := fleetEvents(t, evtxDir, 9)
	f := &workspacetest.Fake{Events: evs}
	e := fakeEnv(t, f, workspacetest.StaticCred{}, sampleNow)
	ws, errs, code := runScanIn(t, e, "-q", "-f", "json", "--workspace", testWorkspace, "--since", "30d")
	if code != exitOK {
		t.Fatalf("workspace: exit %d: %s", code, errs)
	}
	jsonPath, csvPath := exportRows(t, exports, evs)
	for _, p := range []string{jsonPath, csvPath} {
		head, _ := os.ReadFile(p)
		if k := scan.Sniff(head); k != scan.KindAzJSON && k != scan.KindAzCSV {
			t.Fatalf("%s not recognised", p)
		}
	}
	want := wsComparable(t, ws)
	for _, args := range [][]string{{jsonPath}, {csvPath}} {
		out, errs, code := runScan(t, append([]string{"-q", "-f", "json"}, args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		wsDiffReports(t, "export "+filepath.Base(args[0]), want, wsComparable(t, out))
	}
	// Both in one folder, beside .evtx files of other hosts: the exports
	// are read as exports, not as URL-tool output, and nothing is skipped.
	other := t.TempDir()
	fleetEvents(t, other, 1)
	if err := os.Rename(jsonPath, filepath.Join(other, "az.json")); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runScan(t, "-f", "json", other)
	if code != exitOK || strings.Contains(errs, "skipped") {
		t.Fatalf("folder: exit %d: %s", code, errs)
	}
	var rep catalog.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Hosts) != 9 || len(rep.Inputs) != 2 {
		t.Errorf("folder: %d hosts, %d inputs", len(rep.Hosts), len(rep.Inputs))
	}
}

// TestExportLocalTimes: a portal export in local times is refused.
func TestExportLocalTimes(t *testing.T) {
	head := []byte("Computer,EventID,EventLog,Count,First [Local Time],Last [Local Time],Text\n")
	if scan.Sniff(head) != scan.KindAzCSV {
		t.Fatal("CSV header not recognised")
	}
	path := filepath.Join(t.TempDir(), "local.csv")
	if err := os.WriteFile(path, head, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runScan(t, "-q", path); code == exitOK || !strings.Contains(errs, "UTC") {
		t.Errorf("local times: exit %d: %s", code, errs)
	}
}
