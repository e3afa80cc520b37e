package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/avdurls/avdurls/internal/termtext"

	"github.com/avdurls/avdurls/reach"
	"github.com/avdurls/avdurls/render"
)

// checkSchemaVersion is the version of check's JSON output.
const checkSchemaVersion = 1

// checkSummary counts the results of a check.
type checkSummary struct {
	Entries    int            `json:"entries"`
	Checked    int            `json:"checked"`
	Passed     int            `json:"passed"`
	Failed     int            `json:"failed"`
	NotChecked int            `json:"notChecked"`
	Inspection int            `json:"inspection"`
	ByStage    map[string]int `json:"failedByStage"`
	MS         int64          `json:"ms"` // the whole run
}

// summarize counts the results; took is the time of the whole run.
func summarize(res []reach.Result, took time.Duration) checkSummary {
	s := checkSummary{Entries: len(res), ByStage: map[string]int{}, MS: took.Milliseconds()}
	for _, r := range res {
		switch {
		case !r.Checked:
			s.NotChecked++
		case r.OK:
			s.Checked++
			s.Passed++
		default:
			s.Checked++
			s.Failed++
			s.ByStage[r.Stage]++
		}
		if r.Inspection {
			s.Inspection++
		}
	}
	return s
}

// String is the summary line printed on stderr.
func (s checkSummary) String() string {
	line := fmt.Sprintf("%s checked in %.1fs: %d passed, %d failed", termtext.Plural(s.Checked, "entry"), float64(s.MS)/1000, s.Passed, s.Failed)
	if s.Failed > 0 {
		var parts []string
		for _, st := range []string{reach.StageDNS, reach.StageTCP, reach.StageTLS, reach.StageHTTP} {
			if n := s.ByStage[st]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", st, n))
			}
		}
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	if s.Inspection > 0 {
		line += fmt.Sprintf("; TLS inspection seen on %d", s.Inspection)
	}
	if s.NotChecked > 0 {
		line += fmt.Sprintf("; %d not checked (UDP, ranges, wildcards)", s.NotChecked)
	}
	return line
}

// renderCheck writes the results in the chosen format.
func renderCheck(w io.Writer, format string, res []reach.Result, sum checkSummary) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			SchemaVersion int            `json:"schemaVersion"`
			Summary       checkSummary   `json:"summary"`
			Results       []reach.Result `json:"results"`
		}{checkSchemaVersion, sum, res})
	case "csv":
		return writeCheckCSV(w, res)
	case "markdown":
		return writeCheckMarkdown(w, res)
	case "table":
		return render.Terminal(w, func(w io.Writer) error { return writeCheckTable(w, res) })
	}
	return fmt.Errorf("unknown format %q", format)
}

// outcome is a result in a word or two: ok, FAIL and the stage, or not
// checked.
func outcome(r reach.Result) string {
	switch {
	case !r.Checked:
		return "not checked"
	case r.OK:
		return "ok"
	}
	return "FAIL " + r.Stage
}

// details says what was reached and how, or why it failed.
func details(r reach.Result) string {
	var parts []string
	if !r.OK {
		parts = append(parts, r.Reason)
	} else {
		if r.Connected != "" && r.Proxy == "" {
			parts = append(parts, "connected to "+r.Connected)
		}
		if r.Issuer != "" {
			parts = append(parts, "issuer "+r.Issuer)
		}
		if r.HTTPStatus != 0 {
			parts = append(parts, "HTTP "+strconv.Itoa(r.HTTPStatus))
		}
	}
	if r.Proxy != "" && !strings.Contains(r.Reason, r.Proxy) {
		parts = append(parts, "via proxy "+r.Proxy)
	}
	return strings.Join(parts, "; ")
}

// byRegion groups results by region, regions in the order first seen.
func byRegion(res []reach.Result) ([]string, map[string][]reach.Result) {
	var order []string
	groups := map[string][]reach.Result{}
	for _, r := range res {
		if _, ok := groups[r.Region]; !ok {
			order = append(order, r.Region)
		}
		groups[r.Region] = append(groups[r.Region], r)
	}
	return order, groups
}

// writeCheckTable writes one table per region.
func writeCheckTable(w io.Writer, res []reach.Result) error {
	order, groups := byRegion(res)
	for i, region := range order {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if region != "" {
			fmt.Fprintf(w, "Region %s\n", region)
		}
		t := render.NewTable(w, -3, 10, 13, 7, -5)
		t.Header("Address", "Port", "Result", "ms", "Details")
		for _, r := range groups[region] {
			if err := t.Append(termtext.Safe(r.Address), strconv.Itoa(r.Port)+"/"+r.Protocol, outcome(r), strconv.FormatInt(r.MS, 10), details(r)); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	return nil
}

// checkCSVHeader is the header of check's CSV.
var checkCSVHeader = []string{"region", "address", "port", "protocol", "kind", "checked", "ok", "stage", "reason",
	"resolved", "connected", "proxy", "issuer", "inspection", "http_status", "ms"}

// writeCheckCSV writes one row per result, every cell spreadsheet-safe.
func writeCheckCSV(w io.Writer, res []reach.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(checkCSVHeader); err != nil {
		return err
	}
	for _, r := range res {
		status := ""
		if r.HTTPStatus != 0 {
			status = strconv.Itoa(r.HTTPStatus)
		}
		rec := []string{r.Region, r.Address, strconv.Itoa(r.Port), r.Protocol, r.Kind, strconv.FormatBool(r.Checked), strconv.FormatBool(r.OK),
			r.Stage, r.Reason, strings.Join(r.Resolved, " "), r.Connected, r.Proxy, r.Issuer, strconv.FormatBool(r.Inspection), status,
			strconv.FormatInt(r.MS, 10)}
		if err := render.WriteCSVRecord(cw, rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeCheckMarkdown writes one table per region, for a change ticket.
func writeCheckMarkdown(w io.Writer, res []reach.Result) error {
	order, groups := byRegion(res)
	fmt.Fprintln(w, "# Connectivity check")
	for _, region := range order {
		fmt.Fprintf(w, "\n## Region %s\n\n", render.MarkdownEscape(region))
		fmt.Fprintln(w, "| Address | Port | Result | ms | Details |")
		fmt.Fprintln(w, "|--|--|--|--|--|")
		for _, r := range groups[region] {
			fmt.Fprintf(w, "| %s | %d/%s | %s | %d | %s |\n", render.MarkdownCode(r.Address), r.Port, render.MarkdownEscape(r.Protocol), render.MarkdownEscape(outcome(r)), r.MS, render.MarkdownEscape(details(r)))
		}
	}
	return nil
}
