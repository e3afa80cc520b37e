package main

import (
	"fmt"
	"io"
	"os"

	"github.com/avdurls/avdurls/internal/termtext"
)

// Exit codes, listed in the usage text and the README.
const (
	exitOK      = 0 // success
	exitError   = 1 // error: nothing (or nothing complete) was written
	exitUsage   = 2 // bad command line
	exitPartial = 3 // output written, but some input was damaged or unreadable
)

// stderr is where diagnostics go; tests may replace it.
var stderr io.Writer = os.Stderr

// errorf prints an error in the one voice of the tool. Like warnf and
// infof, it passes every string, error and Stringer argument through
// render.TermSafe: only the format, written here, may hold a line break.
func errorf(format string, a ...any) {
	fmt.Fprintln(stderr, termtext.Wrap(fmt.Sprintf("avdurls: error: "+format, termArgs(a)...), termtext.Width(stderr), "    "))
}

// warnf prints a warning.
func warnf(format string, a ...any) {
	fmt.Fprintln(stderr, termtext.Wrap(fmt.Sprintf("avdurls: warning: "+format, termArgs(a)...), termtext.Width(stderr), "    "))
}

// infof prints a summary line.
func infof(format string, a ...any) {
	fmt.Fprintln(stderr, termtext.Wrap(fmt.Sprintf("avdurls: "+format, termArgs(a)...), termtext.Width(stderr), "    "))
}

// termArgs applies render.TermSafe to the text arguments of a diagnostic.
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

// usageError is an error in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error {
	return usageError{fmt.Sprintf(format, a...)}
}
