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
// catalog, cloud, scope and trust options, never the report's own. Nothing
// a report says (optional, scope, trust suffixes, the confidence of its
// catalog, its wildcards) widens what is allowed.
type JudgeOptions struct {
	// Catalog is the version to judge with; nil: the built-in version the
	// report names, when it is a primary one.
	Catalog *catalog.Version
	// Cloud and Scope are the caller's; "" is public and sessionhost. A
	// report of another cloud is an error.
	Cloud             catalog.Cloud
	Scope             catalog.Scope
	Optional          bool
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
	ver, err := judgeVersion(rep, path, o.Catalog)
	if err != nil {
		return rep, nil, err
	}
	o.Cloud = cmp.Or(o.Cloud, catalog.CloudPublic)
	o.Scope = cmp.Or(o.Scope, catalog.ScopeSessionHost)
	bo := catalog.BuildOptions{Cloud: o.Cloud, Scope: o.Scope, Optional: o.Optional,
		IncludeDeprecated: o.IncludeDeprecated, TrustSuffixes: o.TrustSuffixes, AllowRegistrable: o.AllowRegistrable}
	c := newCollector(ver.NewBuilder(bo), o.Cloud, 0, 0)
	if err := c.merge(rep, path); err != nil {
		return rep, nil, err
	}
	built := c.b.Report()
	return built, refusedEntries(rep, built, side), nil
}

// judgeVersion is the catalog a report is judged with: the caller's, else
// the built-in version the report names if this avdurls holds it as a
// primary version (the confidence is the built-in one's, not what the
// report claims). A secondary version is never taken from a report.
func judgeVersion(rep catalog.Report, path string, chosen *catalog.Version) (*catalog.Version, error) {
	if chosen != nil {
		return chosen, nil
	}
	ver, err := catalog.Default().Version(rep.Catalog.Version)
	if err != nil {
		return nil, fmt.Errorf("%s: report was built from catalog %s, which this avdurls does not hold%w", path, rep.Catalog.Version, quiet{ErrUnknownCatalog})
	}
	if ver.Confidence != catalog.ConfidencePrimary {
		return nil, fmt.Errorf("%s: report was built from catalog %s, a %s version: a report is judged only with a primary version it names or one you choose%w", path, ver.ID, ver.Confidence, quiet{ErrUnknownCatalog})
	}
	return ver, nil
}

// OptionWarnings says where a report was made with other options than it
// is judged with (its scope, optional rows, trust suffixes): its names are
// judged with the caller's, so the report's allowlists may shrink.
func OptionWarnings(rep catalog.Report, name string, o JudgeOptions) []string {
	var w []string
	scope := cmp.Or(o.Scope, catalog.ScopeSessionHost)
	if rep.Scope != scope {
		w = append(w, fmt.Sprintf("%s is a report of scope %s, judged with scope %s (give --scope %s to judge it as made)", name, rep.Scope, scope, rep.Scope))
	}
	if rep.Optional && !o.Optional {
		w = append(w, fmt.Sprintf("%s was made with --optional, judged without it (give --optional to judge it as made)", name))
	}
	var extra []string
	for _, s := range rep.TrustSuffixes {
		if !slices.Contains(o.TrustSuffixes, s) {
			extra = append(extra, s)
		}
	}
	if len(extra) > 0 {
		w = append(w, fmt.Sprintf("%s trusted suffixes this run does not (%s): names under them are judged without (give --trust-suffix to trust them)", name, strings.Join(extra, ", ")))
	}
	return w
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
