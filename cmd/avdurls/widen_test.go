package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/catalog"
)

// widenNames are names a report can list as rejected that only a wider
// judgement would allow: an optional row, a client-only row, a name under
// a suffix only the report trusts, a name only a secondary catalog
// version has, a registrable name and a deprecated one.
var widenNames = []string{"login.windows.net", "v10.events.data.microsoft.com", "go.microsoft.com", "x.example.net", "x.windows.static.microsoft",
	"attackereh.servicebus.windows.net", "kms.core.windows.net"}

// widenBase is the tampered-report base with widenNames rejected.
func widenBase(t *testing.T) map[string]any {
	base := tamperBase(t)
	ev := base["rejected"].([]any)[0].(map[string]any)["evidence"]
	var rejected []any
	for _, n := range widenNames {
		rejected = append(rejected, map[string]any{"address": n, "code": "untrusted", "reason": "x", "evidenceCount": 1, "evidence": ev})
	}
	base["rejected"] = rejected
	return base
}

// allowedSet is every region/address/port/protocol a report allows.
func allowedSet(t *testing.T, out string) []string {
	t.Helper()
	rep, err := catalog.DecodeReport([]byte(out))
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	var s []string
	for _, r := range rep.Regions {
		for _, e := range slices.Concat(r.Entries, r.IPRules) {
			s = append(s, entryKey(r.Region, e))
		}
		for _, w := range r.Wildcards {
			s = append(s, r.Region+" wildcard "+w.Address)
		}
	}
	slices.Sort(s)
	return s
}

func entryKey(region string, e catalog.Entry) string {
	return strings.Join([]string{region, e.Address, e.Protocol}, " ")
}

// diffWarns is what diff says of a report made with wider options.
var diffWarns = map[string]string{
	"optional":              "NEW was made with --optional, judged without it",
	"scope":                 "NEW is a report of scope client, judged with scope sessionhost",
	"trustSuffixes":         "NEW trusted suffixes this run does not (example.net, static.microsoft)",
	"catalog":               "catalog 2025-late, a secondary version",
	"catalog-primary-claim": "catalog 2025-late, a secondary version",
}

// TestDiffOwnOptionsWiden: what diff's own options admit, it proposes.
func TestDiffOwnOptionsWiden(t *testing.T) {
	dir := t.TempDir()
	base := widenBase(t)
	old := writeReportFile(t, dir, "old.json", tamperBase(t))
	p := writeReportFile(t, dir, "new.json", base)
	for _, tc := range []struct{ flag, name string }{{"--optional", "v10.events.data.microsoft.com"}, {"--trust-suffix=example.net", "x.example.net"},
		{"--catalog-version=2025-late", "x.windows.static.microsoft"}} {
		var d, errb bytes.Buffer
		if code := run([]string{"diff", "-f", "json", tc.flag, old, p}, &d, &errb); code != exitChanged {
			t.Errorf("diff %s: exit %d, want 4: %s", tc.flag, code, errb.String())
		}
		if !strings.Contains(d.String(), `"address": "`+tc.name+`"`) {
			t.Errorf("diff %s does not propose %s", tc.flag, tc.name)
		}
	}
}

// TestReportFieldsNeverWiden: nothing a report says widens what diff or
// scan allow: optional, scope, trust suffixes, a secondary catalog
// version, wildcards or claimed catalog rows of its own. Each field is set
// on a report whose rejected names only such a field would admit; scan
// allows exactly what it allows from the untouched report, and diff of the
// untouched report against it proposes nothing to add.
func TestReportFieldsNeverWiden(t *testing.T) {
	dir := t.TempDir()
	base := widenBase(t)
	basePath := writeReportFile(t, dir, "base.json", base)
	out, errs, code := runScan(t, "-q", "-f", "json", basePath)
	if code != exitOK {
		t.Fatalf("scan of the base: exit %d: %s", code, errs)
	}
	want := allowedSet(t, out)
	edits := map[string]func(m map[string]any){
		"optional":      func(m map[string]any) { m["optional"] = true },
		"scope":         func(m map[string]any) { m["scope"] = "client" },
		"trustSuffixes": func(m map[string]any) { m["trustSuffixes"] = []any{"example.net", "static.microsoft"} },
		"catalog": func(m map[string]any) {
			m["catalog"] = map[string]any{"version": "2025-late", "sourceDate": "2025-10-01", "confidence": "secondary", "source": "x"}
		},
		"catalog-primary-claim": func(m map[string]any) {
			m["catalog"] = map[string]any{"version": "2025-late", "sourceDate": "2025-10-01", "confidence": "primary", "source": "x"}
		},
		"wildcards": func(m map[string]any) {
			reg := m["regions"].([]any)[0].(map[string]any)
			reg["wildcards"] = append(reg["wildcards"].([]any), map[string]any{"address": "*.example.org", "port": 443, "protocol": "TCP",
				"policy": "service", "purpose": "x", "reason": "x", "observed": 1})
		},
		"review-code": func(m map[string]any) {
			for _, x := range m["rejected"].([]any) {
				x.(map[string]any)["code"] = "registrable"
			}
		},
	}
	for name, edit := range edits {
		m := setPath(base, nil, "").(map[string]any)
		edit(m)
		p := writeReportFile(t, dir, name+".json", m)
		out, errs, code := runScan(t, "-q", "-f", "json", p)
		if code == exitOK {
			if got := allowedSet(t, out); !slices.Equal(got, want) {
				t.Errorf("%s: scan allows %v, want %v", name, got, want)
			}
		} else if code != exitError {
			t.Errorf("%s: scan exit %d: %s", name, code, errs)
		}
		var d, errb bytes.Buffer
		code = run([]string{"diff", "-f", "json", basePath, p}, &d, &errb)
		if why, ok := diffWarns[name]; ok && !strings.Contains(errb.String(), why) {
			t.Errorf("%s: diff does not say %q: %s", name, why, errb.String())
		}
		if code == exitError {
			if !strings.HasPrefix(name, "catalog") {
				t.Errorf("%s: diff refuses the report: %s", name, errb.String())
			}
			continue // refused, with a reason
		}
		var rd catalog.ReportDiff
		if err := json.Unmarshal(d.Bytes(), &rd); err != nil {
			t.Fatalf("%s: diff: exit %d: %v: %s", name, code, err, errb.String())
		}
		for _, r := range rd.Regions {
			for _, e := range r.Add {
				t.Errorf("%s: diff proposes adding %s", name, entryKey(r.Region, e))
			}
		}
	}
}
