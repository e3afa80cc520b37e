package discover

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/evtx"
)

// urlToolSample is real WVDAgentUrlTool.exe output (2023), from
// /work/shared/research/avd-agent-urls.md.
const urlToolSample = `UrlsAccessibleCheck :  Outcome: HealthCheckSucceeded
Additional Contextual Information:<empty>

Accessible URLs:
======================================================
fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f.rdbroker-g-us-r0.wvd.microsoft.com
fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f.rdbroker.wvd.microsoft.com
fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f.rddiagnostics-g-us-r0.wvd.microsoft.com
rdgateway-host-green-c100-jpe-r0.wvd.microsoft.com
mrsglobalsteus2prod.blob.core.windows.net
gcs.prod.monitoring.core.windows.net
production.diagnostics.monitoring.core.windows.net
eastus2-shared.prod.warm.ingest.monitor.core.windows.net
qos.prod.warm.ingest.monitor.core.windows.net

NOT Accessible URLs:
======================================================
<empty>
`

var sampleHosts = []string{
	"fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f.rdbroker-g-us-r0.wvd.microsoft.com",
	"fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f.rdbroker.wvd.microsoft.com",
	"fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f.rddiagnostics-g-us-r0.wvd.microsoft.com",
	"rdgateway-host-green-c100-jpe-r0.wvd.microsoft.com",
	"mrsglobalsteus2prod.blob.core.windows.net",
	"gcs.prod.monitoring.core.windows.net",
	"production.diagnostics.monitoring.core.windows.net",
	"eastus2-shared.prod.warm.ingest.monitor.core.windows.net",
	"qos.prod.warm.ingest.monitor.core.windows.net",
}

// sampleWithUnreachable is the sample with its last two hosts moved to the
// NOT Accessible section.
var sampleWithUnreachable = strings.Replace(
	strings.Replace(urlToolSample, "eastus2-shared.prod.warm.ingest.monitor.core.windows.net\nqos.prod.warm.ingest.monitor.core.windows.net\n", "", 1),
	"=\n<empty>\n", "=\neastus2-shared.prod.warm.ingest.monitor.core.windows.net\nqos.prod.warm.ingest.monitor.core.windows.net\n", 1)

// summary renders findings as "host status" and rejects as
// "value: reason" for comparison.
func summary(found []Finding, rejected []Reject) []string {
	var out []string
	for _, f := range found {
		out = append(out, fmt.Sprintf("%s %s", f.Host, f.Evidence.Status))
	}
	for _, r := range rejected {
		out = append(out, fmt.Sprintf("%s: %s", r.Value, r.Reason))
	}
	return out
}

