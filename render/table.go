package render

import (
	"slices"
	"unicode/utf8"

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
		if tb, ok := w.(*termBuffer); ok && tb.width > 0 {
			if err := writeNarrowTable(w, tb.width, r); err != nil {
				return err
			}
		} else if err := writeWideTable(w, r); err != nil {
			return err
		}
		writeUnresolved(w, r)
	}
	writeKeptOut(w, rep)
	return nil
}

// writeWideTable writes a region's entries as a table with a column per
// field, for files and pipes (nothing is wrapped).
func writeWideTable(w io.Writer, r catalog.Region) error {
	t := NewTable(w)
	t.Header("Address", "Port", "Protocol", "Source", "Replaces", "Status", "Seen")
	for _, e := range slices.Concat(r.Entries, r.IPRules) {
		if err := t.Append(termtext.Safe(e.Address), strconv.Itoa(e.Port), e.Protocol, entrySource(e), e.Replaces, e.Status.String(), seenTimes(e)); err != nil {
			return err
		}
	}
	return t.Render()
}

// entrySource is an entry's source, marked when Microsoft no longer lists
// its row (kept because hosts still check it).
func entrySource(e catalog.Entry) string {
	if e.Deprecated {
		return e.Source + " (deprecated)"
	}
	return e.Source
}

// Column widths of the terminal table: port and protocol ("1688/TCP"),
// source, status ("unreachable"), seen ("1234x").
const (
	portWidth   = 8
	sourceWidth = 7
	statusWidth = 11
	seenWidth   = 5
)

// writeNarrowTable writes a region's entries for a terminal of the given
// width: the address gets the width the fixed columns leave, broken
// after dots and hyphens (never inside a label when a label fits), with
// the wildcard it replaces under it; the status breaks after commas.
func writeNarrowTable(w io.Writer, width int, r catalog.Region) error {
	addrWidth := max(width-(3*5+1)-portWidth-sourceWidth-statusWidth-seenWidth, 16)
	t := tablewriter.NewTable(w, tablewriter.WithRowAutoWrap(tw.WrapNone), tablewriter.WithHeaderAutoWrap(tw.WrapNone))
	t.Header("Address", "Port", "Source", "Status", "Seen")
	for _, e := range slices.Concat(r.Entries, r.IPRules) {
		addr := breakName(termtext.Safe(e.Address), addrWidth)
		if e.Replaces != "" {
			addr += "\n" + breakName("(replaces "+termtext.Safe(e.Replaces)+")", addrWidth)
		}
		status := strings.ReplaceAll(e.Status.String(), ",", ",\n")
		if e.Deprecated {
			addr += "\n" + breakName(fmt.Sprintf("(deprecated; still checked by %d)", len(e.CheckedBy)), addrWidth)
		}
		if err := t.Append(addr, strconv.Itoa(e.Port)+"/"+e.Protocol, e.Source, status, seenTimes(e)); err != nil {
			return err
		}
	}
	return t.Render()
}

// breakName breaks a name into lines of at most width runes, after a dot
// or hyphen where it can, inside a label only when a label is longer than
// a line.
func breakName(s string, width int) string {
	var lines []string
	for utf8.RuneCountInString(s) > width {
		r := []rune(s)
		cut := -1
		for i := width - 1; i > 0; i-- {
			if r[i] == '.' || r[i] == '-' || r[i] == ' ' {
				cut = i + 1
				break
			}
		}
		if cut <= 0 {
			cut = width
		}
		lines = append(lines, string(r[:cut]))
		s = string(r[cut:])
	}
	return strings.Join(append(lines, s), "\n")
}

// seenTimes is how often an entry was seen ("41x"), "" for catalog rows.
func seenTimes(e catalog.Entry) string {
	if e.EvidenceCount == 0 {
		return ""
	}
	return strconv.Itoa(e.EvidenceCount) + "x"
}

// writeUnresolved writes the region's wildcards carried as wildcards, and
// the wildcard rows no name replaced.
func writeUnresolved(w io.Writer, r catalog.Region) {
	for _, wc := range r.Wildcards {
		fmt.Fprintf(w, "wildcard: %s:%d: %s\n", wc.Address, wc.Port, wc.Reason)
	}
	for _, u := range r.Unresolved {
		tag := ""
		if u.ServiceTag != "" {
			tag = " (service tag " + u.ServiceTag + ")"
		}
		fmt.Fprintf(w, "unresolved: %s:%d%s: %s\n", u.Address, u.Port, tag, u.Reason)
	}
}

// writeKeptOut writes what the report keeps out of the allowlists:
// deprecated hosts, names to review, rejected names.
func writeKeptOut(w io.Writer, rep catalog.Report) {
	if len(rep.Deprecated) > 0 {
		fmt.Fprintln(w, "\nDeprecated hosts seen in events (not allowlisted; remove them):")
		for _, d := range rep.Deprecated {
			fmt.Fprintf(w, "  %s (%dx): %s\n", termtext.Safe(d.Address), d.EvidenceCount, d.Reason)
		}
		writeRest(w, rep.DeprecatedMore)
	}
	if len(rep.Review) > 0 {
		fmt.Fprintln(w, "\nTo review: names any Azure customer could own (not allowlisted):")
		for _, d := range rep.Review {
			fmt.Fprintf(w, "  %s (%dx): %s\n", d.Address, d.EvidenceCount, d.Reason)
		}
		writeRest(w, rep.ReviewMore)
	}
	if len(rep.Rejected) > 0 {
		fmt.Fprintln(w, "\nRejected names (never allowlisted):")
		for _, d := range rep.Rejected {
			fmt.Fprintf(w, "  %s (%dx): %s\n", termtext.Safe(d.Address), d.EvidenceCount, d.Reason)
		}
		writeRest(w, rep.RejectedMore)
	}
}

// writeRest says what a list left out past its bound.
func writeRest(w io.Writer, r catalog.Rest) {
	if r.Names > 0 {
		fmt.Fprintf(w, "  ... %s\n", RestText(r))
	}
}

// RestText says what a bounded list left out: about how many names, seen
// how many times.
func RestText(r catalog.Rest) string {
	return fmt.Sprintf("and about %d more names (seen %d times) past the bound of names listed", r.Names, r.Sightings)
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
