package render

import (
	"cmp"

	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
)

// Options are the firewall-rule settings of the Azure Firewall formats.
type Options struct {
	Sources    []string // source CIDRs; "*" when none given
	Priority   int      // of the first rule collection group
	NamePrefix string
	// NoTagRules leaves out the rules that cover unresolved wildcard rows
	// by service tag and FQDN tag; the output then says what it lacks.
	NoTagRules bool
	// SharedVariables: the file is one of several of --output-dir, and
	// the variables they share are declared once, in a file of their own
	// (Terraform's variables.tf).
	SharedVariables bool
}

// fwGroup is one Azure Firewall Policy rule collection group: the rules
// of one region. ARM, Bicep, Terraform and az CLI output are renderings of
// it, so they hold the same rules.
type fwGroup struct {
	Name        string
	Region      string
	Priority    int
	Collections []fwCollection
	// Missing are the unresolved wildcard rows no rule of the group
	// covers: the renderers say so in the file.
	Missing []catalog.Unresolved
}

// fwCollection holds rules of one type (Azure requires that).
type fwCollection struct {
	Name     string
	Priority int
	Type     string // "ApplicationRule" or "NetworkRule"
	Rules    []fwRule
}

// fwRule is one application or network rule.
type fwRule struct {
	Name       string
	Protocols  []fwProtocol // application rules: Http or Https with a port
	IPProtocol string       // network rules: TCP or UDP
	FQDNs      []string     // targetFqdns, or destinationFqdns for network rules
	FQDNTags   []string     // application rules: Azure Firewall FQDN tags
	Addresses  []string     // network rules: destinationAddresses
	Port       int          // network rules: destination port
	Sources    []string
	Note       string
}

type fwProtocol struct {
	Type string // Http or Https
	Port int
}

// firewallGroups turns the report into one rule collection group per
// region: application rules for HTTP(S) names (Https:443, Http:80),
// network rules by destination FQDN for other TCP ports (KMS 1688; they
// need the policy's DNS proxy) and by destination address for the platform
// IPs and ranges.
func firewallGroups(rep catalog.Report, o Options) []fwGroup {
	sources := o.Sources
	if len(sources) == 0 {
		sources = []string{"*"}
	}
	var groups []fwGroup
	for i, r := range rep.Regions {
		name := o.NamePrefix + "-" + r.Region
		g := fwGroup{Name: name, Region: r.Region, Priority: o.Priority + 10*i}
		app := map[fwProtocol][]string{}
		netFQDN := map[string][]string{} // "TCP/1688" -> names
		netAddr := map[string][]string{} // "TCP/80" -> addresses
		for _, e := range r.Entries {
			switch {
			case e.Protocol == "TCP" && e.Port == 443:
				app[fwProtocol{"Https", 443}] = append(app[fwProtocol{"Https", 443}], e.Address)
			case e.Protocol == "TCP" && e.Port == 80:
				app[fwProtocol{"Http", 80}] = append(app[fwProtocol{"Http", 80}], e.Address)
			default:
				k := e.Protocol + "/" + strconv.Itoa(e.Port)
				netFQDN[k] = append(netFQDN[k], e.Address)
			}
		}
		for _, e := range r.IPRules {
			k := e.Protocol + "/" + strconv.Itoa(e.Port)
			netAddr[k] = append(netAddr[k], e.Address)
		}
		appTags, netTags, missing := tagRules(r.Unresolved, sources, o.NoTagRules)
		g.Missing = missing
		if len(app) > 0 || len(appTags) > 0 {
			c := fwCollection{Name: name + "-app", Priority: g.Priority + 100, Type: "ApplicationRule"}
			for _, p := range []fwProtocol{{"Https", 443}, {"Http", 80}} {
				if names := app[p]; len(names) > 0 {
					c.Rules = append(c.Rules, fwRule{Name: strings.ToLower(p.Type) + "-" + strconv.Itoa(p.Port),
						Protocols: []fwProtocol{p}, FQDNs: sortedUnique(names), Sources: sources})
				}
			}
			c.Rules = append(c.Rules, appTags...)
			g.Collections = append(g.Collections, c)
		}
		if len(netFQDN) > 0 || len(netAddr) > 0 || len(netTags) > 0 {
			c := fwCollection{Name: name + "-net", Priority: g.Priority + 200, Type: "NetworkRule"}
			for _, k := range slices.Sorted(maps.Keys(netFQDN)) {
				proto, port := splitKey(k)
				c.Rules = append(c.Rules, fwRule{Name: "fqdn-" + strings.ToLower(proto) + "-" + strconv.Itoa(port), IPProtocol: proto, Port: port,
					FQDNs: sortedUnique(netFQDN[k]), Sources: sources,
					Note: "network rules by FQDN need the firewall policy's DNS proxy (dnsSettings.enableProxy)"})
			}
			for _, k := range slices.Sorted(maps.Keys(netAddr)) {
				proto, port := splitKey(k)
				c.Rules = append(c.Rules, fwRule{Name: "ip-" + strings.ToLower(proto) + "-" + strconv.Itoa(port), IPProtocol: proto, Port: port,
					Addresses: sortedUnique(netAddr[k]), Sources: sources})
			}
			c.Rules = append(c.Rules, netTags...)
			g.Collections = append(g.Collections, c)
		}
		groups = append(groups, g)
	}
	return groups
}

