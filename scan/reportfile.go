package scan

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// DefaultMaxReportBytes bounds the size of a JSON report read back (diff,
// or a report given to scan). A report of a large fleet is a few MiB; the
// bound keeps a huge or hostile file from taking gigabytes to decode.
const DefaultMaxReportBytes = 64 << 20

// readReportBytes reads the report at path whole, but not more than max
// bytes: a larger file is an error that says how to raise the bound. A
// regular file is judged by its size before it is read; other files (pipes)
// by what they yield. max <= 0 means no bound.
func readReportBytes(path string, max int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not a report", path)
	}
	if max <= 0 {
		return io.ReadAll(fh)
	}
	if fi.Mode().IsRegular() && fi.Size() > max {
		return nil, reportTooLarge(path, max)
	}
	b, err := io.ReadAll(io.LimitReader(fh, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > max {
		return nil, reportTooLarge(path, max)
	}
	return b, nil
}

// ErrReportTooLarge is wrapped in the error for a report larger than the
// bound (Options.MaxReportBytes).
var ErrReportTooLarge = errors.New("report too large")

// reportTooLarge is the error for a report beyond max bytes.
func reportTooLarge(path string, max int64) error {
	return fmt.Errorf("%s: report is larger than %s MiB%w", path, mibString(max), quiet{ErrReportTooLarge})
}

// quiet wraps an error so that it adds nothing to a message: the sentinel
// is there for errors.Is, the text says it already.
type quiet struct{ err error }

func (q quiet) Error() string { return "" }
func (q quiet) Unwrap() error { return q.err }

// mibString formats a byte count in MiB: whole when it is a whole number
// of them, else with three significant digits.
func mibString(n int64) string {
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10)
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'g', 3, 64)
}
