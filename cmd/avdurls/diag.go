package main

import (
	"fmt"
	"io"
	"os"
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

// errorf prints an error in the one voice of the tool.
func errorf(format string, a ...any) {
	fmt.Fprintf(stderr, "avdurls: error: "+format+"\n", a...)
}

// warnf prints a warning.
func warnf(format string, a ...any) {
	fmt.Fprintf(stderr, "avdurls: warning: "+format+"\n", a...)
}

// infof prints a summary line.
func infof(format string, a ...any) {
	fmt.Fprintf(stderr, "avdurls: "+format+"\n", a...)
}

// usageError is an error in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error {
	return usageError{fmt.Sprintf(format, a...)}
}
