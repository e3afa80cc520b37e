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
	// Sources are the rules' source addresses (IP addresses or CIDR
	// ranges; "*" or "any" for every source, given on purpose). None
	// given, each region's sources are a required input of the output
	// (an ARM and Bicep parameter and a Terraform variable without a
	// default, a variable the az script refuses to run without), so that
	// no rule opens a region to every source unsaid.
	Sources []string
	// Priority is the base of the rule collection groups' priorities: a
	// region's group has Priority + 10 x its slot in the committed region
	// index (catalog.RegionSlot), whatever other regions the run holds.
	Priority   int
	NamePrefix string
	// Unlisted are the regions of the whole run that the region index
	// lacks, sorted: they take the slots after the index in that order.
	// Set fills it for the files of --output-dir; nil means the report's
	// own.
	Unlisted []string
	// NoTagRules leaves out the rules that cover unresolved wildcard rows
	// by service tag and FQDN tag; the output then says what it lacks.
	NoTagRules bool
	// RegistrableTagRules covers unresolved wildcard rows any Azure
	// customer can put a name under by their whole service tag too (off:
	// such a rule would open every customer's Event Hubs or storage).
	RegistrableTagRules bool
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
	// Sources are the group's rule sources; nil: a required input named
	// SourcesInput.
	Sources      []string
	SourcesInput string
	// Elsewhere are the platform addresses no firewall rule can govern
	// (PlatformAddresses): the renderers say where they are controlled.
	Elsewhere []catalog.Entry
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
	var groups []fwGroup
	for _, r := range rep.Regions {
		name := o.NamePrefix + "-" + r.Region
		g := fwGroup{Name: name, Region: r.Region, Priority: o.RegionPriority(rep, r.Region), Sources: ruleSources(o.Sources)}
		if g.Sources == nil {
			g.SourcesInput = "sources_" + r.Region
		}
		sources := g.Sources
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
			if slices.Contains(PlatformAddresses, e.Address) {
				g.Elsewhere = append(g.Elsewhere, e)
				continue
			}
			k := e.Protocol + "/" + strconv.Itoa(e.Port)
			netAddr[k] = append(netAddr[k], e.Address)
		}
		wild, wildMissing := wildcardRules(r.Wildcards, sources)
		appTags, netTags, missing := tagRules(r.Unresolved, sources, o)
		appTags = append(wild, appTags...)
		g.Missing = append(wildMissing, missing...)
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
func tagRules(unresolved []catalog.Unresolved, sources []string, o Options) (app, net []fwRule, missing []catalog.Unresolved) {
	byTag := map[string][]catalog.Unresolved{} // "tag/proto/port"
	for _, u := range unresolved {
		if o.NoTagRules || u.ServiceTag == "" || u.Registrable && !o.RegistrableTagRules {
			if u.Registrable && !o.NoTagRules && u.ServiceTag != "" {
				u.Reason += "; any Azure customer can create a name under it, so its whole service tag " + u.ServiceTag +
					" is not allowed (the option to allow registrable rows by service tag does)"
			}
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
		note := "covers " + strings.Join(covers, ", ") + ": wildcard rows avdurls could not replace with names; " +
			"Azure Firewall evaluates network rules before application rules, so this rule admits every address of the tag on this port, whatever the application rules name"
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

// unlistedRegions are the regions of rep the region index lacks, sorted.
func unlistedRegions(rep catalog.Report) []string {
	var out []string
	for _, r := range rep.Regions {
		if _, ok := catalog.RegionSlot(r.Region); !ok {
			out = append(out, r.Region)
		}
	}
	slices.Sort(out)
	return out
}

// RegionPriority is the priority of a region's rule collection group:
// Priority + 10 x the region's slot in the region index; a region the index
// lacks takes a slot after it, by its place among the run's unlisted
// regions (Unlisted; the report's own when nil).
func (o Options) RegionPriority(rep catalog.Report, region string) int {
	if slot, ok := catalog.RegionSlot(region); ok {
		return o.Priority + 10*slot
	}
	unlisted := o.Unlisted
	if unlisted == nil {
		unlisted = unlistedRegions(rep)
	}
	i, _ := slices.BinarySearch(unlisted, region)
	return o.Priority + 10*(catalog.RegionSlots()+i)
}

// maxPriority is the highest --priority: room above it for every slot of
// the region index, 20 regions it lacks, and the collections of a group.
func maxPriority() int { return 65000 - 10*(catalog.RegionSlots()+20) - 200 }

// Check validates the options, as the command line gives them: the
// messages name the flags (--priority, --name-prefix, --source).
func (o Options) Check() error {
	if o.Priority < 100 || o.Priority > maxPriority() {
		return fmt.Errorf("priority %d: give 100 to %d (Azure allows up to 65000; each region's group takes priority + 10 x its slot in the region index, and the rest is room for the collections)", o.Priority, maxPriority())
	}
	if err := validName(o.NamePrefix); err != nil {
		return err
	}
	for _, src := range o.Sources {
		if !validSource(src) && !strings.EqualFold(src, "any") {
			return fmt.Errorf("source %q is not an IP address, a CIDR range, * or any", discover.CleanText(src, 80))
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

// PlatformAddresses are the Azure platform addresses no firewall rule can
// govern: traffic to 168.63.129.16 is not subject to user-defined routes,
// and 169.254.169.254 (the metadata service) is link-local, never leaving
// the host. An NSG or the host's firewall controls them.
var PlatformAddresses = []string{"168.63.129.16", "169.254.169.254"}

// elsewhereNote is what the Azure Firewall formats say of a platform
// address they leave out.
func elsewhereNote(e catalog.Entry) string {
	return fmt.Sprintf("not a firewall rule: %s %s/%d (%s) never reaches the firewall (not subject to user-defined routes, or link-local); allow it in the session hosts' NSG and host firewall",
		e.Address, e.Protocol, e.Port, e.Purpose)
}

// ruleSources are the sources of the options for a rule: "any" is "*";
// none given is nil (a required input).
func ruleSources(given []string) []string {
	if len(given) == 0 {
		return nil
	}
	out := make([]string, len(given))
	for i, s := range given {
		if strings.EqualFold(s, "any") {
			s = "*"
		}
		out[i] = s
	}
	return out
}

// wildcardRules carries a region's wildcards as application rules with
// the wildcard as target FQDN (Azure Firewall matches "*.domain" there),
// one rule per protocol and port, its description saying why. Wildcards on
// other ports than HTTP and HTTPS have no such rule: missing.
func wildcardRules(wild []catalog.Wildcard, sources []string) (rules []fwRule, missing []catalog.Unresolved) {
	by := map[fwProtocol][]catalog.Wildcard{}
	for _, w := range wild {
		switch {
		case w.Protocol == "TCP" && w.Port == 443:
			by[fwProtocol{"Https", 443}] = append(by[fwProtocol{"Https", 443}], w)
		case w.Protocol == "TCP" && w.Port == 80:
			by[fwProtocol{"Http", 80}] = append(by[fwProtocol{"Http", 80}], w)
		default:
			missing = append(missing, catalog.Unresolved{Address: w.Address, Port: w.Port, Protocol: w.Protocol, Purpose: w.Purpose,
				ServiceTag: w.ServiceTag, Required: w.Required, Reason: w.Reason + "; Azure Firewall matches wildcards only in application rules (HTTP, HTTPS)"})
		}
	}
	for _, p := range []fwProtocol{{"Https", 443}, {"Http", 80}} {
		ws := by[p]
		if len(ws) == 0 {
			continue
		}
		var names, why []string
		for _, w := range ws {
			names = append(names, w.Address)
			why = append(why, w.Address+": "+w.Reason)
		}
		rules = append(rules, fwRule{Name: "wildcard-" + strings.ToLower(p.Type) + "-" + strconv.Itoa(p.Port), Protocols: []fwProtocol{p},
			FQDNs: sortedUnique(names), Sources: sources, Note: "wildcards carried as wildcards: " + strings.Join(why, "; ")})
	}
	return rules, missing
}
