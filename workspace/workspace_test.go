package workspace

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var testCols = []Column{{"Computer", "string"}, {"EventID", "int"}, {"EventLog", "string"}, {"ResourceId", "string"},
	{"Count", "long"}, {"First", "datetime"}, {"Last", "datetime"}, {"Text", "string"}}

// TestCellTime reads the API's, az CLI's and the portal's forms of times,
// in UTC, and refuses times outside 2000-2200.
func TestCellTime(t *testing.T) {
	for in, want := range map[string]string{
		"5/6/2024, 6:30:00.123 PM":     "2024-05-06T18:30:00.123Z",
		"5/6/2024 6:30:00 AM":          "2024-05-06T06:30:00Z",
		"2024-05-06T06:30:00.1234567Z": "2024-05-06T06:30:00.1234567Z",
		"2024-05-06 06:30:00":          "2024-05-06T06:30:00Z",
	} {
		got, err := cellTime(in)
		if err != nil || got.Format(time.RFC3339Nano) != want {
			t.Errorf("cellTime(%q) = %v, %v, want %s", in, got, err, want)
		}
	}
	for _, in := range []any{"1/1/1601, 12:00:00 AM", "yesterday", 42.0, nil} {
		if _, err := cellTime(in); err == nil {
			t.Errorf("cellTime(%v) accepted", in)
		}
	}
}

// TestRowData: XML event data (ParameterXml, EventData) gives its values;
// other text is the one value.
func TestRowData(t *testing.T) {
	for text, want := range map[string][]string{
		"<Param>Accessible URLs:&#xD;\na.wvd.microsoft.com</Param><Param>b</Param>":                                                                                        {"Accessible URLs:\r\na.wvd.microsoft.com", "b"},
		`<DataItem type="System.XmlData"><EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><Data>x.wvd.microsoft.com</Data></EventData></DataItem>`: {"x.wvd.microsoft.com"},
		"plain <text>": {"plain <text>"},
	} {
		if got := (Row{Text: text}).Data(); !slices.Equal(got, want) {
			t.Errorf("Row{Text: %q}.Data() = %q, want %q", text, got, want)
		}
	}
}

// fakeQuerier answers from rows by time, with a LimitError for a range
// holding more than max rows, and records the queries.
type fakeQuerier struct {
	rows    map[time.Time][]any // row by its time
	max     int
	queries []string
}

func (f *fakeQuerier) Query(_ context.Context, _ string, kql string) (Table, error) {
	f.queries = append(f.queries, kql)
	i := strings.Index(kql, "datetime(") + 9
	from, _ := time.Parse(time.RFC3339Nano, kql[i:i+strings.Index(kql[i:], ")")])
	j := strings.LastIndex(kql, "datetime(") + 9
	to, _ := time.Parse(time.RFC3339Nano, kql[j:j+strings.Index(kql[j:], ")")])
	t := Table{Columns: testCols}
	for at, r := range f.rows {
		if !at.Before(from) && at.Before(to) {
			t.Rows = append(t.Rows, r)
		}
	}
	if len(t.Rows) > f.max {
		return Table{}, &LimitError{Size: true, Detail: "E_QUERY_RESULT_SET_TOO_LARGE"}
	}
	return t, nil
}

// TestQuerySplits: a range whose answer passes the limit is halved until
// each part fits; every row arrives once; the split is said through Info.
func TestQuerySplits(t *testing.T) {
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeQuerier{rows: map[time.Time][]any{}, max: 3}
	for i := range 10 {
		at := start.Add(time.Duration(i) * 7 * time.Hour)
		f.rows[at] = []any{fmt.Sprintf("avd-%d", i), 3701.0, "Application", nil, 1.0, at.Format(time.RFC3339), at.Format(time.RFC3339), "x.wvd.microsoft.com"}
	}
	var infos []string
	var got []string
	feed := &Feed{Wanted: []uint32{3701}, Row: func(r Row) { got = append(got, r.Computer) }}
	st, err := Query(context.Background(), f, Options{Workspace: "w", Provider: "WVD-Agent", EventIDs: []uint32{3701},
		From: start, To: start.Add(7 * 24 * time.Hour), Info: func(s string) { infos = append(infos, s) }}, feed)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if len(slices.Compact(got)) != 10 || st.Rows != 10 || st.Splits == 0 || st.Queries != len(f.queries) {
		t.Fatalf("rows %v, stats %+v", got, st)
	}
	if len(infos) != st.Splits || !strings.Contains(infos[0], "splitting the time range in two") {
		t.Errorf("infos %q for %d splits", infos, st.Splits)
	}
	f.max = 0
	_, err = Query(context.Background(), f, Options{From: start, To: start.Add(time.Hour * 1000)}, &Feed{Row: func(Row) {}})
	if err == nil || !strings.Contains(err.Error(), "even for") {
		t.Errorf("a range that never fits: %v", err)
	}
}

