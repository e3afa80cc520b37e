package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/avdurls/avdurls/internal/termtext"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
)

// defaultWorkspaceSince is the period a workspace scan reads without --since.
const defaultWorkspaceSince = 7 * 24 * time.Hour

// minWindow is the shortest time range a query is split into; a range
// that still passes the service's limits is an error.
const minWindow = time.Minute

// maxQueries bounds the queries of one scan, however often ranges split.
const maxQueries = 4096

// workspaceNow is the end of the period a workspace scan reads; tests fix it.
var workspaceNow = time.Now

// workspaceIDPattern is a workspace ID (the workspace's customer ID, a GUID).
var workspaceIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// providerPattern is a provider name that may be written into a query.
var providerPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,255}$`)

// collectXPath is the data collection rule XPath that sends the events a
// workspace scan reads: every event ID of discover.AgentEvents.
var collectXPath = func() string {
	var ids []string
	for _, e := range discover.AgentEvents {
		ids = append(ids, fmt.Sprintf("EventID=%d", e.ID))
	}
	return "Application!*[System[Provider[@Name='WVD-Agent'] and (" + strings.Join(ids, " or ") + ")]]"
}()

// checkWorkspace checks --workspace against the other flags.
func (o scanOptions) checkWorkspace(paths int, live bool) error {
	switch {
	case o.workspace == "":
		return nil
	case !workspaceIDPattern.MatchString(o.workspace):
		return usagef("--workspace %q is not a workspace ID (a GUID: the Workspace ID on the workspace's Overview page, or 'az monitor log-analytics workspace show --query customerId')",
			discover.CleanText(o.workspace, 80))
	case paths > 0:
		return usagef("--workspace reads the workspace: give no paths with it")
	case live:
		return usagef("--workspace and --live conflict: give one")
	case !providerPattern.MatchString(o.provider):
		return usagef("--provider %q cannot be queried", discover.CleanText(o.provider, 80))
	}
	return nil
}

// workspaceKQL is the query of one time range: the agent's events of the
// Event table, grouped by the service into one row per computer, event
// ID, log, text and resource, with count and first and last time. Events
// of the provider in another log than Application are asked for too: they
// are rejected as forged.
func workspaceKQL(provider string, ids []uint32, from, to time.Time) string {
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.FormatUint(uint64(id), 10)
	}
	return fmt.Sprintf(`Event
