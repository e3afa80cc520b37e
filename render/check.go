package render

import (
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/reach"
)

// CheckSchemaVersion is the version of check's JSON output.
const CheckSchemaVersion = 1

// CheckDoc is the document of a check: a table per region (address,
// port, result, time, details), the CSV of every field, and the JSON of
// the summary and results.
func CheckDoc(res []reach.Result, sum reach.Summary) Doc {
	d := Doc{Data: struct {
		SchemaVersion int            `json:"schemaVersion"`
		Summary       reach.Summary  `json:"summary"`
		Results       []reach.Result `json:"results"`
	}{CheckSchemaVersion, sum, res}}
	d.Title = "Connectivity check"
	d.CSV = [][]string{checkCSVHeader}
	for _, r := range res {
		status := ""
		if r.HTTPStatus != 0 {
			status = strconv.Itoa(r.HTTPStatus)
		}
		d.CSV = append(d.CSV, []string{r.Region, r.Address, strconv.Itoa(r.Port), r.Protocol, r.Kind, strconv.FormatBool(r.Checked), strconv.FormatBool(r.OK),
			r.Stage, r.Reason, strings.Join(r.Resolved, " "), r.Connected, r.Proxy, r.Issuer, strconv.FormatBool(r.Inspection), status,
			strconv.FormatInt(r.MS, 10)})
	}
	order, groups := byRegion(res)
	for _, region := range order {
		t := Table{Columns: []Column{{Name: "Address", Code: true, Width: -3}, {Name: "Port", Width: 10}, {Name: "Result", Width: 13},
			{Name: "ms", Width: 7}, {Name: "Details", Width: -5}}}
		for _, r := range groups[region] {
			t.Rows = append(t.Rows, []string{r.Address, strconv.Itoa(r.Port) + "/" + r.Protocol, outcome(r), strconv.FormatInt(r.MS, 10), details(r)})
		}
		s := Section{Tables: []Table{t}}
		if region != "" {
			s.Heading = "Region " + region
		}
		d.Sections = append(d.Sections, s)
	}
	return d
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

// checkCSVHeader is the header of check's CSV.
var checkCSVHeader = []string{"region", "address", "port", "protocol", "kind", "checked", "ok", "stage", "reason",
	"resolved", "connected", "proxy", "issuer", "inspection", "http_status", "ms"}
