package catalog

import (
	"fmt"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// maxRejectedName is where a rejected name that is not a host name is cut.
const maxRejectedName = 512

// judge decides, for every name seen, whether it enters its region's
// allowlist or which list keeps it out, and why. It is the one place where
// trust is decided: names from events, from URL-tool output and from
// earlier reports all pass through sighting.
type judge struct {
	v *Version
	o BuildOptions
	// normalize is discover.Normalize; match the row a canonical name
	// matches (both cached by the Builder).
	normalize func(name string) (string, error)
	match     func(host string) (Row, bool)
	// rejected, deprecated and review are the bounded lists of names
	// kept out, each item by address and reason.
	rejected, deprecatedList, review *exclList
}

// verdict says where a judged name goes.
type verdict int

const (
	// verdictOut: a list keeps it out (the judge added it there).
	verdictOut verdict = iota
	// verdictAllow: it enters its host's region under the row.
	verdictAllow
	// verdictDeprecated: it is under a deprecated row, and the host's
	// newest URL check decides (Builder.deprecated): still listed there,
	// it stays allowed and flagged; else "remove".
	verdictDeprecated
)

// sighting judges one name seen and says where it goes (verdict), with the
// row it matched. The name is brought to canonical form first
// (discover.Normalize), whatever its source, so that it is judged and
// written in one form only; a name that is not a valid host name is
// rejected as such.
func (j *judge) sighting(f *Sighting) (Row, verdict) {
	if h, err := j.normalize(f.Host); err == nil {
		f.Host = h
	} else if f.Reason == "" {
		f.Code, f.Reason = discover.CodeInvalidName, err.Error()
		f.Host = discover.CleanText(f.Host, maxRejectedName)
	}
	if f.Reason != "" {
		j.rejected.add(f.Host, f.Code, f.Reason, "", *f)
		return Row{}, verdictOut
	}
	row, ok := j.match(f.Host)
	switch {
	case ok && row.Deprecated && customerNamed(row) && !j.o.IncludeDeprecated:
		// Review beats evidence: no event vouches for a name any customer
		// can register, so the host's checks do not matter here; judged
		// at once, the same in every part of a fleet's reports.
		code, what := deprecatedWhat(f.Host, row)
		reason := fmt.Sprintf("matches %s, whose first label any Azure customer can register: never allowed on an event's word; remove it from the firewall", what)
		j.deprecatedList.add(f.Host, code, reason, row.Address, *f)
	case ok && row.Deprecated && !j.o.IncludeDeprecated:
		return row, verdictDeprecated
	case ok && customerNamed(row) && !j.o.AllowRegistrable:
		reason := fmt.Sprintf("matches %s, whose first label any Azure customer can register: confirm it is Microsoft's before allowing it", row.Address)
		j.review.add(f.Host, CodeRegistrable, reason, row.Address, *f)
	case ok && !row.Required && !row.Deprecated && !j.o.Optional:
		reason := fmt.Sprintf("matches only the optional catalog row %s, and optional rows were not asked for", row.Address)
		j.rejected.add(f.Host, CodeOptional, reason, row.Address, *f)
	case ok:
		return row, verdictAllow
	case j.o.trusted(f.Host):
		return Row{Address: f.Host, Port: 443, Protocol: "TCP", Purpose: "under a trusted suffix", Required: true}, verdictAllow
	default:
		reason := fmt.Sprintf("not under any %s catalog row for cloud %s (scope %s), nor under a trusted suffix", j.v.ID, j.o.Cloud, j.o.Scope)
		j.rejected.add(f.Host, CodeUntrusted, reason, "", *f)
	}
	return Row{}, verdictOut
}

// deprecatedWhat names what a name under the deprecated row matches, and
// the code: the agent's retired per-deployment hosts apart.
func deprecatedWhat(host string, row Row) (discover.Code, string) {
	if legacyAgentHost.MatchString(host) {
		return CodeLegacyAgent, "the agent's per-deployment host of before 2022 (gsm<digits>eh/xt), under the deprecated row " + row.Address
	}
	return CodeDeprecated, "deprecated catalog row " + row.Address + " (no longer supported by Microsoft)"
}

// checkRunWindow is how far apart the events of one URL check of the agent
// may be (its 3701 and 3702 are written one after the other): a name seen
// this close to a host's newest check is in that check.
const checkRunWindow = 2 * time.Minute

// stillChecked reports whether the host's newest URL check lists a name
// last seen at last: within checkRunWindow of the host's newest check. A
// host without a dated check (a URL-tool output without its time) has one
// check, so every name it lists is in it.
func stillChecked(last, newest time.Time) bool {
	return newest.IsZero() || !last.Before(newest.Add(-checkRunWindow))
}

// deprecated decides a name under a deprecated row (not a registrable
// one: those are judged at once) that a host saw (s: all its sightings by
// that host), once the host's newest check is known: still listed there
// (fresh), it stays in the region ra, flagged with the host; not listed,
// it is "remove", unless another host still checks it (kept: then it is
// in that host's region, flagged, and not "remove").
func (j *judge) deprecated(ra *regionAcc, computer string, s Sighting, row Row, fresh, kept bool) {
	switch {
	case fresh:
		ra.addDeprecated(s, row, computer)
	case kept:
	default:
		code, what := deprecatedWhat(s.Host, row)
		reason := fmt.Sprintf("matches %s, and no host's newest URL check lists it: remove it from the firewall", what)
		j.deprecatedList.add(s.Host, code, reason, row.Address, s)
	}
}

// capEntries keeps the first max discovered entries of a region (by
// address) and moves the rest to rejected with CodeTooManyEntries, so a
// flood of forged names cannot grow an allowlist without bound.
func capEntries(name string, entries []Entry, max int, rejected *exclList) []Entry {
	if max <= 0 {
		max = DefaultMaxEntries
	}
	kept, n := entries[:0], 0
	for _, e := range entries {
		if e.Source != "event" {
			kept = append(kept, e)
			continue
		}
		if n++; n <= max {
			kept = append(kept, e)
			continue
		}
		rejected.add(e.Address, CodeTooManyEntries, tooManyEntries(name, max), e.Replaces, Sighting{Host: e.Address, Count: e.EvidenceCount, Evidence: e.Evidence})
	}
	return kept
}

// CloudHint looks at the names a report rejected as untrusted and returns
// another cloud whose catalog rows match most of them (more than half, at
// least three), with how many match: a sign the scan ran with the wrong
// --cloud.
func (v *Version) CloudHint(rep Report) (Cloud, int) {
	var names []string
	for _, x := range rep.Rejected {
		if x.Code == CodeUntrusted {
			names = append(names, x.Address)
		}
	}
	for _, c := range Clouds() {
		if c == rep.Cloud {
			continue
		}
		n := 0
		for _, name := range names {
			if _, ok := v.Match(name, c, rep.Scope); ok {
				n++
			}
		}
		if n >= 3 && 2*n > len(names) {
			return c, n
		}
	}
	return "", 0
}
