package catalog

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/discover"
)

func finding(host, computer string, status discover.Status, rec uint64) discover.Finding {
	return discover.Finding{Host: host, Evidence: discover.Evidence{Computer: computer, File: computer + ".evtx",
		RecordID: rec, EventID: 3701, Time: time.Date(2025, 1, 1, 0, 0, int(rec), 0, time.UTC), Status: status}}
}

func addresses(es []Entry) []string {
	var a []string
	for _, e := range es {
		a = append(a, e.Address)
	}
	return a
}

func entry(r Region, addr string) (Entry, bool) {
	for _, e := range r.Entries {
		if e.Address == addr {
			return e, true
		}
	}
	return Entry{}, false
}

func TestBuild(t *testing.T) {
	v, err := Default().Version("2024-06-26")
	if err != nil {
		t.Fatal(err)
	}
	obs := map[string]*Observation{
		"h1.contoso.local": {Events: 2, Findings: []discover.Finding{
			finding("eastus2-shared.prod.warm.ingest.monitor.core.windows.net", "h1.contoso.local", discover.Reachable, 1),
			finding("rdgateway-c100-eus2-r1.wvd.microsoft.com", "h1.contoso.local", discover.Reachable, 1),
			finding("rdgateway-c100-eus2-r1.wvd.microsoft.com", "h1.contoso.local", discover.Unreachable, 2),
			finding("gcs.prod.monitoring.core.windows.net", "h1.contoso.local", discover.Reachable, 1),
			finding("wvd.microsoft.com.evil.example", "h1.contoso.local", discover.Reachable, 1),
			finding("production.diagnostics.monitoring.core.windows.net", "h1.contoso.local", discover.Reachable, 1),
		}, Rejects: []discover.Reject{{Value: "10.0.0.1", Reason: "IP address literal, not a host name"}},
			// A later check that no longer lists the deprecated name.
			Newest: time.Date(2025, 1, 1, 1, 0, 0, 0, time.UTC)},
		"h2": {Events: 1, Findings: []discover.Finding{
			finding("westeurope-shared.prod.warm.ingest.monitor.core.windows.net", "h2", discover.Reachable, 5),
		}},
		"h3": {Events: 1},
	}
	rep := v.Build(obs, BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost})
	var names []string
	for _, r := range rep.Regions {
		names = append(names, r.Region)
	}
	if want := []string{"eastus2", "westeurope", "unknown"}; !slices.Equal(names, want) {
		t.Fatalf("regions = %v, want %v (inferred, unknown last)", names, want)
	}
	eus := rep.Regions[0]
	gw, ok := entry(eus, "rdgateway-c100-eus2-r1.wvd.microsoft.com")
	if !ok || gw.Source != "event" || gw.Replaces != "*.wvd.microsoft.com" || !gw.ObservedOnly || gw.Status.String() != "reachable,unreachable" || gw.EvidenceCount != 2 {
		t.Errorf("gateway entry = %+v, want an observed-only event entry replacing *.wvd.microsoft.com, seen twice, both statuses", gw)
	}
	gcs, _ := entry(eus, "gcs.prod.monitoring.core.windows.net")
	if gcs.Source != "catalog" || gcs.EvidenceCount != 1 {
		t.Errorf("exact catalog host seen in events = %+v, want source catalog with its evidence", gcs)
	}
	for _, r := range rep.Regions {
		for _, e := range r.Entries {
			if strings.Contains(e.Address, "*") || strings.Contains(e.Address, "evil") || strings.HasPrefix(e.Address, "production.") {
				t.Errorf("region %s lists %q", r.Region, e.Address)
			}
		}
		for _, e := range r.IPRules {
			if e.Kind != "ip" && e.Kind != "cidr" {
				t.Errorf("IP rule %+v has kind %q", e, e.Kind)
			}
		}
	}
	if got := addresses(eus.IPRules); !slices.Equal(got, []string{"168.63.129.16", "169.254.169.254"}) {
		t.Errorf("IP rules = %v", got)
	}
	if len(eus.Unresolved) != 0 || len(eus.Wildcards) != 1 || eus.Wildcards[0].Address != "*.wvd.microsoft.com" || eus.Wildcards[0].Policy != WildcardService {
		t.Errorf("eastus2 unresolved %+v, wildcards %+v; want the service-traffic wildcard carried, the ingest wildcard replaced", eus.Unresolved, eus.Wildcards)
	}
	unk := rep.Regions[2]
	if len(unk.Unresolved) != 1 || unk.Unresolved[0].Address != "*.prod.warm.ingest.monitor.core.windows.net" || len(unk.Wildcards) != 1 {
		t.Errorf("unknown region unresolved = %+v, wildcards %+v; want the ingest wildcard unresolved, the service wildcard carried", unk.Unresolved, unk.Wildcards)
	}
	if len(rep.Rejected) != 2 || rep.Rejected[0].Address != "10.0.0.1" || rep.Rejected[1].Address != "wvd.microsoft.com.evil.example" {
		t.Errorf("rejected = %+v", rep.Rejected)
	}
	if len(rep.Deprecated) != 1 || !strings.Contains(rep.Deprecated[0].Reason, "remove") {
		t.Errorf("deprecated = %+v", rep.Deprecated)
	}
	// --include-deprecated and --trust-suffix change exactly that.
	rep2 := v.Build(obs, BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost, IncludeDeprecated: true,
		TrustSuffixes: []string{"evil.example"}, RegionMap: RegionTable{"h1": "centralus"}})
	if len(rep2.Deprecated) != 0 || len(rep2.Rejected) != 1 {
		t.Errorf("with --include-deprecated --trust-suffix: deprecated %v, rejected %v", rep2.Deprecated, rep2.Rejected)
	}
	if rep2.Hosts[0].Region != "centralus" || !strings.Contains(rep2.Hosts[0].RegionBasis, "short name") {
		t.Errorf("host h1 by short name: %+v", rep2.Hosts[0])
	}
	// --region puts everyone in one region.
	rep3 := v.Build(obs, BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost, Region: "eastus"})
	if len(rep3.Regions) != 1 || rep3.Regions[0].Region != "eastus" {
		t.Errorf("--region: regions %+v", rep3.Regions)
	}
}

