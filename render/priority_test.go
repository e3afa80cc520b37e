package render

import (
	"testing"

	"github.com/avdurls/avdurls/catalog"
)

// TestPrioritiesStable checks that a region's rule collection group keeps
// its priority whatever other regions a run holds (its slot in the region
// index, not its place in the run), in one file and in --output-dir alike,
// and that no two regions share one.
func TestPrioritiesStable(t *testing.T) {
	rep := fixedReport(t, "report") // eastus2, westeurope
	o := Options{Priority: 1000, NamePrefix: "avd", Sources: []string{"10.0.0.0/8"}}
	prio := func(rep catalog.Report, o Options) map[string]int {
		m := map[string]int{}
		for _, g := range firewallGroups(rep, o) {
			m[g.Region] = g.Priority
		}
		return m
	}
	both := prio(rep, o)
	onlyWEU := rep
	onlyWEU.Regions = rep.Regions[1:]
	alone := prio(onlyWEU, o)
	if both["westeurope"] != alone["westeurope"] || both["westeurope"] == both["eastus2"] {
		t.Errorf("westeurope: %d with eastus2, %d alone; eastus2 %d: want one fixed priority per region", both["westeurope"], alone["westeurope"], both["eastus2"])
	}
	for i := range rep.Regions {
		one := Region(rep, i)
		if got := prio(one, o.Region(unlistedRegions(rep)))[rep.Regions[i].Region]; got != both[rep.Regions[i].Region] {
			t.Errorf("%s: %d in its --output-dir file, %d in one file", rep.Regions[i].Region, got, both[rep.Regions[i].Region])
		}
	}
	// Every region of every cloud, and "unknown", gets its own priority.
	seen := map[int]string{}
	for _, c := range catalog.Clouds() {
		for _, r := range append(catalog.Regions(c), catalog.RegionInfo{Name: catalog.UnknownRegion}) {
			p := o.RegionPriority(catalog.Report{}, r.Name)
			if other, dup := seen[p]; dup && other != r.Name {
				t.Errorf("%s and %s share priority %d", r.Name, other, p)
			}
			seen[p] = r.Name
		}
	}
	// Regions the index lacks come after it, in name order, apart.
	extra := catalog.Report{Regions: []catalog.Region{{Region: "westeurope"}, {Region: "zzznewregion"}, {Region: "aaanewregion"}}}
	a, z := o.RegionPriority(extra, "aaanewregion"), o.RegionPriority(extra, "zzznewregion")
	if a != 1000+10*catalog.RegionSlots() || z != a+10 {
		t.Errorf("unlisted regions: %d, %d; want %d and 10 more", a, z, 1000+10*catalog.RegionSlots())
	}
	if err := (Options{Priority: maxPriority() + 1, NamePrefix: "avd"}).Check(); err == nil {
		t.Error("a priority that leaves no room for the index is accepted")
	}
}
