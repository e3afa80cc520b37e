package render

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/avdurls/avdurls/catalog"
)

// TestTableFitsTerminal: on a terminal of 80 or 100 columns every line of
// the table format fits, addresses get the width and break only after a
// dot or hyphen; written to a file, nothing is wrapped.
func TestTableFitsTerminal(t *testing.T) {
	rep := sampleReport(t)
	for _, width := range []int{80, 100} {
		text, err := termText(width, func(w io.Writer) error { return writeTable(w, rep) })
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(text, "\n") {
			if n := utf8.RuneCountInString(line); n > width {
				t.Errorf("width %d: a line of %d columns: %q", width, n, line)
			}
		}
		if strings.Contains(text, "↩") {
			t.Errorf("width %d: a cell was cut mid-word", width)
		}
		if !strings.Contains(text, "(replaces *.wvd.microsoft.com)") || !strings.Contains(text, "login.microsoftonline.com ") {
			t.Errorf("width %d: addresses or what they replace are broken:\n%s", width, text)
		}
	}
	text, _ := termText(0, func(w io.Writer) error { return writeTable(w, rep) })
	if strings.Contains(text, "↩") {
		t.Error("no terminal: cells wrapped")
	}
}

// sampleReport is the JSON report avdurls writes for the shipped sample
// exports (testdata/report.json: avdurls scan -f json testdata/exports
// --region-map testdata/hosts.csv --source 10.10.0.0/24 --source
// 10.20.0.0/24).
func sampleReport(t *testing.T) catalog.Report {
	t.Helper()
	b, err := os.ReadFile("testdata/report.json")
	if err != nil {
		t.Fatal(err)
	}
	var rep catalog.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}
