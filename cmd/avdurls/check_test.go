package main

import (
	"io"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/reach"
)

// TestCheckCatalogOnlyTargets: --catalog-only lists the catalog's rows of
// the region (names, IP rules) and its wildcards, without the network.
func TestCheckCatalogOnlyTargets(t *testing.T) {
	o := checkOptions{catalogOnly: true, region: "westeurope", regionGiven: true, cloud: "public", scope: "sessionhost"}
	ts, err := newEnv(io.Discard, io.Discard).checkTargets(o)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, tg := range ts {
		if tg.Region != "westeurope" {
			t.Errorf("%s in region %q", tg.Address, tg.Region)
		}
		have[tg.Address+" "+tg.Kind] = true
	}
	for _, want := range []string{"login.microsoftonline.com fqdn", "169.254.169.254 ip", "168.63.129.16 ip", "*.wvd.microsoft.com wildcard"} {
		if !have[want] {
			t.Errorf("no %s among %v", want, have)
		}
	}
}

// TestCheckSummary: the counts and the line on stderr.
func TestCheckSummary(t *testing.T) {
	res := []reach.Result{{Checked: true, OK: true}, {Checked: true, Stage: "tls", Inspection: true}, {Checked: true, Stage: "dns"}, {}}
	s := summarize(res, 1500*1e6)
	if s.Passed != 1 || s.Failed != 2 || s.NotChecked != 1 || s.Inspection != 1 {
		t.Errorf("%+v", s)
	}
	if got := s.String(); !strings.Contains(got, "3 entries checked in 1.5s: 1 passed, 2 failed (dns 1, tls 1); TLS inspection seen on 1; 1 not checked") {
		t.Errorf("summary %q", got)
	}
}

// TestCheckTableIsTerminalSafe: text from the network cannot drive the
// terminal in the table; CSV cells cannot become formulas.
func TestCheckTableIsTerminalSafe(t *testing.T) {
	res := []reach.Result{{Region: "westeurope", Address: "login.microsoftonline.com", Port: 443, Protocol: "TCP", Checked: true,
		Stage: "tls", Reason: "=cmd|' /C calc'!A0 \x1b]0;pwned\x07", Issuer: "\u202eevil"}}
	var b strings.Builder
	if err := renderCheck(&b, "table", res, summarize(res, 0)); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07\u202e") {
		t.Errorf("control characters reached the table: %q", b.String())
	}
	b.Reset()
	if err := renderCheck(&b, "csv", res, summarize(res, 0)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), ",'=cmd") {
		t.Errorf("formula not neutralised: %q", b.String())
	}
}
