package reach

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
)

// StatusAzureFirewallDenied is the status Azure Firewall answers an HTTP
// request no application rule allows with ("Action: Deny. Reason: No
// rule matched", https://learn.microsoft.com/azure/firewall/firewall-faq).
const StatusAzureFirewallDenied = 470

// blockOf says which filtering device blocked a request, from its answer;
// "" when the answer is the origin's as far as can be told (then it is
// recorded as it is). proxied is true when the answer came from a
// configured proxy. A Via header alone is no block: CDNs add it.
func blockOf(resp *http.Response, proxied bool) string {
	code := resp.StatusCode
	squid := resp.Header.Get("X-Squid-Error")
	switch {
	case code == StatusAzureFirewallDenied:
		return "Azure Firewall: HTTP 470 (no application rule allows the name: add one for it)"
	case squid != "" && (code == http.StatusForbidden || code == http.StatusProxyAuthRequired || code >= 500):
		who := "a squid proxy"
		if proxied {
			who = "the proxy (squid)"
		}
		return fmt.Sprintf("%s: HTTP %s%s: %s", who, statusText(resp), proxyDetail(resp), proxyRefusal(code))
	case proxied && slices.Contains([]int{403, 407, 500, 502, 503, 504}, code):
		return fmt.Sprintf("the proxy: HTTP %s%s: %s", statusText(resp), proxyDetail(resp), proxyRefusal(code))
	}
	return ""
}

// probeInspected sends one request over a TLS session that showed
// inspection, to learn whether the inspecting device also blocks the
// name: the reason then names both. An answer the device passed on is
// recorded, and the inspection stays the failure.
func (c *Checker) probeInspected(ctx context.Context, conn net.Conn, t Target, proxy *url.URL, r *Result) {
	req, err := http.NewRequest(http.MethodHead, "https://"+t.Address+"/", nil)
	if err != nil {
		return
	}
	resp, err := c.roundTrip(ctx, conn, req, false)
	if err != nil {
		r.Reason += "; a request over the inspected session got no HTTP answer: " + httpReason(err, c.timeout())
		return
	}
	r.HTTPStatus = resp.StatusCode
	if dev := blockOf(resp, proxy != nil); dev != "" {
		r.Stage = StageHTTP
		r.Reason = "blocked by " + dev + "; and the TLS session was inspected, so exempt the name from TLS inspection as well: " + r.Reason
		return
	}
	r.Reason += fmt.Sprintf("; over the inspected session the request was passed on (HTTP %s)", statusText(resp))
}