// TestBuildTrustAcrossClouds: a public-cloud name is not trusted for usgov.
func TestBuildTrustAcrossClouds(t *testing.T) {
	v := Default().Newest()
	obs := map[string]*Observation{"h": {Findings: []discover.Finding{
		finding("rdgateway-c100-eus2-r1.wvd.microsoft.com", "h", discover.Reachable, 1),
		finding("rdgateway-c100-usgv-r1.wvd.azure.us", "h", discover.Reachable, 2),
	}}}
	rep := v.Build(obs, BuildOptions{Cloud: CloudUSGov, Scope: ScopeSessionHost, Region: "usgovvirginia"})
	if got := addresses(rep.Regions[0].Entries); !slices.Contains(got, "rdgateway-c100-usgv-r1.wvd.azure.us") || slices.Contains(got, "rdgateway-c100-eus2-r1.wvd.microsoft.com") {
		t.Errorf("usgov entries = %v", got)
	}
	if len(rep.Rejected) != 1 || rep.Rejected[0].Address != "rdgateway-c100-eus2-r1.wvd.microsoft.com" {
		t.Errorf("usgov rejected = %+v", rep.Rejected)
	}
}

// TestBuildDeterministic: the order of findings does not change the report.
func TestBuildDeterministic(t *testing.T) {
	v := Default().Newest()
	var fs []discover.Finding
	for i := 0; i < 50; i++ {
		fs = append(fs, finding("rdgateway-c100-eus2-r1.wvd.microsoft.com", "h", discover.Reachable, uint64(i)))
	}
	a := v.Build(map[string]*Observation{"h": {Findings: slices.Clone(fs)}}, BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost})
	slices.Reverse(fs)
	b := v.Build(map[string]*Observation{"h": {Findings: fs}}, BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost})
	ea, _ := entry(a.Regions[0], "rdgateway-c100-eus2-r1.wvd.microsoft.com")
	eb, _ := entry(b.Regions[0], "rdgateway-c100-eus2-r1.wvd.microsoft.com")
	if len(ea.Evidence) != 2*evidenceEnds || !slices.Equal(ea.Evidence, eb.Evidence) || ea.EvidenceCount != 50 {
		t.Errorf("evidence differs with input order or is not capped: %d vs %d items", len(ea.Evidence), len(eb.Evidence))
	}
}

// BenchmarkBuild merges the findings of 100 hosts with 200 events each.
func BenchmarkBuild(b *testing.B) {
	v := Default().Newest()
	hosts := []string{"eastus2-shared.prod.warm.ingest.monitor.core.windows.net", "qos.prod.warm.ingest.monitor.core.windows.net",
		"rdgateway-c100-eus2-r1.wvd.microsoft.com", "gcs.prod.monitoring.core.windows.net", "mrsglobalsteus2prod.blob.core.windows.net",
		"wvd.microsoft.com.evil.example"}
	obs := map[string]*Observation{}
	for h := 0; h < 100; h++ {
		ob := &Observation{}
		computer := fmt.Sprintf("avd-%d", h)
		for e := 0; e < 200; e++ {
			for _, name := range hosts {
				ob.Findings = append(ob.Findings, finding(name, computer, discover.Reachable, uint64(e)))
			}
		}
		obs[computer] = ob
	}
	b.ReportAllocs()
	for b.Loop() {
		v.Build(obs, BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost})
	}
}

