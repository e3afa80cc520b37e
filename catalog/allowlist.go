package catalog

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// ReportSchemaVersion is the version of the JSON report contract (Report).
// Version 2 added review[] and a code to every rejected, deprecated and
// review item; version 1 reports are still read (DecodeReport).
const ReportSchemaVersion = 3

// The codes of the names Build keeps out of an allowlist (see also the
// codes of package discover).
const (
	// CodeUntrusted: the name is under no catalog row of the cloud and
	// scope, nor under a trusted suffix.
	CodeUntrusted discover.Code = "untrusted"
	// CodeRegistrable: the name matches a wildcard whose first label any
	// Azure customer can register; it goes to review.
	CodeRegistrable discover.Code = "registrable"
	// CodeOptional: the name matches only an optional row, and optional
	// rows were not asked for.
	CodeOptional discover.Code = "optional-row"
	// CodeDeprecated: the name matches a row Microsoft no longer supports.
	CodeDeprecated discover.Code = "deprecated"
	// CodeLegacyAgent: the name is one of the agent's per-deployment hosts
	// retired in 2022 (gsm<digits>eh, gsm<digits>xt).
	CodeLegacyAgent discover.Code = "legacy-agent-host"
	// CodeTooManyEntries: the region already holds the most discovered
	// entries allowed.
	CodeTooManyEntries discover.Code = "too-many-entries"
)

// DefaultMaxEntries is the default bound on the discovered entries of one
// region (BuildOptions.MaxEntries).
const DefaultMaxEntries = 10000

// maxEvidence bounds the evidence kept per address; the full count is kept
// in EvidenceCount.
const maxEvidence = 20

// Report is the result of a scan: one allowlist per region, and everything
// that was kept out of them. It is the JSON contract automation reads.
type Report struct {
	SchemaVersion int        `json:"schemaVersion"`
	Catalog       CatalogRef `json:"catalog"`
	Cloud         Cloud      `json:"cloud"`
	Scope         Scope      `json:"scope"`
	Optional      bool       `json:"optional"`
	Regions       []Region   `json:"regions"`
	Hosts         []Host     `json:"hosts"`
	Rejected      []Excluded `json:"rejected"`
	Deprecated    []Excluded `json:"deprecated"`
	// Review holds names that match a catalog row but could belong to any
	// Azure customer (CodeRegistrable): a person must confirm them.
	Review        []Excluded  `json:"review"`
	TrustSuffixes []string    `json:"trustSuffixes,omitempty"`
	Inputs        []InputFile `json:"inputs"`
}

// CatalogRef names the catalog version a report was built from.
type CatalogRef struct {
	Version    string `json:"version"`
	SourceDate string `json:"sourceDate"`
	Confidence string `json:"confidence"`
	Source     string `json:"source"`
}

// InputFile summarises one input read.
type InputFile struct {
	File string `json:"file"`
	// Kind is what the input was read as (scan.Kind: evtx, xml, urltool,
	// report, azjson, azcsv, ...; live and workspace for those sources).
	Kind    string `json:"kind,omitempty"`
	Records int    `json:"records"`
	Matched int    `json:"matched"`
	Damaged int    `json:"damagedChunks"`
	Error   string `json:"error,omitempty"`
}

// Region is the allowlist of one Azure region.
type Region struct {
	Region string `json:"region"`
	// Entries are host names (FQDN rules), sorted by address and port.
	Entries []Entry `json:"entries"`
	// IPRules are the platform IP and CIDR rows, kept apart from names.
	IPRules []Entry `json:"ipRules"`
	// Wildcards are the wildcard rows carried as wildcards (see
	// Wildcard): service traffic and rows no scan can name.
	Wildcards []Wildcard `json:"wildcards"`
	// Unresolved lists wildcard rows that no discovered host replaces, or
	// replaces only in part, and are not carried (agent traffic not seen;
	// wildcards left out by NoWildcards); they are never printed as
	// entries.
	Unresolved []Unresolved `json:"unresolved"`
	Warnings   []string     `json:"warnings,omitempty"`
}

