package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/render"
)

var update = flag.Bool("update", false, "rewrite the render fixtures of the samples")

// sampleArgs scan the shipped sample exports.
var sampleArgs = []string{filepath.Join("..", "..", "testdata", "exports"), "--region-map", filepath.Join("..", "..", "testdata", "hosts.csv"),
	"--source", "10.10.0.0/24", "--source", "10.20.0.0/24"}

func sampleOut(t *testing.T, format string, extra ...string) []byte {
	t.Helper()
	out, errs, code := runScan(t, append(append([]string{"-q", "-f", format}, extra...), sampleArgs...)...)
	if code != exitOK {
		t.Fatalf("%s: exit %d: %s", format, code, errs)
	}
	return []byte(out)
}

// allowed returns every address of the JSON report per region, the
// carried wildcards included; for a firewall, without the platform
// addresses no firewall rule governs.
func allowed(t *testing.T, firewall bool) map[string][]string {
	var rep catalog.Report
	if err := json.Unmarshal(sampleOut(t, "json"), &rep); err != nil {
		t.Fatal(err)
	}
	m := map[string][]string{}
	for _, r := range rep.Regions {
		for _, e := range append(r.Entries, r.IPRules...) {
			if !firewall || !in(e.Address, render.PlatformAddresses) {
				m[r.Region] = append(m[r.Region], e.Address)
			}
		}
		for _, w := range r.Wildcards {
			m[r.Region] = append(m[r.Region], w.Address)
		}
		slices.Sort(m[r.Region])
		m[r.Region] = slices.Compact(m[r.Region])
	}
	return m
}

func in[T comparable](v T, set []T) bool { return slices.Contains(set, v) }

// sdkGroup decodes a rule collection group's properties into the Azure
// SDK's type and refuses any field the SDK does not know: encoded again by
// the SDK, the properties must equal the input (a field the SDK dropped, or
// one of another type, would differ).
func sdkGroup(t *testing.T, name string, raw json.RawMessage) armnetwork.FirewallPolicyRuleCollectionGroupProperties {
	t.Helper()
	var props armnetwork.FirewallPolicyRuleCollectionGroupProperties
	if err := json.Unmarshal(raw, &props); err != nil {
		t.Fatalf("SDK cannot decode %s: %v", name, err)
	}
	again, err := json.Marshal(props)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if json.Unmarshal(raw, &a) != nil || json.Unmarshal(again, &b) != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("%s: fields the SDK does not know, or of another type:\nours: %s\nSDK:  %s", name, raw, again)
	}
	return props
}

