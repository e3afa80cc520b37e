package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/avdurls/avdurls/catalog"
)

// render writes the report in the chosen format.
func render(w io.Writer, format string, rep catalog.Report) error {
	switch format {
	case "json":
		return writeJSON(w, rep)
	case "csv":
		return writeCSV(w, rep)
	case "text":
		return writeText(w, rep)
	case "table":
		return writeTable(w, rep)
	}
	return fmt.Errorf("unknown format %q", format)
}

// writeJSON writes the report as indented JSON: the contract automation
// reads (schemaVersion 1).
func writeJSON(w io.Writer, rep catalog.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
