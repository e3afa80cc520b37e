package discover

import "regexp"

// gatewayHost matches the AVD gateway cluster names the agent logs:
// rdgateway[-host-<color>]-c<cluster>-<code>-r<ring>.wvd.microsoft.com
// (and the US Government and China domains).
var gatewayHost = regexp.MustCompile(`^rdgateway(?:-host-[a-z]+)?-c[0-9]+-([a-z0-9]+)-r[0-9]+\.wvd\.(?:microsoft\.com|azure\.us|azure\.cn)$`)

// gatewayCodes maps the short region codes seen in gateway names to Azure
// regions. Microsoft does not document them; each was seen in a real name
// (catalog/testdata/regions-source.md says where). Codes not listed give
// no answer rather than a guess.
var gatewayCodes = map[string]string{
	"eus": "eastus", "eus2": "eastus2", "uks": "uksouth", "weu": "westeurope",
	"jpe": "japaneast", "cne2": "chinaeast2", "cnn2": "chinanorth2",
}

// GatewayRegion returns the region code in an AVD gateway host name and
// the Azure region it stands for; ok is false when host is no gateway
// name or the code is not known.
func GatewayRegion(host string) (code, region string, ok bool) {
	h, err := Normalize(host)
	if err != nil {
		return "", "", false
	}
	m := gatewayHost.FindStringSubmatch(h)
	if m == nil {
		return "", "", false
	}
	region, ok = gatewayCodes[m[1]]
	return m[1], region, ok
}