// TestARMDecodesIntoSDK decodes the ARM output into the Azure SDK's own
// network types, checks every enum against the SDK's values, and checks
// the rules hold exactly the allowlist.
func TestARMDecodesIntoSDK(t *testing.T) {
	var tmpl struct {
		Schema    string `json:"$schema"`
		Resources []struct {
			Type       string          `json:"type"`
			APIVersion string          `json:"apiVersion"`
			Name       string          `json:"name"`
			Properties json.RawMessage `json:"properties"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(sampleOut(t, "azfw-arm"), &tmpl); err != nil {
		t.Fatal(err)
	}
	want := allowed(t, true)
	if len(tmpl.Resources) != len(want) {
		t.Fatalf("%d rule collection groups, want one per region (%d)", len(tmpl.Resources), len(want))
	}
	priorities := map[int32]bool{}
	for _, res := range tmpl.Resources {
		if res.Type != "Microsoft.Network/firewallPolicies/ruleCollectionGroups" {
			t.Errorf("resource type %q", res.Type)
		}
		props := sdkGroup(t, res.Name, res.Properties)
		if props.Priority == nil || *props.Priority < 100 || *props.Priority > 65000 || priorities[*props.Priority] {
			t.Errorf("%s: priority %v not unique in 100-65000", res.Name, props.Priority)
		}
		priorities[*props.Priority] = true
		var got, tags []string
		region := ""
		for _, rc := range props.RuleCollections {
			base := rc.GetFirewallPolicyRuleCollection()
			if !in(*base.RuleCollectionType, armnetwork.PossibleFirewallPolicyRuleCollectionTypeValues()) {
				t.Errorf("rule collection type %q", *base.RuleCollectionType)
			}
			fc, ok := rc.(*armnetwork.FirewallPolicyFilterRuleCollection)
			if !ok {
				t.Fatalf("collection %s is %T", *base.Name, rc)
			}
			region = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(*fc.Name, "avd-"), "-app"), "-net")
			if !in(*fc.Action.Type, armnetwork.PossibleFirewallPolicyFilterRuleCollectionActionTypeValues()) {
				t.Errorf("action %q", *fc.Action.Type)
			}
			for _, rule := range fc.Rules {
				if rt := *rule.GetFirewallPolicyRule().RuleType; !in(rt, armnetwork.PossibleFirewallPolicyRuleTypeValues()) {
					t.Errorf("rule type %q", rt)
				}
				switch r := rule.(type) {
				case *armnetwork.ApplicationRule:
					for _, p := range r.Protocols {
						if !in(*p.ProtocolType, armnetwork.PossibleFirewallPolicyRuleApplicationProtocolTypeValues()) || (*p.Port != 443 && *p.Port != 80) {
							t.Errorf("application protocol %q:%d", *p.ProtocolType, *p.Port)
						}
					}
					for _, f := range r.TargetFqdns {
						got = append(got, *f)
					}
					for _, f := range r.FqdnTags {
						tags = append(tags, "fqdntag:"+*f)
					}
					if len(r.SourceAddresses) != 2 {
						t.Errorf("rule %s has sources %v", *r.Name, r.SourceAddresses)
					}
				case *armnetwork.Rule:
					for _, p := range r.IPProtocols {
						if !in(*p, armnetwork.PossibleFirewallPolicyRuleNetworkProtocolValues()) {
							t.Errorf("network protocol %q", *p)
						}
					}
					for _, f := range append(r.DestinationFqdns, r.DestinationAddresses...) {
						if strings.HasPrefix(*r.Name, "tag-") {
							tags = append(tags, "servicetag:"+*f)
						} else {
							got = append(got, *f)
						}
					}
				default:
					t.Errorf("rule %T", rule)
				}
			}
		}
		slices.Sort(got)
		if !slices.Equal(slices.Compact(got), want[region]) {
			t.Errorf("region %s: ARM rules hold %v, want %v", region, got, want[region])
		}
		// *.wvd.microsoft.com is carried as a wildcard target FQDN (in
		// got above), so no whole-tag rule is needed.
		if len(tags) != 0 {
			t.Errorf("region %s: tag rules %v, want none (every wildcard carried or replaced)", region, tags)
		}
	}
}

// TestTerraformParsesWithHCL parses the Terraform output with HashiCorp's
// HCL parser and checks the destinations hold exactly the allowlist.
func TestTerraformParsesWithHCL(t *testing.T) {
	src := sampleOut(t, "terraform")
	f, diags := hclsyntax.ParseConfig(src, "avd.tf", hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		t.Fatalf("HCL: %s", diags.Error())
	}
	want := allowed(t, true)
	groups := 0
	for _, blk := range f.Body.(*hclsyntax.Body).Blocks {
		if blk.Type != "resource" {
			continue
		}
		if blk.Labels[0] != "azurerm_firewall_policy_rule_collection_group" {
			t.Errorf("resource %q", blk.Labels[0])
		}
		groups++
		name, _ := blk.Body.Attributes["name"].Expr.Value(nil)
		region := strings.TrimPrefix(name.AsString(), "avd-")
		var got []string
		for _, coll := range blk.Body.Blocks {
			if coll.Type != "application_rule_collection" && coll.Type != "network_rule_collection" {
				t.Errorf("block %q", coll.Type)
			}
			for _, rule := range coll.Body.Blocks {
				if n, _ := rule.Body.Attributes["name"].Expr.Value(nil); strings.HasPrefix(n.AsString(), "tag-") {
					continue // a service tag rule for an unresolved row
				}
				for _, attr := range []string{"destination_fqdns", "destination_addresses"} {
					a, ok := rule.Body.Attributes[attr]
					if !ok {
						continue
					}
					v, d := a.Expr.Value(nil)
					if d.HasErrors() {
						t.Fatal(d.Error())
					}
					for _, e := range v.AsValueSlice() {
						got = append(got, e.AsString())
					}
				}
			}
		}
		slices.Sort(got)
		if !slices.Equal(slices.Compact(got), want[region]) {
			t.Errorf("region %s: Terraform rules hold %v, want %v", region, got, want[region])
		}
	}
	if groups != len(want) {
		t.Errorf("%d groups, want %d", groups, len(want))
	}
}

// TestCSVReadsBack reads the change-ticket sheet with encoding/csv.
func TestCSVReadsBack(t *testing.T) {
	recs, err := csv.NewReader(bytes.NewReader(sampleOut(t, "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := allowed(t, false)
	n := 0
	for _, a := range want {
		n += len(a)
	}
	var header bytes.Buffer
	if err := render.Write(&header, "csv", catalog.Report{}, render.Options{}); err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 < n || !slices.Equal(recs[0], strings.Split(strings.TrimSpace(header.String()), ",")) {
		t.Errorf("%d rows for %d addresses; header %v", len(recs)-1, n, recs[0])
	}
	for _, r := range recs[1:] {
		if r[8] == "unresolved" {
			t.Errorf("unresolved row %v: every wildcard of the samples is carried or replaced", r)
			continue
		}
		if r[8] == "wildcard" && (r[1] != "*.wvd.microsoft.com" || r[14] == "") {
			t.Errorf("wildcard row %v, want *.wvd.microsoft.com and why", r)
		}
		if !in(r[1], want[r[0]]) {
			t.Errorf("row %v not in the allowlist of %s", r, r[0])
		}
	}
}

// TestSamplesAreRenderFixtures: the JSON report of the samples, as the
// command writes it, is the fixed report the render package's golden
// files are made from (render/testdata/report.json, and with the
// 2025-late catalog report-2025-late.json), so those golden files are the
// command's output (go test ./cmd/avdurls -run Fixtures -update rewrites
// the fixtures).
func TestSamplesAreRenderFixtures(t *testing.T) {
	for name, extra := range map[string][]string{"report": nil, "report-2025-late": {"--catalog-version", "2025-late"}} {
		got := sampleOut(t, "json", extra...)
		path := filepath.Join("..", "..", "render", "testdata", name+".json")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("the samples' report differs from %s (run with -update after checking the change)", path)
		}
	}
}

type namedFile struct {
	name string
	text []byte
}

// sampleFiles scans the samples with --output-dir and returns the files
// written, in name order, each checked as its product reads it.
func sampleFiles(t *testing.T, format string, extra ...string) []namedFile {
	t.Helper()
	dir := t.TempDir()
	_, errs, code := runScan(t, append(append([]string{"-q", "-f", format, "--output-dir", dir}, extra...), sampleArgs...)...)
	if code != exitOK {
		t.Fatalf("%s --output-dir: exit %d: %s", format, code, errs)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []namedFile
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		checkFormat(t, format, b)
		files = append(files, namedFile{e.Name(), b})
	}
	return files
}

// TestOutputDir writes one file per region, atomically, and lists them.
func TestOutputDir(t *testing.T) {
	dir := t.TempDir()
	_, errs, code := runScan(t, append([]string{"-f", "edl", "--output-dir", dir}, sampleArgs...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, r := range []string{"eastus2", "westeurope"} {
		path := filepath.Join(dir, r+".edl")
		b, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(b, []byte(r+"-shared.prod.warm.ingest.monitor.core.windows.net")) {
			t.Errorf("%s: %v, %q", path, err, b)
		}
		if !strings.Contains(errs, "wrote "+path) {
			t.Errorf("stderr does not list %s: %s", path, errs)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d files in the output folder, want 2 (no temporary files left)", len(entries))
	}
}
