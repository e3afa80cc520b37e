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
	v     *Version
	o     BuildOptions
	match func(host string) (Row, bool)
	// rejected, deprecated and review are keyed by address and reason.
	rejected, deprecated, review map[[2]string]*Excluded
}

// sighting judges one name seen by computer, a host of the region ra;
// fresh says whether the host's newest URL check lists the name. The name
// is brought to canonical form first (discover.Normalize), whatever its
// source, so that it is judged and written in one form only; a name that
// is not a valid host name is rejected as such.
func (j *judge) sighting(ra *regionAcc, computer string, fresh bool, f Sighting) {
	if h, err := discover.Normalize(f.Host); err == nil {
		f.Host = h
	} else if f.Reason == "" {
		f.Code, f.Reason = discover.CodeInvalidName, err.Error()
		f.Host = discover.CleanText(f.Host, maxRejectedName)
	}
	if f.Reason != "" {
		excluded(j.rejected, f.Host, f.Code, f.Reason, "").add(f)
		return
	}
	row, ok := j.match(f.Host)
	switch {
	case ok && row.Deprecated && customerNamed(row) && fresh && !j.o.IncludeDeprecated:
		// Review beats evidence: an event never vouches for a name any
		// customer can register.
		reason := fmt.Sprintf("matches %s, a row Microsoft no longer lists, whose first label any Azure customer can register; the host's newest check still lists it: confirm it is Microsoft's before allowing it", row.Address)
		excluded(j.review, f.Host, CodeRegistrable, reason, row.Address).add(f)
	case ok && row.Deprecated && fresh && !j.o.IncludeDeprecated:
		ra.addDeprecated(f, row, computer)
	case ok && row.Deprecated && !j.o.IncludeDeprecated:
		code, what := CodeDeprecated, "deprecated catalog row "+row.Address+" (no longer supported by Microsoft)"
		if legacyAgentHost.MatchString(f.Host) {
			code, what = CodeLegacyAgent, "the agent's per-deployment host of before 2022 (gsm<digits>eh/xt), under the deprecated row "+row.Address
		}
		reason := fmt.Sprintf("matches %s, and no host's newest URL check lists it: remove it from the firewall", what)
		excluded(j.deprecated, f.Host, code, reason, row.Address).add(f)
	case ok && customerNamed(row) && !j.o.AllowRegistrable:
		reason := fmt.Sprintf("matches %s, whose first label any Azure customer can register: confirm it is Microsoft's before allowing it", row.Address)
		excluded(j.review, f.Host, CodeRegistrable, reason, row.Address).add(f)
	case ok && !row.Required && !row.Deprecated && !j.o.Optional:
		reason := fmt.Sprintf("matches only the optional catalog row %s, and optional rows were not asked for", row.Address)
		excluded(j.rejected, f.Host, CodeOptional, reason, row.Address).add(f)
	case ok:
		ra.add(f, row)
	case j.o.trusted(f.Host):
		ra.add(f, Row{Address: f.Host, Port: 443, Protocol: "TCP", Purpose: "under a trusted suffix", Required: true})
	default:
		reason := fmt.Sprintf("not under any %s catalog row for cloud %s (scope %s), nor under a trusted suffix", j.v.ID, j.o.Cloud, j.o.Scope)
		excluded(j.rejected, f.Host, CodeUntrusted, reason, "").add(f)
	}
}

// checkRunWindow is how far apart the events of one URL check of the agent
// may be (its 3701 and 3702 are written one after the other): a name seen
// this close to a host's newest check is in that check.
const checkRunWindow = 2 * time.Minute

// stillChecked reports whether the host's newest URL check lists the name
// of f: its last sighting is within checkRunWindow of the host's newest
// check. A host without a dated check (a URL-tool output without its time)
// has one check, so every name it lists is in it.
func stillChecked(f Sighting, newest time.Time) bool {
	return newest.IsZero() || !f.Last.Before(newest.Add(-checkRunWindow))
}

// stillNeeded is the deprecated list without the names some host's newest
// check still lists (they are in its region's entries, flagged): "remove"
// only for names no host checks any more.
func (j *judge) stillNeeded(regions []Region) map[[2]string]*Excluded {
	kept := map[string]bool{}
	for _, r := range regions {
		for _, e := range r.Entries {
			if e.Deprecated {
				kept[e.Address] = true
			}
		}
	}
	for k, ex := range j.deprecated {
		if kept[ex.Address] {
			delete(j.deprecated, k)
		}
	}
	return j.deprecated
}

// capEntries keeps the first max discovered entries of a region (by
// address) and moves the rest to rejected with CodeTooManyEntries, so a
// flood of forged names cannot grow an allowlist without bound.
func capEntries(name string, entries []Entry, max int, rejected map[[2]string]*Excluded) []Entry {
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
		reason := fmt.Sprintf("region %s already holds %d discovered entries, the most allowed", name, max)
		excluded(rejected, e.Address, CodeTooManyEntries, reason, e.Replaces).add(Sighting{Host: e.Address, Count: e.EvidenceCount, Evidence: e.Evidence})
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
