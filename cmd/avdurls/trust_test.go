package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// writeReport writes a report map as JSON into dir.
func writeReportFile(t *testing.T, dir, name string, m any) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReportRegionIsChecked: a host region of a report is checked against
// the region table; one that would leave the output folder or inject a
// line is refused whole, and nothing is written.
func TestReportRegionIsChecked(t *testing.T) {
	for _, region := range []string{"../../x/avd", "eastus2\nevil.example.com", "eastus2'); touch PWNED; echo ('", "west-europe", "CON", "nul"} {
		dir := t.TempDir()
		out := filepath.Join(dir, "rules")
		os.Mkdir(out, 0o755)
		rep := writeReportFile(t, dir, "r.json", setPath(tamperBase(t), []any{"hosts", 0, "region"}, region))
		for _, f := range []string{"text", "edl", "squid", "az-cli", "azfw-arm", "json"} {
			stdout, stderr, code := runScan(t, "-f", f, rep)
			if code != exitError || stdout != "" || !strings.Contains(stderr, "hosts[0].region") {
				t.Errorf("region %q, -f %s: exit %d, %d bytes out, stderr %q; want exit 1, nothing written, the field named", region, f, code, len(stdout), stderr)
			}
		}
		if _, _, code := runScan(t, "-f", "az-cli", "--output-dir", out, rep); code != exitError {
			t.Errorf("region %q, --output-dir: exit %d, want 1", region, code)
		}
		var files []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Base(p) != "r.json" {
				files = append(files, p)
			}
			return err
		})
		if len(files) > 0 {
			t.Errorf("region %q: files written: %v", region, files)
		}
	}
}

// TestDiffRefusesWhatItCannotJudge: a tampered NEW report that lists an IP
// rule 0.0.0.0/0, a name claimed to be a catalog row and a name under no
// row with evidence gets none of them proposed as "add"; each is refused
// with a reason, on stderr too.
func TestDiffRefusesWhatItCannotJudge(t *testing.T) {
	dir := t.TempDir()
	base := tamperBase(t)
	old := writeReportFile(t, dir, "old.json", base)
	tampered := setPath(base, nil, "").(map[string]any) // a deep copy
	reg := tampered["regions"].([]any)[0].(map[string]any)
	ev := []any{map[string]any{"computer": "avd-eus2-0.contoso.local", "file": "x.evtx", "recordId": 9, "eventId": 3701, "time": "2024-05-09T00:00:00Z", "status": "reachable"}}
	reg["ipRules"] = append(reg["ipRules"].([]any), map[string]any{"address": "0.0.0.0/0", "port": 443, "protocol": "TCP", "kind": "cidr",
		"source": "catalog", "purpose": "x", "required": true, "evidenceCount": 0, "evidence": []any{}})
	reg["entries"] = append(reg["entries"].([]any),
		map[string]any{"address": "evil-catalog.example.com", "port": 443, "protocol": "TCP", "kind": "fqdn", "source": "catalog", "purpose": "x", "required": true, "evidenceCount": 0, "evidence": []any{}},
		map[string]any{"address": "exfil.example.net", "port": 443, "protocol": "TCP", "kind": "fqdn", "source": "event", "purpose": "x", "required": true, "evidenceCount": 1, "evidence": ev},
		map[string]any{"address": "login.microsoftonline.com", "port": 22, "protocol": "TCP", "kind": "fqdn", "source": "event", "purpose": "x", "required": true, "evidenceCount": 1, "evidence": ev})
	newer := writeReportFile(t, dir, "new.json", tampered)
	var out, errb bytes.Buffer
	code := run([]string{"diff", "-f", "json", old, newer}, &out, &errb)
	if code != exitOK {
		t.Fatalf("diff: exit %d, want 0 (nothing to add or remove): %s %s", code, out.String(), errb.String())
	}
	var d catalog.ReportDiff
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if d.Changed || len(d.Regions) != 0 {
		t.Errorf("diff proposes changes: %+v", d.Regions)
	}
	var refused []string
	for _, r := range d.Refused {
		if r.Side != "new" || r.Reason == "" {
			t.Errorf("refused %+v: want side new and a reason", r)
		}
		refused = append(refused, r.Address)
	}
	want := []string{"0.0.0.0/0", "evil-catalog.example.com", "exfil.example.net", "login.microsoftonline.com"}
	if !slices.Equal(refused, want) {
		t.Errorf("refused %v, want %v", refused, want)
	}
	if !strings.Contains(errb.String(), "exfil.example.net port 443 refused: not under any "+catalog.Default().Newest().ID+" catalog row") {
		t.Errorf("stderr does not explain the refusal: %s", errb.String())
	}
	// With the suffix trusted on diff's own command line, it is an add.
	out.Reset()
	if code := run([]string{"diff", "-f", "json", "--trust-suffix", "example.net", old, newer}, &out, &errb); code != exitChanged {
		t.Errorf("diff --trust-suffix example.net: exit %d, want 4", code)
	}
}