func with(status Status, hosts ...string) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = fmt.Sprintf("%s %s", h, status)
	}
	return out
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name    string
		eventID uint32
		data    []string
		message string
		want    []string
	}{
		{
			name: "url tool sample", eventID: 3701,
			data: []string{urlToolSample},
			want: with(Reachable, sampleHosts...),
		},
		{
			name: "url tool sample with unreachable hosts", eventID: 3701,
			data: []string{sampleWithUnreachable},
			want: append(with(Reachable, sampleHosts[:7]...), with(Unreachable, sampleHosts[7:]...)...),
		},
		{
			name: "headers win over the event id", eventID: 3702,
			data: []string{sampleWithUnreachable},
			want: append(with(Reachable, sampleHosts[:7]...), with(Unreachable, sampleHosts[7:]...)...),
		},
		{
			name: "3702 without headers", eventID: 3702,
			data: []string{"rdbroker.wvd.microsoft.com"},
			want: with(Unreachable, "rdbroker.wvd.microsoft.com"),
		},
		{
			name: "other event id", eventID: 3703,
			data: []string{"rdbroker.wvd.microsoft.com"},
			want: with(Reported, "rdbroker.wvd.microsoft.com"),
		},
		{
			name: "3703 message names its own status", eventID: 3703,
			data: []string{"RD Gateway Url: https://rdgateway-c225-uks-r1.wvd.microsoft.com/ is not accessible"},
			want: with(Unreachable, "rdgateway-c225-uks-r1.wvd.microsoft.com"),
		},
		{
			name: "german headers", eventID: 3701,
			data: []string{"Erreichbare URLs:\r\na.example.com\r\nNicht erreichbare URLs:\r\nb.example.com\r\n"},
			want: []string{"a.example.com reachable", "b.example.com unreachable"},
		},
		{
			name: "failed outcome, then sections", eventID: 3701,
			data: []string{"UrlsAccessibleCheck : Outcome: HealthCheckFailed\nx.example.com\nAccessible URLs:\na.example.com\nInaccessible URLs:\nb.example.com"},
			want: []string{"x.example.com unreachable", "a.example.com reachable", "b.example.com unreachable"},
		},
		{
			name: "header and hosts on one line", eventID: 3701,
			data: []string{"Accessible URLs: a.example.com, b.example.com. NOT Accessible URLs: c.example.com"},
			// One line, so one status: the unreachable marker wins.
			want: with(Unreachable, "a.example.com", "b.example.com", "c.example.com"),
		},
		{
			name: "host names do not act as headers", eventID: 3701,
			data: []string{"unreachable.example.com\nfailed.example.com"},
			want: with(Reachable, "unreachable.example.com", "failed.example.com"),
		},
		{
			name: "headers reset per string", eventID: 3701,
			data: []string{"NOT Accessible URLs:\na.example.com", "b.example.com"},
			want: []string{"a.example.com unreachable", "b.example.com reachable"},
		},
		{
			name: "comma and semicolon lists", eventID: 3701,
			data: []string{"a.example.com, b.example.com;c.example.com,d.example.com ; e.example.com\tf.example.com"},
			want: with(Reachable, "a.example.com", "b.example.com", "c.example.com", "d.example.com", "e.example.com", "f.example.com"),
		},
		{
			name: "urls", eventID: 3701,
			data: []string{
				"https://rdbroker.wvd.microsoft.com:443/api/health?x=1#frag",
				"http://A.Example.COM/",
				"(https://b.example.com)",
				"<https://c.example.com:8443>",
				`"d.example.com"`,
				"[e.example.com]",
				"'f.example.com'",
				"g.example.com:443",
				"//h.example.com/path",
				"i.example.com/path?q",
				"see (j.example.com).",
				"Url: https://k.example.com/",
				"Url:https://l.example.com/",
				"Information:m.example.com",
				"URLs:<n.example.com>",
				"Url:(//o.example.com/x)",
			},
			want: with(Reachable, "rdbroker.wvd.microsoft.com", "a.example.com", "b.example.com", "c.example.com",
				"d.example.com", "e.example.com", "f.example.com", "g.example.com", "h.example.com",
				"i.example.com", "j.example.com", "k.example.com", "l.example.com", "m.example.com", "n.example.com", "o.example.com"),
		},
		{
			name: "glued header label", eventID: 3701,
			data: []string{"Unreachable:a.example.com\nb.example.com"},
			want: with(Unreachable, "a.example.com", "b.example.com"),
		},
		{
			name: "empty section", eventID: 3701,
			data: []string{"Accessible URLs:\n<empty>\nNOT Accessible URLs:\n<empty>"},
			want: nil,
		},
		{
			name: "noise is not a candidate", eventID: 3701,
			data: []string{
				"======================================================",
				"fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f",
				"{fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f}",
				"42 3701 -1 0x80070005",
				"Agent version 1.0.8297.800, build 1.2.3, v1.2.3",
				"Outcome: HealthCheckSucceeded at 12:34:56 on 2023/01/02",
				"**Note** this is a sentence. Another one!",
				"",
			},
			want: nil,
		},
		{
			name: "several data strings, message, duplicates", eventID: 3701,
			data:    []string{"", "a.example.com", "", "b.example.com\na.example.com", ""},
			message: "Accessible URLs:\nb.example.com\nc.example.com",
			want:    with(Reachable, "a.example.com", "b.example.com", "c.example.com"),
		},
		{
			name: "same host under two statuses", eventID: 3701,
			data: []string{"a.example.com\nNOT Accessible URLs:\na.example.com"},
			want: []string{"a.example.com reachable", "a.example.com unreachable"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := evtx.Event{Provider: "WVD-Agent", EventID: tt.eventID, Data: tt.data, Message: tt.message}
			got := summary(Extract(e))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Extract(%q) = %v, want %v", tt.data, got, tt.want)
			}
		})
	}
}

func TestExtractEvidence(t *testing.T) {
	when := time.Date(2023, 5, 4, 3, 2, 1, 0, time.UTC)
	e := evtx.Event{
		Provider: "WVD-Agent", EventID: 3701, RecordID: 77, Time: when,
		Computer: "avd-0.contoso.local", Channel: "Application",
		Data: []string{"a.example.com 10.0.0.1"}, File: "app.evtx", Chunk: 3,
	}
	want := Evidence{Computer: "avd-0.contoso.local", File: "app.evtx", RecordID: 77, EventID: 3701, Time: when, Status: Reachable}
	found, rejected := Extract(e)
	if len(found) != 1 || found[0].Evidence != want {
		t.Errorf("Extract(%q) found = %+v, want one with %+v", e.Data, found, want)
	}
	if len(rejected) != 1 || rejected[0].Evidence != want {
		t.Errorf("Extract(%q) rejected = %+v, want one with %+v", e.Data, rejected, want)
	}
}

