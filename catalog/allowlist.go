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
// review item; version 3 the carried wildcards; version 4 bounded lists:
// rejectedMore, deprecatedMore, reviewMore, a host's unreachableMore, and
// evidence as a sample. Reports of versions 1 to 3 are still read
// (DecodeReport).
const ReportSchemaVersion = 4

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
	// CodeTooManyHosts: the name was seen by a computer past the bound of
	// computers one report holds (BuildOptions.MaxHosts).
	CodeTooManyHosts discover.Code = "too-many-hosts"
)

// DefaultMaxEntries is the default bound on the discovered entries of one
// region (BuildOptions.MaxEntries).
const DefaultMaxEntries = 10000

// DefaultMaxHosts is the default bound on the computers one report holds
// (BuildOptions.MaxHosts): twice a fleet of 10,000 session hosts, and a
// report of a few MB; a larger fleet raises it (--max-hosts).
const DefaultMaxHosts = 20000

// maxHealth bounds the health events kept per host: the newest.
const maxHealth = 20

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
	Review []Excluded `json:"review"`
	// RejectedMore, DeprecatedMore and ReviewMore count the names each
	// list leaves out past its bound (BuildOptions.MaxListed).
	RejectedMore   Rest `json:"rejectedMore"`
	DeprecatedMore Rest `json:"deprecatedMore"`
	ReviewMore     Rest `json:"reviewMore"`
	// HostsMore counts the computers past BuildOptions.MaxHosts (Names,
	// estimated past a bound) and their events (Sightings): their names
	// are rejected (CodeTooManyHosts), so that a flood of forged computer
	// names cannot grow memory or the report without bound.
	HostsMore     Rest        `json:"hostsMore"`
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
	Address string        `json:"address"`
	Code    discover.Code `json:"code"`
	Reason  string        `json:"reason"`
	Row     string        `json:"row,omitempty"` // the catalog row it matched
	// Status is what the agent said of the name, over all its sightings
	// (the evidence is a sample).
	Status        discover.Statuses   `json:"status,omitempty"`
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
	// UnreachableMore counts (about) the unreachable names past the
	// bound of Unreachable (100, by hash as in Rest).
	UnreachableMore int `json:"unreachableMore,omitempty"`
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
	Optional          bool         // add the optional rows
	IncludeDeprecated bool         // allow deprecated hosts seen in events
	TrustSuffixes     []string     // extra trusted suffixes (normalised)
	Region            string       // one region for every computer
	RegionBasis       string       // how Region was found; default "given for every host"
	RegionMap         RegionLookup // computer (lower case) -> region
	// AllowRegistrable admits names under registrable wildcard rows
	// (see Row.Registrable) instead of sending them to review.
	AllowRegistrable bool
	// MaxEntries bounds the discovered entries of one region; 0 means
	// DefaultMaxEntries. The rest are rejected with CodeTooManyEntries.
	MaxEntries int
	// MaxListed bounds the names listed in each of the rejected,
	// deprecated and review lists; 0 means DefaultMaxListed. The rest
	// are counted (Report.RejectedMore ...).
	MaxListed int
	// MaxHosts bounds the computers a report holds; 0 means
	// DefaultMaxHosts. The events of the computers past it are counted
	// (Report.HostsMore) and their names rejected with CodeTooManyHosts.
	MaxHosts int
	// NoWildcards leaves every wildcard out: the strictly wildcard-free
	// list; the wildcards it leaves out are unresolved, with the reason.
	NoWildcards bool
	// NoRegistrableWildcards leaves out the carried wildcards any Azure
	// customer can put a name under (client *.servicebus.windows.net).
	NoRegistrableWildcards bool
}

// A RegionLookup gives the region of a computer, by its lower-case name
// (a region map).
type RegionLookup interface {
	Region(computer string) (string, bool)
}

// RegionTable is a RegionLookup held in a map.
type RegionTable map[string]string

