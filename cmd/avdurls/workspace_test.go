package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/evtx/evtxtest"
)

const testWorkspace = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"

// wsEvent is one event as the fake workspace's Event table holds it.
type wsEvent struct {
	Computer, EventLog, Text, ResourceID string
	EventID                              int
	Time                                 time.Time
}

// fakeLogs is a loopback fake of the Logs query API: it answers the
// workspace query by grouping its events as the KQL says, checks the
// bearer token, and can throttle, refuse or cut answers.
type fakeLogs struct {
	t       *testing.T
	events  []wsEvent
	maxRows int // answers with more rows get a PartialError (0: no limit)
	// throttle is how many requests get 429 with Retry-After first.
	throttle int
	// status and body, when set, answer every request.
	status int
	body   string

	mu      sync.Mutex
	queries []string
	calls   int
}

var windowRE = regexp.MustCompile(`TimeGenerated >= datetime\(([^)]+)\) and TimeGenerated < datetime\(([^)]+)\)`)

// ServeHTTP implements the POST /v1/workspaces/{id}/query endpoint.
func (f *fakeLogs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	calls := f.calls
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/workspaces/"+testWorkspace+"/query" {
		http.Error(w, "bad path "+r.URL.Path, http.StatusNotFound)
		return
	}
	if r.Header.Get("Authorization") != "Bearer test-token" {
		http.Error(w, `{"error":{"code":"AuthorizationRequiredError","message":"Valid authentication was not provided"}}`, http.StatusUnauthorized)
		return
	}
	if calls <= f.throttle {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":{"code":"ThrottledError","message":"Your request was throttled"}}`)
		return
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		fmt.Fprint(w, f.body)
		return
	}
	var body struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.queries = append(f.queries, body.Query)
	f.mu.Unlock()
	m := windowRE.FindStringSubmatch(body.Query)
	if m == nil {
		http.Error(w, "no time window in the query", http.StatusBadRequest)
		return
	}
	from, _ := time.Parse(time.RFC3339Nano, m[1])
	to, _ := time.Parse(time.RFC3339Nano, m[2])
	w.Header().Set("Content-Type", "application/json")
	f.answer(w, groupEvents(f.events, from, to))
}

// answer writes a result table; past maxRows it is cut and marked with
// the service's PartialError.
func (f *fakeLogs) answer(w http.ResponseWriter, rows [][]any) {
	res := map[string]any{}
	if f.maxRows > 0 && len(rows) > f.maxRows {
		rows = rows[:f.maxRows]
		res["error"] = json.RawMessage(`{"code":"PartialError","message":"There were some errors when processing your query.",
			"details":[{"code":"EngineError","message":"Something went wrong processing your query on the server.",
			"innererror":{"code":"-2133196797","message":"Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)","severity":2,"severityName":"Error"}}]}`)
	}
	res["tables"] = []any{map[string]any{"name": "PrimaryResult", "columns": wsTestColumns, "rows": rows}}
	if err := json.NewEncoder(w).Encode(res); err != nil {
		f.t.Error(err)
	}
}

var wsTestColumns = []map[string]string{{"name": "Computer", "type": "string"}, {"name": "EventID", "type": "int"},
	{"name": "EventLog", "type": "string"}, {"name": "ResourceId", "type": "string"}, {"name": "Count", "type": "long"},
	{"name": "First", "type": "datetime"}, {"name": "Last", "type": "datetime"}, {"name": "Text", "type": "string"}}

// groupEvents does what the query's summarize does: one row per
// computer, event ID, log, resource and text in [from, to).
func groupEvents(evs []wsEvent, from, to time.Time) [][]any {
	type key struct {
		c, l, r, t string
		id         int
	}
	type agg struct {
		n           int
		first, last time.Time
	}
	groups := map[key]*agg{}
	var order []key
	for _, e := range evs {
		if e.Time.Before(from) || !e.Time.Before(to) {
			continue
		}
		k := key{e.Computer, e.EventLog, e.ResourceID, e.Text, e.EventID}
		g := groups[k]
		if g == nil {
			g = &agg{first: e.Time, last: e.Time}
			groups[k] = g
			order = append(order, k)
		}
		g.n++
		if e.Time.Before(g.first) {
			g.first = e.Time
		}
		if e.Time.After(g.last) {
			g.last = e.Time
		}
	}
	rows := make([][]any, 0, len(order))
	for _, k := range order {
		g := groups[k]
		rows = append(rows, []any{k.c, k.id, k.l, k.r, g.n, g.first.Format(time.RFC3339Nano), g.last.Format(time.RFC3339Nano), k.t})
	}
	return rows
}

