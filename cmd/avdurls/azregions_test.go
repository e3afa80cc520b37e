package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/internal/azregions/argtest"
	"github.com/avdurls/avdurls/scan"
	"github.com/avdurls/avdurls/workspace/workspacetest"
)

const sub1, sub2 = "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"

// vmID is the resource ID fleetEvents gives host i's rows.
func vmID(i int) string {
	return fmt.Sprintf("/subscriptions/%s/resourcegroups/rg-avd/providers/microsoft.compute/virtualmachines/avd-%03d", sub1, i)
}

// fleetVMs are the machines the fake Resource Graph knows for six hosts:
// 0-3 by the resource IDs of their rows, 4 only by computer name (a
// scale set instance), 5 by a name two subscriptions hold (ambiguous).
func fleetVMs() []scan.AzureVM {
	var vms []scan.AzureVM
	for i := range 4 {
		vms = append(vms, scan.AzureVM{ID: vmID(i), Name: fmt.Sprintf("avd-%03d", i), Location: "westus3", Subscription: sub1})
	}
	vms = append(vms,
		scan.AzureVM{ID: "/subscriptions/" + sub1 + "/resourcegroups/rg/providers/microsoft.compute/virtualmachinescalesets/ss/virtualmachines/4",
			Name: "avd-004", Location: "northeurope", Subscription: sub1},
		scan.AzureVM{ID: "/subscriptions/" + sub1 + "/resourcegroups/a/providers/microsoft.hybridcompute/machines/avd-005", Name: "avd-005", Location: "eastus", Subscription: sub1},
		scan.AzureVM{ID: "/subscriptions/" + sub2 + "/resourcegroups/b/providers/microsoft.compute/virtualmachines/avd-005", Name: "avd-005", Location: "westus", Subscription: sub2},
		scan.AzureVM{ID: "/subscriptions/" + sub2 + "/resourcegroups/b/providers/microsoft.compute/virtualmachines/other", Name: "other", Location: "westus", Subscription: sub2})
	return vms
}

// hostsOf reads a JSON report's hosts by computer.
func hostsOf(t *testing.T, out string) map[string]catalog.Host {
	t.Helper()
	var rep catalog.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := map[string]catalog.Host{}
	for _, h := range rep.Hosts {
		m[h.Computer] = h
	}
	return m
}

// TestRegionsFromAzure: --regions-from-azure asks Resource Graph (a
// loopback fake reached through the SDK's cloud configuration) by the
// rows' resource IDs and by computer name, in pages; its regions come
// after --region-map (a disagreement warned) and before inference (a
// disagreement warned); a name of two subscriptions is ambiguous and
// said so; file scans match by computer name; a refused identity is a
// warning naming the Reader role.
func TestRegionsFromAzure(t *testing.T) {
	dir := t.TempDir()
	evs := fleetEvents(t, dir, 6)
	arg := &argtest.Fake{VMs: fleetVMs(), PageSize: 2}
	mapFile := filepath.Join(t.TempDir(), "map.csv")
	if err := os.WriteFile(mapFile, []byte("computer,region\navd-001,uksouth\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := fakeEnv(t, &workspacetest.Fake{Events: evs}, workspacetest.StaticCred{}, sampleNow)
	e.newRegions = func(string) (scan.RegionLookup, error) { return argtest.Lookup(t, arg, workspacetest.StaticCred{}) }
	out, errs, code := runScanIn(t, e, "-f", "json", "--workspace", testWorkspace, "--since", "30d", "--regions-from-azure", "--region-map", mapFile)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	hosts := hostsOf(t, out)
	want := map[string][2]string{
		"avd-000.contoso.local": {"westus3", "Azure Resource Graph (resource ID " + vmID(0) + ")"},
		"avd-001.contoso.local": {"uksouth", "region map"},
		"avd-003.contoso.local": {"westus3", "Azure Resource Graph (resource ID"},
		"avd-004.contoso.local": {"northeurope", "Azure Resource Graph (computer name avd-004)"},
		"avd-005.contoso.local": {"japaneast", "inferred from"},
	}
	for c, w := range want {
		if h := hosts[c]; h.Region != w[0] || !strings.HasPrefix(h.RegionBasis, w[1]) {
			t.Errorf("%s: region %q, basis %q; want %q, %q", c, h.Region, h.RegionBasis, w[0], w[1])
		}
	}
	for _, w := range []string{"host avd-001.contoso.local: the region map says uksouth, Azure Resource Graph",
		"the computer name avd-005 is 2 machines in Azure Resource Graph (subscriptions " + sub1 + ", " + sub2 + "): ambiguous",
		"host avd-000.contoso.local: its agent reports to the eastus2 monitoring region", "regions from Azure Resource Graph: 5 of 6 hosts"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	if len(arg.Queries()) < 4 { // two kinds of lookup, paged by two
		t.Errorf("%d queries: no paging", len(arg.Queries()))
	}
	// A file scan: by computer name.
	e.newRegions = func(string) (scan.RegionLookup, error) { return argtest.Lookup(t, arg, workspacetest.StaticCred{}) }
	out, errs, code = runScanIn(t, e, "-q", "-f", "json", "--regions-from-azure", dir)
	if code != exitOK {
		t.Fatalf("files: exit %d: %s", code, errs)
	}
	if h := hostsOf(t, out)["avd-002.contoso.local"]; h.Region != "westus3" || h.RegionBasis != "Azure Resource Graph (computer name avd-002)" {
		t.Errorf("files: %+v", h)
	}
	// No Reader role: a warning that says so; regions from the rest.
	denied := &argtest.Fake{Status: 403}
	e.newRegions = func(string) (scan.RegionLookup, error) { return argtest.Lookup(t, denied, workspacetest.StaticCred{}) }
	out, errs, code = runScanIn(t, e, "-f", "json", "--regions-from-azure", dir)
	if code != exitOK || !strings.Contains(errs, "Reader role") {
		t.Fatalf("denied: exit %d: %s", code, errs)
	}
	if h := hostsOf(t, out)["avd-002.contoso.local"]; !strings.HasPrefix(h.RegionBasis, "inferred") {
		t.Errorf("denied: %+v", h)
	}
}
