package render

import (
	"github.com/avdurls/avdurls/internal/termtext"

	"github.com/olekukonko/tablewriter/tw"

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
		t := NewTable(w, -13, 6, 10, 9, -7, 13, 7)
		t.Header("Address", "Port", "Protocol", "Source", "Replaces", "Status", "Seen")
		for _, list := range [][]catalog.Entry{r.Entries, r.IPRules} {
			for _, e := range list {
				seen := ""
				if e.EvidenceCount > 0 {
					seen = strconv.Itoa(e.EvidenceCount) + "x"
				}
				if err := t.Append(termtext.Safe(e.Address), strconv.Itoa(e.Port), e.Protocol, e.Source, e.Replaces, e.Status.String(), seen); err != nil {
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
			fmt.Fprintf(w, "  %s (%dx): %s\n", termtext.Safe(d.Address), d.EvidenceCount, d.Reason)
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
			fmt.Fprintf(w, "  %s (%dx): %s\n", termtext.Safe(d.Address), d.EvidenceCount, d.Reason)
		}
	}
	return nil
}

// termBuffer collects what a renderer writes for a terminal, and knows
// the terminal's width (0 when the output is no terminal).
type termBuffer struct {
	strings.Builder
	width int
}

// NewTable makes a table that fits the terminal it is written for: cells
// of a wider table wrap (long names break across lines); written to a file
// or a pipe, nothing is wrapped. cols, when given, says per column a fixed
// width (> 0) or a share of the width left (< 0: its weight).
func NewTable(w io.Writer, cols ...int) *tablewriter.Table {
	tb, ok := w.(*termBuffer)
	if !ok || tb.width == 0 {
		return tablewriter.NewWriter(w)
	}
	opts := []tablewriter.Option{tablewriter.WithMaxWidth(tb.width), tablewriter.WithRowAutoWrap(tw.WrapBreak)}
	if len(cols) > 0 {
		left, weights := tb.width-3*len(cols)-1, 0
		for _, c := range cols {
			if c > 0 {
				left -= c
			} else {
				weights -= c
			}
		}
		per := tw.NewMapper[int, int]()
		for i, c := range cols {
			if c < 0 {
				c = max(6, left*-c/weights)
			}
			per.Set(i, c)
		}
		opts = append(opts, tablewriter.WithWidths(tw.CellWidth{PerColumn: per}))
	}
	return tablewriter.NewTable(w, opts...)
}

// Terminal runs a renderer for a person's terminal and passes every line
// it writes through TermSafe, whatever field the text came from; tables
// made with NewTable fit the terminal's width.
func Terminal(w io.Writer, render func(io.Writer) error) error {
	text, err := termText(termtext.Width(w), render)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, text)
	return err
}

// termText is what Terminal writes for a terminal of the given width
// (0: no terminal).
func termText(width int, render func(io.Writer) error) (string, error) {
	b := &termBuffer{width: width}
	if err := render(b); err != nil {
		return "", err
	}
	var out strings.Builder
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		body, nl := strings.CutSuffix(line, "\n")
		out.WriteString(termtext.Wrap(termtext.Safe(body), b.width, "    "))
		if nl {
			out.WriteByte('\n')
		}
	}
	return out.String(), nil
}
