// Package workspacetest is a loopback fake of the Azure Monitor Logs
// query API for tests: it answers the workspace query of package
// workspace by grouping its events as the KQL says, checks the bearer
// token, and can throttle, refuse or cut answers.
package workspacetest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/avdurls/avdurls/workspace"
)

// ID is the workspace ID the fake answers for.
const ID = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"

// Event is one event as the fake workspace's Event table holds it.
type Event struct {
	Computer, EventLog, Text, ResourceID string
	EventID                              int
	Time                                 time.Time
}

// Fake is a loopback fake of the Logs query API (see the package
// comment).
type Fake struct {
	t       testing.TB
	Events  []Event
	MaxRows int // answers with more rows get a PartialError (0: no limit)
	// Throttle is how many requests get 429 with Retry-After first.
	Throttle int
	// Rows, when set, makes the rows of [from, to) instead of Events: it
	// calls emit with each row (in Columns' order) until emit returns
	// false, and the answer is
	// written as the rows are made, so that a fleet's worth of rows never
	// sits in the fake's memory (see Stream). MaxRows applies.
	Rows func(from, to time.Time, emit func(row []any) bool)
	// Encoded, when set instead of Rows, gives the rows of [from, to)
	// already written as JSON arrays: a benchmark's fake that makes no
	// rows while it is measured, as the service's own work is done on
	// its own machines, not the scan's.
	Encoded func(from, to time.Time, emit func(row []byte) bool)
	// Partial, when set, gives the error object (JSON) to send beside the
	// rows of [from, to), or "" for none: a partial error of the service.
	Partial func(from, to time.Time) string
	// Status and Body, when set, answer every request.
	Status int
	Body   string

	mu      sync.Mutex
	queries []string
	calls   int
}

var (
	windowRE = regexp.MustCompile(`TimeGenerated >= datetime\(([^)]+)\) and TimeGenerated < datetime\(([^)]+)\)`)
	partRE   = regexp.MustCompile(`\| where hash\(Computer, (\d+)\) == (\d+)`)
)

// ServeHTTP implements the POST /v1/workspaces/{id}/query endpoint.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	calls := f.calls
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/workspaces/"+ID+"/query" {
		http.Error(w, "bad path "+r.URL.Path, http.StatusNotFound)
		return
	}
	if r.Header.Get("Authorization") != "Bearer test-token" {
		http.Error(w, `{"error":{"code":"AuthorizationRequiredError","message":"Valid authentication was not provided"}}`, http.StatusUnauthorized)
		return
	}
	if calls <= f.Throttle {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":{"code":"ThrottledError","message":"Your request was throttled"}}`)
		return
	}
	if f.Status != 0 {
		w.WriteHeader(f.Status)
		fmt.Fprint(w, f.Body)
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
	part, parts := 0, 1
	if p := partRE.FindStringSubmatch(body.Query); p != nil {
		parts, _ = strconv.Atoi(p[1])
		part, _ = strconv.Atoi(p[2])
	}
	w.Header().Set("Content-Type", "application/json")
	if f.Rows != nil || f.Encoded != nil {
		f.stream(w, from, to)
		return
	}
	f.answer(w, NameRows(f.Events, from, to, part, parts), from, to)
}

// answer writes a result table; past maxRows it is cut and marked with
// the service's PartialError.
func (f *Fake) answer(w http.ResponseWriter, rows [][]any, from, to time.Time) {
	res := map[string]any{}
	if f.Partial != nil {
		if e := f.Partial(from, to); e != "" {
			res["error"] = json.RawMessage(e)
		}
	}
	if f.MaxRows > 0 && len(rows) > f.MaxRows {
		rows = rows[:f.MaxRows]
		res["error"] = json.RawMessage(partialLimit)
	}
	res["tables"] = []any{map[string]any{"name": "PrimaryResult", "columns": Columns, "rows": rows}}
	if err := json.NewEncoder(w).Encode(res); err != nil {
		f.t.Error(err)
	}
}

// partialLimit is the service's error beside rows cut at its limit.
const partialLimit = `{"code":"PartialError","message":"There were some errors when processing your query.",
"details":[{"code":"EngineError","message":"Something went wrong processing your query on the server.",
"innererror":{"code":"-2133196797","message":"Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)","severity":2,"severityName":"Error"}}]}`

// Columns are the columns of the fake's answers: those the names query
// projects (see workspace.KQL).
var Columns = []map[string]string{{"name": "Kind", "type": "string"}, {"name": "Computer", "type": "string"}, {"name": "EventID", "type": "int"},
	{"name": "EventLog", "type": "string"}, {"name": "ResourceId", "type": "string"}, {"name": "Name", "type": "string"},
	{"name": "Status", "type": "string"}, {"name": "Count", "type": "long"},
	{"name": "First", "type": "datetime"}, {"name": "Last", "type": "datetime"}, {"name": "Text", "type": "string"}}