// forgedNames writes an export with one 3701 event naming the hosts.
func forgedNames(t *testing.T, computer string, names ...string) string {
	return forgedData(t, computer, []string{strings.Join(names, "\n")})
}

// forgedData writes an export with one 3701 event holding data, 500
// values to a data string.
func forgedData(t *testing.T, computer string, data []string) string {
	t.Helper()
	var chunks []string
	for i := 0; i < len(data); i += 500 {
		chunks = append(chunks, strings.Join(data[i:min(i+500, len(data))], "\n"))
	}
	return writeExport(t, []evtxtest.Record{{Provider: "WVD-Agent", EventID: 3701, Level: 4, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Computer: computer, Data: chunks}})
}

// TestRegistrableNamesGoToReview: names any Azure customer can register
// are never allowlisted by default, with --optional or with
// --include-deprecated, in every cloud; they go to review (or, under a
// deprecated row, to deprecated); --allow-registrable admits them
// knowingly.
func TestRegistrableNamesGoToReview(t *testing.T) {
	for _, tc := range []struct {
		cloud, region string
		names         []string
	}{
		{"public", "eastus2", []string{"attackereh.servicebus.windows.net", "attackerxt.blob.core.windows.net"}},
		{"china", "chinanorth3", []string{"attackerxt.blob.core.chinacloudapi.cn", "x.servicebus.chinacloudapi.cn"}},
		{"usgov", "usgovvirginia", []string{"attackerxt.blob.core.usgovcloudapi.net", "x.servicebus.usgovcloudapi.net"}},
	} {
		path := forgedNames(t, "avd-0", tc.names...)
		for _, extra := range [][]string{nil, {"--optional"}, {"--include-deprecated"}, {"--optional", "--include-deprecated"}} {
			args := append([]string{"-q", "-f", "json", "--cloud", tc.cloud, "--region", tc.region, path}, extra...)
			out, errs, code := runScan(t, args...)
			if code != exitOK {
				t.Fatalf("%v: exit %d: %s", args, code, errs)
			}
			rep, err := catalog.DecodeReport([]byte(out))
			if err != nil {
				t.Fatal(err)
			}
			kept := map[string]string{}
			for _, x := range rep.Review {
				if x.Code != catalog.CodeRegistrable || !strings.Contains(x.Reason, "any Azure customer can register") {
					t.Errorf("review item %+v", x)
				}
				kept[x.Address] = "review"
			}
			for _, x := range rep.Deprecated {
				kept[x.Address] = "deprecated"
			}
			for _, n := range tc.names {
				if kept[n] == "" {
					t.Errorf("%v: %s neither in review nor deprecated", args, n)
				}
				if kept[n] == "deprecated" && slices.Contains(extra, "--include-deprecated") {
					t.Errorf("%v: %s deprecated although deprecated rows are included", args, n)
				}
			}
			for _, e := range rep.Regions[0].Entries {
				if slices.Contains(tc.names, e.Address) {
					t.Errorf("%v: %s allowlisted", args, e.Address)
				}
			}
		}
		out, _, _ := runScan(t, "-q", "-f", "text", "--cloud", tc.cloud, "--region", tc.region, "--optional", "--include-deprecated", "--allow-registrable", path)
		for _, n := range tc.names {
			if !strings.Contains(out, n+"\n") {
				t.Errorf("%s: --allow-registrable --optional --include-deprecated: %s not allowlisted", tc.cloud, n)
			}
		}
	}
}

