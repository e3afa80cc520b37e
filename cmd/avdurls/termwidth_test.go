package main

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/avdurls/avdurls/catalog"
)

// TestTableFitsTerminal: on a terminal of 80 or 100 columns every line of
// the table format fits; written to a file, nothing is wrapped.
func TestTableFitsTerminal(t *testing.T) {
	var rep catalog.Report
	if err := json.Unmarshal(sampleOut(t, "json"), &rep); err != nil {
		t.Fatal(err)
	}
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
		if !strings.Contains(text, "↩") {
			t.Errorf("width %d: no cell wrapped", width)
		}
	}
	text, _ := termText(0, func(w io.Writer) error { return writeTable(w, rep) })
	if strings.Contains(text, "↩") {
		t.Error("no terminal: cells wrapped")
	}
}
