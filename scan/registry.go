// Package scan is the avdurls pipeline as a library: inputs of every kind
// (the input registry: .evtx files, rendered event XML, URL-tool output,
// avdurls reports, workspace exports; the live log; a Log Analytics
// workspace) pass one gate into sightings per host, which catalog.Build
// judges into a Report. It also reads and re-judges reports (for scan,
// diff and check), region maps and the agent's health. It prints nothing:
// what a person should hear goes to the caller's Notify function.
package scan

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/workspace"
)

// kindEntry is one entry of the input registry: a kind and how to tell
// it from the first bytes of an input (raw, and as text).
type kindEntry struct {
	kind  Kind
	sniff func(head []byte, text string) bool
}

// registry is the input registry: the kinds in the order they are tried;
// an input is of the first kind that claims it. Every command that reads
// inputs (scan, events) walks this one list, so a file is read as the
// same kind by all of them.
var registry = []kindEntry{
	{KindEVTX, sniffEVTX},
	// Exports before URL-tool output: their text (the agent's
	// "Accessible URLs") would pass for it.
	{KindAzJSON, func(head []byte, _ string) bool { return workspace.IsJSONExport(head) }},
	{KindAzCSV, func(head []byte, _ string) bool { return workspace.IsCSVExport(head) }},
	{KindXML, sniffXML},
	{KindReport, sniffReport},
	{KindURLTool, sniffURLTool},
	{KindReportEnd, sniffReportEnd},
}

// sniffBytes is how much of an input the sniffers see.
const sniffBytes = 64 << 10

// SniffFile reads the start of a file and tells its kind (see Sniff); an
// empty .json, .xml or .txt file is KindEmpty (a report or export that
// never arrived: said, not skipped; an empty .evtx file is left to the
// EVTX reader, which says so).
func SniffFile(path string) (Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return KindUnknown, err
	}
	defer f.Close()
	head := make([]byte, sniffBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return KindUnknown, fmt.Errorf("%s: %w", path, err)
	}
	if n == 0 && slices.Contains([]string{".json", ".xml", ".txt"}, strings.ToLower(filepath.Ext(path))) {
		return KindEmpty, nil
	}
	return Sniff(head[:n]), nil
}
