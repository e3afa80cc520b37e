package scan

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/catalog"
)

// JudgeOptions are what a report is judged with again: the caller's
// catalog and trust options, never the report's own.
type JudgeOptions struct {
	// Catalog is the version to judge with; nil: the built-in version the
	// report names.
	Catalog           *catalog.Version
	TrustSuffixes     []string
	IncludeDeprecated bool
	AllowRegistrable  bool
}

// ErrUnknownCatalog is wrapped in the error of Rejudge for a report built
// from a catalog version this avdurls does not hold.
var ErrUnknownCatalog = errors.New("unknown catalog version")

// Rejudge builds a report's allowlists again from its evidence, as a scan
// of the same reports would: every name is judged against the catalog
// version of o with o's trust options. It returns the rebuilt report and
// what the original listed but the rebuilt one does not allow (on side
// "old" or "new" of a diff).
func Rejudge(rep catalog.Report, path, side string, o JudgeOptions) (catalog.Report, []catalog.Refused, error) {
	ver := o.Catalog
	if ver == nil {
		var err error
		if ver, err = catalog.Default().Version(rep.Catalog.Version); err != nil {
			return rep, nil, fmt.Errorf("%s: report was built from catalog %s, which this avdurls does not hold%w", path, rep.Catalog.Version, quiet{ErrUnknownCatalog})
		}
	}
	bo := catalog.BuildOptions{Cloud: rep.Cloud, Scope: rep.Scope, Optional: rep.Optional,
		IncludeDeprecated: o.IncludeDeprecated, TrustSuffixes: o.TrustSuffixes, AllowRegistrable: o.AllowRegistrable}
	c := newCollector(ver.NewBuilder(bo), rep.Cloud, 0, 0)
	if err := c.merge(rep, path); err != nil {
		return rep, nil, err
	}
	built := c.b.Report()
	return built, refusedEntries(rep, built, side), nil
}

// refusedEntries lists the entries and IP rules of rep that built does not
// hold in the same region, with the reason.
func refusedEntries(rep, built catalog.Report, side string) []catalog.Refused {
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
	var refused []catalog.Refused
	for _, r := range rep.Regions {
		for _, e := range slices.Concat(r.Entries, r.IPRules) {
			if allowed[entryID(r.Region, e)] {
				continue
			}
			reason, ok := why[e.Address]
			if !ok {
				reason = fmt.Sprintf("not an entry avdurls allows in region %s from this report's evidence with catalog %s (no such catalog row, port or protocol, or no evidence)", r.Region, built.Catalog.Version)
			}
			refused = append(refused, catalog.Refused{Side: side, Region: r.Region, Address: e.Address, Port: e.Port, Protocol: e.Protocol, Reason: reason})
		}
	}
	slices.SortFunc(refused, func(a, b catalog.Refused) int {
		return cmp.Or(strings.Compare(a.Region, b.Region), strings.Compare(a.Address, b.Address), cmp.Compare(a.Port, b.Port), strings.Compare(a.Protocol, b.Protocol))
	})
	return refused
}

func entryID(region string, e catalog.Entry) string {
	return region + "/" + e.Address + "/" + strconv.Itoa(e.Port) + "/" + e.Protocol
}