// TestOptionalRowsNeedOptional: a name under an optional row only is
// rejected without --optional, allowlisted with it; a legacy agent host
// under a registrable row goes to review either way.
func TestOptionalRowsNeedOptional(t *testing.T) {
	path := forgedNames(t, "avd-0", "abc.prod.do.dsp.mp.microsoft.com", "gsm123eh.servicebus.windows.net")
	out, _, _ := runScan(t, "-q", "-f", "json", "--region", "eastus2", path)
	rep, err := catalog.DecodeReport([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rejected) != 1 || rep.Rejected[0].Code != catalog.CodeOptional {
		t.Errorf("rejected %+v, want the optional-row name", rep.Rejected)
	}
	// The legacy Event Hubs host falls under the public cloud's optional
	// *eh.servicebus.windows.net row, which any customer can register
	// under: review, whatever the event says (which rows are legacy is the
	// catalog's call, per cloud).
	if len(rep.Review) != 1 || rep.Review[0].Address != "gsm123eh.servicebus.windows.net" || rep.Review[0].Code != catalog.CodeRegistrable {
		t.Errorf("review %+v, want the gsm host", rep.Review)
	}
	out, _, _ = runScan(t, "-q", "-f", "text", "--region", "eastus2", "--optional", path)
	if !strings.Contains(out, "abc.prod.do.dsp.mp.microsoft.com\n") || strings.Contains(out, "gsm123") {
		t.Errorf("--optional: %s", out)
	}
}

// TestNamesPerEventBounded: an event holding 1,300 names gives at most
// --max-names of them (1,000 by default), and says so; a region holds at
// most --max-entries discovered entries.
func TestNamesPerEventBounded(t *testing.T) {
	var names []string
	for i := range 1300 {
		names = append(names, fmt.Sprintf("x%04d.wvd.microsoft.com", i))
	}
	path := forgedNames(t, "avd-0", names...)
	for _, tc := range []struct {
		args []string
		want int
	}{{nil, 1000}, {[]string{"--max-names", "100"}, 100}} {
		out, errs, code := runScan(t, append([]string{"-q", "-f", "json", "--region", "eastus2", path}, tc.args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errs)
		}
		rep, err := catalog.DecodeReport([]byte(out))
		if err != nil {
			t.Fatal(err)
		}
		if n := eventEntries(rep); n != tc.want {
			t.Errorf("%v: %d names allowlisted from one event, want %d", tc.args, n, tc.want)
		}
		if len(rep.Rejected) != 1 || rep.Rejected[0].Code != "too-many-names" || !strings.Contains(rep.Rejected[0].Reason, "the rest were not read") {
			t.Errorf("%v: rejected %+v, want one too-many-names item", tc.args, rep.Rejected)
		}
	}
	out, _, _ := runScan(t, "-q", "-f", "json", "--region", "eastus2", "--max-names", "2000", "--max-entries", "300", path)
	rep, err := catalog.DecodeReport([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if n := eventEntries(rep); n != 300 {
		t.Errorf("%d discovered entries with --max-entries 300", n)
	}
	if len(rep.Rejected) != 1000 || rep.Rejected[0].Code != catalog.CodeTooManyEntries {
		t.Errorf("%d rejected, want 1000 too-many-entries items", len(rep.Rejected))
	}
}

func eventEntries(rep catalog.Report) int {
	n := 0
	for _, r := range rep.Regions {
		for _, e := range r.Entries {
			if e.Source == "event" {
				n++
			}
		}
	}
	return n
}

// TestHostileComputerNames: a computer name holding a terminal escape or a
// URL reaches neither the terminal raw nor Markdown as a link.
func TestHostileComputerNames(t *testing.T) {
	for _, computer := range []string{"avd\x1b]0;pwned\x07\x1b[2J", "https://evil.example/approve", "www.evil.example", "avd\u202eexe.moc"} {
		path := forgedNames(t, computer, "rdgateway-c100-eus2-r1.wvd.microsoft.com", "bad\x1b[2J.example")
		for _, f := range []string{"table", "markdown", "json", "csv"} {
			out, errs, code := runScan(t, "-f", f, "--region", "eastus2", path)
			if code != exitOK {
				t.Fatalf("%q -f %s: exit %d: %s", computer, f, code, errs)
			}
			checkTerminal(t, errs)
			checkFormat(t, f, []byte(out))
			if f == "table" {
				checkTerminal(t, out)
			}
		}
	}
}

// TestBoundedListsSummary: the summary counts names, also past the bound
// of names listed (about N rejected), and the hints name the bound of
// entries as one of names and the flag that raises each bound.
func TestBoundedListsSummary(t *testing.T) {
	var names []string
	for i := range 300 {
		names = append(names, fmt.Sprintf("x%04d.wvd.microsoft.com", i))
	}
	for i := range 1000 {
		names = append(names, fmt.Sprintf("x%04d.flood.example", i))
	}
	path := forgedNames(t, "avd-0", names...)
	args := []string{"-f", "json", "--region", "eastus2", "--max-names", "2000", "--max-entries", "100", path}
	_, errs, code := runScan(t, append(args, "--max-listed", "2000")...)
	if code != exitOK || !strings.Contains(errs, ", 1200 rejected,") ||
		!strings.Contains(errs, "200 names past the bound of entries of their regions: --max-entries raises the bound") {
		t.Errorf("all listed: exit %d: %s", code, errs)
	}
	out, errs, code := runScan(t, append(args, "--max-listed", "50")...)
	rep, err := catalog.DecodeReport([]byte(out))
	if code != exitOK || err != nil {
		t.Fatalf("exit %d, %v: %s", code, err, errs)
	}
	more := rep.RejectedMore
	if len(rep.Rejected) != 50 || !more.Estimated || more.Sightings != 1150 || more.Names < 1000 || more.Names > 1150 {
		t.Errorf("%d listed, %+v left out; want 50, and about 1150 names seen 1150 times", len(rep.Rejected), more)
	}
	if !strings.Contains(errs, fmt.Sprintf(", about %d rejected,", 50+more.Names)) ||
		!strings.Contains(errs, fmt.Sprintf("about %d more names past the bound of names listed: --max-listed raises the bound", more.Names)) {
		t.Errorf("summary and hints: %s", errs)
	}
}
