package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/olekukonko/tablewriter"
)

// writeTable writes one table per region, then what was kept out.
func writeTable(w io.Writer, rep catalog.Report) error {
	fmt.Fprintf(w, "Catalog %s (%s, %s confidence), cloud %s\n", rep.Catalog.Version, rep.Catalog.SourceDate, rep.Catalog.Confidence, rep.Cloud)
	for _, r := range rep.Regions {
		var hosts []string
		for _, h := range rep.Hosts {
			if h.Region == r.Region {
				hosts = append(hosts, h.Computer)
			}
		}
		fmt.Fprintf(w, "\nRegion %s", r.Region)
		if len(hosts) > 0 {
			fmt.Fprintf(w, " (hosts: %s)", strings.Join(hosts, ", "))
		}
		fmt.Fprintln(w)
		t := tablewriter.NewWriter(w)
		t.Header("Address", "Port", "Protocol", "Source", "Replaces", "Status", "Seen")
		for _, list := range [][]catalog.Entry{r.Entries, r.IPRules} {
			for _, e := range list {
				seen := ""
				if e.EvidenceCount > 0 {
					seen = strconv.Itoa(e.EvidenceCount) + "x"
				}
				if err := t.Append(termSafe(e.Address), strconv.Itoa(e.Port), e.Protocol, e.Source, e.Replaces, e.Status, seen); err != nil {
					return err
				}
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
		for _, u := range r.Unresolved {
			tag := ""
			if u.ServiceTag != "" {
				tag = " (service tag " + u.ServiceTag + ")"
			}
			fmt.Fprintf(w, "unresolved: %s:%d%s: %s\n", u.Address, u.Port, tag, u.Reason)
		}
	}
	if len(rep.Deprecated) > 0 {
		fmt.Fprintln(w, "\nDeprecated hosts seen in events (not allowlisted; remove them):")
		for _, d := range rep.Deprecated {
			fmt.Fprintf(w, "  %s (%dx): %s\n", termSafe(d.Address), d.EvidenceCount, d.Reason)
		}
	}
	if len(rep.Review) > 0 {
		fmt.Fprintln(w, "\nTo review: names any Azure customer could own (not allowlisted):")
		for _, d := range rep.Review {
			fmt.Fprintf(w, "  %s (%dx): %s\n", d.Address, d.EvidenceCount, d.Reason)
		}
	}
	if len(rep.Rejected) > 0 {
		fmt.Fprintln(w, "\nRejected names (never allowlisted):")
		for _, d := range rep.Rejected {
			fmt.Fprintf(w, "  %s (%dx): %s\n", termSafe(d.Address), d.EvidenceCount, d.Reason)
		}
	}
	return nil
}

// writeTerminal runs a renderer for a person's terminal and passes every
// line it writes through termSafe, whatever field the text came from.
func writeTerminal(w io.Writer, render func(io.Writer) error) error {
	var b strings.Builder
	if err := render(&b); err != nil {
		return err
	}
	var out strings.Builder
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		body, nl := strings.CutSuffix(line, "\n")
		out.WriteString(termSafe(body))
		if nl {
			out.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, out.String())
	return err
}
