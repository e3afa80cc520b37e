package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/workspace"

	"github.com/avdurls/avdurls/catalog"
)

// defaultWorkspaceSince is the period a workspace scan reads without --since.
const defaultWorkspaceSince = 7 * 24 * time.Hour

// workspaceNow is the end of the period a workspace scan reads; tests fix it.
var workspaceNow = time.Now

// newWorkspaceQuerier makes the querier of a scan for a cloud (public,
// usgov, china); tests replace it with one that talks to a fake service.
var newWorkspaceQuerier = workspace.New

// checkWorkspace checks --workspace against the other flags.
func (o scanOptions) checkWorkspace(paths int, live bool) error {
	switch {
	case o.workspace == "":
		return nil
	case workspace.CheckID(o.workspace) != nil:
		return usagef("--workspace %v", workspace.CheckID(o.workspace))
	case paths > 0:
		return usagef("--workspace reads the workspace: give no paths with it")
	case live:
		return usagef("--workspace and --live conflict: give one")
	case workspace.CheckProvider(o.provider) != nil:
		return usagef("--%v", workspace.CheckProvider(o.provider))
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
	source := "workspace:" + strings.ToLower(o.workspace)
	wo := workspace.Options{Workspace: o.workspace, Provider: o.provider, EventIDs: withHealth(o.ids.ids),
		From: to.Add(-since), To: to, Info: func(s string) { infof("%s", s) }}
	st, err := workspace.Query(context.Background(), q, wo, c.feed(o, source))
	if err != nil {
		return exitError, explainWorkspaceError(err, o)
	}
	if st.Rows == 0 {
		warnf("workspace %s holds no %s events with IDs %s in the Event table over the last %s; collect them with a data collection rule with this XPath:\n    %s\n(see the README, section Fleets)",
			o.workspace, o.provider, o.ids.String(), since, workspace.CollectXPath)
	}
	infof("workspace %s: %s, %s, %d time ranges split", o.workspace, termtext.Plural(st.Queries, "query"), termtext.Plural(st.Rows, "grouped row"), st.Splits)
	in := catalog.InputFile{File: "workspace:" + strings.ToLower(o.workspace), Records: st.Rows + st.Bad, Matched: c.events}
	if st.Bad > 0 {
		in.Error = fmt.Sprintf("%d rows skipped", st.Bad)
	}
	j.inputs = []catalog.InputFile{in}
	j.partial = in.Error != ""
	return j.finish(1)
}

// explainWorkspaceError adds to an error of the workspace path what to do.
func explainWorkspaceError(err error, o scanOptions) error {
	var auth *workspace.AuthError
	var noTable *workspace.NoTableError
	switch {
	case errors.As(err, &auth) && auth.Token:
		return fmt.Errorf("%v. DefaultAzureCredential tried, in order: environment variables (AZURE_TENANT_ID, AZURE_CLIENT_ID and a secret or certificate), workload identity, managed identity, Azure CLI, Azure Developer CLI. Sign in with 'az login'%s, or run where a managed identity is assigned; the identity needs the Log Analytics Reader role on the workspace",
			err, cloudLoginHint(o.cloud))
	case errors.As(err, &auth):
		return fmt.Errorf("%v. The signed-in identity may not read workspace %s: give it the Log Analytics Reader role on the workspace (az role assignment create --assignee IDENTITY --role \"Log Analytics Reader\" --scope WORKSPACE_RESOURCE_ID); check --cloud (%s) and the tenant ('az login --tenant TENANT')",
			err, o.workspace, o.cloud)
	case errors.As(err, &noTable):
		return fmt.Errorf("%v. Workspace %s receives no Windows events. Collect the agent's events with a data collection rule (Azure Monitor Agent) with this XPath: %s and associate it with the session hosts (see the README, section Fleets)",
			err, o.workspace, workspace.CollectXPath)
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

// feed is a workspace feed of rows into the collector: URL events give
// names, health events go to the hosts' health. The first ten bad rows
// are named.
func (c *collector) feed(o scanOptions, source string) *workspace.Feed {
	bad := 0
	return &workspace.Feed{Source: source, Wanted: withHealth(o.ids.ids),
		Row: func(r workspace.Row) { c.grouped(r, slices.Contains(o.ids.ids, r.EventID), source) },
		Bad: func(src string, n int, err error) {
			if bad++; bad <= 10 && !o.quiet {
				warnf("%s: row %d skipped: %v", src, n, err)
			}
		}}
}