// Region returns the region of computer.
func (t RegionTable) Region(computer string) (string, bool) {
	r, ok := t[computer]
	return r, ok
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
	// Unreachable are names an earlier report listed as the host's
	// unreachable ones; UnreachableCut says it left out more, past the
	// largest of them (Host.UnreachableMore).
	Unreachable    []string
	UnreachableCut bool
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

// trusted reports whether host is under a --trust-suffix.
func (o BuildOptions) trusted(host string) bool {
	for _, s := range o.TrustSuffixes {
		if host == s || strings.HasSuffix(host, "."+s) {
			return true
		}
	}
	return false
}

// regionAcc accumulates the discovered entries of one region. Entries
// from events (under wildcard rows) are bounded as they come: past twice
// max, only the first max by address stay, and entries past the last of
// them are rejected at once (CodeTooManyEntries), as finish would.
type regionAcc struct {
	name     string
	max      int
	rejected *exclList
	entries  map[entryID]*Entry
	events   int  // entries from events in entries
	cut      bool // entries past cutoff were rejected
	cutoff   Entry
	warnings []string // about the region's hosts, in computer order
	// checkers are, per deprecated entry, the hosts whose newest check
	// still lists it.
	checkers map[entryID]map[string]bool
}

func newRegionAcc(name string, max int, rejected *exclList) *regionAcc {
	return &regionAcc{name: name, max: max, rejected: rejected, entries: map[entryID]*Entry{}}
}

func entryKey(addr string, port int, proto string) entryID { return entryID{addr, port, proto} }

// entryID is an entry's or a row's address, port and protocol.
type entryID struct {
	addr  string
	port  int
	proto string
}

// byAddr orders entries by address, port and protocol.
func byAddr(a, b Entry) int {
	return cmp.Or(strings.Compare(a.Address, b.Address), cmp.Compare(a.Port, b.Port), strings.Compare(a.Protocol, b.Protocol))
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
		} else if row.Address == f.Host {
			e.Source = "catalog"
		}
		if e.Source == "event" {
			if ra.cut && byAddr(*e, ra.cutoff) > 0 {
				ra.rejected.add(f.Host, CodeTooManyEntries, tooManyEntries(ra.name, ra.max), e.Replaces, f)
				return
			}
			ra.events++
		}
		ra.entries[k] = e
	}
	addSighting(&e.EvidenceCount, &e.Evidence, &e.FirstSeen, &e.LastSeen, f)
	e.Status = e.Status.Union(f.Status)
	if ra.events > 2*ra.max {
		ra.prune()
	}
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
		ra.checkers = map[entryID]map[string]bool{}
	}
	if ra.checkers[k] == nil {
		ra.checkers[k] = map[string]bool{}
	}
	ra.checkers[k][computer] = true
}

// prune keeps the first max entries from events, by address, and rejects
// the rest.
func (ra *regionAcc) prune() {
	var events []*Entry
	for _, e := range ra.entries {
		if e.Source == "event" {
			events = append(events, e)
		}
	}
	slices.SortFunc(events, func(a, b *Entry) int { return byAddr(*a, *b) })
	ra.cut, ra.cutoff = true, *events[ra.max-1]
	for _, e := range events[ra.max:] {
		e.Evidence = capEvidence(e.Evidence)
		ra.rejected.add(e.Address, CodeTooManyEntries, tooManyEntries(ra.name, ra.max), e.Replaces,
			Sighting{Host: e.Address, Count: e.EvidenceCount, Evidence: e.Evidence})
		delete(ra.entries, entryKey(e.Address, e.Port, e.Protocol))
	}
	ra.events = ra.max
}

// finish turns the accumulated entries and the catalog rows into a
// Region. A wildcard row's observed hosts are the entries listed in its
// place.
func (ra *regionAcc) finish(rows []Row, o BuildOptions) Region {
	reg := Region{Region: ra.name, Entries: []Entry{}, IPRules: []Entry{}, Wildcards: []Wildcard{}, Unresolved: []Unresolved{}}
	rows = slices.DeleteFunc(slices.Clone(rows), func(r Row) bool { return r.Deprecated || (!r.Required && !o.Optional) })
	for _, r := range rows {
		if k := entryKey(r.Address, r.Port, r.Protocol); r.Kind() == KindFQDN && ra.entries[k] == nil {
			e := catalogEntry(r)
			ra.entries[k] = &e
		}
	}
	for _, e := range ra.entries {
		e.Evidence = capEvidence(e.Evidence)
		if e.Deprecated {
			e.CheckedBy = slices.Sorted(maps.Keys(ra.checkers[entryKey(e.Address, e.Port, e.Protocol)]))
			e.Purpose = DeprecatedPurpose(e.Purpose, len(e.CheckedBy))
		}
		reg.Entries = append(reg.Entries, *e)
	}
	slices.SortFunc(reg.Entries, byAddr)
	reg.Entries = capEntries(ra.name, reg.Entries, ra.max, ra.rejected)
	byRow := map[string]int{} // wildcard row address -> hosts listed in its place
	for _, e := range reg.Entries {
		if e.Source == "event" && e.Replaces != "" {
			byRow[e.Replaces]++
		}
	}
	for _, r := range rows {
		switch r.Kind() {
		case KindIP, KindCIDR:
			reg.IPRules = append(reg.IPRules, catalogEntry(r))
		case KindWildcard:
			if w, ok := wildcardRow(r, byRow[r.Address], o); ok {
				reg.Wildcards = append(reg.Wildcards, w)
			} else if u, ok := unresolvedRow(r, byRow[r.Address], o); ok {
				reg.Unresolved = append(reg.Unresolved, u)
				if u.Observed > 0 {
					reg.Warnings = append(reg.Warnings, fmt.Sprintf("%s: %d observed hosts listed in its place; the list is not exhaustive and will change", r.Address, u.Observed))
				}
			}
		}
	}
	reg.Warnings = append(reg.Warnings, ra.warnings...)
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

func (ex *Excluded) add(s Sighting) {
	ex.Status = ex.Status.Union(s.Status)
	addSighting(&ex.EvidenceCount, &ex.Evidence, nil, nil, s)
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
	// A copy of its own: the array of the events left out (and their
	// texts) is not kept alive behind the newest.
	return slices.Clone(evs[:min(len(evs), maxHealth)])
}
