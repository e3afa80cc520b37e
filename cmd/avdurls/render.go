package main

import (
	"strings"

	"encoding/json"
	"fmt"
	"io"

	"github.com/avdurls/avdurls/catalog"
)

// formats are the --format values of scan, and the file name ending each
// gets under --output-dir.
var formats = []struct{ name, ext string }{
	{"table", "table.txt"}, {"csv", "csv"}, {"json", "json"}, {"text", "txt"}, {"markdown", "md"},
	{"edl", "edl"}, {"edl-domain", "domain.edl"}, {"edl-ip", "ip.edl"}, {"squid", "squid"}, {"fortigate", "fortigate.conf"},
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

// render writes the report in the chosen format, and says on stderr which
// unresolved wildcard rows, entries and IP rules the format cannot carry.
// A Palo Alto list holds one region: with several it writes nothing and
// fails (see oneRegion).
func render(w io.Writer, format string, rep catalog.Report, fo fwOptions) error {
	if isEDL(format) {
		if err := oneRegion(format, rep); err != nil {
			return err
		}
	}
	warnNotCarried(format, rep, fo)
	switch format {
	case "json":
		return writeJSON(w, rep)
	case "csv":
		return writeCSV(w, rep, fo)
	case "text":
		return writeText(w, rep)
	case "table":
		return writeTerminal(w, func(w io.Writer) error { return writeTable(w, rep) })
	case "markdown":
		return writeMarkdown(w, rep)
	case "edl", "edl-domain", "edl-ip":
		return writeEDL(w, format, rep)
	case "squid":
		return writeSquid(w, rep, fo)
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

// regionOptions are the firewall settings of the i-th region's file
// under --output-dir: the priority that region's group has in the
// single-file output (the first group's plus 10 per region before it, as
// firewallGroups counts), and the variables shared by the set.
func regionOptions(fo fwOptions, i int) fwOptions {
	fo.priority += 10 * i
	fo.sharedVariables = true
	return fo
}

// writeJSON writes v as indented JSON, as every JSON output is written (the
// report is the contract automation reads, schemaVersion 2).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// warnNotCarried says on stderr what of the report the format leaves
// out: unresolved wildcard rows (the list formats cannot hold a wildcard,
// and the Azure Firewall formats carry a row only by its service tag, none
// without one or under --no-tag-rules), and the entries and IP rules a
// list format has no place for (listNotCarried). The files say it too,
// where the format has comments.
func warnNotCarried(format string, rep catalog.Report, fo fwOptions) {
	var lost, entries []string
	for _, r := range rep.Regions {
		for _, u := range r.Unresolved {
			switch format {
			case "text", "edl", "edl-domain", "edl-ip", "squid", "fortigate":
			case "azfw-arm", "bicep", "terraform", "az-cli":
				if u.ServiceTag != "" && !fo.noTagRules {
					continue
				}
			default:
				continue // listed in the output itself
			}
			lost = append(lost, r.Region+": "+u.Address)
		}
		for _, n := range listNotCarried(format, r) {
			entries = append(entries, r.Region+": "+n)
		}
	}
	if len(lost) > 0 {
		warnf("%d unresolved wildcard rows are not in the %s output (%s): allow them by service tag or as wildcards, or the hosts using them will fail", len(lost), format, strings.Join(lost, ", "))
	}
	if len(entries) > 0 {
		warnf("%s not in the %s output, which cannot carry them: %s", plural(len(entries), "allowlist item"), format, strings.Join(entries, "; "))
	}
}
