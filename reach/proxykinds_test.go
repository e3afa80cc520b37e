package reach_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/reach"
	"github.com/avdurls/avdurls/reach/checktest"
)

// TestCheckProxyKinds: an https:// proxy is spoken to over TLS, a
// socks5:// one with its user name and password; a refusal names the
// proxy's error detail; credentials appear nowhere in the result.
func TestCheckProxyKinds(t *testing.T) {
	l := newLab(t)
	routes := map[string]int{"login.microsoftonline.com": portOf(l.routes["127.0.0.2:443"]), "www.microsoft.com": portOf(l.routes["127.0.0.5:80"]), "blocked.example.com": 0}
	cert := must(t, func() (tlsCert, error) { return l.ca.Issue("127.0.0.1", "proxy.example.com") })
	hp := must(t, func() (*checktest.Proxy, error) { return checktest.StartProxyTLS(routes, cert) })
	t.Cleanup(hp.Close)
	sp := must(t, func() (*checktest.Server, error) { return checktest.StartSOCKS5("user", "p#ss w/rd", routes) })
	t.Cleanup(sp.Close)
	for _, pu := range []*url.URL{
		{Scheme: "https", Host: "proxy.example.com:" + portStr(hp.Addr()), User: url.UserPassword("user", "p#ss w/rd")},
		{Scheme: "socks5", Host: sp.Addr(), User: url.UserPassword("user", "p#ss w/rd")},
	} {
		c := l.checker()
		c.Resolver = failResolver{t}
		l.routes["proxy.example.com:"+portStr(hp.Addr())] = hp.Addr()
		c.Proxy = func(*url.URL) (*url.URL, error) { return pu, nil }
		res := c.Run(context.Background(), []reach.Target{fqdn("login.microsoftonline.com", 443), fqdn("www.microsoft.com", 80), fqdn("blocked.example.com", 443)}, nil)
		for i, want := range []struct {
			ok     bool
			reason string
		}{{true, ""}, {true, ""}, {false, "blocked.example.com:443"}} {
			r := res[i]
			all := r.Reason + r.Proxy + r.Connected
			if r.OK != want.ok || !strings.Contains(r.Reason, want.reason) || r.Proxy != reach.Redact(pu) || strings.Contains(all, "p#ss") || strings.Contains(all, "w/rd") {
				t.Errorf("%s, %s:%d: ok %v, stage %q, reason %q, proxy %q", pu.Scheme, r.Address, r.Port, r.OK, r.Stage, r.Reason, r.Proxy)
			}
		}
		switch r := res[2]; pu.Scheme {
		case "https":
			if !strings.Contains(r.Reason, "403 Forbidden (X-Squid-Error: ERR_ACCESS_DENIED 0)") || !strings.Contains(r.Reason, "deny the name") {
				t.Errorf("https proxy refusal: %q", r.Reason)
			}
		case "socks5":
			if !strings.Contains(r.Reason, "not allowed by ruleset") {
				t.Errorf("socks5 proxy refusal: %q", r.Reason)
			}
		}
	}
}

type tlsCert = tls.Certificate

// portStr is the port of host:port.
func portStr(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