| where TimeGenerated >= datetime(%s) and TimeGenerated < datetime(%s)
| where Source == %q and EventID in (%s)
| extend Text = coalesce(RenderedDescription, ParameterXml, EventData)
| summarize Count = count(), First = min(TimeGenerated), Last = max(TimeGenerated) by Computer, EventID, EventLog, ResourceId = _ResourceId, Text
| project Computer, EventID, EventLog, ResourceId, Count, First, Last, Text`,
		from.UTC().Format(time.RFC3339Nano), to.UTC().Format(time.RFC3339Nano), provider, strings.Join(list, ", "))
}

// window is a time range to query, [from, to).
type window struct{ from, to time.Time }

// wsStats counts what a workspace scan read.
type wsStats struct {
	queries, splits, rows, bad int
}

// queryWorkspace runs the query over [from, to), splitting a range in two
// whenever the service says it passes its limits, and feeds every row to
// the collector.
func queryWorkspace(ctx context.Context, q logsQuerier, o scanOptions, c *collector, from, to time.Time) (st wsStats, err error) {
	ids := withHealth(o.ids.ids)
	feed := c.rowFeeder(o, "workspace:"+strings.ToLower(o.workspace))
	defer func() { st.rows, st.bad = feed.rows, feed.bad }()
	todo := []window{{from, to}}
	for len(todo) > 0 {
		w := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if st.queries++; st.queries > maxQueries {
			return st, fmt.Errorf("more than %d queries after splitting the time range; give a shorter --since", maxQueries)
		}
		t, err := q.Query(ctx, o.workspace, workspaceKQL(o.provider, ids, w.from, w.to))
		var lim *queryLimitError
		if errors.As(err, &lim) {
			halves, err := splitWindow(w, lim)
			if err != nil {
				return st, err
			}
			st.splits++
			todo = append(todo, halves[1], halves[0]) // the older half first
			continue
		}
		if err != nil {
			return st, err
		}
		if err := feedTable(t, feed); err != nil {
			return st, err
		}
	}
	return st, nil
}

// splitWindow halves a time range that passed a limit, and says so.
func splitWindow(w window, lim *queryLimitError) ([2]window, error) {
	d := w.to.Sub(w.from)
	if d < 2*minWindow {
		return [2]window{}, fmt.Errorf("%v, even for %s to %s; read fewer event IDs (--event-id) or export the rows in parts",
			lim, w.from.Format(time.RFC3339), w.to.Format(time.RFC3339))
	}
	mid := w.from.Add(d / 2).Truncate(time.Second)
	infof("workspace: %s to %s: %v; splitting the time range in two at %s", w.from.Format(time.RFC3339), w.to.Format(time.RFC3339),
		lim, mid.Format(time.RFC3339))
	return [2]window{{w.from, mid}, {mid, w.to}}, nil
}

// feedTable checks a result table and feeds its rows.
func feedTable(t logTable, feed *rowFeeder) error {
	names := make([]string, len(t.Columns))
	for i, col := range t.Columns {
		names[i] = col.Name
	}
	idx, err := rowIndex(names)
	if err != nil {
		return err
	}
	if err := checkColumnTypes(t.Columns, idx); err != nil {
		return err
	}
	for _, cells := range t.Rows {
		feed.add(idx, func(j int) any {
			if j < len(cells) {
				return cells[j]
			}
			return nil
		})
	}
	return nil
}

// rowFeeder checks rows and feeds them to a collector: URL events give
// names, health events go to the hosts' health. Rows that fail a check
// are skipped and counted; the first ten are named.
type rowFeeder struct {
	c            *collector
	o            scanOptions
	source       string
	wanted       []uint32
	n, rows, bad int
}

// rowFeeder returns a feeder of rows from source.
func (c *collector) rowFeeder(o scanOptions, source string) *rowFeeder {
	return &rowFeeder{c: c, o: o, source: source, wanted: withHealth(o.ids.ids)}
}

// add checks one row and feeds it.
func (f *rowFeeder) add(idx map[string]int, cell func(int) any) {
	f.n++
	r, err := parseRow(idx, cell)
	if err == nil && !slices.Contains(f.wanted, r.EventID) {
		err = fmt.Errorf("event ID %d was not asked for", r.EventID)
	}
	if err != nil {
		f.skip(err)
		return
	}
	f.c.grouped(r, slices.Contains(f.o.ids.ids, r.EventID), f.source)
	f.rows++
}

// skip counts a bad row (the f.n-th) and names it if it is among the first ten.
func (f *rowFeeder) skip(err error) {
	if f.bad++; f.bad <= 10 && !f.o.quiet {
		warnf("%s: row %d skipped: %v", f.source, f.n, err)
	}
}

// columnTypes are the service's types each column may have.
var columnTypes = map[string][]string{
	"computer": {"string"}, "eventlog": {"string"}, "text": {"string"}, "resourceid": {"string"},
	"eventid": {"int", "long"}, "count": {"int", "long"}, "first": {"datetime"}, "last": {"datetime"},
}

// checkColumnTypes checks the types the service gave the columns.
func checkColumnTypes(cols []logColumn, idx map[string]int) error {
	for name, i := range idx {
		want, ok := columnTypes[name]
		if !ok || cols[i].Type == "" {
			continue
		}
		if !slices.Contains(want, strings.ToLower(cols[i].Type)) {
			return fmt.Errorf("column %s has type %q, not %s", discover.CleanText(cols[i].Name, 80),
				discover.CleanText(cols[i].Type, 40), strings.Join(want, " or "))
		}
	}
	return nil
}

// scanWorkspace reads the agent's events from a Log Analytics workspace
// and writes the report, like a scan of files.
func scanWorkspace(j *scanJob) (int, error) {
	if err := j.checkOutputs(nil); err != nil {
		return exitError, err
	}
	o := j.o
	since := o.since
	if since == 0 {
		since = defaultWorkspaceSince
	}
	q, err := newWorkspaceQuerier(o.cloud)
	if err != nil {
		return exitError, explainWorkspaceError(err, o)
	}
	c := j.c
	to := workspaceNow().UTC().Truncate(time.Second)
	st, err := queryWorkspace(context.Background(), q, o, c, to.Add(-since), to)
	if err != nil {
		return exitError, explainWorkspaceError(err, o)
	}
	if st.rows == 0 {
		warnf("workspace %s holds no %s events with IDs %s in the Event table over the last %s; collect them with a data collection rule with this XPath:\n    %s\n(see the README, section Fleets)",
			o.workspace, o.provider, o.ids.String(), since, collectXPath)
	}
	infof("workspace %s: %s, %s, %d time ranges split", o.workspace, termtext.Plural(st.queries, "query"), termtext.Plural(st.rows, "grouped row"), st.splits)
	in := catalog.InputFile{File: "workspace:" + strings.ToLower(o.workspace), Records: st.rows + st.bad, Matched: c.events}
	if st.bad > 0 {
		in.Error = fmt.Sprintf("%d rows skipped", st.bad)
	}
	j.inputs = []catalog.InputFile{in}
	j.partial = in.Error != ""
	return j.finish(1)
}

// explainWorkspaceError adds to an error of the workspace path what to do.
func explainWorkspaceError(err error, o scanOptions) error {
	var auth *queryAuthError
	var noTable *queryNoTableError
	switch {
	case errors.As(err, &auth) && auth.Token:
		return fmt.Errorf("%v. DefaultAzureCredential tried, in order: environment variables (AZURE_TENANT_ID, AZURE_CLIENT_ID and a secret or certificate), workload identity, managed identity, Azure CLI, Azure Developer CLI. Sign in with 'az login'%s, or run where a managed identity is assigned; the identity needs the Log Analytics Reader role on the workspace",
			err, cloudLoginHint(o.cloud))
	case errors.As(err, &auth):
		return fmt.Errorf("%v. The signed-in identity may not read workspace %s: give it the Log Analytics Reader role on the workspace (az role assignment create --assignee IDENTITY --role \"Log Analytics Reader\" --scope WORKSPACE_RESOURCE_ID); check --cloud (%s) and the tenant ('az login --tenant TENANT')",
			err, o.workspace, o.cloud)
	case errors.As(err, &noTable):
		return fmt.Errorf("%v. Workspace %s receives no Windows events. Collect the agent's events with a data collection rule (Azure Monitor Agent) with this XPath: %s and associate it with the session hosts (see the README, section Fleets)",
			err, o.workspace, collectXPath)
	}
	return fmt.Errorf("workspace %s: %w", o.workspace, err)
}

// cloudLoginHint is what to add to 'az login' for a cloud.
func cloudLoginHint(cloud string) string {
	switch cloud {
	case "usgov":
		return " (after 'az cloud set --name AzureUSGovernment')"
	case "china":
		return " (after 'az cloud set --name AzureChinaCloud')"
	}
	return ""
}

// sinceFlag is --since: a Go duration (72h, 90m) or whole days (7d).
type sinceFlag struct{ d *time.Duration }

// String implements pflag.Value.
func (f sinceFlag) String() string {
	if f.d == nil || *f.d == 0 {
		return ""
	}
	return f.d.String()
}

// Type implements pflag.Value.
func (f sinceFlag) Type() string { return "duration" }

// Set implements pflag.Value.
func (f sinceFlag) Set(s string) error {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 3650 {
			return fmt.Errorf("%q: give whole days from 0 to 3650 (7d) or a duration (72h)", s)
		}
		*f.d = time.Duration(n) * 24 * time.Hour
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q: give a duration (72h, 90m) or whole days (7d)", s)
	}
	*f.d = d
	return nil
}
