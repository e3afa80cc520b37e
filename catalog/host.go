package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// hostAcc is what a Builder keeps of one computer, bounded: its counts,
// newest health events, what its names say of its region and gateways,
// a sample of its unreachable names, and the names it allows: its own
// when its region is known only at the end (inferred from its names or
// an earlier report), else those of its region, shared.
type hostAcc struct {
	events      int
	newest      time.Time
	health      []HealthEvent
	agentChecks []discover.AgentCheck
	// region and basis are what an earlier report said.
	region, basis string
	hints         map[string]int // region -> sightings of its monitoring hosts
	gateways      []gatewaySeen  // per region, the smallest gateway name pointing there
	unreachable   *bounded[struct{}]
	p             *pending
	shared        bool // p is its region's
	// deprecated are the host's names under deprecated rows, until its
	// newest check decides them (Builder.feedDeprecated).
	deprecated map[string]*allowedName
}

// pending holds the names that enter a region until the report is made:
// at most about twice MaxEntries under wildcard rows; the rest wait in
// overflow for the region's reason.
type pending struct {
	// own: the names of one host (its region known only at the end),
	// not its region's shared ones.
	own      bool
	allowed  map[string]*allowedName
	wild     int    // names in allowed under wildcard rows
	cut      bool   // names under wildcard rows past cutoff went to overflow
	cutoff   string // valid when cut
	overflow *exclList
}

// gatewaySeen is the smallest gateway name a host saw pointing to a
// region: a slice of them, as a host sees few regions' gateways.
type gatewaySeen struct{ region, name string }

// gateway notes a gateway name pointing to a region.
func (h *hostAcc) gateway(region, name string) {
	for i, g := range h.gateways {
		if g.region == region {
			if name < g.name {
				h.gateways[i].name = name
			}
			return
		}
	}
	h.gateways = append(h.gateways, gatewaySeen{region, name})
}

// gatewayMap is the gateways seen, by region.
func (h *hostAcc) gatewayMap() map[string]string {
	m := map[string]string{}
	for _, g := range h.gateways {
		m[g.region] = g.name
	}
	return m
}

// allowedName is a name that enters its host's region, with its row.
type allowedName struct {
	row         *Row // shared by the names under one wildcard row
	status      discover.Statuses
	count       int
	first, last stamp
	evidence    sample
}

// sharedLimit is the evidence a name shared by the hosts of a region
// holds before it is sampled, in batches: such names are few.
const sharedLimit = 4 * (2*evidenceEnds + evidenceHosts)

// ownLimit is the evidence a host's own name holds before it is sampled:
// a fleet holds such a name per host and name, and the sample of one
// computer's evidence is its evidenceEnds oldest and newest items, so it
// is sampled at once (early sampling never changes the sample).
const ownLimit = 2 * evidenceEnds

// add records a sighting of the name, its evidence sampled past limit.
func (a *allowedName) add(s Sighting, limit int) {
	a.status = a.status.Union(s.Status)
	a.count += s.Count
	a.evidence.add(s.Evidence, limit)
	if f := stampOf(s.First); !s.First.IsZero() && (a.first.isZero() || f.compare(a.first) < 0) {
		a.first = f
	}
	if l := stampOf(s.Last); !s.Last.IsZero() && (a.last.isZero() || l.compare(a.last) > 0) {
		a.last = l
	}
}

// sighting is what was seen of the name, its evidence sampled.
func (a *allowedName) sighting(name string) Sighting {
	return Sighting{Host: name, Status: a.status, Count: a.count, First: a.first.time(), Last: a.last.time(), Evidence: a.evidence.evidence()}
}

// addHealth keeps the newest health events.
func (h *hostAcc) addHealth(evs []HealthEvent) {
	h.health = append(h.health, evs...)
	if len(h.health) > maxHealth+maxHealth/2 {
		// A fleet holds this per host: trimmed early to the newest (the
		// newest of a union are among the newest of its parts).
		h.health = health(h.health)
	}
}

// unreachableName adds a name the agent could not reach.
func (h *hostAcc) unreachableName(name string) {
	if h.unreachable == nil {
		h.unreachable = newBounded(maxUnreachable, func(struct{}) int { return 1 })
	}
	if _, ok := h.unreachable.get(name, func() struct{} { return struct{}{} }); !ok {
		h.unreachable.addRest(1)
	}
}

// allow adds a sighting of a name that enters the host's region. Names
// under wildcard rows past the first 2*max by address cannot be among the
// region's first max entries: they wait in overflow, to be rejected with
// the region's reason.
func (p *pending) allow(s Sighting, row *Row, max, maxListed int) {
	wild := row.Kind() == KindWildcard
	a := p.allowed[s.Host]
	if a == nil {
		if p.allowed == nil {
			p.allowed = map[string]*allowedName{}
		}
		if wild && p.cut && s.Host > p.cutoff {
			p.spill(s, *row, maxListed)
			return
		}
		a = &allowedName{row: row}
		p.allowed[s.Host] = a
		if wild {
			p.wild++
		}
	}
	limit := sharedLimit
	if p.own {
		limit = ownLimit
	}
	a.add(s, limit)
	if p.wild > 2*max {
		p.pruneAllowed(max, maxListed)
	}
}

