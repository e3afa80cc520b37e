package catalog

import (
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
// the catalog, or a wildcard directly over a zone of customerZones. The
// second test holds for catalog files that lack the mark.
func customerNamed(r Row) bool {
	if r.Kind() != KindWildcard {
		return false
	}
	if r.Registrable {
		return true
	}
	_, suffix, _ := strings.Cut(r.Address, ".")
	return slices.Contains(customerZones, suffix)
}

// legacyAgentHost matches the per-deployment storage and Event Hubs names
// of the agent before 2022 (gsm<digits>eh.servicebus..., gsm<digits>xt.blob...),
// which Microsoft retired: seen in events, they are reported as
// deprecated, whatever row they match.
var legacyAgentHost = regexp.MustCompile(`^gsm[0-9]+(eh\.servicebus|xt\.(blob|table|queue)\.core)\.`)
