// Package render writes a catalog.Report in the formats firewall change
// requests use: the allowlist for people (table, text, markdown), for
// change tickets and automation (csv, json), for firewalls and proxies
// (Palo Alto external dynamic lists, Squid, FortiGate) and as Azure
// Firewall Policy rule collection groups (ARM, Bicep, Terraform, az CLI).
// It also holds the terminal sanitiser and table writer the avdurls
// commands share. It prints nothing: what a format cannot carry is
// returned (NotCarried, Hints) for the caller to say.
package render

import (
	"bytes"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/internal/termtext"

	"encoding/json"
	"fmt"
	"io"

	"github.com/avdurls/avdurls/catalog"
)

// A Format is an entry of the format registry: its name (the --format
// value), the file name ending it gets under --output-dir, what it is in
// a few words (for help texts) and its writer. A format is added here,
// and only here.
type Format struct {
	Name, Ext, Help string
	write           func(w io.Writer, rep catalog.Report, fo Options) error
}

// formats is the format registry, in the order help texts list it.
var formats = []Format{
	{"table", "table.txt", "a table per region for a terminal", func(w io.Writer, rep catalog.Report, _ Options) error {
		return Terminal(w, func(w io.Writer) error { return writeTable(w, rep) })
	}},
	{"csv", "csv", "one row per entry, for spreadsheets and tickets", writeCSV},
	{"json", "json", "the report: the contract automation reads", func(w io.Writer, rep catalog.Report, _ Options) error { return WriteJSON(w, rep) }},
	{"text", "txt", "one address a line", func(w io.Writer, rep catalog.Report, _ Options) error { return writeText(w, rep) }},
	{"markdown", "md", "the change-request document", func(w io.Writer, rep catalog.Report, _ Options) error { return writeMarkdown(w, rep) }},
	{"edl", "edl", "Palo Alto external dynamic list of URLs", edlWriter("edl")},
	{"edl-domain", "domain.edl", "Palo Alto external dynamic list of domains", edlWriter("edl-domain")},
	{"edl-ip", "ip.edl", "Palo Alto external dynamic list of IP addresses", edlWriter("edl-ip")},
	{"squid", "squid", "squid.conf acl and http_access lines", writeSquid},
	{"fortigate", "fortigate.conf", "FortiOS CLI address objects and groups", writeFortiGate},
	{"azfw-arm", "arm.json", "Azure Firewall Policy rule collection groups, ARM template", writeARM},
	{"bicep", "bicep", "the same as Bicep", writeBicep},
	{"terraform", "tf", "the same as Terraform (azurerm)", writeTerraform},
	{"az-cli", "sh", "the same as az CLI commands", writeAzCLI},
}

// edlWriter is the writer of a Palo Alto list format.
func edlWriter(format string) func(io.Writer, catalog.Report, Options) error {
	return func(w io.Writer, rep catalog.Report, _ Options) error { return writeEDL(w, format, rep) }
}

// Formats returns the format registry, in the order help texts list it.
func Formats() []Format {
	return slices.Clone(formats)
}

// Ext returns the file name ending of a format.
func Ext(name string) string {
	for _, f := range formats {
		if f.Name == name {
			return f.Ext
		}
	}
	return name
}

// Fit fails when the format cannot hold the report at all: a Palo Alto
// list holds one region (see oneRegion).
func Fit(format string, rep catalog.Report) error {
	if isEDL(format) {
		return oneRegion(format, rep)
	}
	return nil
}

// Write writes the report in the chosen format. A Palo Alto list holds
// one region: with several it writes nothing and fails (Fit). What the
// format cannot carry is said by NotCarried, what a list needs beside it
// by Hints: Write itself says nothing but its error.
func Write(w io.Writer, format string, rep catalog.Report, fo Options) error {
	if err := Fit(format, rep); err != nil {
		return err
	}
	for _, f := range formats {
		if f.Name == format {
			return f.write(w, rep, fo)
		}
	}
	return fmt.Errorf("unknown format %q", format)
}

// Region is the report narrowed to its i-th region, for --output-dir:
// that region's allowlist and hosts; rejected and deprecated names stay
// whole.
func Region(rep catalog.Report, i int) catalog.Report {
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

// Region are the firewall settings of a region's file under --output-dir
// (written from Region(rep, i)): the same priorities the region's group has
// in the single-file output (by its slot in the region index; unlisted is
// the whole run's regions the index lacks), and the variables shared by
// the set.
func (fo Options) Region(unlisted []string) Options {
	fo.Unlisted = unlisted
	if fo.Unlisted == nil {
		fo.Unlisted = []string{}
	}
	fo.SharedVariables = true
	return fo
}

// WriteJSON writes v as indented JSON, as every JSON output is written (the
// report is the contract automation reads), with bidi and invisible
// characters as \u escapes (EscapeJSON).
func WriteJSON(w io.Writer, v any) error {
	return writeJSON(w, v, "  ")
}

// WriteJSONLine writes v as JSON on one line (JSON Lines), with bidi and
// invisible characters as \u escapes (EscapeJSON).
func WriteJSONLine(w io.Writer, v any) error {
	return writeJSON(w, v, "")
}

func writeJSON(w io.Writer, v any, indent string) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(EscapeJSON(b.Bytes()))
	return err
}

// NotCarried says what of the report the format leaves out, one
// warning a string: unresolved wildcard rows (the list formats cannot
// hold a wildcard, and the Azure Firewall formats carry a row only by its
// service tag, none without one or under --no-tag-rules), and the entries
// and IP rules a list format has no place for (listNotCarried). The files
// say it too, where the format has comments. The text is the report's, not
// made safe for a terminal.
func NotCarried(format string, rep catalog.Report, fo Options) []string {
	var lost, entries []string
	for _, r := range rep.Regions {
		for _, u := range r.Unresolved {
			switch format {
			case "text", "edl", "edl-domain", "edl-ip", "squid", "fortigate":
			case "azfw-arm", "bicep", "terraform", "az-cli":
				if u.ServiceTag != "" && !fo.NoTagRules {
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
	var notes []string
	if len(lost) > 0 {
		notes = append(notes, fmt.Sprintf("%s not in the %s output (%s): allow them by service tag or as wildcards, or the hosts using them will fail", termtext.Plural(len(lost), "unresolved wildcard row")+isAre(len(lost)), format, strings.Join(lost, ", ")))
	}
	if len(entries) > 0 {
		notes = append(notes, fmt.Sprintf("%s not in the %s output, which cannot carry them: %s", termtext.Plural(len(entries), "allowlist item"), format, strings.Join(entries, "; ")))
	}
	return notes
}

// isAre is the verb of a count: " is" for one, " are" for more.
func isAre(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}