// GroupedColumns are the columns of the README's earlier query, whose
// rows GroupEvents makes (exports of it are still read).
var GroupedColumns = []map[string]string{{"name": "Computer", "type": "string"}, {"name": "EventID", "type": "int"},
	{"name": "EventLog", "type": "string"}, {"name": "ResourceId", "type": "string"}, {"name": "Count", "type": "long"},
	{"name": "First", "type": "datetime"}, {"name": "Last", "type": "datetime"}, {"name": "Text", "type": "string"}}

// InPart tells whether a computer is in the part-th of parts parts, as
// the query's hash(Computer, parts) == part splits them (another hash,
// with the same property: part i of n is parts i and i+n of 2n).
func InPart(computer string, part, parts int) bool {
	if parts <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(computer))
	return h.Sum64()%uint64(parts) == uint64(part)
}

// NameRows does what the names query does (workspace.KQL) in [from, to)
// and the part of the computers: health events grouped by text; per
// computer, event ID, log and resource an "events" row counting the URL
// events (3701, 3702); and per name and section status of their texts
// (workspace.QueryNames) a "name" row counting the events naming it.
func NameRows(evs []Event, from, to time.Time, part, parts int) [][]any {
	type key struct {
		kind, c, l, r, name, status, text string
		id                                int
	}
	type agg struct {
		n           int
		first, last time.Time
	}
	groups := map[key]*agg{}
	var order []key
	add := func(k key, t time.Time) {
		g := groups[k]
		if g == nil {
			g = &agg{first: t, last: t}
			groups[k] = g
			order = append(order, k)
		}
		g.n++
		if t.Before(g.first) {
			g.first = t
		}
		if t.After(g.last) {
			g.last = t
		}
	}
	for _, e := range evs {
		if e.Time.Before(from) || !e.Time.Before(to) || !InPart(e.Computer, part, parts) {
			continue
		}
		if e.EventID != 3701 && e.EventID != 3702 {
			add(key{kind: "health", c: e.Computer, l: e.EventLog, r: e.ResourceID, text: e.Text, id: e.EventID}, e.Time)
			continue
		}
		add(key{kind: "events", c: e.Computer, l: e.EventLog, r: e.ResourceID, id: e.EventID}, e.Time)
		for _, ns := range workspace.QueryNames(e.Text) {
			add(key{kind: "name", c: e.Computer, l: e.EventLog, r: e.ResourceID, name: ns.Name, status: ns.Status, id: e.EventID}, e.Time)
		}
	}
	rows := make([][]any, 0, len(order))
	for _, k := range order {
		g := groups[k]
		rows = append(rows, []any{k.kind, k.c, k.id, k.l, k.r, k.name, k.status, g.n, g.first.Format(time.RFC3339Nano), g.last.Format(time.RFC3339Nano), k.text})
	}
	return rows
}

// GroupEvents does what the README's earlier query did, whose exports
// avdurls still reads: one row per computer, event ID, log, resource and
// text in [from, to), in the columns Computer, EventID, EventLog,
// ResourceId, Count, First, Last, Text.
func GroupEvents(evs []Event, from, to time.Time) [][]any {
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

// StaticCred is a credential with a fixed token, or a fixed failure.
type StaticCred struct{ Err error }

// GetToken implements azcore.TokenCredential.
func (c StaticCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if c.Err != nil {
		return azcore.AccessToken{}, c.Err
	}
	return azcore.AccessToken{Token: "test-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// Queries returns the queries the fake was sent.
func (f *Fake) Queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.queries...)
}

// Querier starts f on a loopback TLS server for the test's life and
// returns a workspace.Querier that reaches it through the SDK's cloud
// configuration, with cred and tiny retry delays.
func Querier(t testing.TB, f *Fake, cred azcore.TokenCredential) (workspace.Querier, error) {
	t.Helper()
	f.t = t
	srv := httptest.NewTLSServer(f)
	t.Cleanup(srv.Close)
	return workspace.NewAzlogs(workspace.AzlogsConfig{Cloud: workspace.CloudAt(srv.URL+"/v1", srv.URL+"/"), Credential: cred,
		Transport: srv.Client(), Retry: policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: 2 * time.Second}})
}

// Calls returns the number of requests the fake was sent.
func (f *Fake) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// stream writes the answer of the Rows generator for [from, to) row by
// row, cut at MaxRows with the service's PartialError.
func (f *Fake) stream(w http.ResponseWriter, from, to time.Time) {
	bw := bufio.NewWriterSize(w, 64<<10)
	defer bw.Flush()
	cols, _ := json.Marshal(Columns)
	fmt.Fprintf(bw, `{"tables":[{"name":"PrimaryResult","columns":%s,"rows":[`, cols)
	written, cut := 0, false
	emit := func(b []byte) bool {
		if f.MaxRows > 0 && written >= f.MaxRows {
			cut = true
			return false
		}
		if written > 0 {
			bw.WriteByte(',')
		}
		bw.Write(b)
		written++
		return true
	}
	if f.Encoded != nil {
		f.Encoded(from, to, emit)
	} else {
		f.Rows(from, to, func(row []any) bool {
			b, _ := json.Marshal(row)
			return emit(b)
		})
	}
	bw.WriteString("]}]")
	if cut {
		bw.WriteString(`,"error":` + partialLimit)
	}
	bw.WriteString("}\n")
}