// TestExtractHostile feeds one Data string each. A case with want "" must
// yield nothing; a case with a reject must yield no finding.
func TestExtractHostile(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		in         string
		wantHost   string // "" for no finding
		wantValue  string // Reject.Value; "" for no reject
		wantReason string // substring of Reject.Reason
	}{
		// A valid name: discover accepts it, trust is decided elsewhere.
		{in: "wvd.microsoft.com.evil.example", wantHost: "wvd.microsoft.com.evil.example"},
		{in: "windows.net", wantHost: "windows.net"},
		{in: "WVD.Microsoft.COM.", wantHost: "wvd.microsoft.com"},
		{in: "com"}, // no dot: not a candidate

		{in: "https://user@evil.example/", wantValue: "https://user@evil.example/", wantReason: `URL has userinfo "@"; the host part was "evil.example"`},
		{in: "https://rdbroker.wvd.microsoft.com@evil.example/", wantValue: "https://rdbroker.wvd.microsoft.com@evil.example/", wantReason: `the host part was "evil.example"`},
		{in: "https://rdbroker.wvd.microsoft.com:443@evil.example:443/", wantValue: "https://rdbroker.wvd.microsoft.com:443@evil.example:443/", wantReason: `the host part was "evil.example"`},
		{in: `https://evil.example\@rdbroker.wvd.microsoft.com/`, wantValue: `https://evil.example\@rdbroker.wvd.microsoft.com/`, wantReason: "userinfo"},
		{in: "rdbroker.wvd.microsoft.com@evil.example", wantValue: "rdbroker.wvd.microsoft.com@evil.example", wantReason: "userinfo"},
		{in: "10.0.0.1", wantValue: "10.0.0.1", wantReason: "IP address literal, not a host name"},
		{in: "https://10.0.0.1:443/", wantValue: "https://10.0.0.1:443/", wantReason: "IP address literal"},
		{in: "[::1]", wantValue: "::1", wantReason: "IP address literal"},
		{in: "https://[::1]:443/", wantValue: "https://[::1]:443/", wantReason: "IP address literal"},
		{in: "[2001:db8::1]:443", wantValue: "2001:db8::1]:443", wantReason: "IP address literal"},
		{in: "*", wantValue: "*", wantReason: `contains a wildcard "*"`},
		{in: "*.wvd.microsoft.com", wantValue: "*.wvd.microsoft.com", wantReason: `contains a wildcard "*"`},
		{in: "*xt.blob.core.windows.net", wantValue: "*xt.blob.core.windows.net", wantReason: "wildcard"},
		{in: "wvd．microsoft.com", wantValue: `wvd\uff0emicrosoft.com`, wantReason: "look-alike dot"},
		{in: "wvd。microsoft。com", wantValue: `wvd\u3002microsoft\u3002com`, wantReason: "look-alike dot"},
		{in: "wvd%2emicrosoft.com", wantValue: "wvd%2emicrosoft.com", wantReason: "percent-encoding"},
		{in: "wvd%2Emicrosoft%2Ecom", wantValue: "wvd%2Emicrosoft%2Ecom", wantReason: "percent-encoding"},
		{in: `wvd\.microsoft.com`, wantValue: `wvd\.microsoft.com`, wantReason: "backslash"},
		{in: "https://wvd.microsoft.com%2f.evil.example/", wantValue: "https://wvd.microsoft.com%2f.evil.example/", wantReason: "percent-encoding"},
		{in: long63 + "a.example.com", wantValue: long63 + "a.example.com", wantReason: "label longer than 63 characters (64)"},
		{in: strings.Repeat("abcdefghi.", 26) + "com", wantValue: strings.Repeat("abcdefghi.", 26) + "com", wantReason: "name longer than 253 characters (263)"},
		{in: "wvd\x00.microsoft.com", wantValue: `wvd\x00.microsoft.com`, wantReason: "contains control or bidi characters"},
		{in: "\x1b[31mevil.example", wantValue: `\x1b[31mevil.example`, wantReason: "control"},
		{in: "wvd.microsoft.com\u202e", wantValue: `wvd.microsoft.com\u202e`, wantReason: "contains control or bidi characters"},
		{in: "\u202emoc.elpmaxe.live", wantValue: `\u202emoc.elpmaxe.live`, wantReason: "bidi"},
		{in: "wvd.micro\u200bsoft.com", wantValue: `wvd.micro\u200bsoft.com`, wantReason: "bidi"},
		{in: "wvd.micr\u043esoft.com", wantValue: `wvd.micr\u043esoft.com`, wantReason: `non-ASCII character "о" (U+043E)`},
		{in: "xn--80ak6aa92e.com", wantValue: "xn--80ak6aa92e.com", wantReason: `label "xn--80ak6aa92e" is punycode (IDN); only ASCII host names are accepted`},
		{in: "rd_broker.wvd.microsoft.com", wantValue: "rd_broker.wvd.microsoft.com", wantReason: "underscore"},
		{in: "-rdbroker.wvd.microsoft.com", wantValue: "-rdbroker.wvd.microsoft.com", wantReason: `starts or ends with "-"`},
		{in: ".wvd.microsoft.com", wantValue: ".wvd.microsoft.com", wantReason: "empty label"},
		{in: "wvd.microsoft.com..", wantValue: "wvd.microsoft.com..", wantReason: "empty label"},
		{in: "rdbroker.wvd.microsoft.com:99999", wantValue: "rdbroker.wvd.microsoft.com:99999", wantReason: `contains character ":"`},
		{in: "Url:ht!tp://a.example.com", wantValue: "Url:ht!tp://a.example.com", wantReason: `URL scheme "ht!tp" is malformed`},
		{in: "evil.example:https://a.example.com", wantValue: "evil.example:https://a.example.com", wantReason: `URL scheme "evil.example:https" is malformed`},
		{in: "http://localhost/", wantValue: "http://localhost/", wantReason: "at least two labels"},
		{in: "file:///C:/Windows/agent.log", wantValue: "file:///C:/Windows/agent.log", wantReason: "URL has no host"},
		{in: "e.g."}, // last label of one character: not a candidate
		{in: "end of sentence."},
		{in: "\xffwvd.microsoft.com", wantValue: `\xffwvd.microsoft.com`, wantReason: "not valid UTF-8"},
	}
	for _, tt := range tests {
		found, rejected := Extract(evtx.Event{EventID: 3701, Data: []string{tt.in}})
		var want []string
		if tt.wantHost != "" {
			want = append(want, tt.wantHost+" reachable")
		}
		if tt.wantValue != "" {
			want = append(want, tt.wantValue+": "+tt.wantReason)
		}
		got := summary(found, rejected)
		ok := len(got) == len(want)
		for i := 0; ok && i < len(got); i++ {
			g, w := got[i], want[i]
			if strings.HasSuffix(w, " reachable") {
				ok = g == w
				continue
			}
			value, reason, _ := strings.Cut(w, ": ")
			ok = strings.HasPrefix(g, value+": ") && strings.Contains(g[len(value)+2:], reason)
		}
		if !ok {
			t.Errorf("Extract(%q) = %q, want %q", tt.in, got, want)
		}
	}
}

