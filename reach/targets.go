package reach

import (
	"fmt"
	"slices"

	"github.com/avdurls/avdurls/catalog"
)

// Targets lists the entries of a report to check: for each region (only
// region, when not empty) its entries, its IP rules and its unresolved
// wildcard rows, which are listed as not checked. It fails when region is
// not in the report.
func Targets(rep catalog.Report, region string) ([]Target, error) {
	var ts []Target
	found := false
	for _, r := range rep.Regions {
		if region != "" && r.Region != region {
			continue
		}
		found = true
		for _, list := range [][]catalog.Entry{r.Entries, r.IPRules} {
			for _, e := range list {
				ts = append(ts, Target{Region: r.Region, Address: e.Address, Port: e.Port, Protocol: e.Protocol, Kind: e.Kind, Cloud: rep.Cloud, Scope: rep.Scope})
			}
		}
		for _, w := range r.Wildcards {
			ts = append(ts, Target{Region: r.Region, Address: w.Address, Port: w.Port, Protocol: w.Protocol, Kind: "wildcard", Cloud: rep.Cloud, Scope: rep.Scope})
		}
		for _, u := range r.Unresolved {
			ts = append(ts, Target{Region: r.Region, Address: u.Address, Port: u.Port, Protocol: u.Protocol, Kind: "wildcard", Cloud: rep.Cloud, Scope: rep.Scope})
		}
	}
	if region != "" && !found {
		var have []string
		for _, r := range rep.Regions {
			have = append(have, r.Region)
		}
		return nil, fmt.Errorf("region %s is not in the report (it has %v)", region, have)
	}
	return ts, nil
}

// ReportsTargets is the targets of several reports for one region, each
// once (reports of several hosts list the same entries); an error when no
// report holds the region.
func ReportsTargets(reps []catalog.Report, region string) ([]Target, error) {
	var all []Target
	inRegion := false
	for _, rep := range reps {
		ts, err := Targets(rep, region)
		if err == nil {
			inRegion = true
		}
		all = append(all, ts...)
	}
	if !inRegion {
		return nil, fmt.Errorf("no report holds region %s", region)
	}
	seen := map[Target]bool{}
	return slices.DeleteFunc(all, func(t Target) bool {
		if seen[t] {
			return true
		}
		seen[t] = true
		return false
	}), nil
}
