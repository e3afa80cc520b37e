package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/discover"
)

// A Builder builds a Report while the inputs are read: every name is
// judged when it is seen, and what the report lists is kept bounded as
// it grows, so memory does not grow with the number of distinct names.
// What stays exact: the events and health of every host, the count of
// sightings of every name listed and of those left out (Rest), the
// entries of each region up to BuildOptions.MaxEntries. What is bounded:
// the names listed in each excluded list (BuildOptions.MaxListed, the
// rest counted), the evidence of each name (a sample, see capEvidence),
// a host's unreachable names and health events. The order in which
// observations arrive does not change the Report.
type Builder struct {
	v      *Version
	o      BuildOptions
	rows   []Row
	j      judge
	hosts  map[string]*hostAcc
	shared map[string]*pending  // region -> names of the hosts whose region the options give
	names  map[string]*nameInfo // the same names recur in every event
	// rowPtrs are the catalog's rows, shared by the names under each.
	rowPtrs map[entryID]*Row
	// moreHosts samples the computers past o.MaxHosts (to estimate how
	// many); moreEvents counts their events.
	moreHosts  *bounded[struct{}]
	moreEvents int
	// moreEarlier is what earlier reports said of their computers past
	// the bound (ObserveHostsMore).
	moreEarlier Rest
}

// maxHostsSample is how many computers past the bound are kept to
// estimate their number.
const maxHostsSample = 1000

