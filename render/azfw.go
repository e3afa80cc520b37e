package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
)

// azfwAPIVersion is the API version of the generated resources.
const azfwAPIVersion = "2023-09-01"

// ARM JSON shapes of Microsoft.Network/firewallPolicies/ruleCollectionGroups.
type armTemplate struct {
	Schema         string                 `json:"$schema"`
	ContentVersion string                 `json:"contentVersion"`
	Metadata       map[string]string      `json:"metadata"`
	Parameters     map[string]armParam    `json:"parameters"`
	Resources      []armRuleCollectionGrp `json:"resources"`
}

type armParam struct {
	Type     string            `json:"type"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

type armRuleCollectionGrp struct {
	Type       string   `json:"type"`
	APIVersion string   `json:"apiVersion"`
	Name       string   `json:"name"`
	DependsOn  []string `json:"dependsOn,omitempty"`
	Properties struct {
		Priority        int             `json:"priority"`
		RuleCollections []armCollection `json:"ruleCollections"`
	} `json:"properties"`
}

type armCollection struct {
	RuleCollectionType string            `json:"ruleCollectionType"`
	Name               string            `json:"name"`
	Priority           int               `json:"priority"`
	Action             map[string]string `json:"action"`
	Rules              []armRule         `json:"rules"`
}

type armRule struct {
	RuleType             string        `json:"ruleType"`
	Name                 string        `json:"name"`
	Description          string        `json:"description,omitempty"`
	Protocols            []armProtocol `json:"protocols,omitempty"`
	TargetFqdns          []string      `json:"targetFqdns,omitempty"`
	FqdnTags             []string      `json:"fqdnTags,omitempty"`
	IPProtocols          []string      `json:"ipProtocols,omitempty"`
	DestinationFqdns     []string      `json:"destinationFqdns,omitempty"`
	DestinationAddresses []string      `json:"destinationAddresses,omitempty"`
	DestinationPorts     []string      `json:"destinationPorts,omitempty"`
	// SourceAddresses is a list, or the expression of a parameter.
	SourceAddresses any `json:"sourceAddresses"`
}

type armProtocol struct {
	ProtocolType string `json:"protocolType"`
	Port         int    `json:"port"`
}

// writeARM writes a deployable ARM template with one rule collection group
// per region, for the firewall policy named by its parameter.
func writeARM(w io.Writer, rep catalog.Report, o Options) error {
	t := armTemplate{
		Schema:         "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
		ContentVersion: "1.0.0.0",
		Metadata: map[string]string{"generator": "avdurls", "catalog": armString(rep.Catalog.Version),
			"note": "network rules by FQDN need the firewall policy's DNS proxy (dnsSettings.enableProxy: true)"},
		Parameters: map[string]armParam{"firewallPolicyName": {Type: "string",
			Metadata: map[string]string{"description": "Name of the existing Azure Firewall Policy"}}},
	}
	var prev string
	for _, g := range firewallGroups(rep, o) {
		r := armRuleCollectionGrp{Type: "Microsoft.Network/firewallPolicies/ruleCollectionGroups", APIVersion: azfwAPIVersion,
			Name: fmt.Sprintf("[format('{0}/{1}', parameters('firewallPolicyName'), %s)]", armExprString(g.Name))}
		if prev != "" {
			// Groups of one policy are deployed one after another.
			r.DependsOn = []string{fmt.Sprintf("[resourceId('Microsoft.Network/firewallPolicies/ruleCollectionGroups', parameters('firewallPolicyName'), %s)]", armExprString(prev))}
		}
		prev = g.Name
		for i, u := range g.Missing {
			t.Metadata[fmt.Sprintf("notCarried-%s-%d", g.Region, i+1)] = armString(missingNote(u))
		}
		for i, e := range g.Elsewhere {
			t.Metadata[fmt.Sprintf("notFirewall-%s-%d", g.Region, i+1)] = armString(elsewhereNote(e))
		}
		var sources any = armStrings(g.Sources)
		if g.Sources == nil {
			t.Parameters[g.SourcesInput] = armParam{Type: "array", Metadata: map[string]string{"description": sourcesHelp(g)}}
			sources = fmt.Sprintf("[parameters(%s)]", armExprString(g.SourcesInput))
		}
		r.Properties.Priority = g.Priority
		r.Properties.RuleCollections = []armCollection{}
		for _, c := range g.Collections {
			ac := armCollection{RuleCollectionType: "FirewallPolicyFilterRuleCollection", Name: armString(c.Name), Priority: c.Priority,
				Action: map[string]string{"type": "Allow"}}
			for _, rl := range c.Rules {
				ar := armRule{RuleType: c.Type, Name: armString(rl.Name), Description: armString(rl.Note), SourceAddresses: sources}
				if c.Type == "ApplicationRule" {
					for _, p := range rl.Protocols {
						ar.Protocols = append(ar.Protocols, armProtocol{p.Type, p.Port})
					}
					ar.TargetFqdns = armStrings(rl.FQDNs)
					ar.FqdnTags = armStrings(rl.FQDNTags)
				} else {
					ar.IPProtocols = []string{rl.IPProtocol}
					ar.DestinationFqdns = armStrings(rl.FQDNs)
					ar.DestinationAddresses = armStrings(rl.Addresses)
					ar.DestinationPorts = []string{strconv.Itoa(rl.Port)}
				}
				ac.Rules = append(ac.Rules, ar)
			}
			r.Properties.RuleCollections = append(r.Properties.RuleCollections, ac)
		}
		t.Resources = append(t.Resources, r)
	}
	return WriteJSON(w, t)
}

// armString escapes a literal ARM template string: one that starts with
// "[" would be read as a template expression, so its "[" is doubled
// ("[[" stands for a literal "["). encoding/json does the JSON escaping.
func armString(s string) string {
	if strings.HasPrefix(s, "[") {
		return "[" + s
	}
	return s
}

func armStrings(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = armString(s)
	}
	return out
}

// armExprString quotes s as a string literal inside an ARM template
// expression: single quotes, a quote doubled.
func armExprString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// bicepString quotes s as a Bicep string: single quotes, with \, ', ${
// and control characters escaped.
func bicepString(s string) string {
	var sb strings.Builder
	sb.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			sb.WriteString(`\\`)
		case c == '\'':
			sb.WriteString(`\'`)
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			sb.WriteString(`\$`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&sb, `\u{%x}`, c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('\'')
	return sb.String()
}

func bicepList(items []string, indent string) string {
	if len(items) == 0 {
		return "[]"
	}
	var sb strings.Builder
	sb.WriteString("[\n")
	for _, it := range items {
		sb.WriteString(indent + "  " + bicepString(it) + "\n")
	}
	sb.WriteString(indent + "]")
	return sb.String()
}

// writeBicep writes the same rule collection groups as Bicep.
func writeBicep(w io.Writer, rep catalog.Report, o Options) error {
	var b strings.Builder
	fmt.Fprintf(&b, "// Generated by avdurls from catalog %s. Network rules by FQDN need the\n// firewall policy's DNS proxy (dnsSettings.enableProxy: true).\n", rep.Catalog.Version)
	b.WriteString("@description('Name of the existing Azure Firewall Policy')\nparam firewallPolicyName string\n\n")
	fmt.Fprintf(&b, "resource policy 'Microsoft.Network/firewallPolicies@%s' existing = {\n  name: firewallPolicyName\n}\n", azfwAPIVersion)
	prev := ""
	groups := firewallGroups(rep, o)
	for _, g := range groups {
		if g.Sources == nil {
			fmt.Fprintf(&b, "\n@description(%s)\nparam %s array\n", bicepString(sourcesHelp(g)), g.SourcesInput)
		}
	}
	for i, g := range groups {
		sym := fmt.Sprintf("rcg%d", i)
		writeMissing(&b, "// ", g)
		fmt.Fprintf(&b, "\nresource %s 'Microsoft.Network/firewallPolicies/ruleCollectionGroups@%s' = {\n", sym, azfwAPIVersion)
		b.WriteString("  parent: policy\n")
		fmt.Fprintf(&b, "  name: %s\n", bicepString(g.Name))
		if prev != "" {
			fmt.Fprintf(&b, "  dependsOn: [\n    %s\n  ]\n", prev)
		}
		prev = sym
		fmt.Fprintf(&b, "  properties: {\n    priority: %d\n    ruleCollections: [\n", g.Priority)
		for _, c := range g.Collections {
			b.WriteString("      {\n        ruleCollectionType: 'FirewallPolicyFilterRuleCollection'\n")
			fmt.Fprintf(&b, "        name: %s\n        priority: %d\n        action: {\n          type: 'Allow'\n        }\n        rules: [\n", bicepString(c.Name), c.Priority)
			for _, r := range c.Rules {
				const in = "            "
				fmt.Fprintf(&b, "          {\n%sruleType: %s\n%sname: %s\n", in, bicepString(c.Type), in, bicepString(r.Name))
				if r.Note != "" {
					fmt.Fprintf(&b, "%sdescription: %s\n", in, bicepString(r.Note))
				}
				if c.Type == "ApplicationRule" {
					fmt.Fprintf(&b, "%sprotocols: [\n", in)
					for _, p := range r.Protocols {
						fmt.Fprintf(&b, "%s  {\n%s    protocolType: %s\n%s    port: %d\n%s  }\n", in, in, bicepString(p.Type), in, p.Port, in)
					}
					fmt.Fprintf(&b, "%s]\n", in)
					if len(r.FQDNs) > 0 {
						fmt.Fprintf(&b, "%stargetFqdns: %s\n", in, bicepList(r.FQDNs, in))
					}
					if len(r.FQDNTags) > 0 {
						fmt.Fprintf(&b, "%sfqdnTags: %s\n", in, bicepList(r.FQDNTags, in))
					}
				} else {
					fmt.Fprintf(&b, "%sipProtocols: %s\n", in, bicepList([]string{r.IPProtocol}, in))
					if len(r.FQDNs) > 0 {
						fmt.Fprintf(&b, "%sdestinationFqdns: %s\n", in, bicepList(r.FQDNs, in))
					}
					if len(r.Addresses) > 0 {
						fmt.Fprintf(&b, "%sdestinationAddresses: %s\n", in, bicepList(r.Addresses, in))
					}
					fmt.Fprintf(&b, "%sdestinationPorts: %s\n", in, bicepList([]string{strconv.Itoa(r.Port)}, in))
				}
				if g.Sources == nil {
					fmt.Fprintf(&b, "%ssourceAddresses: %s\n          }\n", in, g.SourcesInput)
				} else {
					fmt.Fprintf(&b, "%ssourceAddresses: %s\n          }\n", in, bicepList(r.Sources, in))
				}
			}
			b.WriteString("        ]\n      }\n")
		}
		b.WriteString("    ]\n  }\n}\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeMissing writes, as comment lines with the given prefix, the
// unresolved rows a group does not carry. The text is made printable, so
// no line break can end the comment.
func writeMissing(b *strings.Builder, prefix string, g fwGroup) {
	for _, u := range g.Missing {
		fmt.Fprintf(b, "\n%sregion %s: %s", prefix, g.Region, discover.CleanText(missingNote(u), 1<<12))
	}
	for _, e := range g.Elsewhere {
		fmt.Fprintf(b, "\n%sregion %s: %s", prefix, g.Region, discover.CleanText(elsewhereNote(e), 1<<12))
	}
	if len(g.Missing)+len(g.Elsewhere) > 0 {
		b.WriteString("\n")
	}
}

// sourcesHelp describes a group's required sources input.
func sourcesHelp(g fwGroup) string {
	return "Source addresses (IP addresses or CIDR ranges) of the session hosts of region " + g.Region +
		": required, as avdurls was given no --source (give --source any to allow every source on purpose)"
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeAzCLI writes a bash script of az commands that create the same rule
// collection groups, one filter collection per rule.
func writeAzCLI(w io.Writer, rep catalog.Report, o Options) error {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/usr/bin/env bash\n# Generated by avdurls from catalog %s.\n# Network rules by FQDN need the firewall policy's DNS proxy.\n# The commands come with the azure-firewall extension of the Azure CLI (installed on first use).\n", rep.Catalog.Version)
	b.WriteString("set -euo pipefail\n: \"${RG:?set RG to the resource group}\"\n: \"${POLICY:?set POLICY to the firewall policy name}\"\n")
	groups := firewallGroups(rep, o)
	for _, g := range groups {
		if g.Sources == nil {
			v := strings.ToUpper(g.SourcesInput)
			fmt.Fprintf(&b, "# %s\n: \"${%s:?set %s to the source addresses (space-separated) of region %s}\"\n", discover.CleanText(sourcesHelp(g), 1<<10), v, v, g.Region)
		}
	}
	for _, g := range groups {
		writeMissing(&b, "# ", g)
		sources := quoteAll(g.Sources)
		if g.Sources == nil {
			sources = "$" + strings.ToUpper(g.SourcesInput) // split on spaces on purpose: one address a word
		}
		fmt.Fprintf(&b, "\n# region %s\naz network firewall policy rule-collection-group create -g \"$RG\" --policy-name \"$POLICY\" -n %s --priority %d\n",
			g.Region, shellQuote(g.Name), g.Priority)
		for _, c := range g.Collections {
			for i, r := range c.Rules {
				args := []string{"az network firewall policy rule-collection-group collection add-filter-collection",
					"-g \"$RG\" --policy-name \"$POLICY\"", "--rule-collection-group-name " + shellQuote(g.Name),
					"-n " + shellQuote(c.Name+"-"+r.Name), "--collection-priority " + strconv.Itoa(c.Priority+i),
					"--action Allow", "--rule-type " + c.Type, "--rule-name " + shellQuote(r.Name),
					"--source-addresses " + sources}
				if c.Type == "ApplicationRule" {
					var ps []string
					for _, p := range r.Protocols {
						ps = append(ps, p.Type+"="+strconv.Itoa(p.Port))
					}
					args = append(args, "--protocols "+quoteAll(ps))
					if len(r.FQDNs) > 0 {
						args = append(args, "--target-fqdns "+quoteAll(r.FQDNs))
					}
					if len(r.FQDNTags) > 0 {
						args = append(args, "--fqdn-tags "+quoteAll(r.FQDNTags))
					}
				} else {
					args = append(args, "--ip-protocols "+r.IPProtocol)
					if len(r.FQDNs) > 0 {
						args = append(args, "--destination-fqdns "+quoteAll(r.FQDNs))
					}
					if len(r.Addresses) > 0 {
						args = append(args, "--destination-addresses "+quoteAll(r.Addresses))
					}
					args = append(args, "--destination-ports "+strconv.Itoa(r.Port))
				}
				b.WriteString(strings.Join(args, " \\\n  ") + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func quoteAll(items []string) string {
	q := make([]string, len(items))
	for i, it := range items {
		q[i] = shellQuote(it)
	}
	return strings.Join(q, " ")
}
