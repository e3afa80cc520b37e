package catalog

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/internal/termtext"
)

// ReportDiff is what changes between two reports of the same hosts (as
// judged again: see scan.Rejudge): per region, the entries to add and to
// remove. It is the JSON form of avdurls diff.
type ReportDiff struct {
	SchemaVersion int          `json:"schemaVersion"`
	Old           DiffSide     `json:"old"`
	New           DiffSide     `json:"new"`
	Changed       bool         `json:"changed"`
	Regions       []RegionDiff `json:"regions"`
	// Refused lists what either report allowlists but avdurls does not
	// allow from its evidence.
	Refused []Refused `json:"refused"`
	// Warnings say where the two reports do not cover the same ground:
	// hosts or regions in only one, another catalog version, cloud or
	// scope (see CoverageWarnings).
	Warnings []string `json:"warnings"`
}

// DiffSide names one report of a diff and the catalog it was judged with.
type DiffSide struct {
	File    string     `json:"file"`
	Catalog CatalogRef `json:"catalog"`
}

// RegionDiff is what changes in one region's allowlist.
type RegionDiff struct {
	Region string  `json:"region"`
	Add    []Entry `json:"add"`
	Remove []Entry `json:"remove"`
}

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

// DiffReports compares the entries of every region of two reports by
// address, port and protocol.
func DiffReports(oldRep, newRep Report) ReportDiff {
	d := ReportDiff{SchemaVersion: ReportSchemaVersion, Regions: []RegionDiff{}, Warnings: []string{}, Refused: []Refused{},
		Old: DiffSide{Catalog: oldRep.Catalog}, New: DiffSide{Catalog: newRep.Catalog}}
	index := func(rep Report) map[string]map[string]Entry {
		m := map[string]map[string]Entry{}
		for _, r := range rep.Regions {
			m[r.Region] = map[string]Entry{}
			for _, e := range append(slices.Clone(r.Entries), r.IPRules...) {
				m[r.Region][e.Address+"/"+strconv.Itoa(e.Port)+"/"+e.Protocol] = e
			}
			// Carried wildcards are rules too: adding or dropping one
			// is a change the firewall team applies.
			for _, w := range r.Wildcards {
				m[r.Region][w.Address+"/"+strconv.Itoa(w.Port)+"/"+w.Protocol] = Entry{Address: w.Address, Port: w.Port, Protocol: w.Protocol,
					Kind: KindWildcard.String(), Source: "catalog", Purpose: w.Reason, ServiceTag: w.ServiceTag, Required: w.Required}
			}
		}
		return m
	}
	o, n := index(oldRep), index(newRep)
	regions := map[string]bool{}
	for r := range o {
		regions[r] = true
	}
	for r := range n {
		regions[r] = true
	}
	for _, region := range slices.Sorted(maps.Keys(regions)) {
		rd := RegionDiff{Region: region, Add: []Entry{}, Remove: []Entry{}}
		for k, e := range n[region] {
			if _, ok := o[region][k]; !ok {
				rd.Add = append(rd.Add, e)
			}
		}
		for k, e := range o[region] {
			if _, ok := n[region][k]; !ok {
				e.Evidence = nil // what is removed needs no evidence
				rd.Remove = append(rd.Remove, e)
			}
		}
		byAddr := func(a, b Entry) int {
			return cmp.Or(strings.Compare(a.Address, b.Address), cmp.Compare(a.Port, b.Port), strings.Compare(a.Protocol, b.Protocol))
		}
		slices.SortFunc(rd.Add, byAddr)
		slices.SortFunc(rd.Remove, byAddr)
		if len(rd.Add)+len(rd.Remove) > 0 {
			d.Changed = true
			d.Regions = append(d.Regions, rd)
		}
	}
	return d
}

// CoverageWarnings says where two reports, as judged, do not cover the same
// ground, so that a diff between them is not taken for a change of the
// hosts' needs: a different cloud, scope or catalog version, hosts in only
// one of them (NEW may have lost some hosts' reports) and regions in only
// one (a region only OLD has would lose its whole allowlist).
func CoverageWarnings(o, n Report) []string {
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
	oldOnly, newOnly := onlyIn(reportHosts(o), reportHosts(n)), onlyIn(reportHosts(n), reportHosts(o))
	if len(oldOnly) > 0 {
		w = append(w, fmt.Sprintf("%s of OLD %s not in NEW, so what only they saw is proposed for removal; did NEW lose their reports? %s",
			termtext.Plural(len(oldOnly), "host"), isAre(len(oldOnly)), termtext.ListSome(oldOnly, 20)))
	}
	if len(newOnly) > 0 {
		w = append(w, fmt.Sprintf("%s of NEW %s not in OLD: %s", termtext.Plural(len(newOnly), "host"), isAre(len(newOnly)), termtext.ListSome(newOnly, 20)))
	}
	entries := map[string]int{}
	for _, r := range o.Regions {
		entries[r.Region] = len(r.Entries) + len(r.IPRules)
	}
	for _, r := range onlyIn(reportRegions(o), reportRegions(n)) {
		w = append(w, fmt.Sprintf("region %s is in OLD only: NEW proposes removing its whole allowlist (%s); did NEW lose its hosts' reports?", r, termtext.Plural(entries[r], "entry")))
	}
	for _, r := range onlyIn(reportRegions(n), reportRegions(o)) {
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

// reportHosts returns the computers of a report, lower case.
func reportHosts(rep Report) []string {
	var s []string
	for _, h := range rep.Hosts {
		s = append(s, strings.ToLower(h.Computer))
	}
	return s
}

// reportRegions returns the regions of a report's allowlists.
func reportRegions(rep Report) []string {
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