// tagRules covers the unresolved wildcard rows of a region in the form
// Azure Firewall can enforce: a network rule to the row's service tag on
// its port, and for the AVD service rows also an application rule with the
// WindowsVirtualDesktop FQDN tag. Rows without a service tag, or all rows
// when off is set, are returned as missing.
func tagRules(unresolved []catalog.Unresolved, sources []string, off bool) (app, net []fwRule, missing []catalog.Unresolved) {
	byTag := map[string][]catalog.Unresolved{} // "tag/proto/port"
	for _, u := range unresolved {
		if off || u.ServiceTag == "" {
			missing = append(missing, u)
			continue
		}
		proto := cmp.Or(u.Protocol, "TCP")
		byTag[u.ServiceTag+"/"+proto+"/"+strconv.Itoa(u.Port)] = append(byTag[u.ServiceTag+"/"+proto+"/"+strconv.Itoa(u.Port)], u)
	}
	for _, k := range slices.Sorted(maps.Keys(byTag)) {
		rows := byTag[k]
		tag, rest, _ := strings.Cut(k, "/")
		proto, port := splitKey(rest)
		var covers []string
		for _, u := range rows {
			covers = append(covers, u.Address)
		}
		note := "covers " + strings.Join(covers, ", ") + ": wildcard rows avdurls could not replace with names"
		net = append(net, fwRule{Name: "tag-" + strings.ToLower(tag) + "-" + strings.ToLower(proto) + "-" + strconv.Itoa(port),
			IPProtocol: proto, Port: port, Addresses: []string{tag}, Sources: sources, Note: note})
		if tag == "WindowsVirtualDesktop" && proto == "TCP" && port == 443 {
			app = append(app, fwRule{Name: "fqdntag-windowsvirtualdesktop", Protocols: []fwProtocol{{"Https", 443}},
				FQDNTags: []string{"WindowsVirtualDesktop"}, Sources: sources, Note: note})
		}
	}
	return app, net, missing
}

// missingNote is the line the formats write for an unresolved row they
// do not carry.
func missingNote(u catalog.Unresolved) string {
	tag := "no service tag"
	if u.ServiceTag != "" {
		tag = "service tag " + u.ServiceTag
	}
	return fmt.Sprintf("not carried: %s %s/%d (%s): %s", u.Address, cmp.Or(u.Protocol, "TCP"), u.Port, tag, u.Reason)
}

func splitKey(k string) (string, int) {
	proto, port, _ := strings.Cut(k, "/")
	n, _ := strconv.Atoi(port)
	return proto, n
}

func sortedUnique(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// Check validates the options, as the command line gives them: the
// messages name the flags (--priority, --name-prefix, --source).
func (o Options) Check() error {
	if o.Priority < 100 || o.Priority > 64000 {
		return fmt.Errorf("priority %d: give 100 to 64000 (Azure allows up to 65000; the rest is room for the collections and further regions)", o.Priority)
	}
	if err := validName(o.NamePrefix); err != nil {
		return err
	}
	for _, src := range o.Sources {
		if !validSource(src) {
			return fmt.Errorf("source %q is not an IP address, a CIDR range or *", discover.CleanText(src, 80))
		}
	}
	return nil
}

// validSource accepts a firewall rule source: an IP address, a CIDR range
// or *.
func validSource(s string) bool {
	if s == "*" {
		return true
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}

// validName checks a --name-prefix: Azure resource names allow letters,
// digits, '-', '_' and '.', starting with a letter or digit.
func validName(s string) error {
	if s == "" || len(s) > 40 {
		return fmt.Errorf("name-prefix must be 1 to 40 characters")
	}
	for i, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || (i > 0 && (c == '-' || c == '_' || c == '.'))
		if !ok {
			return fmt.Errorf("name-prefix %q: use letters, digits, '-', '_' and '.', starting with a letter or digit", s)
		}
	}
	return nil
}