// TestFeedChecksRows: rows of wrong types, counts, times or event IDs are
// skipped, counted and named to Bad; a column of the wrong type fails the
// table.
func TestFeedChecksRows(t *testing.T) {
	good := []any{"avd-1", 3701.0, "Application", "/subscriptions/x/vm", 2.0, "2024-05-06T06:00:00Z", "2024-05-06T07:00:00Z", "Accessible URLs"}
	bad := [][]any{
		{"a", "3701x", "Application", nil, 1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{"a", 3701.0, "Application", nil, -1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{"a", 3701.0, "Application", nil, 1.5, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{"a", 3701.0, "Application", nil, 1.0, "2024-05-06T07:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{"a", 4624.0, "Security", nil, 1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{[]any{"a"}, 3701.0, "Application", nil, 1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", "x"},
		{"a", 3701.0, "Application", nil, 1.0, "2024-05-06T06:00:00Z", "2024-05-06T06:00:00Z", 42.0},
	}
	var named []int
	var rows []Row
	feed := &Feed{Source: "t", Wanted: []uint32{3701}, Row: func(r Row) { rows = append(rows, r) },
		Bad: func(src string, n int, err error) { named = append(named, n) }}
	if err := feed.table(Table{Columns: testCols, Rows: append([][]any{good}, bad...)}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || feed.Rows() != 1 || feed.BadRows() != len(bad) || !slices.Equal(named, []int{2, 3, 4, 5, 6, 7, 8}) {
		t.Fatalf("rows %+v, %d bad, named %v", rows, feed.BadRows(), named)
	}
	if rows[0].ResourceID != "/subscriptions/x/vm" || rows[0].Count != 2 {
		t.Errorf("row %+v", rows[0])
	}
	cols := slices.Clone(testCols)
	cols[4].Type = "string"
	if err := feed.table(Table{Columns: cols}); err == nil {
		t.Error("a Count column of type string was accepted")
	}
	if err := feed.table(Table{Columns: testCols[:3]}); err == nil || !strings.Contains(err.Error(), "lacks the column") {
		t.Errorf("missing columns: %v", err)
	}
}

// TestExports reads the same rows from az JSON and portal CSV, and tells
// each kind from its start.
func TestExports(t *testing.T) {
	js := `[{"Computer":"avd-1","EventID":"3701","EventLog":"Application","ResourceId":"","Count":"3","First":"2024-05-06T06:00:00Z","Last":"2024-05-06T07:00:00Z","Text":"x.wvd.microsoft.com","TableName":"PrimaryResult"}]`
	csvText := "\ufeffComputer,EventID,EventLog,ResourceId,Count,First [UTC],Last [UTC],Text\navd-1,3701,Application,,3,\"5/6/2024, 6:00:00.000 AM\",\"5/6/2024, 7:00:00.000 AM\",x.wvd.microsoft.com\n"
	if !IsJSONExport([]byte(js)) || IsCSVExport([]byte(js)) || !IsCSVExport([]byte(csvText)) || IsJSONExport([]byte(csvText)) {
		t.Fatal("exports not told apart")
	}
	for name, in := range map[string]string{"j.json": js, "c.csv": csvText} {
		var rows []Row
		feed := &Feed{Wanted: []uint32{3701}, Row: func(r Row) { rows = append(rows, r) }}
		if err := ReadExport(strings.NewReader(in), name, strings.HasSuffix(name, ".csv"), feed); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rows) != 1 || rows[0].Count != 3 || rows[0].Last.Hour() != 7 {
			t.Errorf("%s: %+v", name, rows)
		}
	}
	err := ReadExport(strings.NewReader("Computer,EventID,EventLog,Count,First [Local Time],Last [Local Time],Text\n"), "l.csv", true, &Feed{})
	if err == nil || !strings.Contains(err.Error(), "UTC") {
		t.Errorf("local times: %v", err)
	}
	if err := ReadExport(strings.NewReader(`{"a":1}`), "x.json", false, &Feed{}); err == nil {
		t.Errorf("not an array: %v", err)
	}
}

// TestKQLAndChecks: the query names the table, provider, IDs and range;
// workspace IDs and providers are checked before they reach a query.
func TestKQLAndChecks(t *testing.T) {
	from := time.Date(2024, 5, 18, 0, 0, 0, 0, time.UTC)
	q := KQL("WVD-Agent", []uint32{3701, 3702}, from, from.Add(48*time.Hour))
	for _, want := range []string{"Event\n", "datetime(2024-05-18T00:00:00Z)", "datetime(2024-05-20T00:00:00Z)", `Source == "WVD-Agent"`, "EventID in (3701, 3702)"} {
		if !strings.Contains(q, want) {
			t.Errorf("KQL lacks %q:\n%s", want, q)
		}
	}
	if CheckID("0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b") != nil || CheckID("x\"; drop") == nil {
		t.Error("CheckID")
	}
	if CheckProvider("WVD-Agent") != nil || CheckProvider(`a" or 1==1 //`) == nil {
		t.Error("CheckProvider")
	}
}