// staticCred is a credential with a fixed token, or a fixed failure.
type staticCred struct{ err error }

// GetToken implements azcore.TokenCredential.
func (c staticCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if c.err != nil {
		return azcore.AccessToken{}, c.err
	}
	return azcore.AccessToken{Token: "test-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// useFake points the workspace scan at a loopback TLS fake through the
// SDK's cloud configuration, with a static credential and tiny retry
// delays, and fixes the scan's clock.
func useFake(t *testing.T, f *fakeLogs, cred azcore.TokenCredential, now time.Time) {
	t.Helper()
	f.t = t
	srv := httptest.NewTLSServer(f)
	t.Cleanup(srv.Close)
	oldQ, oldNow := newWorkspaceQuerier, workspaceNow
	t.Cleanup(func() { newWorkspaceQuerier, workspaceNow = oldQ, oldNow })
	workspaceNow = func() time.Time { return now }
	newWorkspaceQuerier = func(string) (logsQuerier, error) {
		cfg := cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL + "/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				azlogs.ServiceName: {Endpoint: srv.URL + "/v1", Audience: "https://api.loganalytics.io"}}}
		return newAzlogsQuerier(azlogsConfig{Cloud: cfg, Credential: cred, Transport: srv.Client(),
			Retry: policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: 2 * time.Second}})
	}
}

// fleetEvents makes one event set for a fleet: the records of .evtx
// files per host, and the same events as the workspace's Event table.
func fleetEvents(t *testing.T, dir string, hosts int) []wsEvent {
	t.Helper()
	regions := []string{"eastus2", "westeurope", "japaneast"}
	var evs []wsEvent
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
			evs = append(evs, wsEvent{Computer: computer, EventLog: log, Text: strings.Join(r.Data, "\n"), ResourceID: rid,
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
	f := &fakeLogs{events: fleetEvents(t, dir, 18), maxRows: 25}
	useFake(t, f, staticCred{}, sampleNow)
	files, errs, code := runScan(t, "-q", "-f", "json", dir)
	if code != exitOK {
		t.Fatalf("files: exit %d: %s", code, errs)
	}
	ws, errs, code := runScan(t, "-q", "-f", "json", "--workspace", testWorkspace, "--since", "30d")
	if code != exitOK {
		t.Fatalf("workspace: exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "splitting the time range in two") || !strings.Contains(errs, "E_QUERY_RESULT_SET_TOO_LARGE") {
		t.Errorf("the split is not reported: %s", errs)
	}
	if len(f.queries) < 3 {
		t.Errorf("%d queries: the time range was not split", len(f.queries))
	}
	a, b := wsComparable(t, files), wsComparable(t, ws)
	if len(a.Hosts) != 18 || len(a.Regions) != 3 || len(a.Rejected) == 0 || len(a.Deprecated) == 0 {
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
	f := &fakeLogs{}
	useFake(t, f, staticCred{}, sampleNow)
	_, errs, code := runScan(t, "-q", "-f", "json", "--workspace", testWorkspace, "--since", "2d")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if len(f.queries) != 1 {
		t.Fatalf("%d queries", len(f.queries))
	}
	want := `Event
| where TimeGenerated >= datetime(2024-05-18T00:00:00Z) and TimeGenerated < datetime(2024-05-20T00:00:00Z)
| where Source == "WVD-Agent" and EventID in (3019, 3277, 3701, 3702, 3703)
| extend Text = coalesce(RenderedDescription, ParameterXml, EventData)
| summarize Count = count(), First = min(TimeGenerated), Last = max(TimeGenerated) by Computer, EventID, EventLog, ResourceId = _ResourceId, Text
| project Computer, EventID, EventLog, ResourceId, Count, First, Last, Text`
	if f.queries[0] != want {
		t.Errorf("query:\n%s\nwant:\n%s", f.queries[0], want)
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
	f := &fakeLogs{events: fleetEvents(t, dir, 2), throttle: 1}
	useFake(t, f, staticCred{}, sampleNow)
	out, errs, code := runScan(t, "-q", "-f", "json", "--workspace", testWorkspace, "--since", "30d")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if f.calls != 2 || len(f.queries) != 1 {
		t.Errorf("%d calls, %d answered: the 429 was not retried once", f.calls, len(f.queries))
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
		f    *fakeLogs
		cred staticCred
		want []string
	}{
		{"token", &fakeLogs{}, staticCred{errors.New("DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:\n\tAzureCLICredential: please run 'az login' to set up an account")},
			[]string{"no token for the Log Analytics API", "AzureCLICredential", "az login", "managed identity", "Log Analytics Reader"}},
		{"forbidden", &fakeLogs{status: 403, body: `{"error":{"code":"InsufficientAccessError","message":"The provided credentials have insufficient access to perform the requested operation"}}`}, staticCred{},
			[]string{"HTTP 403", "InsufficientAccessError", "Log Analytics Reader", "az role assignment create"}},
		{"no Event table", &fakeLogs{status: 400, body: noTable}, staticCred{},
			[]string{"no Event table", "Failed to resolve table", "Application!*[System[Provider[@Name='WVD-Agent']"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			useFake(t, tc.f, tc.cred, sampleNow)
			out, errs, code := runScan(t, "-q", "--workspace", testWorkspace)
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

// TestWorkspaceHostileRows: rows of wrong types, counts, times or event
// IDs are skipped and counted; a hostile computer name is made safe.
func TestWorkspaceHostileRows(t *testing.T) {
	c := newCollector(catalog.CloudPublic)
	o := scanOptions{ids: idList{ids: []uint32{3701, 3702}}, quiet: true}
	feed := c.rowFeeder(o, "test")
	good := []any{"avd-1\x1b[2J", 3701.0, "Application", "/subscriptions/x /vm", 2.0, "2024-05-06T06:00:00Z", "2024-05-06T07:00:00Z",
		"Accessible URLs:\nrdgateway-c100-eus2-r1.wvd.microsoft.com"}
	bad := [][]any{
		{"a", "3701x", "Application", nil, 1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{"a", 3701.0, "Application", nil, -1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{"a", 3701.0, "Application", nil, 1.5, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{"a", 3701.0, "Application", nil, 1.0, "yesterday", "2024-05-06T06:00:00Z", "x"},
		{"a", 3701.0, "Application", nil, 1.0, "2024-05-06T07:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{"a", 4624.0, "Security", nil, 1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{[]any{"a"}, 3701.0, "Application", nil, 1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{"a", 3701.0, "Application", nil, 1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", 42.0},
	}
	tab := logTable{Columns: []logColumn{{"Computer", "string"}, {"EventID", "int"}, {"EventLog", "string"}, {"ResourceId", "string"},
		{"Count", "long"}, {"First", "datetime"}, {"Last", "datetime"}, {"Text", "string"}}, Rows: append([][]any{good}, bad...)}
	if err := feedTable(tab, feed); err != nil {
		t.Fatal(err)
	}
	if feed.rows != 1 || feed.bad != len(bad) {
		t.Fatalf("%d rows, %d bad", feed.rows, feed.bad)
	}
	for name := range c.obs {
		if strings.ContainsAny(name, "\x1b[") {
			t.Errorf("computer name not made safe: %q", name)
		}
		if ob := c.obs[name]; ob.Sightings[0].Evidence[0].File != "test" {
			t.Errorf("an invalid resource ID was kept: %q", ob.Sightings[0].Evidence[0].File)
		}
	}
	tab.Columns[4].Type = "string"
	if err := feedTable(tab, feed); err == nil {
		t.Error("a Count column of type string was accepted")
	}
}

// TestWorkspaceRowData: XML event data (ParameterXml, EventData) gives
// its values; other text is the one value.
func TestWorkspaceRowData(t *testing.T) {
	got := rowData(`<Param>Accessible URLs:&#xD;
a.wvd.microsoft.com</Param><Param>b</Param>`)
	if !slices.Equal(got, []string{"Accessible URLs:\r\na.wvd.microsoft.com", "b"}) {
		t.Errorf("%q", got)
	}
	got = rowData(`<DataItem type="System.XmlData"><EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><Data>x.wvd.microsoft.com</Data></EventData></DataItem>`)
	if !slices.Equal(got, []string{"x.wvd.microsoft.com"}) {
		t.Errorf("%q", got)
	}
	if got := rowData("plain <text>"); !slices.Equal(got, []string{"plain <text>"}) {
		t.Errorf("%q", got)
	}
}

// exportRows writes the grouped rows of events as az CLI's JSON (every
// value as text, with TableName) and as the portal's CSV.
func exportRows(t *testing.T, dir string, evs []wsEvent) (jsonPath, csvPath string) {
	t.Helper()
	rows := groupEvents(evs, time.Time{}, sampleNow)
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
	f := &fakeLogs{events: evs}
	useFake(t, f, staticCred{}, sampleNow)
	ws, errs, code := runScan(t, "-q", "-f", "json", "--workspace", testWorkspace, "--since", "30d")
	if code != exitOK {
		t.Fatalf("workspace: exit %d: %s", code, errs)
	}
	jsonPath, csvPath := exportRows(t, exports, evs)
	for _, p := range []string{jsonPath, csvPath} {
		head, _ := os.ReadFile(p)
		if k := sniffExport(head); k == "" {
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

// TestExportPortalTimes reads the portal's display form of times.
func TestExportPortalTimes(t *testing.T) {
	for in, want := range map[string]string{
		"5/6/2024, 6:30:00.123 PM":     "2024-05-06T18:30:00.123Z",
		"5/6/2024 6:30:00 AM":          "2024-05-06T06:30:00Z",
		"2024-05-06T06:30:00.1234567Z": "2024-05-06T06:30:00.1234567Z",
		"2024-05-06 06:30:00":          "2024-05-06T06:30:00Z",
	} {
		got, err := cellTime(in)
		if err != nil || got.Format(time.RFC3339Nano) != want {
			t.Errorf("%q: %v %v, want %s", in, got, err, want)
		}
	}
	if _, err := cellTime("1/1/1601, 12:00:00 AM"); err == nil {
		t.Error("a time of 1601 was accepted")
	}
	head := []byte("Computer,EventID,EventLog,Count,First [Local Time],Last [Local Time],Text\n")
	if sniffExport(head) != "azcsv" {
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

// memQuerier answers every query with one prepared table.
type memQuerier struct{ t logTable }

// Query implements logsQuerier.
func (m memQuerier) Query(context.Context, string, string) (logTable, error) { return m.t, nil }

// TestWorkspaceTenThousandHosts feeds a synthetic grouped result of
// 10,000 hosts (four rows each: two 3701 texts as the gateway changes, a
// 3702, a 3019) through the workspace path and builds the report; it logs
// the time and memory it took.
func TestWorkspaceTenThousandHosts(t *testing.T) {
	const hosts = 10000
	regions := []string{"eastus2", "westeurope", "japaneast", "uksouth"}
	texts := map[string][]string{} // region -> 3701, 3701, 3702, 3019 texts
	for _, reg := range regions {
		for _, r := range evtxtest.SampleHost("template", reg, 1) {
			if r.Provider == "WVD-Agent" && r.EventID != 3277 && !slices.Contains(texts[reg], r.Data[0]) {
				texts[reg] = append(texts[reg], r.Data[0])
			}
		}
	}
	ids := []float64{3701, 3701, 3702, 3019}
	var tab logTable
	for _, c := range wsTestColumns {
		tab.Columns = append(tab.Columns, logColumn{c["name"], c["type"]})
	}
	first := time.Date(2024, 5, 13, 0, 0, 0, 0, time.UTC)
	for i := range hosts {
		reg := regions[i%len(regions)]
		computer := fmt.Sprintf("avd-%05d.contoso.local", i)
		rid := "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/" + computer[:9]
		for k, id := range ids {
			text := texts[reg][min(k, len(texts[reg])-1)]
			if id == 3019 {
				text = texts[reg][len(texts[reg])-1]
			}
			tab.Rows = append(tab.Rows, []any{computer, id, "Application", rid, float64(24 + k),
				first.Add(time.Duration(k) * time.Hour).Format(time.RFC3339Nano), first.Add(time.Duration(k+100) * time.Hour).Format(time.RFC3339Nano), text})
		}
	}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	start := time.Now()
	c := newCollector(catalog.CloudPublic)
	o := scanOptions{ids: idList{ids: []uint32{3701, 3702}}, quiet: true, workspace: testWorkspace, provider: "WVD-Agent"}
	st, err := queryWorkspace(context.Background(), memQuerier{tab}, o, c, first, sampleNow)
	if err != nil {
		t.Fatal(err)
	}
	rep := catalog.Default().Newest().Build(c.obs, catalog.BuildOptions{Cloud: catalog.CloudPublic, Scope: catalog.ScopeSessionHost})
	took := time.Since(start)
	runtime.ReadMemStats(&m1)
	runtime.GC()
	var m2 runtime.MemStats
	runtime.ReadMemStats(&m2)
	t.Logf("10,000 hosts, %d grouped rows: %v, %d MiB allocated, %d MiB live after Build (collector and report held)", st.rows, took.Round(time.Millisecond),
		(m1.TotalAlloc-m0.TotalAlloc)>>20, (m2.HeapAlloc)>>20)
	runtime.KeepAlive(tab)
	if st.rows != hosts*len(ids) || len(rep.Hosts) != hosts || len(rep.Regions) != len(regions) {
		t.Fatalf("%d rows, %d hosts, %d regions", st.rows, len(rep.Hosts), len(rep.Regions))
	}
	runtime.KeepAlive(c)
	if took > 60*time.Second {
		t.Errorf("took %v", took)
	}
	if m2.HeapAlloc > 1<<30 {
		t.Errorf("%d MiB live", m2.HeapAlloc>>20)
	}
}