// TestExtractNewlineInside documents that a line break splits a name: the
// parts are judged on their own.
func TestExtractNewlineInside(t *testing.T) {
	in := "rdbroker.wvd\n.microsoft.com"
	got := summary(Extract(evtx.Event{EventID: 3701, Data: []string{in}}))
	want := []string{"rdbroker.wvd reachable", `.microsoft.com: empty label (a leading "." or "..")`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Extract(%q) = %q, want %q", in, got, want)
	}
}

func TestExtractValueIsCut(t *testing.T) {
	in := strings.Repeat("a", 600) + ".example.com"
	_, rejected := Extract(evtx.Event{EventID: 3701, Data: []string{in}})
	if len(rejected) != 1 || len(rejected[0].Value) != maxValue+3 || !strings.HasSuffix(rejected[0].Value, "...") {
		t.Errorf("Extract(%q) = %+v, want one reject with a value cut at %d bytes", in, rejected, maxValue)
	}
}

func TestStatusFor(t *testing.T) {
	for id, want := range map[uint32]Status{3701: Reachable, 3702: Unreachable, 3703: Reported, 0: Reported} {
		if got := StatusFor(id); got != want {
			t.Errorf("StatusFor(%d) = %q, want %q", id, got, want)
		}
	}
}

func BenchmarkExtract(b *testing.B) {
	// A forged event: 4000 distinct names in one 64 KiB string.
	var forged strings.Builder
	for i := forged.Len(); forged.Len() < 64<<10; i++ {
		fmt.Fprintf(&forged, "h%d.evil.example\n", i)
	}
	for _, bb := range []struct {
		name string
		data string
	}{
		{"sample", urlToolSample},
		{"forged-64KiB", forged.String()},
	} {
		e := evtx.Event{Provider: "WVD-Agent", EventID: 3701, RecordID: 1, Computer: "avd-0", Data: []string{bb.data, ""}}
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.data)))
			b.ReportAllocs()
			for b.Loop() {
				if found, _ := Extract(e); len(found) == 0 {
					b.Fatal("Extract found nothing")
				}
			}
		})
	}
}