// TestDeprecatedEvidence checks that evidence decides "remove": a name under
// a deprecated row that a host's newest URL check still lists stays in its
// region's allowlist, flagged, with how many hosts still check it; a name
// only earlier checks listed goes to deprecated[]; a registrable one goes to
// review however new its evidence; each cloud's legacy rows are its own.
func TestDeprecatedEvidence(t *testing.T) {
	v := Default().Newest()
	at := func(min int) time.Time { return time.Date(2026, 11, 1, 10, min, 0, 0, time.UTC) }
	seen := func(host, computer string, min int) discover.Finding {
		return discover.Finding{Host: host, Evidence: discover.Evidence{Computer: computer, RecordID: uint64(min + 1), EventID: 3701, Time: at(min), Status: discover.Reachable}}
	}
	const diag = "production.diagnostics.monitoring.core.windows.net"
	obs := map[string]*Observation{
		// Lists the name in its newest check (its 3702 a minute later).
		"a": {Events: 2, Newest: at(31), Findings: []discover.Finding{seen(diag, "a", 30), seen("gsm123xt.blob.core.windows.net", "a", 30)}},
		// Listed it at 10:00; its newest check, at 10:30, does not.
		"b": {Events: 2, Newest: at(30), Findings: []discover.Finding{seen(diag, "b", 0), seen("gsm456xt.blob.core.windows.net", "b", 0)}},
		// Lists it in its newest check too.
		"c": {Events: 1, Newest: at(30), Findings: []discover.Finding{seen(diag, "c", 30)}},
	}
	rep := v.Build(obs, BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost, Region: "eastus2"})
	e, ok := entry(rep.Regions[0], diag)
	if !ok || !e.Deprecated || !slices.Equal(e.CheckedBy, []string{"a", "c"}) {
		t.Errorf("%s: entry %+v (listed %v), want it kept, flagged deprecated, still checked by 2 hosts", diag, e, ok)
	}
	var dep, review []string
	for _, x := range rep.Deprecated {
		dep = append(dep, x.Address+" "+string(x.Code))
		if !strings.Contains(x.Reason, "remove it from the firewall") {
			t.Errorf("deprecated %s: reason %q", x.Address, x.Reason)
		}
	}
	for _, x := range rep.Review {
		review = append(review, x.Address)
	}
	// Registrable names under deprecated rows are never allowed on an
	// event's word, however new: "remove", judged the same in every part
	// of a fleet's reports.
	if want := []string{"gsm123xt.blob.core.windows.net legacy-agent-host", "gsm456xt.blob.core.windows.net legacy-agent-host"}; !slices.Equal(dep, want) {
		t.Errorf("deprecated = %v, want %v (the still-checked production name is not told to be removed)", dep, want)
	}
	if len(review) != 0 {
		t.Errorf("review = %v, want none", review)
	}

	// Only an older check lists it: remove.
	old := map[string]*Observation{"b": obs["b"]}
	rep = v.Build(old, BuildOptions{Cloud: CloudPublic, Scope: ScopeSessionHost, Region: "eastus2"})
	if _, ok := entry(rep.Regions[0], diag); ok {
		t.Errorf("%s allowed though no host's newest check lists it", diag)
	}
	if len(rep.Deprecated) != 2 || rep.Deprecated[1].Address != diag {
		t.Errorf("deprecated = %+v, want %s among them", rep.Deprecated, diag)
	}

	// Azure China still lists the per-deployment storage rows: names under
	// them are registrable (review), never "retired: remove".
	cn := map[string]*Observation{"z": {Events: 1, Newest: at(0), Findings: []discover.Finding{seen("gsm789xt.blob.core.chinacloudapi.cn", "z", 0)}}}
	rep = v.Build(cn, BuildOptions{Cloud: CloudChina, Scope: ScopeSessionHost, Region: "chinanorth3"})
	if len(rep.Deprecated) != 0 || len(rep.Review) != 1 || strings.Contains(rep.Review[0].Reason, "no longer") {
		t.Errorf("china: deprecated %+v, review %+v; want review under the required row", rep.Deprecated, rep.Review)
	}
	// US Government's deprecated rows are its own.
	gov := map[string]*Observation{"g": {Events: 1, Newest: at(0), Findings: []discover.Finding{seen("monitoring.core.usgovcloudapi.net", "g", 0)}}}
	rep = v.Build(gov, BuildOptions{Cloud: CloudUSGov, Scope: ScopeSessionHost, Region: "usgovvirginia"})
	if e, ok := entry(rep.Regions[0], "monitoring.core.usgovcloudapi.net"); !ok || !e.Deprecated || len(e.CheckedBy) != 1 {
		t.Errorf("usgov: entry %+v (%v), want kept and flagged", e, ok)
	}
}
