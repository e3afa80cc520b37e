package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/avdurls/avdurls/catalog"
)

// formats are the --format values of scan, and the file name ending each
// gets under --output-dir.
var formats = []struct{ name, ext string }{
	{"table", "table.txt"}, {"csv", "csv"}, {"json", "json"}, {"text", "txt"}, {"markdown", "md"},
	{"edl", "edl"}, {"squid", "squid"}, {"fortigate", "fortigate.conf"},
	{"azfw-arm", "arm.json"}, {"bicep", "bicep"}, {"terraform", "tf"}, {"az-cli", "sh"},
}

func formatNames() []string {
	var n []string
	for _, f := range formats {
		n = append(n, f.name)
	}
	return n
}

func formatExt(name string) string {
	for _, f := range formats {
		if f.name == name {
			return f.ext
		}
	}
	return name
}

// render writes the report in the chosen format.
func render(w io.Writer, format string, rep catalog.Report, fo fwOptions) error {
	switch format {
	case "json":
		return writeJSON(w, rep)
	case "csv":
		return writeCSV(w, rep)
	case "text":
		return writeText(w, rep)
	case "table":
		return writeTerminal(w, func(w io.Writer) error { return writeTable(w, rep) })
	case "markdown":
		return writeMarkdown(w, rep)
	case "edl", "squid":
		return writeNameList(w, rep)
	case "fortigate":
		return writeFortiGate(w, rep, fo)
	case "azfw-arm":
		return writeARM(w, rep, fo)
	case "bicep":
		return writeBicep(w, rep, fo)
	case "terraform":
		return writeTerraform(w, rep, fo)
	case "az-cli":
		return writeAzCLI(w, rep, fo)
	}
	return fmt.Errorf("unknown format %q", format)
}

// regionReport is the report narrowed to its i-th region, for
// --output-dir: that region's allowlist and hosts; rejected and deprecated
// names stay whole.
func regionReport(rep catalog.Report, i int) catalog.Report {
	r := rep
	r.Regions = rep.Regions[i : i+1]
	r.Hosts = nil
	for _, h := range rep.Hosts {
		if h.Region == rep.Regions[i].Region {
			r.Hosts = append(r.Hosts, h)
		}
	}
	if r.Hosts == nil {
		r.Hosts = []catalog.Host{}
	}
	return r
}

// writeJSON writes the report as indented JSON: the contract automation
// reads (schemaVersion 1).
func writeJSON(w io.Writer, rep catalog.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
