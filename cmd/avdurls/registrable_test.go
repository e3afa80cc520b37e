package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/catalog"
)

// TestParentZoneWildcardGoesToReview: a --catalog file with a row over a
// parent zone of customer zones (*.core.windows.net, *.windows.net) says
// so, and a name under it (any customer's storage account or namespace)
// goes to review, never into an allowlist; an imported page with such a
// row says so too.
func TestParentZoneWildcardGoesToReview(t *testing.T) {
	dir := t.TempDir()
	cat := `{"schemaVersion":1,"versions":[{"id":"x","sourceDate":"2026-01-01","source":"test","confidence":"primary","rows":[
{"address":"*.core.windows.net","port":443,"protocol":"TCP","purpose":"storage","cloud":"public","scope":"sessionhost","required":true},
{"address":"*.windows.net","port":443,"protocol":"TCP","purpose":"any","cloud":"public","scope":"sessionhost","required":true},
{"address":"*.wvd.microsoft.com","port":443,"protocol":"TCP","purpose":"service","cloud":"public","scope":"sessionhost","required":true}]}]}`
	catPath := filepath.Join(dir, "cat.json")
	os.WriteFile(catPath, []byte(cat), 0o644)
	ev := forgedNames(t, "avd-0.contoso.local", "attacker.blob.core.windows.net", "evil.servicebus.windows.net", "rdgateway-c1-eus2-r1.wvd.microsoft.com")
	out, errs, code := runScan(t, "-f", "json", "--catalog", catPath, "--region", "eastus2", ev)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, row := range []string{"*.core.windows.net", "*.windows.net"} {
		if !strings.Contains(errs, "row "+row+" (public/sessionhost): any Azure customer can name a resource under it") {
			t.Errorf("no warning about %s: %s", row, errs)
		}
	}
	if strings.Contains(errs, "row *.wvd.microsoft.com") {
		t.Errorf("a warning about *.wvd.microsoft.com: %s", errs)
	}
	rep, err := catalog.DecodeReport([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	review := map[string]bool{}
	for _, x := range rep.Review {
		review[x.Address] = true
	}
	for _, r := range rep.Regions {
		for _, e := range r.Entries {
			if strings.HasSuffix(e.Address, ".windows.net") {
				t.Errorf("%s allowlisted under a parent-zone wildcard", e.Address)
			}
		}
		for _, w := range r.Wildcards {
			if !w.Registrable && strings.HasSuffix(w.Address, "windows.net") {
				t.Errorf("wildcard %s carried as not registrable", w.Address)
			}
		}
	}
	for _, n := range []string{"attacker.blob.core.windows.net", "evil.servicebus.windows.net"} {
		if !review[n] {
			t.Errorf("%s not in review: %v", n, rep.Review)
		}
	}
	// An imported page with such a row.
	page, err := os.ReadFile(filepath.Join("..", "..", "catalog", "testdata", "pages", "required-fqdn-endpoint-2024-11-21.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(page), "| `*.wvd.microsoft.com` | TCP | 443 | Service traffic | `WindowsVirtualDesktop` |",
		"| `*.wvd.microsoft.com` | TCP | 443 | Service traffic | `WindowsVirtualDesktop` |\n| `*.core.windows.net` | TCP | 443 | Storage | `Storage` |", 1)
	pagePath := filepath.Join(dir, "page.md")
	os.WriteFile(pagePath, []byte(s), 0o644)
	o, e, code := run2(t, "catalog", "import", "-o", filepath.Join(dir, "page.json"), pagePath)
	if code != exitOK || !strings.Contains(e, "row *.core.windows.net (public/sessionhost): any Azure customer can name a resource under it") {
		t.Errorf("catalog import: exit %d, stderr %q, stdout %q; want a warning about *.core.windows.net", code, e, o)
	}
}

// run2 runs the tool with args: stdout, stderr and the exit status.
func run2(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb strings.Builder
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}
