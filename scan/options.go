package scan

import (
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/workspace"
)

// Options say how a scan reads and judges.
type Options struct {
	// Catalog is the version names are judged against; Build how.
	Catalog *catalog.Version
	Build   catalog.BuildOptions
	// RegionMap, when set, gives hosts their regions (Build.RegionMap is
	// set from it) and is compared with the hosts scanned (Stats).
	RegionMap *RegionMap
	// Events selects and bounds the events read: the providers, the event
	// IDs whose host names are read (the agent's health events are read
	// besides), Since and the budgets.
	Events evtx.Options
	// MaxNames bounds the host names read from one event; 0 is
	// discover.DefaultMaxNamesPerEvent.
	MaxNames int
	// MaxReportBytes bounds one JSON report read; 0 is
	// DefaultMaxReportBytes, below 0 none.
	MaxReportBytes int64
	// Notify, when set, hears what a person should know while the scan
	// runs: damaged inputs, budgets, splits, inputs that give nothing.
	Notify func(Note)
	// Progress, when set, follows the bytes of .evtx files read.
	Progress Progress
	// AzureRegions, when set, is asked where the hosts are (Azure
	// Resource Graph): by the resource IDs of their rows and by computer
	// name. Its regions come after --region and the region map, before
	// inference.
	AzureRegions RegionLookup
}

// Level is how much a Note matters.
type Level int

// The levels of a Note.
const (
	Info Level = iota
	Warning
	Error
)

// A Note is something a scan says while it runs. Its text names no
// option of a command: Err is the error behind it, if any, so that a
// caller can tell a budget (evtx.ErrBudget) or a bound
// (ErrReportTooLarge) and say how to raise it; Detail marks the warnings
// about each damaged chunk or record, which a quiet caller may leave out
// (the input's own Error note stays).
type Note struct {
	Level  Level
	Text   string
	Err    error
	Detail bool
}

// Progress follows a scan of .evtx files: Start with the files, Add with
// the bytes read as they are, Done at the end.
type Progress interface {
	Start(files []string)
	Add(bytes int64)
	Done()
}

// Stats count what a scan read, beside the Report.
type Stats struct {
	Inputs  int          // inputs read: files, or 1 for the live log or a workspace
	Events  int          // events (and grouped rows' events) read
	Kinds   map[Kind]int // inputs by kind
	Skipped int          // files in the folders given that are of no kind
	// Unreadable counts the inputs that could not be read at all.
	Unreadable int
	// Partial says some input was damaged, cut by a budget or
	// unreadable: the report stands, but may lack what it held.
	Partial bool
	// Old counts the events logged before Since, skipped.
	Old   int
	Since time.Time
	// Workspace counts the queries and rows of a workspace scan.
	Workspace workspace.Stats
	// RegionMap says which rows of the region map matched no host and
	// which hosts matched no row (empty without a region map).
	RegionMap []string
}
