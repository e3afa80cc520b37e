package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/scan"
	"github.com/avdurls/avdurls/workspace"
)

// Exit codes, listed in the usage text and the README.
const (
	exitOK      = 0 // success
	exitError   = 1 // error: nothing (or nothing complete) was written
	exitUsage   = 2 // bad command line
	exitPartial = 3 // output written, but some input was damaged or unreadable
)

// env is what one run of the program is given from outside: its output
// streams, the clock, the constructors of the Azure clients (workspace,
// Resource Graph) and what the sign-in advice looks at. main
// passes the process's; tests pass their own.
type env struct {
	stdout, stderr io.Writer
	now            func() time.Time
	newQuerier     func(cloud string, tryTimeout time.Duration) (workspace.Querier, error)
	newRegions     func(cloud string) (scan.RegionLookup, error) // --regions-from-azure
	getenv         func(string) string                           // the environment, for the sign-in advice
	lookPath       func(file string) (string, error)             // programs on PATH, likewise
}

// newEnv is the environment of a real run writing to stdout and stderr.
func newEnv(stdout, stderr io.Writer) *env {
	return &env{stdout: stdout, stderr: stderr, now: time.Now, newQuerier: workspace.New, newRegions: newRegionLookup, getenv: os.Getenv, lookPath: exec.LookPath}
}

// errorf prints an error in the one voice of the tool. Like warnf and
// infof, it passes every string, error and Stringer argument through
// termtext.Safe: only the format, written here, may hold a line break.
func (e *env) errorf(format string, a ...any) { e.say("avdurls: error: "+format, a...) }

// warnf prints a warning.
func (e *env) warnf(format string, a ...any) { e.say("avdurls: warning: "+format, a...) }

// infof prints a summary line.
func (e *env) infof(format string, a ...any) { e.say("avdurls: "+format, a...) }

// say prints one diagnostic, wrapped to the terminal's width.
func (e *env) say(format string, a ...any) {
	fmt.Fprintln(e.stderr, termtext.Wrap(fmt.Sprintf(format, termArgs(a)...), termtext.Width(e.stderr), "    "))
}

// termArgs applies termtext.Safe to the text arguments of a diagnostic.
func termArgs(a []any) []any {
	out := make([]any, len(a))
	for i, v := range a {
		switch x := v.(type) {
		case string:
			out[i] = termtext.Safe(x)
		case error:
			out[i] = termtext.Safe(x.Error())
		case fmt.Stringer:
			out[i] = termtext.Safe(x.String())
		default:
			out[i] = v
		}
	}
	return out
}

// notify prints what a library says while it works (scan.Note), each
// line made safe, with the option that raises a budget or bound it hit;
// quiet leaves out the details of damaged chunks.
func (e *env) notify(quiet bool) func(scan.Note) {
	return func(n scan.Note) {
		if quiet && n.Detail {
			return
		}
		text := n.Text + flagHint(n.Err)
		lines := strings.Split(text, "\n")
		for i := range lines {
			lines[i] = termtext.Safe(lines[i])
		}
		text = strings.Join(lines, "\n")
		switch n.Level {
		case scan.Error:
			e.say("avdurls: error: %s", rawText(text))
		case scan.Warning:
			e.say("avdurls: warning: %s", rawText(text))
		default:
			e.say("avdurls: %s", rawText(text))
		}
	}
}

// rawText is text already made safe: termArgs leaves it as it is.
type rawText string

// flagHint is the option that raises the budget or bound behind err.
func flagHint(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, evtx.ErrBudget):
		return " (raise --max-events or --file-timeout if the events are genuine)"
	case errors.Is(err, scan.ErrReportTooLarge):
		return "; raise --max-report-size"
	case errors.Is(err, scan.ErrNoRegion):
		return "; give --region"
	case errors.Is(err, scan.ErrUnknownCatalog):
		return "; give it with --catalog FILE or pick one with --catalog-version"
	}
	return ""
}

// usageError is an error in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error {
	return usageError{fmt.Sprintf(format, a...)}
}

// withHint adds to an error the option that raises the budget or bound
// behind it, if any.
func withHint(err error) error {
	if h := flagHint(err); h != "" {
		return fmt.Errorf("%w%s", err, h)
	}
	return err
}
