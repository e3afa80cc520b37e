package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/avdurls/avdurls/internal/azcred"
	"github.com/avdurls/avdurls/workspace"
)

// defaultWorkspaceSince is the period a workspace scan reads without --since.
const defaultWorkspaceSince = 7 * 24 * time.Hour

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

// explainScanError adds to an error that stopped a scan what to do: for
// the workspace path, the sign-in, role and data collection fixes.
func (e *env) explainScanError(err error, o scanOptions) error {
	if o.workspace != "" {
		return e.explainWorkspaceError(err, o)
	}
	return err
}

// explainWorkspaceError adds to an error of the workspace path what to do.
func (e *env) explainWorkspaceError(err error, o scanOptions) error {
	var auth *workspace.AuthError
	var noTable *workspace.NoTableError
	var timeout *workspace.TimeoutError
	switch {
	case errors.As(err, &timeout) && timeout.Query:
		return fmt.Errorf("workspace %s: %v. No answer came within --query-timeout %s: something between here and the Logs API (a proxy, a firewall that accepts and drops) may hold the connection; check the path to the cloud's Logs endpoint, or raise --query-timeout for queries the service runs long",
			o.workspace, err, o.queryTimeout)
	case errors.As(err, &timeout):
		return fmt.Errorf("workspace %s: %v. Read a shorter period (--since) or raise --workspace-timeout (%s)", o.workspace, err, o.wsTimeout)
	case errors.As(err, &auth) && auth.Token:
		return fmt.Errorf("workspace %s: %s", o.workspace, azcred.SignInHelp(auth.Detail, o.cloud, azcred.Env{Getenv: e.getenv, LookPath: e.lookPath}))
	case errors.As(err, &auth):
		return fmt.Errorf("%v. The signed-in identity may not read workspace %s: give it the Log Analytics Reader role on the workspace (az role assignment create --assignee IDENTITY --role \"Log Analytics Reader\" --scope WORKSPACE_RESOURCE_ID); check --cloud (%s) and the tenant ('az login --tenant TENANT')",
			err, o.workspace, o.cloud)
	case errors.As(err, &noTable):
		return fmt.Errorf("%v. Workspace %s receives no Windows events. Collect the agent's events with a data collection rule (Azure Monitor Agent) with this XPath: %s and associate it with the session hosts (see the README, section Fleets)",
			err, o.workspace, workspace.CollectXPath)
	}
	return fmt.Errorf("workspace %s: %w", o.workspace, err)
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
