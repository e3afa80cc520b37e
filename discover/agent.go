package discover

import "strings"

// agentLogged are the zones under which the agent names, in its URL events
// (3701, 3702) and its URL tool, the concrete hosts it uses: the AVD
// service domains (broker, gateway, diagnostics hosts) and the agent
// telemetry ingest domains of the three clouds, and the per-deployment
// storage and Event Hubs hosts the agent used before 2022. Every other
// wildcard row of Microsoft's list (Windows App, optional rows, Windows
// Update, certificate hosts) is never named in these events.
var agentLogged = []string{
	"wvd.microsoft.com", "wvd.azure.us", "wvd.azure.cn",
	"prod.warm.ingest.monitor.core.windows.net",
	"prod.warm.ingest.monitor.core.usgovcloudapi.net",
	"prod.warm.ingest.monitor.core.chinacloudapi.cn",
	"blob.core.windows.net", "table.core.windows.net", "queue.core.windows.net", "servicebus.windows.net",
	"blob.core.usgovcloudapi.net", "table.core.usgovcloudapi.net", "queue.core.usgovcloudapi.net", "servicebus.usgovcloudapi.net",
	"blob.core.chinacloudapi.cn", "table.core.chinacloudapi.cn", "queue.core.chinacloudapi.cn", "servicebus.chinacloudapi.cn",
}

// AgentLogs reports whether the agent's URL events name hosts under the
// wildcard row address ("*.wvd.microsoft.com", "*eh.servicebus.windows.net"):
// if so, more events can replace the wildcard by names; if not, no event
// ever will.
func AgentLogs(wildcard string) bool {
	_, suffix, ok := strings.Cut(strings.ToLower(wildcard), ".")
	if !ok || !strings.HasPrefix(wildcard, "*") {
		return false
	}
	for _, z := range agentLogged {
		if suffix == z {
			return true
		}
	}
	return false
}
