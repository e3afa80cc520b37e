package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/catalog"
)

// nonCanonical are names as an edited report or an event may write them:
// upper case, a trailing dot, both, for a catalog host, a name under a
// catalog wildcard and a name under no row.
var nonCanonical = []string{
	"LOGIN.MicrosoftOnline.COM.",
	"login.microsoftonline.com.",
	"RDWEB.WVD.MICROSOFT.COM",
	"Evil.Example.COM.",
	"evil.example.com",
}

// canonicalOnly fails for every address of the report's lists that is a
// valid host name but not in canonical form.
func canonicalOnly(t *testing.T, what string, rep catalog.Report) {
	t.Helper()
	check := func(list, a string) {
		if a != strings.ToLower(a) || strings.HasSuffix(a, ".") {
			t.Errorf("%s: %s holds %q, not in canonical form", what, list, a)
		}
	}
	for _, r := range rep.Regions {
		for _, e := range r.Entries {
			check("regions["+r.Region+"].entries", e.Address)
		}
	}
	for _, l := range []struct {
		name string
		xs   []catalog.Excluded
	}{{"rejected", rep.Rejected}, {"review", rep.Review}, {"deprecated", rep.Deprecated}} {
		seen := map[string]bool{}
		for _, x := range l.xs {
			check(l.name, x.Address)
			if seen[x.Address+"\x00"+x.Reason] {
				t.Errorf("%s: %s lists %q twice", what, l.name, x.Address)
			}
			seen[x.Address+"\x00"+x.Reason] = true
		}
	}
}

// TestReportNamesCanonical: names in a report's rejected and review lists
// written in upper case or with a trailing dot are judged and written in
// canonical form, next to nothing else; the tool reads its own merge back,
// and diff never proposes a non-canonical name.
func TestReportNamesCanonical(t *testing.T) {
	dir := t.TempDir()
	base := tamperBase(t)
	ev := base["rejected"].([]any)[0].(map[string]any)["evidence"]
	var rejected []any
	for _, n := range nonCanonical {
		rejected = append(rejected, map[string]any{"address": n, "code": "untrusted", "reason": "x", "evidenceCount": 1, "evidence": ev})
	}
	base["rejected"] = rejected
	base["review"] = append(base["review"].([]any), map[string]any{"address": "AttackerEH.servicebus.windows.net.", "code": "registrable", "reason": "review", "row": "*eh.servicebus.windows.net", "evidenceCount": 1, "evidence": ev})
	rep := writeReportFile(t, dir, "r.json", base)
	out, errs, code := runScan(t, "-q", "-f", "json", rep)
	if code != exitOK {
		t.Fatalf("scan of the report: exit %d: %s", code, errs)
	}
	merged, err := catalog.DecodeReport([]byte(out))
	if err != nil {
		t.Fatalf("the tool refuses its own merge: %v", err)
	}
	canonicalOnly(t, "merge", merged)
	for _, f := range []string{"text", "edl", "squid", "csv"} {
		o, _, _ := runScan(t, "-q", "-f", f, rep)
		for _, n := range nonCanonical {
			if n != strings.ToLower(strings.TrimSuffix(n, ".")) && strings.Contains(o, n) {
				t.Errorf("-f %s writes %q as given", f, n)
			}
		}
	}
	again := filepath.Join(dir, "merged.json")
	os.WriteFile(again, []byte(out), 0o644)
	out2, errs, code := runScan(t, "-q", "-f", "json", again)
	if code != exitOK {
		t.Fatalf("scan of the merge: exit %d: %s", code, errs)
	}
	if strings.ReplaceAll(out2, "merged.json", "r.json") != out {
		t.Errorf("a merge scanned again differs from itself")
	}
	var d, errb bytes.Buffer
	run([]string{"diff", "-f", "json", writeReportFile(t, dir, "old.json", tamperBase(t)), rep}, &d, &errb)
	for _, n := range nonCanonical {
		if n != strings.ToLower(strings.TrimSuffix(n, ".")) && strings.Contains(d.String(), `"`+n+`"`) {
			t.Errorf("diff names %q as given: %s", n, d.String())
		}
	}
	var any map[string]any
	if err := json.Unmarshal(d.Bytes(), &any); err != nil {
		t.Errorf("diff -f json: %v: %s", err, errb.String())
	}
}
