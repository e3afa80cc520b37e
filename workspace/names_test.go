package workspace

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// extracted is what discover reads from an event of id with data, as
// "host status" and "value: reason (status)" lines, sorted and unique.
func extracted(id uint32, data []string) []string {
	found, rejected := discover.ExtractN(evtx.Event{Provider: "WVD-Agent", EventID: id, Channel: "Application", Data: data}, 0)
	var out []string
	for _, f := range found {
		out = append(out, fmt.Sprintf("%s %s", f.Host, f.Evidence.Status))
	}
	for _, r := range rejected {
		out = append(out, fmt.Sprintf("%s: %s (%s)", r.Value, r.Reason, r.Evidence.Status))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// hostileLines are lines of text that test the patterns' edges: every
// kind of candidate discover knows (URLs, userinfo, IP literals,
// wildcards, look-alike and encoded dots, glued labels, quotes and
// brackets), headers in German and with odd spacing, separators.
var hostileLines = []string{
	"https://user@evil.example/ https://rdbroker.wvd.microsoft.com@evil.example/",
	`https://evil.example\@rdbroker.wvd.microsoft.com/ rdbroker.wvd.microsoft.com@evil.example`,
	"10.0.0.1, https://10.0.0.1:443/; [::1] https://[::1]:443/ [2001:db8::1]:443 ::1",
	"* *.wvd.microsoft.com *xt.blob.core.windows.net",
	"wvd\uff0emicrosoft.com wvd\u3002microsoft.com rdbroker%2ewvd.microsoft.com",
	"URLs:rdbroker.wvd.microsoft.com Information:<empty> (gcs.prod.monitoring.core.windows.net)",
	`"qos.prod.warm.ingest.monitor.core.windows.net". 'a.wvd.microsoft.com' <b.wvd.microsoft.com>`,
	"version 1.0.8297.800 and 1.2.3, GUID fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f, 42",
	"Nicht erreichbare URLs:",
	"c.wvd.microsoft.com\td.wvd.microsoft.com\ve.wvd.microsoft.com\ff.wvd.microsoft.com",
	"NOT   Accessible\tURLs:",
	"g.wvd.microsoft.com:443 //h.wvd.microsoft.com/path?q=1#f ftp://i.wvd.microsoft.com",
	"Erreichbare URLs:",
	"j.wvd.microsoft.com. WVD.Microsoft.COM. xn--d1acufc.xn--p1ai bücher.example",
	"-bad-.wvd.microsoft.com a..b.wvd.microsoft.com " + strings.Repeat("x", 70) + ".wvd.microsoft.com",
	"HealthCheckFailed k.wvd.microsoft.com",
	"l.wvd.microsoft.com\rAccessible URLs:\rm.wvd.microsoft.com",
}

// fixtures are the texts the test reads: every distinct agent URL text
// of sample hosts in four regions, the same as XML event data, and the
// hostile lines under each header.
func fixtures() map[string]uint32 {
	texts := map[string]uint32{}
	for i, reg := range []string{"eastus2", "westeurope", "japaneast", "usgovvirginia"} {
		for _, r := range evtxtest.SampleHost(fmt.Sprintf("avd-%d", i), reg, int64(i)) {
			if r.Provider == "WVD-Agent" && (r.EventID == 3701 || r.EventID == 3702) {
				texts[strings.Join(r.Data, "\n")] = uint32(r.EventID)
				texts["<Param>"+strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;").Replace(r.Data[0])+"</Param>"] = uint32(r.EventID)
			}
		}
	}
	for _, id := range []uint32{3701, 3702} {
		// XML data of two values: the second starts with the event's own
		// status again, as discover reads each value.
		texts[`<DataItem><EventData xmlns="x"><Data Name="a">NOT Accessible URLs:&#xD;
n.wvd.microsoft.com</Data><Data>o.wvd.microsoft.com &amp; p.wvd.microsoft.com&lt;q.wvd.microsoft.com&gt;</Data></EventData></DataItem>`] = id
		texts["<Param>Accessible URLs:</Param><Param>r.wvd.microsoft.com</Param>"] = id
		texts[strings.Join(hostileLines, "\n")] = id
		texts["Accessible URLs:\n"+strings.Join(hostileLines, "\r\n")] = id
	}
	return texts
}

// TestNamePatternHidesNothing runs the query's patterns through Go's
// RE2 (QueryNames, the model of the KQL) on the fixtures and reads each
// name it ships as the scan reads a names row (Row.Data under its
// section's header): discover finds the same names with the same
// statuses, and rejects the same values for the same reasons, as from
// the whole text. Nothing the gate would see is hidden.
func TestNamePatternHidesNothing(t *testing.T) {
	for text, id := range fixtures() {
		want := extracted(id, Row{Text: text}.Data())
		var got []string
		for _, ns := range QueryNames(text) {
			got = append(got, extracted(id, Row{Kind: "name", Name: ns.Name, Status: ns.Status}.Data())...)
		}
		slices.Sort(got)
		got = slices.Compact(got)
		if !slices.Equal(got, want) {
			for _, w := range want {
				if !slices.Contains(got, w) {
					t.Errorf("hidden: %q", w)
				}
			}
			for _, g := range got {
				if !slices.Contains(want, g) {
					t.Errorf("not in the text's own reading: %q", g)
				}
			}
			t.Fatalf("in the text:\n%s", text)
		}
		if len(want) == 0 {
			t.Errorf("a fixture without names: %q", text)
		}
	}
}
