package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// hostile are names a forged WVD-Agent event may carry; none may reach an
// allowlist in any format.
var hostile = []string{
	"wvd.microsoft.com.evil.example",
	"rdbroker.wvd.microsoft.com.evil.example",
	"wvd-microsoft.com",
	"evilwvd.microsoft.com.attacker.net",
	"xn--rdgateway-c100-eus2-r1-q9b.wvd.microsoft.com",
	"rdbroker.xn--wvd-microsft-xyz.com",
	"rdbroker．wvd．microsoft．com",
	"rdbroker%2ewvd.microsoft.com",
	"rdbroker.wvd.microsoft.com\\.evil.example",
	"https://rdbroker.wvd.microsoft.com@evil.example/path",
	"https://user:pw@rdgateway-c100-eus2-r1.wvd.microsoft.com/",
	"10.1.2.3",
	"[fe80::1]",
	"*",
	"*.evil.example",
	strings.Repeat("a", 64) + ".wvd.microsoft.com",
	strings.Repeat("abcdefghi.", 26) + "wvd.microsoft.com",
	"rdbroker.wvd.microsoft.com\x1b[2J.evil.example",
	"evil\u202e.wvd.microsoft.com",
	"windows.net",
	"core.windows.net",
	"com",
	"=cmd|' /C calc'!A0.example.com",
	"${jndi:ldap://evil.example/a}",
	"\"quoted\".evil.example",
}

// trustedForms are spellings of a trusted name that must still be trusted.
var trustedForms = []string{
	"RDGATEWAY-C100-EUS2-R1.WVD.MICROSOFT.COM.",
	"https://EastUS2-Shared.prod.warm.ingest.monitor.core.windows.net:443/api",
}

func forgedExport(t *testing.T) string {
	t.Helper()
	base := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	var recs []evtxtest.Record
	for i, h := range hostile {
		recs = append(recs, evtxtest.Record{Provider: "WVD-Agent", EventID: 3701, Level: 4, Time: base.Add(time.Duration(i) * time.Minute),
			Computer: "avd-0.contoso.local", Data: []string{"Accessible URLs:\n" + h + "\n"}})
	}
	recs = append(recs, evtxtest.Record{Provider: "WVD-Agent", EventID: 3701, Level: 4, Time: base, Computer: "avd-0.contoso.local",
		Data: []string{strings.Join(trustedForms, "\n")}})
	// A trusted-looking name from an event that claims the provider but
	// was logged to another channel.
	recs = append(recs, evtxtest.Record{Provider: "WVD-Agent", EventID: 3701, Level: 4, Time: base, Computer: "avd-0.contoso.local",
		Channel: "System", Data: []string{"rdgateway-c999-eus2-r1.wvd.microsoft.com"}})
	return writeExport(t, recs)
}

