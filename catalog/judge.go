package catalog

import "fmt"

// judge decides, for every name seen, whether it enters its region's
// allowlist or which list keeps it out, and why. It is the one place where
// trust is decided: names from events, from URL-tool output and from
// earlier reports all pass through sighting.
type judge struct {
	v     *Version
	o     BuildOptions
	match func(host string) (Row, bool)
	// rejected, deprecated and review are the bounded lists of names
	// kept out, each item by address and reason.
	rejected, deprecated, review *exclList
}

// sighting judges one name seen: it returns the row under which the name
// enters its host's region, or false when a list keeps it out.
func (j *judge) sighting(f Sighting) (Row, bool) {
	if f.Reason != "" {
		j.rejected.add(f.Host, f.Code, f.Reason, "", f)
		return Row{}, false
	}
	row, ok := j.match(f.Host)
	switch {
	case legacyAgentHost.MatchString(f.Host) && !j.o.IncludeDeprecated:
		reason := "the agent's per-deployment host of before 2022 (gsm<digits>eh/xt), retired by Microsoft: remove it from the firewall"
		j.deprecated.add(f.Host, CodeLegacyAgent, reason, row.Address, f)
	case ok && row.Deprecated && !j.o.IncludeDeprecated:
		reason := fmt.Sprintf("matches deprecated catalog row %s (no longer supported by Microsoft): remove it from the firewall", row.Address)
		j.deprecated.add(f.Host, CodeDeprecated, reason, row.Address, f)
	case ok && customerNamed(row) && !j.o.AllowRegistrable:
		reason := fmt.Sprintf("matches %s, whose first label any Azure customer can register: confirm it is Microsoft's before allowing it", row.Address)
		j.review.add(f.Host, CodeRegistrable, reason, row.Address, f)
	case ok && !row.Required && !row.Deprecated && !j.o.Optional:
		reason := fmt.Sprintf("matches only the optional catalog row %s, and optional rows were not asked for", row.Address)
		j.rejected.add(f.Host, CodeOptional, reason, row.Address, f)
	case ok:
		return row, true
	case j.o.trusted(f.Host):
		return Row{Address: f.Host, Port: 443, Protocol: "TCP", Purpose: "under a trusted suffix", Required: true}, true
	default:
		reason := fmt.Sprintf("not under any %s catalog row for cloud %s (scope %s), nor under a trusted suffix", j.v.ID, j.o.Cloud, j.o.Scope)
		j.rejected.add(f.Host, CodeUntrusted, reason, "", f)
	}
	return Row{}, false
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
