package render

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/internal/termtext"
)

// Palo Alto Networks external dynamic lists (EDL). A list is of one type
// and holds entries of that type only, one a line (PAN-OS "Formatting
// Guidelines for an External Dynamic List",
// https://docs.paloaltonetworks.com/network-security/security-policy/administration/objects/external-dynamic-lists/formatting-guidelines-for-an-external-dynamic-list).
// What each type is for (PAN-OS web interface help, Objects > External
// Dynamic Lists,
// https://docs.paloaltonetworks.com/pan-os/9-1/pan-os-web-interface-help/objects/objects-external-dynamic-lists):
// an IP address list is an address object for the source or destination
// of Security policy rules; a URL list goes in a URL Filtering profile or
// is match criteria of Security policy rules; a domain list goes in an
// Anti-Spyware profile, for sinkholing the names it holds. So:
//
//   - edl: a URL list of the host names allowed on TCP 80 and 443, bare
//     (no scheme, no wildcard). PAN-OS appends "/" to an entry that ends in
//     neither "/" nor "*", so each entry matches that host and its paths,
//     not its subdomains (URL category exception guidelines,
//     https://docs.paloaltonetworks.com/advanced-url-filtering/administration/configuring-url-filtering/url-category-exceptions/guidelines-for-url-category-exceptions).
//   - edl-domain: a domain list of every host name, for DNS sinkhole
//     exceptions and anti-spyware, not for a Security policy allow rule.
//   - edl-ip: an IP address list of the platform IPs and ranges.
//
// Each writes exactly one entry a line: no comments, no blank lines, no
// duplicates, and one region only (oneRegion). What a list cannot carry
// is returned by NotCarried (listNotCarried).

// isEDL reports whether format is one of the Palo Alto lists.
func isEDL(format string) bool {
	return format == "edl" || format == "edl-domain" || format == "edl-ip"
}

// oneRegion fails when the report has more than one region: a list is one
// entry a line and nothing else, so the regions could not be told apart,
// and merging them would allow every region's names to every host.
//
// The error wraps ErrOneRegion.
func oneRegion(format string, rep catalog.Report) error {
	if len(rep.Regions) <= 1 {
		return nil
	}
	var names []string
	for _, r := range rep.Regions {
		names = append(names, r.Region)
	}
	return oneRegionError(fmt.Sprintf("a Palo Alto external dynamic list holds bare entries only, so it cannot keep the %d regions of this report (%s) apart",
		len(rep.Regions), strings.Join(names, ", ")))
}

// ErrOneRegion is the error of a format that holds one region only (the
// Palo Alto lists) given a report of several.
var ErrOneRegion = errors.New("a Palo Alto external dynamic list holds one region")

// oneRegionError says which regions a one-region format was given; it is
// ErrOneRegion.
type oneRegionError string

func (e oneRegionError) Error() string        { return string(e) }
func (e oneRegionError) Is(target error) bool { return target == ErrOneRegion }

// isWeb reports whether an entry is traffic a URL list matches: HTTP on
// TCP 80 or HTTPS on TCP 443.
func isWeb(e catalog.Entry) bool {
	return e.Protocol == "TCP" && (e.Port == 80 || e.Port == 443)
}

// edlItems returns the entries of a region's list, sorted and unique.
func edlItems(format string, r catalog.Region) []string {
	var items []string
	switch format {
	case "edl":
		for _, e := range r.Entries {
			if isWeb(e) {
				items = append(items, e.Address)
			}
		}
		for _, w := range r.Wildcards {
			if w.Protocol == "TCP" && (w.Port == 80 || w.Port == 443) {
				items = append(items, w.Address) // PAN-OS URL lists take "*.domain"
			}
		}
	case "edl-domain":
		for _, e := range r.Entries {
			items = append(items, e.Address)
		}
	case "edl-ip":
		for _, e := range r.IPRules {
			items = append(items, e.Address)
		}
	}
	return sortedUnique(items)
}

