package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/internal/termtext"

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

// diffWarnings says where two reports, as judged, do not cover the same
// ground, so that a diff between them is not taken for a change of the
// hosts' needs: a different cloud, scope or catalog version, hosts in only
// one of them (NEW may have lost some hosts' reports) and regions in only
// one (a region only OLD has would lose its whole allowlist).
func diffWarnings(o, n catalog.Report) []string {
	w := []string{}
	if o.Cloud != n.Cloud {
		w = append(w, fmt.Sprintf("OLD is a report of cloud %s, NEW of cloud %s: every entry of one cloud is proposed for removal", o.Cloud, n.Cloud))
	}
	if o.Scope != n.Scope {
		w = append(w, fmt.Sprintf("OLD is a report of scope %s, NEW of scope %s", o.Scope, n.Scope))
	}
	if o.Catalog.Version != n.Catalog.Version {
		w = append(w, fmt.Sprintf("OLD was judged with catalog %s, NEW with catalog %s: some changes come from the catalog, not from the hosts (give --catalog-version to judge both with one)", o.Catalog.Version, n.Catalog.Version))
	}
	oldOnly, newOnly := onlyIn(hostNames(o), hostNames(n)), onlyIn(hostNames(n), hostNames(o))
	if len(oldOnly) > 0 {
		w = append(w, fmt.Sprintf("%s of OLD %s not in NEW, so what only they saw is proposed for removal; did NEW lose their reports? %s",
			termtext.Plural(len(oldOnly), "host"), isAre(len(oldOnly)), listSome(oldOnly)))
	}
	if len(newOnly) > 0 {
		w = append(w, fmt.Sprintf("%s of NEW %s not in OLD: %s", termtext.Plural(len(newOnly), "host"), isAre(len(newOnly)), listSome(newOnly)))
	}
	entries := map[string]int{}
	for _, r := range o.Regions {
		entries[r.Region] = len(r.Entries) + len(r.IPRules)
	}
	for _, r := range onlyIn(regionNames(o), regionNames(n)) {
		w = append(w, fmt.Sprintf("region %s is in OLD only: NEW proposes removing its whole allowlist (%s); did NEW lose its hosts' reports?", r, termtext.Plural(entries[r], "entry")))
	}
	for _, r := range onlyIn(regionNames(n), regionNames(o)) {
		w = append(w, fmt.Sprintf("region %s is in NEW only: its whole allowlist is proposed", r))
	}
	return w
}

// isAre is the verb for a count.
func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// hostNames returns the computers of a report, lower case.
func hostNames(rep catalog.Report) []string {
	var s []string
	for _, h := range rep.Hosts {
		s = append(s, strings.ToLower(h.Computer))
	}
	return s
}

// regionNames returns the regions of a report's allowlists.
func regionNames(rep catalog.Report) []string {
	var s []string
	for _, r := range rep.Regions {
		s = append(s, r.Region)
	}
	return s
}

// onlyIn returns the items of a that b lacks, sorted, without duplicates.
func onlyIn(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}
