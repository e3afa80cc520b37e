package discover

import "strings"

// ingestSuffixes are the agent telemetry ingest domains of the public,
// US Government and China clouds. The host in front of them is
// "<region>-shared".
var ingestSuffixes = [...]string{
	"-shared.prod.warm.ingest.monitor.core.windows.net",
	"-shared.prod.warm.ingest.monitor.core.usgovcloudapi.net",
	"-shared.prod.warm.ingest.monitor.core.chinacloudapi.cn",
}

// RegionHint returns the Azure region named in an agent telemetry host,
// <region>-shared.prod.warm.ingest.monitor.core.windows.net (or the
// usgovcloudapi.net and chinacloudapi.cn equivalents): "eastus2" for
// eastus2-shared.prod.warm.ingest.monitor.core.windows.net. The region must
// be one or more of a-z and 0-9. host is normalised first; ok is false if it
// is not a valid host name or not such a host.
//
// The region is the agent's monitoring geography, which can differ from the
// region the VM runs in: it is a hint, not the VM's location.
func RegionHint(host string) (region string, ok bool) {
	h, err := Normalize(host)
	if err != nil {
		return "", false
	}
	for _, suffix := range ingestSuffixes {
		region, found := strings.CutSuffix(h, suffix)
		if !found || region == "" {
			continue
		}
		for i := 0; i < len(region); i++ {
			if c := region[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
				return "", false
			}
		}
		return region, true
	}
	return "", false
}
