package scan

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/evtx/evtxtest"
	"github.com/avdurls/avdurls/workspace"
	"github.com/avdurls/avdurls/workspace/workspacetest"
)

// testOptions are the options of a plain scan of the public cloud.
func testOptions(notes *[]Note) Options {
	return Options{Catalog: catalog.Default().Newest(),
		Build:  catalog.BuildOptions{Cloud: catalog.CloudPublic, Scope: catalog.ScopeSessionHost},
		Events: evtx.Options{Providers: []string{"WVD-Agent"}, EventIDs: discover.EventIDs(discover.RoleURLs)},
		Notify: func(n Note) {
			if notes != nil {
				*notes = append(*notes, n)
			}
		}}
}

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// TestRunSamples scans the shipped sample exports with their region map
// and compares the report with testdata/samples.json (go test -update
// rewrites it).
func TestRunSamples(t *testing.T) {
	ins, err := Expand([]string{"../testdata/exports"})
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(nil)
	if o.RegionMap, err = ReadRegionMap("../testdata/hosts.csv", catalog.CloudPublic); err != nil {
		t.Fatal(err)
	}
	rep, st, err := Run(context.Background(), o, Files(ins))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.MarshalIndent(rep, "", "  ")
	if *update {
		if err := os.WriteFile("testdata/samples.json", append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/samples.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(got)+"\n" != string(want) {
		t.Errorf("report of the samples differs from testdata/samples.json:\n%s", firstDiff(string(got)+"\n", string(want)))
	}
	if st.Inputs != 3 || st.Kinds[KindEVTX] != 3 || st.Partial || st.Events == 0 || len(st.RegionMap) != 0 {
		t.Errorf("stats %+v", st)
	}
}

// firstDiff shows where two texts part.
func firstDiff(a, b string) string {
	for i := 0; i < min(len(a), len(b)); i++ {
		if a[i] != b[i] {
			return fmt.Sprintf("got ...%s...\nwant ...%s...", a[max(0, i-200):min(len(a), i+200)], b[max(0, i-200):min(len(b), i+200)])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(a), len(b))
}

// TestRunNotes: a damaged and an empty input are notes with the error
// behind them and make the scan partial; the rest is read; a scan of
// nothing readable is an error.
func TestRunNotes(t *testing.T) {
	dir := t.TempDir()
	b, err := evtxtest.Bytes(evtxtest.SampleHost("avd-1.contoso.local", "westeurope", 1), evtxtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.evtx", b)
	cut := write("cut.evtx", b[:70000])
	empty := write("none.json", nil)
	var notes []Note
	ins, err := Expand([]string{good, cut, empty})
	if err != nil {
		t.Fatal(err)
	}
	rep, st, err := Run(context.Background(), testOptions(&notes), Files(ins))
	if err != nil || !st.Partial || len(rep.Hosts) != 1 || st.Kinds[KindEmpty] != 1 {
		t.Fatalf("err %v, stats %+v, %d hosts", err, st, len(rep.Hosts))
	}
	var texts []string
	for _, n := range notes {
		texts = append(texts, n.Text)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"cut.evtx: ", "none.json: empty file (0 bytes); file skipped"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
	ins, _ = Expand([]string{empty})
	if _, _, err := Run(context.Background(), testOptions(nil), Files(ins)); err == nil || !strings.Contains(err.Error(), "none of the 1 input files could be read") {
		t.Errorf("nothing readable: %v", err)
	}
}

// TestRunSince: events before Since are skipped by the reader and counted.
func TestRunSince(t *testing.T) {
	dir := t.TempDir()
	recs := evtxtest.SampleHost("avd-1.contoso.local", "westeurope", 1)
	b, err := evtxtest.Bytes(recs, evtxtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "h.evtx")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ins, _ := Expand([]string{p})
	o := testOptions(nil)
	o.Events.Since = recs[len(recs)-1].Time.Add(time.Hour)
	_, st, err := Run(context.Background(), o, Files(ins))
	if err != nil || st.Events != 0 || st.Old == 0 || !st.Since.Equal(o.Events.Since) {
		t.Errorf("err %v, stats %+v: every event should be older than Since", err, st)
	}
}

// memQuerier answers every query with one prepared table.
type memQuerier struct{ t workspace.Table }

// Query implements workspace.Querier.
func (m memQuerier) Query(context.Context, string, string) (workspace.Table, error) { return m.t, nil }

// TestWorkspaceHostileRows: rows of wrong types, counts, times or event
// IDs are skipped and counted; a hostile computer name is made safe; an
// invalid resource ID is not evidence.
func TestWorkspaceHostileRows(t *testing.T) {
	good := []any{"avd-1\x1b[2J", 3701.0, "Application", "/subscriptions/x /vm", 2.0, "2024-05-06T06:00:00Z", "2024-05-06T07:00:00Z",
		"Accessible URLs:\nrdgateway-c100-eus2-r1.wvd.microsoft.com"}
	bad := [][]any{
		{"a", "3701x", "Application", nil, 1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{"a", 3701.0, "Application", nil, 1.0, "yesterday", "2024-05-06T06:00:00Z", "x"},
		{"a", 4624.0, "Security", nil, 1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
	}
	tab := testTable()
	tab.Rows = append([][]any{good}, bad...)
	var notes []Note
	now := time.Date(2024, 5, 7, 0, 0, 0, 0, time.UTC)
	rep, st, err := Run(context.Background(), testOptions(&notes), Workspace(memQuerier{tab}, WorkspaceOptions{ID: workspacetest.ID, From: now.Add(-24 * time.Hour), To: now}))
	if err != nil {
		t.Fatal(err)
	}
	if st.Workspace.Rows != 1 || st.Workspace.Bad != len(bad) || !st.Partial || len(rep.Hosts) != 1 {
		t.Fatalf("stats %+v, %d hosts", st, len(rep.Hosts))
	}
	if h := rep.Hosts[0].Computer; strings.ContainsAny(h, "\x1b") {
		t.Errorf("computer name not made safe: %q", h)
	}
	for _, r := range rep.Regions {
		for _, e := range r.Entries {
			for _, ev := range e.Evidence {
				if ev.File != "workspace:"+workspacetest.ID {
					t.Errorf("evidence file %q: an invalid resource ID was kept", ev.File)
				}
			}
		}
	}
	details := 0
	for _, n := range notes {
		if n.Detail && strings.Contains(n.Text, "skipped") {
			details++
		}
	}
	if details != len(bad) {
		t.Errorf("%d bad rows named, want %d", details, len(bad))
	}
}

// testTable is an empty table of the grouped query's columns (rows of
// texts, which answers of the README's earlier query and exports hold).
func testTable() workspace.Table {
	var tab workspace.Table
	for _, c := range workspacetest.GroupedColumns {
		tab.Columns = append(tab.Columns, workspace.Column{Name: c["name"], Type: c["type"]})
	}
	return tab
}

// fleetTable is a grouped result of hosts hosts, four rows each: two
// 3701 texts as the gateway changes, a 3702, a 3019.
func fleetTable(hosts int) workspace.Table {
	regions := []string{"eastus2", "westeurope", "japaneast", "uksouth"}
	texts := map[string][]string{}
	for _, reg := range regions {
		for _, r := range evtxtest.SampleHost("template", reg, 1) {
			if r.Provider == "WVD-Agent" && r.EventID != 3277 && !slices.Contains(texts[reg], r.Data[0]) {
				texts[reg] = append(texts[reg], r.Data[0])
			}
		}
	}
	ids := []float64{3701, 3701, 3702, 3019}
	tab := testTable()
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
	return tab
}

// TestWorkspaceFleet: a fleet's grouped rows give every host, in its
// region, with no row skipped.
func TestWorkspaceFleet(t *testing.T) {
	const hosts = 200
	now := time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC)
	rep, st, err := Run(context.Background(), testOptions(nil), Workspace(memQuerier{fleetTable(hosts)}, WorkspaceOptions{ID: workspacetest.ID, From: now.Add(-7 * 24 * time.Hour), To: now}))
	if err != nil {
		t.Fatal(err)
	}
	if st.Workspace.Rows != hosts*4 || len(rep.Hosts) != hosts || len(rep.Regions) != 4 || st.Partial {
		t.Fatalf("stats %+v, %d hosts, %d regions", st, len(rep.Hosts), len(rep.Regions))
	}
}

// BenchmarkWorkspaceFleet is the workspace path at 10,000 hosts (40,000
// grouped rows), from the answer to the Report.
func BenchmarkWorkspaceFleet(b *testing.B) {
	tab := fleetTable(10000)
	now := time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		if _, _, err := Run(context.Background(), testOptions(nil), Workspace(memQuerier{tab}, WorkspaceOptions{ID: workspacetest.ID, From: now.Add(-7 * 24 * time.Hour), To: now})); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLiveSource runs the live source where there is no event log: the
// error says so, and the metadata service is never asked.
func TestLiveSource(t *testing.T) {
	if _, _, err := Run(context.Background(), testOptions(nil), Live(LiveOptions{IMDS: "http://127.0.0.1:1/"})); err == nil && !isWindows {
		t.Error("a live scan off Windows did not fail")
	}
}
