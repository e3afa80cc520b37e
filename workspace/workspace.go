// Package workspace reads the AVD agent's events from a Log Analytics
// workspace (the Event table, through the Azure Monitor Logs query API)
// and from exports of the same rows (az monitor log-analytics query -o
// json, the portal's CSV). Every row is checked here and handed on as a
// Row; what the names in it mean is for the scan to judge. It is the only
// package of avdurls that imports the Logs SDK; the Querier is injected,
// so tests and other programs run it against a fake.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// Querier runs one KQL query against a Log Analytics workspace and
// returns its first table. New and NewAzlogs make the real one; tests
// replace it. Everything a Querier returns is untrusted input.
type Querier interface {
	Query(ctx context.Context, workspaceID, kql string) (Table, error)
}

// Table is the primary result table of a query: its columns and rows as
// the service sent them (strings, float64 numbers, nil).
type Table struct {
	Columns []Column
	Rows    [][]any
}

// Column is one column of a Table: its name and the service's type name
// (string, int, long, datetime, ...).
type Column struct {
	Name, Type string
}

// Options say what a workspace scan reads.
type Options struct {
	Workspace string   // the workspace ID, a GUID (see CheckID)
	Provider  string   // the event source (see CheckProvider)
	EventIDs  []uint32 // the event IDs to ask for
	From, To  time.Time
	// Info, when set, receives what a person may want to know while the
	// scan runs (a time range split in two); Warn the service's warnings
	// (the rows beside them stand).
	Info, Warn func(string)
	// QueryTimeout bounds each query, retries included (0: no bound).
	QueryTimeout time.Duration
}

// Stats counts what a workspace scan did and read.
type Stats struct {
	Queries, Splits, Rows, Bad, Warnings int
}

// minWindow is the shortest time range a query is split into; a range
// that still passes the service's limits is an error.
const minWindow = time.Minute

// maxQueries bounds the queries of one scan, however often ranges split.
const maxQueries = 4096

// idPattern is a workspace ID (the workspace's customer ID, a GUID).
var idPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// providerPattern is a provider name that may be written into a query.
var providerPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,255}$`)

// CheckID checks a workspace ID.
func CheckID(id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("%q is not a workspace ID (a GUID: the Workspace ID on the workspace's Overview page, or 'az monitor log-analytics workspace show --query customerId')",
			discover.CleanText(id, 80))
	}
	return nil
}

// CheckProvider checks that a provider name can be written into a query.
func CheckProvider(p string) error {
	if !providerPattern.MatchString(p) {
		return fmt.Errorf("provider %q cannot be queried", discover.CleanText(p, 80))
	}
	return nil
}

// CollectXPath is the data collection rule XPath that sends the events a
// workspace scan reads: every event ID of discover.AgentEvents.
var CollectXPath = func() string {
	var ids []string
	for _, e := range discover.AgentEvents {
		ids = append(ids, fmt.Sprintf("EventID=%d", e.ID))
	}
	return "Application!*[System[Provider[@Name='WVD-Agent'] and (" + strings.Join(ids, " or ") + ")]]"
}()

// KQL is the query of one time range: the agent's events of the Event
// table, shipped as names, not texts (see names.go). The answer has
// three kinds of rows, one column Kind telling them apart:
//   - "name": one row per computer, event ID, log, resource, name and
//     section status of the URL events (3701, 3702), with how many
//     events named it and the first and last time;
//   - "events": one row per computer, event ID, log and resource of the
//     URL events, with their count and first and last time, so that
//     each computer's newest URL event comes back even when it lists no
//     name;
//   - "health": the other events grouped by text, as before.
//
// Events of the provider in another log than Application are asked for
// too: the scan rejects them as forged.
func KQL(provider string, ids []uint32, from, to time.Time) string {
	return KQLPart(provider, ids, from, to, 0, 1)
}

// KQLPart is KQL for the part-th of parts parts of the computers (by
// hash(Computer, parts)), for a range still too large for one answer.
func KQLPart(provider string, ids []uint32, from, to time.Time, part, parts int) string {
	var all, urls []string
	for _, id := range ids {
		all = append(all, strconv.FormatUint(uint64(id), 10))
		if slices.Contains(discover.EventIDs(discover.RoleURLs), id) {
			urls = append(urls, strconv.FormatUint(uint64(id), 10))
		}
	}
	if len(urls) == 0 {
		urls = []string{"0"} // no URL events asked for: no names rows
	}
	split := ""
	if parts > 1 {
		split = fmt.Sprintf("\n| where hash(Computer, %d) == %d", parts, part)
	}
	urlList := strings.Join(urls, ", ")
	return fmt.Sprintf(`let Agent = Event
| where TimeGenerated >= datetime(%s) and TimeGenerated < datetime(%s)
| where Source == %q and EventID in (%s)%s
| extend Text = coalesce(RenderedDescription, ParameterXml, EventData), ResourceId = _ResourceId;
let URLEvents = Agent | where EventID in (%s);
union
    (Agent
    | where EventID !in (%s)
    | summarize Count = count(), First = min(TimeGenerated), Last = max(TimeGenerated) by Computer, EventID, EventLog, ResourceId, Text
    | extend Kind = "health", Name = "", Status = ""),
    (URLEvents
    | summarize Count = count(), First = min(TimeGenerated), Last = max(TimeGenerated) by Computer, EventID, EventLog, ResourceId
    | extend Kind = "events", Name = "", Status = "", Text = ""),
    (URLEvents
    %s
    | summarize Count = count(), First = min(TimeGenerated), Last = max(TimeGenerated) by Computer, EventID, EventLog, ResourceId, Name, Status
    | extend Kind = "name", Text = "")
