package scan

import (
	"bytes"
	"os"
	"testing"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/render"
)

// FuzzReportRoundTrip feeds the tool's own report output back into it: a
// report that the gate accepts (catalog.DecodeReport) is merged and judged
// again as scan does, rendered as the JSON avdurls writes
// (render.WriteJSON), and that JSON must be accepted again and be a fixed
// point: decoding and rendering it gives the same bytes, and merging it
// once more gives the same report. Seeds are the samples' report and
// testdata/fuzz/FuzzReportRoundTrip (crashers found are kept there).
func FuzzReportRoundTrip(f *testing.F) {
	if b, err := os.ReadFile("testdata/samples.json"); err == nil {
		f.Add(b)
	}
	ev := `{"computer":"avd-0","file":"a.evtx","recordId":1,"eventId":3701,"time":"2024-05-06T08:28:00Z","status":"reachable"}`
	f.Add([]byte(`{"schemaVersion":3,"catalog":{"version":"2024-11-21.2","sourceDate":"2024-11-21","confidence":"primary","source":"x"},"cloud":"public","scope":"sessionhost","optional":false,"regions":[],` +
		`"hosts":[{"computer":"avd-0","region":"eastus2","regionBasis":"--region","events":1}],` +
		`"rejected":[{"address":"LOGIN.MicrosoftOnline.COM.","code":"untrusted","reason":"r","evidenceCount":1,"evidence":[` + ev + `]},{"address":"Evil.Example.","code":"untrusted","reason":"r","evidenceCount":1,"evidence":[` + ev + `]}],` +
		`"deprecated":[],"review":[{"address":"X.blob.core.windows.net","code":"registrable","reason":"r","row":"*.blob.core.windows.net","evidenceCount":1,"evidence":[` + ev + `]}],"inputs":[{"file":"a\\u202e.evtx","records":1,"matched":1,"damagedChunks":0}]}`))
	ver := catalog.Default().Newest()
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := catalog.DecodeReport(b)
		if err != nil {
			return
		}
		out, ok := rejudgeJSON(t, ver, rep)
		if !ok {
			return
		}
		back, err := catalog.DecodeReport(out)
		if err != nil {
			t.Fatalf("the tool refuses its own report: %v\n%s", err, out)
		}
		again := renderJSON(t, back)
		if !bytes.Equal(again, out) {
			t.Fatalf("decoding and rendering the tool's report changes it:\n%s\n---\n%s", out, again)
		}
		twice, ok := rejudgeJSON(t, ver, back)
		if !ok {
			t.Fatalf("the tool's report does not merge again:\n%s", out)
		}
		if !bytes.Equal(twice, out) {
			t.Fatalf("merging the tool's report again changes it:\n%s\n---\n%s", out, twice)
		}
	})
}

// rejudgeJSON merges rep as scan merges a report and renders what the
// version builds from it; false when the merge refuses the report.
func rejudgeJSON(t *testing.T, ver *catalog.Version, rep catalog.Report) ([]byte, bool) {
	c := newCollector(ver.NewBuilder(catalog.BuildOptions{Cloud: rep.Cloud, Scope: catalog.ScopeSessionHost}), rep.Cloud, 0, 0)
	if err := c.merge(rep, "r.json"); err != nil {
		return nil, false
	}
	built := c.b.Report()
	return renderJSON(t, built), true
}

// renderJSON is the report as avdurls writes it.
func renderJSON(t *testing.T, rep catalog.Report) []byte {
	var w bytes.Buffer
	if err := render.WriteJSON(&w, rep); err != nil {
		t.Fatalf("render.WriteJSON: %v", err)
	}
	return w.Bytes()
}