// writeExport writes the records as forged.evtx in a temporary folder.
func writeExport(t *testing.T, recs []evtxtest.Record) string {
	t.Helper()
	b, err := evtxtest.Bytes(recs, evtxtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "forged.evtx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runScan(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"scan"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// TestForgedEventsNeverAllowlisted runs forged events through every format.
func TestForgedEventsNeverAllowlisted(t *testing.T) {
	path := forgedExport(t)
	v := catalog.Default().Newest()
	trusted := func(addr string) bool {
		if _, ok := v.Match(addr, catalog.CloudPublic, catalog.ScopeSessionHost); ok {
			return true
		}
		for _, r := range v.Rows(catalog.CloudPublic, catalog.ScopeSessionHost) {
			if r.Address == addr {
				return true
			}
		}
		return false
	}

	js, _, code := runScan(t, "-f", "json", "--region", "eastus2", path)
	if code != exitOK {
		t.Fatalf("json: exit %d", code)
	}
	var rep catalog.Report
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rep.Regions {
		for _, e := range append(r.Entries, r.IPRules...) {
			seen[e.Address] = true
			if !trusted(e.Address) {
				t.Errorf("json: untrusted %q allowlisted", e.Address)
			}
		}
	}
	for _, want := range []string{"rdgateway-c100-eus2-r1.wvd.microsoft.com", "eastus2-shared.prod.warm.ingest.monitor.core.windows.net"} {
		if !seen[want] {
			t.Errorf("json: trusted %q (upper case, trailing dot or in a URL) not allowlisted", want)
		}
	}
	if seen["rdgateway-c999-eus2-r1.wvd.microsoft.com"] {
		t.Error("json: a name from an event logged to channel System was allowlisted")
	}
	reasons := map[string]string{}
	for _, r := range rep.Rejected {
		reasons[r.Address] = r.Reason
		if r.Reason == "" {
			t.Errorf("rejected %q without a reason", r.Address)
		}
	}
	if !strings.Contains(reasons["rdgateway-c999-eus2-r1.wvd.microsoft.com"], "possibly forged") {
		t.Errorf("channel check: reasons %v", reasons)
	}
	if len(rep.Rejected) < len(hostile)-4 {
		t.Errorf("only %d rejected entries for %d hostile names: %v", len(rep.Rejected), len(hostile), reasons)
	}

	// Every format: nothing hostile outside the rejected section, nothing
	// unprintable anywhere.
	for _, format := range []string{"table", "csv", "text", "json"} {
		out, _, _ := runScan(t, "-f", format, "--region", "eastus2", path)
		allow := out
		if i := strings.Index(out, "\nRejected names"); format == "table" && i >= 0 {
			allow = out[:i]
		}
		if format == "json" {
			allow = out[:strings.Index(out, `"rejected"`)]
		}
		for _, h := range hostile {
			legit := false // a part of a trusted name, as windows.net is
			for addr := range seen {
				legit = legit || strings.Contains(addr, h)
			}
			if !legit && len(h) > 1 && strings.Contains(allow, h) {
				t.Errorf("%s: hostile %q appears outside the rejected names", format, h)
			}
		}
		for _, c := range out {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) {
				if format != "table" || c != 0x1b {
					t.Errorf("%s: output holds control or bidi character %U", format, c)
					break
				}
			}
		}
	}
	// Text is addresses only, each a trusted name or IP.
	txt, _, _ := runScan(t, "-f", "text", "--region", "eastus2", path)
	for _, line := range strings.Split(strings.TrimSpace(txt), "\n") {
		if strings.HasPrefix(line, "# ") {
			continue // a comment: an unresolved row, or why a wildcard is one
		}
		if !trusted(line) {
			t.Errorf("text: line %q is not a trusted address", line)
		}
	}
}

// TestCSVFormulaInjection: a catalog file whose purpose starts with "=" is
// neutralised in the CSV sheet, and read back intact by encoding/csv.
func TestCSVFormulaInjection(t *testing.T) {
	dir := t.TempDir()
	cat := `{"schemaVersion":1,"versions":[{"id":"x","sourceDate":"2026-01-01","source":"test","confidence":"primary","rows":[
{"address":"login.microsoftonline.com","port":443,"protocol":"TCP","purpose":"=HYPERLINK(\"http://evil.example\",\"x\")","cloud":"public","scope":"sessionhost","required":true},
{"address":"*.wvd.microsoft.com","port":443,"protocol":"TCP","purpose":"+1-2, @SUM(A1), \"quoted\"","cloud":"public","scope":"sessionhost","required":true}]}]}`
	catPath := filepath.Join(dir, "cat.json")
	if err := os.WriteFile(catPath, []byte(cat), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runScan(t, "-f", "csv", "--catalog", catPath, "--region", "eastus2", forgedExport(t))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "'=HYPERLINK") {
		t.Errorf("the formula purpose is not in the sheet, neutralised:\n%s", out)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not read back: %v", err)
	}
	for _, rec := range recs[1:] {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q starts a formula", cell)
			}
		}
	}
}

// TestForgedEventDoesNotDateTheNewestCheck: a 3701 logged to another
// channel (forged) later than the host's real checks must not make the
// names of the real ones look old: the deprecated name the newest real
// check lists stays allowed and flagged; the host's newest check is the
// real one.
func TestForgedEventDoesNotDateTheNewestCheck(t *testing.T) {
	const host = "avd-0.contoso.local"
	base := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	recs := []evtxtest.Record{
		{Provider: "WVD-Agent", EventID: 3701, Level: 4, Time: base, Computer: host,
			Data: []string{"production.diagnostics.monitoring.core.windows.net\neastus2-shared.prod.warm.ingest.monitor.core.windows.net"}},
		{Provider: "WVD-Agent", EventID: 3701, Level: 4, Time: base.Add(5 * time.Hour), Computer: host,
			Channel: "System", Data: []string{"gcs.prod.monitoring.core.windows.net"}},
	}
	out, errs, code := runScan(t, "-q", "-f", "json", "--region", "eastus2", writeExport(t, recs))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rep, err := catalog.DecodeReport([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if h := rep.Hosts[0]; h.Newest3701 == nil || !h.Newest3701.Equal(base) {
		t.Errorf("newest check %v, want the real event's %v", h.Newest3701, base)
	}
	var kept bool
	for _, e := range rep.Regions[0].Entries {
		if e.Address == "production.diagnostics.monitoring.core.windows.net" {
			kept = e.Deprecated && len(e.CheckedBy) == 1
		}
	}
	if !kept || len(rep.Deprecated) != 0 {
		t.Errorf("deprecated name: kept and flagged %v, deprecated[] %+v; want it kept (the forged event is not the newest check)", kept, rep.Deprecated)
	}
}