// NewBuilder returns a Builder of a report from this version, judged with o.
func (v *Version) NewBuilder(o BuildOptions) *Builder {
	if o.MaxListed <= 0 {
		o.MaxListed = DefaultMaxListed
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.MaxHosts <= 0 {
		o.MaxHosts = DefaultMaxHosts
	}
	b := &Builder{v: v, o: o, rows: v.Rows(o.Cloud, o.Scope), hosts: map[string]*hostAcc{}, shared: map[string]*pending{}, names: map[string]*nameInfo{}}
	b.rowPtrs = map[entryID]*Row{}
	for _, r := range b.rows {
		b.rowPtrs[entryKey(r.Address, r.Port, r.Protocol)] = &r
	}
	b.j = judge{v: v, o: o, normalize: b.normalize, match: b.match, rejected: newExclList(o.MaxListed),
		deprecatedList: newExclList(o.MaxListed), review: newExclList(o.MaxListed)}
	return b
}

// Build merges the findings of every computer with the catalog version into
// one allowlist per region. obs is keyed by computer name.
func (v *Version) Build(obs map[string]*Observation, o BuildOptions) Report {
	b := v.NewBuilder(o)
	for _, computer := range slices.Sorted(maps.Keys(obs)) {
		b.Observe(computer, obs[computer])
	}
	return b.Report()
}

// Observe adds what was seen of a computer: its events, newest event,
// health, names found, rejected and sighted. A computer may be observed
// any number of times; the observations add up. ob is not kept.
func (b *Builder) Observe(computer string, ob *Observation) {
	h := b.hosts[computer]
	if h == nil && len(b.hosts) >= b.o.MaxHosts {
		b.observeMore(computer, ob)
		return
	}
	if h == nil {
		h = &hostAcc{}
		if r, _, ok := b.o.fixedRegion(computer); ok {
			if b.shared[r] == nil {
				b.shared[r] = &pending{allowed: map[string]*allowedName{}}
			}
			h.p, h.shared = b.shared[r], true
		} else {
			h.p = &pending{own: true}
		}
		b.hosts[computer] = h
	}
	h.events += ob.Events
	if ob.Newest.After(h.newest) {
		h.newest = ob.Newest
	}
	h.addHealth(ob.Health)
	h.agentChecks = append(h.agentChecks, ob.AgentChecks...)
	if h.region == "" && ob.Region != "" && ob.Region != UnknownRegion {
		h.region, h.basis = ob.Region, ob.RegionBasis
	}
	for _, name := range ob.Unreachable {
		h.unreachableName(name)
	}
	if k, ok := maxKey(ob.Unreachable); ok && ob.UnreachableCut {
		h.unreachable.limit(k)
	}
	ob.eachSighting(func(s Sighting) { b.sighting(h, s) })
	for _, r := range ob.Rejects {
		b.j.rejected.add(r.Value, r.Code, r.Reason, "", Sighting{Host: r.Value, Count: 1, First: r.Evidence.Time, Last: r.Evidence.Time,
			Evidence: []discover.Evidence{r.Evidence}})
	}
}

// observeMore takes what a computer past o.MaxHosts saw: its events are
// counted, the computer sampled to estimate how many there are, and every
// name it gives rejected (CodeTooManyHosts), with its sightings.
func (b *Builder) observeMore(computer string, ob *Observation) {
	if b.moreHosts == nil {
		b.moreHosts = newBounded(maxHostsSample, func(struct{}) int { return 0 })
	}
	if _, ok := b.moreHosts.get(strings.ToLower(computer), func() struct{} { return struct{}{} }); !ok {
		b.moreHosts.addRest(0)
	}
	b.moreEvents += ob.Events
	reason := fmt.Sprintf("seen only by computers past the %d a report holds (--max-hosts): a flood of computer names, or a fleet larger than the bound", b.o.MaxHosts)
	ob.eachSighting(func(s Sighting) {
		if h, err := discover.Normalize(s.Host); err == nil {
			s.Host = h
		} else {
			s.Host = discover.CleanText(s.Host, maxRejectedName)
		}
		b.j.rejected.add(s.Host, CodeTooManyHosts, reason, "", s)
	})
	for _, r := range ob.Rejects {
		b.j.rejected.add(r.Value, r.Code, r.Reason, "", Sighting{Host: r.Value, Count: 1, First: r.Evidence.Time, Last: r.Evidence.Time,
			Evidence: []discover.Evidence{r.Evidence}})
	}
}

// ObserveHostsMore adds what an earlier report said of its computers past
// the bound: their events, and their number (which may count a computer
// two reports both left out twice: then it is marked estimated).
func (b *Builder) ObserveHostsMore(r Rest) {
	b.moreEarlier.Names += r.Names
	b.moreEarlier.Sightings += r.Sightings
	b.moreEarlier.Estimated = b.moreEarlier.Estimated || r.Estimated || r.Names > 0
}

// hostsMore is what the report says of the computers past o.MaxHosts.
func (b *Builder) hostsMore() Rest {
	r := b.moreEarlier
	r.Sightings += b.moreEvents
	if b.moreHosts != nil {
		names, rest := b.moreHosts.finish()
		r.Names += len(names) + rest.Names
		r.Estimated = r.Estimated || rest.Estimated
	}
	return r
}

// ObserveCut says that a report listed these names of one of its lists
// (rejected, deprecated or review: which) and left out rest: those it left
// out stay in this report's list of the same name, counted.
func (b *Builder) ObserveCut(which string, listed []string, rest Rest) {
	switch which {
	case "rejected":
		b.j.rejected.cutAt(listed, rest)
	case "deprecated":
		b.j.deprecatedList.cutAt(listed, rest)
	case "review":
		b.j.review.cutAt(listed, rest)
	}
}

// sighting notes what a name tells of its host (unreachable, region,
// gateway) and judges it.
func (b *Builder) sighting(h *hostAcc, s Sighting) {
	n := b.name(s.Host)
	if s.Status.Has(discover.Unreachable) && s.Code != discover.CodeInvalidName {
		h.unreachableName(s.Host)
	}
	if n.hint != "" {
		if h.hints == nil {
			h.hints = map[string]int{}
		}
		h.hints[n.hint] += s.Count
	}
	if n.gateway != "" {
		h.gateway(n.gateway, n.host)
	}
	switch row, v := b.j.sighting(&s); v {
	case verdictAllow:
		h.p.allow(s, b.intern(row), b.o.MaxEntries, b.o.MaxListed)
	case verdictDeprecated:
		b.deprecatedName(h, s, row)
	}
}

// maxDeprecatedNames bounds the names under deprecated rows a host keeps
// until its newest check is known; past it, a new name is judged at once
// as not in that check ("remove"). Deprecated rows are few and mostly
// exact names, so a real host never comes near it.
const maxDeprecatedNames = 64

// deprecatedName keeps a name under a deprecated row with the host's
// other sightings of it: the host's newest check, known only at the end,
// decides (judge.deprecated).
func (b *Builder) deprecatedName(h *hostAcc, s Sighting, row Row) {
	a := h.deprecated[s.Host]
	if a == nil {
		if len(h.deprecated) >= maxDeprecatedNames {
			b.j.deprecated(nil, "", s, row, false, false)
			return
		}
		if h.deprecated == nil {
			h.deprecated = map[string]*allowedName{}
		}
		a = &allowedName{row: &row}
		h.deprecated[s.Host] = a
	}
	a.add(s, ownLimit)
}

// stillCheckedNames are the names under deprecated rows that some host's
// newest check lists: kept, flagged, in that host's region, so no other
// host's older sighting says "remove".
func (b *Builder) stillCheckedNames() map[string]bool {
	kept := map[string]bool{}
	for _, h := range b.hosts {
		for name, a := range h.deprecated {
			if stillChecked(a.last.time(), h.newest) {
				kept[name] = true
			}
		}
	}
	return kept
}

// feedDeprecated decides the host's names under deprecated rows, in name
// order, now that its newest check and region are known.
func (b *Builder) feedDeprecated(h *hostAcc, computer string, ra *regionAcc, kept map[string]bool) {
	for _, name := range slices.Sorted(maps.Keys(h.deprecated)) {
		a := h.deprecated[name]
		s := a.sighting(name)
		b.j.deprecated(ra, computer, s, *a.row, stillChecked(s.Last, h.newest), kept[name])
	}
}

// intern returns a row of the catalog shared by every name under it
// (rowPtrs); another row (a trusted suffix's, the name's own) is a copy
// of its own.
func (b *Builder) intern(row Row) *Row {
	if r, ok := b.rowPtrs[entryKey(row.Address, row.Port, row.Protocol)]; ok && *r == row {
		return r
	}
	own := row
	return &own
}

// Report returns the report of everything observed. It is called once:
// it hands the pending names to their regions.
func (b *Builder) Report() Report {
	o := b.o
	rep := Report{
		SchemaVersion: ReportSchemaVersion,
		Catalog:       CatalogRef{Version: b.v.ID, SourceDate: b.v.SourceDate, Confidence: b.v.Confidence, Source: b.v.Source},
		Cloud:         o.Cloud, Scope: o.Scope, Optional: o.Optional,
		TrustSuffixes: o.TrustSuffixes,
		Regions:       []Region{}, Hosts: []Host{}, Rejected: []Excluded{}, Deprecated: []Excluded{}, Review: []Excluded{}, Inputs: []InputFile{},
	}
	regions := map[string]*regionAcc{}
	kept := b.stillCheckedNames()
	for _, computer := range slices.Sorted(maps.Keys(b.hosts)) {
		h := b.hosts[computer]
		region, basis := o.regionOf(computer, h)
		host := h.host(computer, region, basis)
		rep.Hosts = append(rep.Hosts, host)
		ra := regions[region]
		if ra == nil {
			ra = newRegionAcc(region, o.MaxEntries, b.j.rejected)
			regions[region] = ra
		}
		if !h.shared {
			h.p.feed(ra, b.j.rejected)
		}
		b.feedDeprecated(h, computer, ra, kept)
		if w := gatewayMismatch(host, h.gatewayMap()); w != "" {
			ra.warnings = append(ra.warnings, w)
		}
	}
	for _, region := range slices.Sorted(maps.Keys(b.shared)) {
		b.shared[region].feed(regions[region], b.j.rejected)
	}
	if len(regions) == 0 {
		regions[o.defaultRegion()] = newRegionAcc(o.defaultRegion(), o.MaxEntries, b.j.rejected)
	}
	for _, name := range slices.Sorted(maps.Keys(regions)) {
		rep.Regions = append(rep.Regions, regions[name].finish(b.rows, o))
	}
	slices.SortFunc(rep.Regions, func(a, b Region) int {
		// "unknown" last, the rest by name.
		if (a.Region == UnknownRegion) != (b.Region == UnknownRegion) {
			if a.Region == UnknownRegion {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Region, b.Region)
	})
	rep.Rejected, rep.RejectedMore = b.j.rejected.finish()
	rep.Deprecated, rep.DeprecatedMore = b.j.deprecatedList.finish()
	rep.Review, rep.ReviewMore = b.j.review.finish()
	rep.HostsMore = b.hostsMore()
	return rep
}

func (o BuildOptions) defaultRegion() string {
	if o.Region != "" {
		return o.Region
	}
	return UnknownRegion
}

// Computers are the computers observed so far, sorted.
func (b *Builder) Computers() []string { return slices.Sorted(maps.Keys(b.hosts)) }

// HostRegion says what is known of a computer's region before the report
// is made: the region an earlier report gave it, and the region most of
// its monitoring host names hint at (inference), each "" when none.
func (b *Builder) HostRegion(computer string) (earlier, hint string) {
	h := b.hosts[computer]
	if h == nil {
		return "", ""
	}
	return h.region, h.inferred()
}

// PlaceHost gives a computer a region found outside its events (Azure
// Resource Graph), with its basis: it wins over an earlier report and
// inference; --region and the region map still win over it (regionOf).
func (b *Builder) PlaceHost(computer, region, basis string) {
	if h := b.hosts[computer]; h != nil {
		h.region, h.basis = region, basis
	}
}
