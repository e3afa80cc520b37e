package reach

import (
	"fmt"
	"net/netip"

	"github.com/avdurls/avdurls/catalog"
)

// admit is the gate every target passes before anything is sent for it:
// "" when the catalog allows it, else why it is not checked. A report is
// the user's input and may be forged: only names under the catalog's rows
// for the target's cloud and scope, on the ports and protocols of those
// rows, and the catalog's own IP addresses on their ports are probed, so
// a report cannot turn check into a port scanner.
func (c *Checker) admit(t Target) string {
	v := c.Catalog
	if v == nil {
		v = defaultCatalog()
		if v == nil {
			return "the built-in catalog has no version to judge entries with"
		}
	}
	cloud, scope := t.Cloud, t.Scope
	if cloud == "" {
		cloud = catalog.CloudPublic
	}
	if scope == "" {
		scope = catalog.ScopeSessionHost
	}
	rows := v.Rows(cloud, scope)
	switch t.Kind {
	case "fqdn":
		return admitName(rows, t, v.ID, cloud, scope)
	case "ip":
		return admitIP(rows, t, v.ID, cloud, scope)
	case "wildcard", "cidr":
		return "" // never probed: Check lists them as not checked
	}
	return fmt.Sprintf("not checked: kind %q is not one check knows (fqdn, ip, cidr, wildcard)", clean(t.Kind))
}

// admitName admits a name under a supported row with its port and
// protocol.
func admitName(rows []catalog.Row, t Target, id string, cloud catalog.Cloud, scope catalog.Scope) string {
	under, deprecated := false, false
	for _, r := range rows {
		if k := r.Kind(); (k != catalog.KindFQDN && k != catalog.KindWildcard) || !r.Matches(t.Address) {
			continue
		}
		under = true
		if r.Port != t.Port || r.Protocol != t.Protocol {
			continue
		}
		if r.Deprecated {
			deprecated = true
			continue
		}
		return ""
	}
	switch {
	case deprecated:
		return fmt.Sprintf("not checked: %s is under a deprecated catalog row (Microsoft no longer supports it): remove it from the firewall", t.Address)
	case under:
		return fmt.Sprintf("not checked: catalog %s has no row for %s on %d/%s (cloud %s, scope %s): the report names a port the allowlist does not allow", id, t.Address, t.Port, t.Protocol, cloud, scope)
	}
	return fmt.Sprintf("not checked: %s is under no row of catalog %s for cloud %s (scope %s): check probes only what the catalog allows", t.Address, id, cloud, scope)
}

// admitIP admits the catalog's own IP addresses (the platform's) on their
// ports.
func admitIP(rows []catalog.Row, t Target, id string, cloud catalog.Cloud, scope catalog.Scope) string {
	ip, err := netip.ParseAddr(t.Address)
	if err != nil {
		return "not checked: not an IP address"
	}
	for _, r := range rows {
		a, err := netip.ParseAddr(r.Address)
		if err == nil && r.Kind() == catalog.KindIP && a.Unmap() == ip.Unmap() && r.Port == t.Port && r.Protocol == t.Protocol && !r.Deprecated {
			return ""
		}
	}
	return fmt.Sprintf("not checked: %s %d/%s is not a platform address of catalog %s (cloud %s, scope %s): check dials only the catalog's own IP rules", ip, t.Port, t.Protocol, id, cloud, scope)
}

// defaultCatalog is the built-in catalog's newest version of primary
// confidence.
func defaultCatalog() *catalog.Version { return catalog.Default().Newest() }
