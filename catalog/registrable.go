package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// customerZones are DNS zones in which any Azure customer chooses the label
// directly under the zone: storage accounts (<account>.blob.core.windows.net
// and the table, queue, file, dfs and web endpoints), Event Hubs and Service
// Bus namespaces (<namespace>.servicebus.windows.net), and their US
// Government and Azure China twins. A host under one of them is Microsoft's
// only if the label is; nothing in an event proves that, so a wildcard row
// over such a zone never admits a discovered name by default.
var customerZones = []string{
	"blob.core.windows.net", "table.core.windows.net", "queue.core.windows.net",
	"file.core.windows.net", "dfs.core.windows.net", "web.core.windows.net",
	"servicebus.windows.net",
	"blob.core.usgovcloudapi.net", "table.core.usgovcloudapi.net", "queue.core.usgovcloudapi.net",
	"file.core.usgovcloudapi.net", "dfs.core.usgovcloudapi.net", "servicebus.usgovcloudapi.net",
	"blob.core.chinacloudapi.cn", "table.core.chinacloudapi.cn", "queue.core.chinacloudapi.cn",
	"file.core.chinacloudapi.cn", "dfs.core.chinacloudapi.cn", "servicebus.chinacloudapi.cn",
}

// customerNamed reports whether a discovered host under row r could be a
// name any Azure customer registered: r is a wildcard marked registrable in
// the catalog, or a wildcard any label under which can be a customer's
// resource (customerZone). The second test holds for catalog files and
// imported pages that lack the mark.
func customerNamed(r Row) bool {
	if r.Kind() != KindWildcard {
		return false
	}
	return r.Registrable || customerZone(r.Address) != ""
}

// customerZone returns the zone of customerZones that a wildcard reaches,
// or "": "*lit.zone" and "*.zone" directly over one, and "*.parent" over a
// parent zone of one ("*.core.windows.net" reaches every
// <account>.blob.core.windows.net, since "*." stands for any number of
// labels). "*lit.parent" names one label directly under parent only, which
// is not a customer's.
func customerZone(wildcard string) string {
	first, suffix, _ := strings.Cut(wildcard, ".")
	if slices.Contains(customerZones, suffix) {
		return suffix
	}
	if first != "*" {
		return ""
	}
	for _, z := range customerZones {
		if n := len(z) - len(suffix); n > 0 && z[n-1] == '.' && z[n:] == suffix {
			return z
		}
	}
	return ""
}

// RegistrableWarnings says, one line a row, which wildcard rows of the
// version any Azure customer can put a name under (customerNamed): names
// under them go to review, never to an allowlist. It is for a catalog the
// user brings (a file, an imported page); the built-in one is known.
func (v *Version) RegistrableWarnings() []string {
	var w []string
	for _, r := range v.AllRows {
		if !customerNamed(r) {
			continue
		}
		why := "marked registrable"
		if z := customerZone(r.Address); z != "" {
			why = z + " is a customer zone"
		}
		w = append(w, fmt.Sprintf("catalog %s: row %s (%s/%s): any Azure customer can name a resource under it (%s); names under it go to review, never to an allowlist",
			v.ID, r.Address, r.Cloud, r.Scope, why))
	}
	return w
}

// legacyAgentHost matches the per-deployment storage and Event Hubs names
// of the agent before 2022 (gsm<digits>eh.servicebus..., gsm<digits>xt.blob...),
// which Microsoft retired: seen in events, they are reported as
// deprecated, whatever row they match.
var legacyAgentHost = regexp.MustCompile(`^gsm[0-9]+(eh\.servicebus|xt\.(blob|table|queue)\.core)\.`)
