package reach_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/reach"
	"github.com/avdurls/avdurls/reach/checktest"
)

var squidDenied = http.Header{"X-Squid-Error": {"ERR_ACCESS_DENIED 0"}, "Via": {"1.1 proxy (squid/5.7)"}}

// TestCheckInspectionAndBlock: behind an inspecting proxy, one request
// over the inspected session tells a name the device also blocks (403,
// 500, 503 with X-Squid-Error) from one it passes on; the reason names
// both the block and the inspection.
func TestCheckInspectionAndBlock(t *testing.T) {
	l := newLab(t)
	fake := must(t, func() (tlsCert, error) { return l.insp.Issue("login.microsoftonline.com", "*.example.com") })
	start := func(status int, h http.Header) int {
		s := must(t, func() (*checktest.Server, error) { return checktest.StartTLSHTTP(fake, status, h) })
		t.Cleanup(s.Close)
		return s.Port()
	}
	p := must(t, func() (*checktest.Proxy, error) {
		return checktest.StartProxy(map[string]int{
			"denied.example.com":    start(403, squidDenied),
			"dnsfail.example.com":   start(503, http.Header{"X-Squid-Error": {"ERR_DNS_FAIL 0"}}),
			"internal.example.com":  start(500, http.Header{"X-Squid-Error": {"ERR_CANNOT_FORWARD 0"}}),
			"passed.example.com":    start(200, http.Header{"Via": {"1.1 edge"}}),
			"origin403.example.com": start(403, nil),
		})
	})
	t.Cleanup(p.Close)
	c := l.checker()
	c.Resolver = failResolver{t}
	pu := &url.URL{Scheme: "http", Host: p.Addr()}
	c.Proxy = func(*url.URL) (*url.URL, error) { return pu, nil }
	for _, tc := range []struct {
		name, stage string
		status      int
		want        []string
	}{
		{"denied.example.com", "http", 403, []string{"blocked by the proxy (squid): HTTP 403 Forbidden (X-Squid-Error: ERR_ACCESS_DENIED 0)", "deny the name", "exempt the name from TLS inspection as well", "Contoso Inspection CA"}},
		{"dnsfail.example.com", "http", 503, []string{"HTTP 503 Service Unavailable (X-Squid-Error: ERR_DNS_FAIL 0)", "could not resolve or reach", "TLS inspection"}},
		{"internal.example.com", "http", 500, []string{"HTTP 500 Internal Server Error (X-Squid-Error: ERR_CANNOT_FORWARD 0)", "TLS inspection"}},
		{"passed.example.com", "tls", 200, []string{"TLS inspection", "passed on (HTTP 200 OK)"}},
		{"origin403.example.com", "http", 403, []string{"blocked by the proxy: HTTP 403 Forbidden"}},
	} {
		r := c.Check(context.Background(), fqdn(tc.name, 443))
		ok := r.Stage == tc.stage && r.Inspection && r.HTTPStatus == tc.status && !r.OK
		for _, w := range tc.want {
			ok = ok && strings.Contains(r.Reason, w)
		}
		if !ok {
			t.Errorf("%s: stage %q, inspection %v, status %d, reason %q; want stage %s, status %d, reason with %q", tc.name, r.Stage, r.Inspection, r.HTTPStatus, r.Reason, tc.stage, tc.status, tc.want)
		}
	}
}

// TestCheckBlockPages: on port 80, a filtering device's block fails naming
// the device (Azure Firewall's 470, squid's X-Squid-Error); an origin's
// own 403 and an answer with only a Via header are recorded as they are.
func TestCheckBlockPages(t *testing.T) {
	l := newLab(t)
	for addr, s := range map[string][2]any{
		"127.0.0.5:80": {403, squidDenied},
		"127.0.0.6:80": {403, http.Header(nil)},
		"127.0.0.9:80": {200, http.Header{"Via": {"1.1 varnish, 1.1 squid"}}},
	} {
		srv := must(t, func() (*checktest.Server, error) { return checktest.StartHTTPHeaders(s[0].(int), s[1].(http.Header)) })
		t.Cleanup(srv.Close)
		l.routes[addr] = srv.Addr()
	}
	c := l.checker()
	for _, tc := range []struct {
		name   string
		ok     bool
		status int
		want   string
	}{
		{"www.microsoft.com", false, 403, "blocked by a squid proxy: HTTP 403 Forbidden (X-Squid-Error: ERR_ACCESS_DENIED 0)"},
		{"denied.example.com", true, 403, ""},
		{"endless.example.com", true, 200, ""},
	} {
		r := c.Check(context.Background(), fqdn(tc.name, 80))
		if r.OK != tc.ok || r.HTTPStatus != tc.status || !strings.Contains(r.Reason, tc.want) || (!tc.ok && r.Stage != reach.StageHTTP) {
			t.Errorf("%s: ok %v, stage %q, status %d, reason %q; want ok %v, status %d, %q", tc.name, r.OK, r.Stage, r.HTTPStatus, r.Reason, tc.ok, tc.status, tc.want)
		}
	}
}