// Entry is one address to allow.
type Entry struct {
	Address    string `json:"address"`
	Port       int    `json:"port"`
	Protocol   string `json:"protocol"`
	Kind       string `json:"kind"`   // fqdn, ip or cidr
	Source     string `json:"source"` // "catalog" or "event"
	Replaces   string `json:"replaces,omitempty"`
	Purpose    string `json:"purpose"`
	ServiceTag string `json:"serviceTag,omitempty"`
	Required   bool   `json:"required"`
	// ObservedOnly marks hosts under a wildcard Microsoft supports only as
	// a wildcard: the list of them is what was seen, not exhaustive.
	ObservedOnly bool `json:"observedOnly,omitempty"`
	// Deprecated marks a name under a row Microsoft no longer lists that
	// the newest URL check of the hosts CheckedBy still lists: kept, so
	// that nothing the agent checks today is blocked, and flagged.
	Deprecated bool     `json:"deprecated,omitempty"`
	CheckedBy  []string `json:"checkedBy,omitempty"`
	// Status is what the agent said: reachable, unreachable, or both.
	Status        discover.Statuses   `json:"status,omitempty"`
	FirstSeen     *time.Time          `json:"firstSeen,omitempty"`
	LastSeen      *time.Time          `json:"lastSeen,omitempty"`
	EvidenceCount int                 `json:"evidenceCount"`
	Evidence      []discover.Evidence `json:"evidence"`
}

