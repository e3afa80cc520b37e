package scan

import (
	"bytes"
	"strings"

	"github.com/avdurls/avdurls/internal/textenc"
)

// Kind is what an input holds, as the input registry tells it from its
// content (see Kinds).
type Kind string

// The kinds of input avdurls reads.
const (
	KindUnknown   Kind = ""
	KindEVTX      Kind = "evtx"       // an .evtx file
	KindXML       Kind = "xml"        // rendered event XML
	KindURLTool   Kind = "urltool"    // WVDAgentUrlTool.exe output
	KindReport    Kind = "report"     // an avdurls JSON report, or its start
	KindReportEnd Kind = "report-end" // the end of a report without its start
	KindAzJSON    Kind = "azjson"     // az monitor log-analytics query -o json
	KindAzCSV     Kind = "azcsv"      // the portal's CSV export of the same rows
	KindEmpty     Kind = "empty"      // an empty .json, .xml or .txt file
)

// evtxMagic is the signature an .evtx file starts with.
var evtxMagic = []byte("ElfFile\x00")

// sniffEVTX tells an .evtx file by its signature.
func sniffEVTX(head []byte, _ string) bool { return bytes.HasPrefix(head, evtxMagic) }

// sniffXML tells rendered event XML.
func sniffXML(_ []byte, s string) bool {
	return strings.HasPrefix(s, "<") && strings.Contains(s, "<Event")
}

// sniffURLTool tells the output of WVDAgentUrlTool.exe.
func sniffURLTool(_ []byte, s string) bool {
	low := strings.ToLower(s)
	return strings.Contains(low, "urlsaccessiblecheck") || strings.Contains(low, "accessible urls")
}

// sniffReport tells a JSON report of avdurls, whole or cut short (its
// start): an object whose first key is "schemaVersion", however it is
// indented (so a report cut anywhere after that key is still recognised),
// or an object holding the keys "schemaVersion" and "regions" in another
// order.
func sniffReport(_ []byte, s string) bool {
	rest, ok := strings.CutPrefix(s, "{")
	if !ok {
		return false
	}
	return strings.HasPrefix(strings.TrimLeft(rest, " \t\r\n"), `"schemaVersion"`) ||
		strings.Contains(s, `"schemaVersion"`) && strings.Contains(s, `"regions"`)
}

// reportKeys are keys only an avdurls report holds; text that holds one
// but does not start like a report is the end of a report.
var reportKeys = []string{`"schemaVersion"`, `"regionBasis"`, `"damagedChunks"`, `"evidenceCount"`}

// sniffReportEnd tells the end of a JSON report without its start (Azure
// VM Run Command keeps only the last 4,096 bytes of output): text that
// holds a report's keys, does not start like one, and is no event XML.
func sniffReportEnd(head []byte, s string) bool {
	if sniffReport(head, s) || strings.Contains(s, "<Event") {
		return false
	}
	for _, k := range reportKeys {
		if strings.Contains(s, k+":") || strings.Contains(s, k+" :") {
			return true
		}
	}
	return false
}

// Sniff tells what an input holds from its first bytes, walking the
// input registry in order; KindUnknown when no kind claims it. An empty
// input is KindUnknown here: SniffFile knows its name.
func Sniff(head []byte) Kind {
	s := strings.TrimSpace(textenc.Head(head))
	for _, k := range registry {
		if k.sniff != nil && k.sniff(head, s) {
			return k.kind
		}
	}
	return KindUnknown
}