| project Kind, Computer, EventID, EventLog, ResourceId, Name, Status, Count, First, Last, Text`,
		from.UTC().Format(time.RFC3339Nano), to.UTC().Format(time.RFC3339Nano), provider, strings.Join(all, ", "), split,
		urlList, urlList, strings.ReplaceAll(namesKQL(), "\n", "\n    "))
}

// window is a time range to query, [from, to), of the part-th of parts
// parts of the computers.
type window struct {
	from, to    time.Time
	part, parts int
}

// maxParts bounds how many parts the computers are split into.
const maxParts = 1024

// Query runs the query over [o.From, o.To), splitting a range in two
// whenever the service says it passes its limits, and hands every row to
// feed.
func Query(ctx context.Context, q Querier, o Options, feed *Feed) (st Stats, err error) {
	defer func() { st.Rows, st.Bad = feed.rows, feed.bad }()
	todo := []window{{o.From, o.To, 0, 1}}
	for len(todo) > 0 {
		w := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if st.Queries++; st.Queries > maxQueries {
			return st, fmt.Errorf("more than %d queries after splitting the time range; read a shorter period", maxQueries)
		}
		err := askWithin(ctx, o.QueryTimeout, q, o.Workspace, KQLPart(o.Provider, o.EventIDs, w.from, w.to, w.part, w.parts), feed)
		var lim *LimitError
		var warn *WarningError
		if errors.As(err, &warn) {
			st.Warnings++
			if o.Warn != nil {
				o.Warn(fmt.Sprintf("workspace: %s to %s: %v; its rows are kept", w.from.Format(time.RFC3339), w.to.Format(time.RFC3339), warn))
			}
			continue
		}
		if errors.As(err, &lim) {
			halves, err := splitWindow(w, lim, o.Info)
			if err != nil {
				return st, err
			}
			st.Splits++
			todo = append(todo, halves[1], halves[0]) // the older half first
			continue
		}
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// askWithin is ask bounded by timeout (0: by ctx alone); a deadline
// passed is a TimeoutError.
func askWithin(ctx context.Context, timeout time.Duration, q Querier, workspaceID, kql string, feed *Feed) error {
	qctx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		qctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	err := ask(qctx, q, workspaceID, kql, feed)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return &TimeoutError{Detail: fmt.Sprintf("%v", context.Cause(ctx))}
	case qctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return &TimeoutError{Query: true, Detail: fmt.Sprintf("%s (%v)", timeout, discover.CleanText(err.Error(), 300))}
	}
	return err
}

// ask runs one query and feeds its rows: streamed and staged when q is a
// Streamer (the rows are handed on once the answer proved whole), else
// from the table q returns.
func ask(ctx context.Context, q Querier, workspaceID, kql string, feed *Feed) error {
	s, ok := q.(Streamer)
	if !ok {
		t, err := q.Query(ctx, workspaceID, kql)
		var warn *WarningError
		if err != nil && !errors.As(err, &warn) {
			return err
		}
		if ferr := feed.table(t); ferr != nil {
			return ferr
		}
		return err
	}
	feed.begin()
	err := s.Stream(ctx, workspaceID, kql, answerSink{feed})
	var warn *WarningError
	feed.end(err == nil || errors.As(err, &warn))
	return err
}

// splitWindow halves a time range that passed a limit, and says so.
// A range shorter than two minimum windows is split by computer instead
// (hash(Computer, parts)): part i of n becomes parts i and i+n of 2n.
func splitWindow(w window, lim *LimitError, info func(string)) ([2]window, error) {
	d := w.to.Sub(w.from)
	say := func(what string) {
		if info != nil {
			info(fmt.Sprintf("workspace: %s to %s%s: %v; %s", w.from.Format(time.RFC3339), w.to.Format(time.RFC3339), partName(w), lim, what))
		}
	}
	if d >= 2*minWindow {
		mid := w.from.Add(d / 2).Truncate(time.Second)
		say("splitting the time range in two at " + mid.Format(time.RFC3339))
		return [2]window{{w.from, mid, w.part, w.parts}, {mid, w.to, w.part, w.parts}}, nil
	}
	if w.parts >= maxParts {
		return [2]window{}, fmt.Errorf("%v, even for %s to %s and 1/%d of the computers; read fewer event IDs or export the rows in parts",
			lim, w.from.Format(time.RFC3339), w.to.Format(time.RFC3339), w.parts)
	}
	say(fmt.Sprintf("splitting the computers in two (hash(Computer, %d))", 2*w.parts))
	return [2]window{{w.from, w.to, w.part, 2 * w.parts}, {w.from, w.to, w.part + w.parts, 2 * w.parts}}, nil
}

// partName names a window's part of the computers, if it has one.
func partName(w window) string {
	if w.parts <= 1 {
		return ""
	}
	return fmt.Sprintf(", computers of part %d of %d", w.part, w.parts)
}