// Unresolved is a wildcard row without a full replacement.
type Unresolved struct {
	Address  string `json:"address"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
	Purpose  string `json:"purpose"`
	// ServiceTag is the row's Azure service tag: what a firewall that
	// knows tags can enforce in its place.
	ServiceTag string `json:"serviceTag,omitempty"`
	Required   bool   `json:"required"`
	// AgentLogs says whether the agent's events name hosts under the row
	// at all (discover.AgentLogs): if not, no scan will ever resolve it.
	AgentLogs bool `json:"agentLogs"`
	// Registrable marks a row any Azure customer can put a name under:
	// its whole service tag would admit every customer's resources.
	Registrable bool   `json:"registrable,omitempty"`
	Observed    int    `json:"observed"` // discovered hosts listed in its place
	Reason      string `json:"reason"`
}

// Excluded is an address kept out of every allowlist, and why.
type Excluded struct {
	Address       string              `json:"address"`
	Code          discover.Code       `json:"code"`
	Reason        string              `json:"reason"`
	Row           string              `json:"row,omitempty"` // the catalog row it matched
	EvidenceCount int                 `json:"evidenceCount"`
	Evidence      []discover.Evidence `json:"evidence"`
}

// Host is one computer whose events were read.
type Host struct {
	Computer    string `json:"computer"`
	Region      string `json:"region"`
	RegionBasis string `json:"regionBasis"`
	Events      int    `json:"events"`
	// Newest3701 is the time of the host's newest URL check: its newest
	// 3701 or 3702 that passed the forged-channel rule.
	Newest3701 *time.Time `json:"newest3701,omitempty"`
	// Unreachable lists the names the agent could not reach (3702 or a
	// not-accessible section), trusted or not.
	Unreachable []string `json:"unreachable,omitempty"`
	// Health holds the agent's health events: 3703 (RD Gateway URL not
	// accessible), 3019 (web-socket transport URLs not reachable), 3277
	// (broker or registration failures).
	Health []HealthEvent `json:"health,omitempty"`
	// AgentChecks are the checks of the agent's health report (live runs).
	AgentChecks []discover.AgentCheck `json:"agentChecks,omitempty"`
}

// HealthEvent is one agent health event of a host.
type HealthEvent struct {
	EventID  uint32    `json:"eventId"`
	Time     time.Time `json:"time"`
	RecordID uint64    `json:"recordId"`
	File     string    `json:"file"`
	Summary  string    `json:"summary"` // the first line of its text, cut and made printable
}

// BuildOptions say how to turn findings into a Report.
type BuildOptions struct {
	Cloud             Cloud
	Scope             Scope
	Optional          bool              // add the optional rows
	IncludeDeprecated bool              // allow deprecated hosts seen in events
	TrustSuffixes     []string          // extra trusted suffixes (normalised)
	Region            string            // one region for every computer
	RegionBasis       string            // how Region was found; default "given for every host"
	RegionMap         map[string]string // computer (lower case) -> region
	// AllowRegistrable admits names under registrable wildcard rows
	// (see Row.Registrable) instead of sending them to review.
	AllowRegistrable bool
	// MaxEntries bounds the discovered entries of one region; 0 means
	// DefaultMaxEntries. The rest are rejected with CodeTooManyEntries.
	MaxEntries int
	// NoWildcards leaves every wildcard out: the strictly wildcard-free
	// list; the wildcards it leaves out are unresolved, with the reason.
	NoWildcards bool
	// NoRegistrableWildcards leaves out the carried wildcards any Azure
	// customer can put a name under (client *.servicebus.windows.net).
	NoRegistrableWildcards bool
}

// Observation is the input to Build: what was found in the events of one
// computer.
type Observation struct {
	Findings []discover.Finding
	Rejects  []discover.Reject
	// Sightings are names already counted elsewhere: the entries, rejected
	// and deprecated names of an earlier report of this computer. They are
	// judged again like findings, with their counts and evidence.
	Sightings   []Sighting
	Events      int
	Newest      time.Time // newest 3701 event
	Health      []HealthEvent
	AgentChecks []discover.AgentCheck
	// Region and RegionBasis, when set, are what an earlier report said;
	// they stand unless --region or --region-map says otherwise.
	Region      string
	RegionBasis string
}

// Sighting is a host name seen Count times, with the times of the first
// and last sighting and (some of) the evidence.
type Sighting struct {
	Host     string
	Status   discover.Statuses // statuses seen
	Count    int
	First    time.Time
	Last     time.Time
	Evidence []discover.Evidence
	// Code and Reason are set for a name an earlier report rejected for a
	// reason that stays true whatever the catalog (an invalid name, a
	// forged channel): it stays rejected.
	Code   discover.Code
	Reason string
}

// eachSighting calls fn with every finding as a sighting, then with the
// given sightings. fn must not keep s.Evidence: for findings it is reused.
func (ob *Observation) eachSighting(fn func(s Sighting)) {
	var one [1]discover.Evidence
	for _, f := range ob.Findings {
		one[0] = f.Evidence
		fn(Sighting{Host: f.Host, Status: discover.StatusesOf(f.Evidence.Status), Count: 1,
			First: f.Evidence.Time, Last: f.Evidence.Time, Evidence: one[:]})
	}
	for _, s := range ob.Sightings {
		fn(s)
	}
}

// UnknownRegion is the region of computers whose region could not be told.
const UnknownRegion = "unknown"

// Build merges the findings of every computer with the catalog version into
// one allowlist per region. obs is keyed by computer name.
func (v *Version) Build(obs map[string]*Observation, o BuildOptions) Report {
	rep := Report{
		SchemaVersion: ReportSchemaVersion,
		Catalog:       CatalogRef{Version: v.ID, SourceDate: v.SourceDate, Confidence: v.Confidence, Source: v.Source},
		Cloud:         o.Cloud, Scope: o.Scope, Optional: o.Optional,
		TrustSuffixes: o.TrustSuffixes,
		Regions:       []Region{}, Hosts: []Host{}, Rejected: []Excluded{}, Deprecated: []Excluded{}, Review: []Excluded{}, Inputs: []InputFile{},
	}
	rows := v.Rows(o.Cloud, o.Scope)
	type match struct {
		row Row
		ok  bool
	}
	matches := map[string]match{} // the same names recur in every event
	matchHost := func(host string) (Row, bool) {
		m, seen := matches[host]
		if !seen {
			m.row, m.ok = matchRows(rows, host)
			matches[host] = m
		}
		return m.row, m.ok
	}
	regions := map[string]*regionAcc{}
	j := judge{v: v, o: o, match: matchHost, rejected: map[[2]string]*Excluded{},
		deprecated: map[[2]string]*Excluded{}, review: map[[2]string]*Excluded{}}
	for _, computer := range slices.Sorted(maps.Keys(obs)) {
		ob := obs[computer]
		region, basis := o.regionOf(computer, ob)
		h := Host{Computer: computer, Region: region, RegionBasis: basis, Events: ob.Events, Health: health(ob.Health), AgentChecks: ob.AgentChecks}
		ob.eachSighting(func(f Sighting) {
			if f.Status.Has(discover.Unreachable) && f.Code != discover.CodeInvalidName {
				h.Unreachable = append(h.Unreachable, f.Host)
			}
		})
		slices.Sort(h.Unreachable)
		h.Unreachable = slices.Compact(h.Unreachable)
		if !ob.Newest.IsZero() {
			t := ob.Newest
			h.Newest3701 = &t
		}
		rep.Hosts = append(rep.Hosts, h)
		ra := regions[region]
		if ra == nil {
			ra = &regionAcc{entries: map[string]*Entry{}}
			regions[region] = ra
		}
		// The names the host's newest URL check lists: every sighting of
		// such a name by this host is judged as still checked.
		fresh := map[string]bool{}
		ob.eachSighting(func(f Sighting) {
			if stillChecked(f, ob.Newest) {
				fresh[f.Host] = true
			}
		})
		ob.eachSighting(func(f Sighting) { j.sighting(ra, computer, fresh[f.Host], f) })
		if w := gatewayMismatch(h, ob); w != "" {
			ra.warnings = append(ra.warnings, w)
		}
		for _, r := range ob.Rejects {
			excluded(j.rejected, r.Value, r.Code, r.Reason, "").add(Sighting{Host: r.Value, Count: 1, First: r.Evidence.Time, Last: r.Evidence.Time,
				Evidence: []discover.Evidence{r.Evidence}})
		}
	}
	if len(regions) == 0 {
		regions[o.defaultRegion()] = &regionAcc{entries: map[string]*Entry{}}
	}
	for _, name := range slices.Sorted(maps.Keys(regions)) {
		rep.Regions = append(rep.Regions, regions[name].finish(name, rows, o, j.rejected))
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
	rep.Rejected = finishExcluded(j.rejected)
	rep.Deprecated = finishExcluded(j.stillNeeded(rep.Regions))
	rep.Review = finishExcluded(j.review)
	return rep
}

func (o BuildOptions) defaultRegion() string {
	if o.Region != "" {
		return o.Region
	}
	return UnknownRegion
}

// regionOf decides a computer's region and says on what basis.
func (o BuildOptions) regionOf(computer string, ob *Observation) (string, string) {
	if o.Region != "" {
		if o.RegionBasis != "" {
			return o.Region, o.RegionBasis
		}
		return o.Region, "given for every host"
	}
	c := strings.ToLower(computer)
	if r, ok := o.RegionMap[c]; ok {
		return r, "region map"
	}
	// A map may name hosts by their short name.
	if short, _, ok := strings.Cut(c, "."); ok {
		if r, ok := o.RegionMap[short]; ok {
			return r, "region map (short name " + short + ")"
		}
	}
	if ob.Region != "" && ob.Region != UnknownRegion {
		return ob.Region, ob.RegionBasis
	}
	counts := map[string]int{}
	ob.eachSighting(func(f Sighting) {
		if r, ok := discover.RegionHint(f.Host); ok {
			if _, real := LookupRegion(o.Cloud, r); real {
				counts[r] += f.Count
			}
		}
	})
	best, n := "", 0
	for _, r := range slices.Sorted(maps.Keys(counts)) {
		if counts[r] > n {
			best, n = r, counts[r]
		}
	}
	if best != "" {
		basis := "inferred from " + best + "-shared.prod.warm.ingest host (the agent's monitoring region; check it with a region map)"
		if len(counts) > 1 {
			basis += fmt.Sprintf("; %d regions seen", len(counts))
		}
		return best, basis
	}
	return UnknownRegion, "no region given, no region map entry, no region-specific host seen"
}

// gatewayMismatch returns a warning when the gateway names a host's
// events hold all point to another region than the one it was given.
func gatewayMismatch(h Host, ob *Observation) string {
	if h.Region == UnknownRegion {
		return ""
	}
	seen := map[string]string{} // region -> one gateway name
	ob.eachSighting(func(f Sighting) {
		if _, r, ok := discover.GatewayRegion(f.Host); ok {
			if _, dup := seen[r]; !dup {
				seen[r] = f.Host
			}
		}
	})
	if len(seen) == 0 || seen[h.Region] != "" {
		return ""
	}
	regions := slices.Sorted(maps.Keys(seen))
	return fmt.Sprintf("host %s was given region %s (%s), but its gateway names point to %s (%s): check its region",
		h.Computer, h.Region, h.RegionBasis, strings.Join(regions, ", "), seen[regions[0]])
}

// trusted reports whether host is under a --trust-suffix.
func (o BuildOptions) trusted(host string) bool {
	for _, s := range o.TrustSuffixes {
		if host == s || strings.HasSuffix(host, "."+s) {
			return true
		}
	}
	return false
}

// regionAcc accumulates the discovered entries of one region.
type regionAcc struct {
	entries  map[string]*Entry // key: address/port/protocol
	byRow    map[string]int    // wildcard row address -> hosts replacing it
	warnings []string          // about the region's hosts, in computer order
	// checkers are, per deprecated entry, the hosts whose newest check
	// still lists it.
	checkers map[string]map[string]bool
}

func entryKey(addr string, port int, proto string) string {
	return fmt.Sprintf("%s/%d/%s", addr, port, proto)
}

func (ra *regionAcc) add(f Sighting, row Row) {
	k := entryKey(f.Host, row.Port, row.Protocol)
	e := ra.entries[k]
	if e == nil {
		e = &Entry{Address: f.Host, Port: row.Port, Protocol: row.Protocol, Kind: KindFQDN.String(),
			Source: "event", Purpose: row.Purpose, ServiceTag: row.ServiceTag, Required: row.Required}
		if row.Kind() == KindWildcard {
			e.Replaces = row.Address
			e.ObservedOnly = row.Wildcard == WildcardService
			if ra.byRow == nil {
				ra.byRow = map[string]int{}
			}
			ra.byRow[row.Address]++
		} else if row.Address == f.Host {
			e.Source = "catalog"
		}
		ra.entries[k] = e
	}
	addSighting(&e.EvidenceCount, &e.Evidence, &e.FirstSeen, &e.LastSeen, f)
	e.Status = e.Status.Union(f.Status)
}

// DeprecatedPurpose is the purpose of an entry kept under a deprecated row
// because n hosts still check it: what every format writes beside it.
func DeprecatedPurpose(purpose string, n int) string {
	return fmt.Sprintf("%s (deprecated by Microsoft; still checked by %d %s)", purpose, n, plural(n, "host", "hosts"))
}

// plural is one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// addDeprecated records a name under a deprecated row that computer's
// newest check still lists: an entry, flagged, counting such hosts.
func (ra *regionAcc) addDeprecated(f Sighting, row Row, computer string) {
	ra.add(f, row)
	k := entryKey(f.Host, row.Port, row.Protocol)
	e := ra.entries[k]
	e.Deprecated = true
	if ra.checkers == nil {
		ra.checkers = map[string]map[string]bool{}
	}
	if ra.checkers[k] == nil {
		ra.checkers[k] = map[string]bool{}
	}
	ra.checkers[k][computer] = true
}

// finish turns the accumulated entries and the catalog rows into a Region.
func (ra *regionAcc) finish(name string, rows []Row, o BuildOptions, rejected map[[2]string]*Excluded) Region {
	reg := Region{Region: name, Entries: []Entry{}, IPRules: []Entry{}, Wildcards: []Wildcard{}, Unresolved: []Unresolved{}}
	for _, r := range rows {
		if r.Deprecated || (!r.Required && !o.Optional) {
			continue
		}
		switch r.Kind() {
		case KindIP, KindCIDR:
			reg.IPRules = append(reg.IPRules, catalogEntry(r))
		case KindFQDN:
			k := entryKey(r.Address, r.Port, r.Protocol)
			if _, ok := ra.entries[k]; !ok {
				e := catalogEntry(r)
				ra.entries[k] = &e
			}
		case KindWildcard:
			if w, ok := wildcardRow(r, ra.byRow[r.Address], o); ok {
				reg.Wildcards = append(reg.Wildcards, w)
			} else if u, ok := unresolvedRow(r, ra.byRow[r.Address], o); ok {
				reg.Unresolved = append(reg.Unresolved, u)
				if u.Observed > 0 {
					reg.Warnings = append(reg.Warnings, fmt.Sprintf("%s: %d observed hosts listed in its place; the list is not exhaustive and will change", r.Address, u.Observed))
				}
			}
		}
	}
	reg.Warnings = append(reg.Warnings, ra.warnings...)
	for _, e := range ra.entries {
		e.Evidence = capEvidence(e.Evidence)
		if e.Deprecated {
			e.CheckedBy = slices.Sorted(maps.Keys(ra.checkers[entryKey(e.Address, e.Port, e.Protocol)]))
			e.Purpose = DeprecatedPurpose(e.Purpose, len(e.CheckedBy))
		}
		reg.Entries = append(reg.Entries, *e)
	}
	byAddr := func(a, b Entry) int {
		return cmp.Or(strings.Compare(a.Address, b.Address), cmp.Compare(a.Port, b.Port), strings.Compare(a.Protocol, b.Protocol))
	}
	slices.SortFunc(reg.Entries, byAddr)
	reg.Entries = capEntries(name, reg.Entries, o.MaxEntries, rejected)
	for _, e := range reg.Entries {
		if e.Deprecated {
			reg.Warnings = append(reg.Warnings, fmt.Sprintf("%s: Microsoft no longer lists it, but the newest URL check of %d %s still lists it: kept; remove it when no host checks it",
				e.Address, len(e.CheckedBy), plural(len(e.CheckedBy), "host", "hosts")))
		}
	}
	slices.SortFunc(reg.IPRules, byAddr)
	return reg
}

// wildcardRow says whether wildcard row r is carried as a wildcard: its
// policy is service traffic or unnamed, and the options leave it in.
func wildcardRow(r Row, n int, o BuildOptions) (Wildcard, bool) {
	if r.Wildcard == WildcardNames || o.NoWildcards {
		return Wildcard{}, false
	}
	w := carriedWildcard(r, n)
	if w.Registrable && o.NoRegistrableWildcards {
		return Wildcard{}, false
	}
	return w, true
}

// unresolvedRow says whether wildcard row r stays unresolved when n hosts
// of the region's events replace it, and why.
func unresolvedRow(r Row, n int, o BuildOptions) (Unresolved, bool) {
	u := Unresolved{Address: r.Address, Port: r.Port, Protocol: r.Protocol, Purpose: r.Purpose, ServiceTag: r.ServiceTag,
		Required: r.Required, AgentLogs: r.Scope == ScopeSessionHost && discover.AgentLogs(r.Address), Registrable: customerNamed(r), Observed: n}
	switch {
	case r.Wildcard != WildcardNames && o.NoRegistrableWildcards && !o.NoWildcards:
		u.Reason = "left out by request: any Azure customer can create a name under this wildcard, which Microsoft requires; hosts that need it will fail"
	case r.Wildcard == WildcardService:
		u.Reason = fmt.Sprintf("left out by request (a strictly wildcard-free list): service traffic, which Microsoft requires as a wildcard; %d names seen and listed, not the whole set: hosts will fail when they rotate", n)
	case r.Wildcard == WildcardUnnamed:
		u.Reason = "left out by request (a strictly wildcard-free list): no scan can replace this wildcard by names; what needs it will fail"
	case n > 0:
		return u, false // replaced by the names seen
	case u.AgentLogs:
		u.Reason = "the agent logs names under this row; none seen in the events of this region (scan more hosts or a longer period)"
	default:
		u.Reason = "the agent never logs names under this row: no scan resolves it; allow it by its service tag or as a wildcard"
	}
	return u, true
}

func catalogEntry(r Row) Entry {
	return Entry{Address: r.Address, Port: r.Port, Protocol: r.Protocol, Kind: r.Kind().String(), Source: "catalog",
		Purpose: r.Purpose, ServiceTag: r.ServiceTag, Required: r.Required, Evidence: []discover.Evidence{}}
}

// excluded returns the list item for an address and reason, making it.
func excluded(m map[[2]string]*Excluded, addr string, code discover.Code, reason, row string) *Excluded {
	k := [2]string{addr, reason}
	ex := m[k]
	if ex == nil {
		ex = &Excluded{Address: addr, Code: code, Reason: reason, Row: row}
		m[k] = ex
	}
	return ex
}

func (ex *Excluded) add(s Sighting) {
	addSighting(&ex.EvidenceCount, &ex.Evidence, nil, nil, s)
}

// finishExcluded returns the items of an exclusion list with their
// evidence capped, sorted by address and reason.
func finishExcluded(m map[[2]string]*Excluded) []Excluded {
	list := make([]Excluded, 0, len(m))
	for _, ex := range m {
		ex.Evidence = capEvidence(ex.Evidence)
		list = append(list, *ex)
	}
	slices.SortFunc(list, func(a, b Excluded) int {
		return cmp.Or(strings.Compare(a.Address, b.Address), strings.Compare(a.Reason, b.Reason))
	})
	return list
}

// addSighting records a sighting. All evidence is kept until finish sorts
// and caps it, so the result does not depend on order.
func addSighting(count *int, list *[]discover.Evidence, first, last **time.Time, s Sighting) {
	*count += s.Count
	*list = append(*list, s.Evidence...)
	if len(*list) > 4*maxEvidence {
		// Keep memory bounded: the newest maxEvidence of a union are
		// among the newest maxEvidence of its parts, so trimming early
		// gives the same result as trimming at the end.
		*list = capEvidence(*list)
	}
	if first != nil && !s.First.IsZero() && (*first == nil || s.First.Before(**first)) {
		t := s.First
		*first = &t
	}
	if last != nil && !s.Last.IsZero() && (*last == nil || s.Last.After(**last)) {
		t := s.Last
		*last = &t
	}
}

// capEvidence sorts evidence newest first (then by computer, file and
// record) and keeps the first maxEvidence distinct items.
func capEvidence(list []discover.Evidence) []discover.Evidence {
	slices.SortFunc(list, func(a, b discover.Evidence) int {
		return cmp.Or(b.Time.Compare(a.Time), strings.Compare(a.Computer, b.Computer),
			strings.Compare(a.File, b.File), cmp.Compare(a.RecordID, b.RecordID), strings.Compare(string(a.Status), string(b.Status)))
	})
	list = slices.Compact(list)
	if len(list) > maxEvidence {
		list = list[:maxEvidence]
	}
	if list == nil {
		list = []discover.Evidence{}
	}
	return list
}

// health sorts a host's health events newest first and keeps the 20
// newest.
func health(evs []HealthEvent) []HealthEvent {
	if len(evs) == 0 {
		return nil
	}
	evs = slices.Clone(evs)
	slices.SortFunc(evs, func(a, b HealthEvent) int {
		return cmp.Or(b.Time.Compare(a.Time), cmp.Compare(a.EventID, b.EventID), strings.Compare(a.File, b.File), cmp.Compare(a.RecordID, b.RecordID))
	})
	evs = slices.Compact(evs)
	return evs[:min(len(evs), maxEvidence)]
}
