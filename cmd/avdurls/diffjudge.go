package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/catalog"
)

// Refused is an entry a report lists in an allowlist that avdurls, judging
// the report's evidence again, does not allow: diff never proposes it.
type Refused struct {
	Side     string `json:"side"` // "old" or "new"
	Region   string `json:"region"`
	Address  string `json:"address"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
	Reason   string `json:"reason"`
}

// judgeOptions are what diff judges reports with: its own catalog and
// trust flags, never the reports' own.
type judgeOptions struct {
	catalogFile, catVer string
	trust               []string
	inclDepr            bool
	registrable         bool
}

// rejudge builds a report's allowlists again from its evidence, as scan
// would from the same reports: every name is judged against the catalog
// version the report names (or --catalog/--catalog-version) with diff's
// own trust options. It returns the rebuilt report and what the original
// listed but the rebuilt one does not allow.
func rejudge(rep catalog.Report, path, side string, o judgeOptions) (catalog.Report, []Refused, error) {
	ver, err := judgeVersion(rep, o)
	if err != nil {
		return rep, nil, fmt.Errorf("%s: %w", path, err)
	}
	c := newCollector(rep.Cloud)
	if err := c.merge(rep, path); err != nil {
		return rep, nil, err
	}
	bo := catalog.BuildOptions{Cloud: rep.Cloud, Scope: rep.Scope, Optional: rep.Optional,
		IncludeDeprecated: o.inclDepr, TrustSuffixes: o.trust, AllowRegistrable: o.registrable}
	built := ver.Build(c.obs, bo)
	return built, refusedEntries(rep, built, side), nil
}

// judgeVersion picks the catalog version to judge a report with: the one
// the user names, else the built-in version the report names.
func judgeVersion(rep catalog.Report, o judgeOptions) (*catalog.Version, error) {
	if o.catalogFile != "" || o.catVer != "" {
		return loadCatalogVersion(o.catalogFile, o.catVer)
	}
	v, err := catalog.Default().Version(rep.Catalog.Version)
	if err != nil {
		return nil, fmt.Errorf("report was built from catalog %s, which this avdurls does not hold; give it with --catalog FILE or pick one with --catalog-version", rep.Catalog.Version)
	}
	return v, nil
}

// refusedEntries lists the entries and IP rules of rep that built does not
// hold in the same region, with the reason.
func refusedEntries(rep, built catalog.Report, side string) []Refused {
	allowed := map[string]bool{}
	for _, r := range built.Regions {
		for _, e := range slices.Concat(r.Entries, r.IPRules) {
			allowed[entryID(r.Region, e)] = true
		}
	}
	why := map[string]string{}
	for _, list := range [][]catalog.Excluded{built.Rejected, built.Review, built.Deprecated} {
		for _, x := range list {
			if _, ok := why[x.Address]; !ok {
				why[x.Address] = x.Reason
			}
		}
	}
	var refused []Refused
	for _, r := range rep.Regions {
		for _, e := range slices.Concat(r.Entries, r.IPRules) {
			if allowed[entryID(r.Region, e)] {
				continue
			}
			reason, ok := why[e.Address]
			if !ok {
				reason = fmt.Sprintf("not an entry avdurls allows in region %s from this report's evidence with catalog %s (no such catalog row, port or protocol, or no evidence)", r.Region, built.Catalog.Version)
			}
			refused = append(refused, Refused{Side: side, Region: r.Region, Address: e.Address, Port: e.Port, Protocol: e.Protocol, Reason: reason})
		}
	}
	slices.SortFunc(refused, func(a, b Refused) int {
		return cmp.Or(strings.Compare(a.Region, b.Region), strings.Compare(a.Address, b.Address), cmp.Compare(a.Port, b.Port), strings.Compare(a.Protocol, b.Protocol))
	})
	return refused
}

func entryID(region string, e catalog.Entry) string {
	return region + "/" + e.Address + "/" + strconv.Itoa(e.Port) + "/" + e.Protocol
}