// writeEDL writes a Palo Alto list of the report's one region.
func writeEDL(w io.Writer, format string, rep catalog.Report) error {
	var b strings.Builder
	for _, r := range rep.Regions {
		for _, it := range edlItems(format, r) {
			b.WriteString(it + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Hints says, for the IP list, which ports and protocols each address
// needs, one line a region: the list is an address object, the service
// is the policy rule's. Other formats need none.
func Hints(format string, rep catalog.Report) []string {
	var out []string
	for _, r := range rep.Regions {
		if format == "edl-ip" && len(r.IPRules) > 0 {
			out = append(out, fmt.Sprintf("edl-ip %s: allow the list with the services its addresses need: %s", r.Region, strings.Join(ipServices(r.IPRules), "; ")))
		}
	}
	return out
}

// ipServices lists each IP rule address with its protocols and ports,
// "168.63.129.16 TCP/80 TCP/32526".
func ipServices(rules []catalog.Entry) []string {
	var out []string
	for _, e := range rules {
		svc := e.Protocol + "/" + strconv.Itoa(e.Port)
		if n := len(out); n > 0 && strings.HasPrefix(out[n-1], e.Address+" ") {
			out[n-1] += " " + svc
			continue
		}
		out = append(out, e.Address+" "+svc)
	}
	return out
}

// listNotCarried names the entries and IP rules of a region that a list
// format has no place for, each with the reason and where it goes
// instead. The Azure Firewall formats, FortiGate (IPv4) and the report
// formats carry everything, and return nil.
func listNotCarried(format string, r catalog.Region) []string {
	var out []string
	switch format {
	case "edl":
		for _, e := range r.Entries {
			if !isWeb(e) {
				out = append(out, addrPort(e)+" (not web traffic, which a URL list matches: allow it with an FQDN address object and a service)")
			}
		}
		for _, w := range r.Wildcards {
			if w.Protocol != "TCP" || w.Port != 80 && w.Port != 443 {
				out = append(out, w.Address+" "+w.Protocol+"/"+strconv.Itoa(w.Port)+" (a wildcard of no web traffic: allow it with an FQDN address object and a service)")
			}
		}
		out = append(out, ipRulesNotCarried(r, "a URL list takes no IP addresses: -f edl-ip")...)
	case "edl-domain":
		out = ipRulesNotCarried(r, "a domain list takes no IP addresses: -f edl-ip")
		for _, w := range r.Wildcards {
			out = append(out, w.Address+" "+w.Protocol+"/"+strconv.Itoa(w.Port)+" (a wildcard: the URL list carries it, -f edl)")
		}
	case "edl-ip":
		if n := len(edlItems("edl-domain", r)) + len(r.Wildcards); n > 0 {
			out = append(out, fmt.Sprintf("%s (an IP list takes no names: -f edl)", termtext.Plural(n, "host name")))
		}
	case "squid":
		for _, e := range r.Entries {
			if e.Protocol != "TCP" {
				out = append(out, addrPort(e)+" (Squid proxies TCP only)")
			}
		}
		for _, w := range r.Wildcards {
			if w.Protocol != "TCP" {
				out = append(out, w.Address+" UDP/"+strconv.Itoa(w.Port)+" (Squid proxies TCP only)")
			}
		}
		out = append(out, ipRulesNotCarried(r, "the rules match host names; allow it at the firewall, not through the proxy")...)
	case "fortigate":
		for _, e := range r.IPRules {
			if _, ok := fortiSubnet(e.Address); !ok {
				out = append(out, addrPort(e)+" (not an IPv4 address or range: needs config firewall address6)")
			}
		}
	}
	return out
}

// ipRulesNotCarried names every IP rule of a region with the reason.
func ipRulesNotCarried(r catalog.Region, why string) []string {
	var out []string
	for _, e := range r.IPRules {
		out = append(out, addrPort(e)+" ("+why+")")
	}
	return out
}

// addrPort is "address PROTO/port".
func addrPort(e catalog.Entry) string {
	return e.Address + " " + e.Protocol + "/" + strconv.Itoa(e.Port)
}

// splitWords joins words with spaces into lines of at most width bytes
// (a longer word gets a line of its own).
func splitWords(words []string, width int) []string {
	var lines []string
	for _, w := range words {
		if n := len(lines); n > 0 && len(lines[n-1])+1+len(w) <= width {
			lines[n-1] += " " + w
			continue
		}
		lines = append(lines, w)
	}
	return slices.Clip(lines)
}
