package reach

import (
	"net/netip"
	"strings"
)

// Range is an address range a DNS answer is judged by.
type Range struct {
	Prefix netip.Prefix
	Name   string // what the range is, for reasons: "loopback"
}

// SpecialRanges are the ranges no public endpoint of Microsoft's resolves
// to: a DNS answer in one is a sinkhole, a forged record or a platform
// address reached by name, and is a dns failure; nothing is dialled. The
// platform addresses (169.254.169.254, 168.63.129.16) are dialled only
// for their own IP rules.
func SpecialRanges() []Range {
	return ranges(
		"0.0.0.0/8", "this network (a sinkhole answer)",
		"127.0.0.0/8", "loopback",
		"169.254.0.0/16", "link-local (the metadata service's range)",
		"168.63.129.16/32", "Azure's platform address (WireServer)",
		"224.0.0.0/4", "multicast",
		"240.0.0.0/4", "reserved",
		"::/128", "the unspecified address (a sinkhole answer)",
		"::1/128", "loopback",
		"fe80::/10", "link-local",
		"ff00::/8", "multicast",
	)
}

// PrivateRanges are the private ranges (RFC 1918, shared address space,
// unique local IPv6): a name answered with one is recorded as private, as
// Private Link and private DNS zones answer, and checked as usual.
func PrivateRanges() []Range {
	return ranges(
		"10.0.0.0/8", "private",
		"172.16.0.0/12", "private",
		"192.168.0.0/16", "private",
		"100.64.0.0/10", "shared address space",
		"fc00::/7", "unique local",
	)
}

// ranges pairs prefixes with names.
func ranges(pairs ...string) []Range {
	var rs []Range
	for i := 0; i+1 < len(pairs); i += 2 {
		rs = append(rs, Range{Prefix: netip.MustParsePrefix(pairs[i]), Name: pairs[i+1]})
	}
	return rs
}

// rangeOf is the first range of rs holding the address, ok false when
// none does or addr is not an address.
func rangeOf(rs []Range, addr string) (Range, bool) {
	ip, err := netip.ParseAddr(strings.TrimSuffix(addr, "."))
	if err != nil {
		return Range{}, false
	}
	ip = ip.Unmap()
	for _, r := range rs {
		if r.Prefix.Contains(ip) {
			return r, true
		}
	}
	return Range{}, false
}

// special are the checker's special ranges.
func (c *Checker) special() []Range {
	if c.Special != nil {
		return c.Special
	}
	return SpecialRanges()
}

// private are the checker's private ranges.
func (c *Checker) private() []Range {
	if c.Private != nil {
		return c.Private
	}
	return PrivateRanges()
}
