package catalog

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/avdurls/avdurls/discover"
)

// RowKind says what a row's Address is.
type RowKind int

// The kinds of address a row can hold.
const (
	// KindFQDN is an exact host name: "login.microsoftonline.com".
	KindFQDN RowKind = iota + 1
	// KindWildcard is "*.suffix" (any host one or more labels under
	// suffix) or "*lit.suffix" (any host whose single first label ends in
	// lit and is longer than it, directly under suffix).
	KindWildcard
	// KindIP is a single IP address: "169.254.169.254".
	KindIP
	// KindCIDR is an address prefix: "51.5.0.0/16".
	KindCIDR
)

var kindNames = [...]string{KindFQDN: "fqdn", KindWildcard: "wildcard", KindIP: "ip", KindCIDR: "cidr"}

// String returns "fqdn", "wildcard", "ip" or "cidr".
func (k RowKind) String() string {
	if k >= KindFQDN && k <= KindCIDR {
		return kindNames[k]
	}
	return fmt.Sprintf("RowKind(%d)", int(k))
}

// MarshalText encodes the kind as its String, for JSON output.
func (k RowKind) MarshalText() ([]byte, error) {
	if k < KindFQDN || k > KindCIDR {
		return nil, fmt.Errorf("catalog: invalid RowKind %d", int(k))
	}
	return []byte(kindNames[k]), nil
}

// Kind classifies the row's Address by its form. It does not validate the
// address (see Validate): an address with a '/' is KindCIDR, one starting
// with '*' is KindWildcard, an IP address (or anything made only of digits
// and dots, or holding a ':') is KindIP, anything else KindFQDN.
func (r Row) Kind() RowKind {
	return kindOf(r.Address)
}

func kindOf(a string) RowKind {
	switch {
	case strings.Contains(a, "/"):
		return KindCIDR
	case strings.HasPrefix(a, "*"):
		return KindWildcard
	case strings.Contains(a, ":"):
		return KindIP
	}
	if _, err := netip.ParseAddr(a); err == nil {
		return KindIP
	}
	if a != "" && strings.Trim(a, "0123456789.") == "" {
		return KindIP
	}
	return KindFQDN
}

// Matches reports whether host is covered by the row. host should be a
// normalised host name (lower case, no trailing dot); upper-case ASCII and
// one trailing dot are tolerated, and a host that is not a valid DNS name
// matches nothing. The row's address is compared case-insensitively.
//
// An exact row matches the same name. "*.suffix" matches a host that ends in
// "."+suffix with one or more labels before it, but not suffix itself.
// "*lit.suffix" matches a host made of exactly one label and "."+suffix,
// where that label ends in lit and is longer than it: "*xt.blob.core.windows.net"
// matches "gsm123xt.blob.core.windows.net" but neither
// "xt.blob.core.windows.net" nor "a.bxt.blob.core.windows.net". IP and CIDR
// rows never match a host name.
func (r Row) Matches(host string) bool {
	host, ok := normHost(host)
	if !ok {
		return false
	}
	return matchAddr(discover.LowerASCII(r.Address), host)
}

// matchAddr is Matches with both sides already normalised.
func matchAddr(addr, host string) bool {
	switch kindOf(addr) {
	case KindFQDN:
		return host == addr
	case KindWildcard:
		first, suffix, ok := strings.Cut(addr, ".")
		if !ok || !strings.Contains(suffix, ".") {
			return false // not a valid wildcard; Validate rejects it
		}
		lit := first[1:]
		prefix, found := strings.CutSuffix(host, "."+suffix)
		if !found || prefix == "" {
			return false
		}
		if lit == "" {
			return true // normHost guarantees prefix is whole, non-empty labels
		}
		return !strings.Contains(prefix, ".") && len(prefix) > len(lit) && strings.HasSuffix(prefix, lit)
	}
	return false
}

// normHost brings host to canonical form (discover.Normalize, the one
// canonicaliser) and tells whether it is a host name at all.
func normHost(host string) (string, bool) {
	return discover.Canonical(host)
}

// Match returns the row of the given cloud and scope that best covers host,
// and false if none does. An exact row beats a wildcard; between wildcards
// the one with the longer literal part (everything after the '*') wins; at
// equal specificity a supported row beats a deprecated one, then a required
// row an optional one; remaining ties go to the first row in Rows order.
func (v *Version) Match(host string, cloud Cloud, scope Scope) (Row, bool) {
	return matchRows(v.Rows(cloud, scope), host)
}

// matchRows is Match over rows already selected and sorted by Rows.
func matchRows(rows []Row, host string) (Row, bool) {
	host, ok := normHost(host)
	if !ok {
		return Row{}, false
	}
	var best Row
	found := false
	for _, r := range rows {
		if !matchAddr(discover.LowerASCII(r.Address), host) {
			continue
		}
		if !found || better(r, best) {
			best, found = r, true
		}
	}
	return best, found
}

// better reports whether a is a strictly better match than b for the same
// host. Rows are visited in Rows order, so ties keep the earlier row.
func better(a, b Row) bool {
	if sa, sb := specificity(a), specificity(b); sa != sb {
		return sa > sb
	}
	if a.Deprecated != b.Deprecated {
		return !a.Deprecated
	}
	if a.Required != b.Required {
		return a.Required
	}
	return false
}

// specificity ranks exact rows above every wildcard, and wildcards by the
// length of their literal part.
func specificity(r Row) int {
	if r.Kind() == KindFQDN {
		return 1 << 20
	}
	return len(r.Address) - 1
}