// pruneAllowed keeps the first max names under wildcard rows, by address.
func (p *pending) pruneAllowed(max, maxListed int) {
	var wild []string
	for name, a := range p.allowed {
		if a.row.Kind() == KindWildcard {
			wild = append(wild, name)
		}
	}
	slices.Sort(wild)
	p.cut, p.cutoff = true, wild[max-1]
	for _, name := range wild[max:] {
		a := p.allowed[name]
		s := a.sighting(name)
		p.spill(Sighting{Host: name, Count: s.Count, Evidence: s.Evidence}, *a.row, maxListed)
		delete(p.allowed, name)
	}
	p.wild = max
}

func (p *pending) spill(s Sighting, row Row, maxListed int) {
	if p.overflow == nil {
		p.overflow = newExclList(maxListed)
	}
	p.overflow.add(s.Host, CodeTooManyEntries, "", row.Address, s)
}

// host is the Host of the report.
func (h *hostAcc) host(computer, region, basis string) Host {
	host := Host{Computer: computer, Region: region, RegionBasis: basis, Events: h.events, Health: health(h.health), AgentChecks: h.agentChecks}
	if h.unreachable != nil {
		var rest Rest
		host.Unreachable, rest = h.unreachable.finish()
		host.UnreachableMore = rest.Names
	}
	if !h.newest.IsZero() {
		t := h.newest
		host.Newest3701 = &t
	}
	return host
}

// tooManyEntries is the reason of a name past the bound of its region.
func tooManyEntries(region string, max int) string {
	return fmt.Sprintf("region %s already holds %d discovered entries, the most allowed", region, max)
}

// feed adds the pending names to their region, and their overflow to the
// rejected names with the region's reason.
func (p *pending) feed(ra *regionAcc, rejected *exclList) {
	for _, name := range slices.Sorted(maps.Keys(p.allowed)) {
		a := p.allowed[name]
		ra.add(a.sighting(name), *a.row)
	}
	if p.overflow != nil {
		p.overflow.spillInto(rejected, tooManyEntries(ra.name, ra.max))
	}
}

// spillInto adds the names of an overflow list to dst with a reason.
func (l *exclList) spillInto(dst *exclList, reason string) {
	items, rest := l.finish()
	for _, x := range items {
		dst.add(x.Address, x.Code, reason, x.Row, Sighting{Host: x.Address, Count: x.EvidenceCount, Evidence: x.Evidence})
	}
	dst.b.addRest(rest.Sightings)
	if l.b.cut {
		dst.b.limit(l.b.cutoff)
	}
}

// fixedRegion is a computer's region when the options give it: --region
// or the region map.
func (o BuildOptions) fixedRegion(computer string) (string, string, bool) {
	if o.Region != "" {
		if o.RegionBasis != "" {
			return o.Region, o.RegionBasis, true
		}
		return o.Region, "given for every host", true
	}
	c := strings.ToLower(computer)
	if o.RegionMap == nil {
		return "", "", false
	}
	if r, ok := o.RegionMap.Region(c); ok {
		return r, "region map", true
	}
	// A map may name hosts by their short name.
	if short, _, ok := strings.Cut(c, "."); ok {
		if r, ok := o.RegionMap.Region(short); ok {
			return r, "region map (short name " + short + ")", true
		}
	}
	return "", "", false
}

// regionOf decides a computer's region and says on what basis.
func (o BuildOptions) regionOf(computer string, h *hostAcc) (string, string) {
	if r, basis, ok := o.fixedRegion(computer); ok {
		return r, basis
	}
	if h.region != "" {
		return h.region, h.basis
	}
	if best := h.inferred(); best != "" {
		basis := "inferred from " + best + "-shared.prod.warm.ingest host (the agent's monitoring region; check it with a region map)"
		if len(h.hints) > 1 {
			basis += fmt.Sprintf("; %d regions seen", len(h.hints))
		}
		return best, basis
	}
	return UnknownRegion, "no region given, no region map entry, no region-specific host seen"
}

// inferred is the region most of the host's monitoring names hint at
// (ties to the first by name), "" when none.
func (h *hostAcc) inferred() string {
	best, n := "", 0
	for _, r := range slices.Sorted(maps.Keys(h.hints)) {
		if h.hints[r] > n {
			best, n = r, h.hints[r]
		}
	}
	return best
}

// gatewayMismatch returns a warning when the gateway names a host's
// events hold all point to another region than the one it was given.
func gatewayMismatch(h Host, seen map[string]string) string {
	if h.Region == UnknownRegion || len(seen) == 0 || seen[h.Region] != "" {
		return ""
	}
	regions := slices.Sorted(maps.Keys(seen))
	return fmt.Sprintf("host %s was given region %s (%s), but its gateway names point to %s (%s): check its region",
		h.Computer, h.Region, h.RegionBasis, strings.Join(regions, ", "), seen[regions[0]])
}
