package reach_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/reach"
	"github.com/avdurls/avdurls/reach/checktest"
)

// TestServerResolverAsksEveryTime: --dns-server's resolver asks the server
// for every name, those of the hosts file too (localhost), and every time
// (no cache).
func TestServerResolverAsksEveryTime(t *testing.T) {
	l := newLab(t)
	c := l.checker()
	for range 2 {
		r := c.Check(context.Background(), fqdn("login.microsoftonline.com", 443))
		if !r.OK {
			t.Fatalf("login.microsoftonline.com: %s %s", r.Stage, r.Reason)
		}
	}
	if n := l.dns.Asked("login.microsoftonline.com"); n < 2 {
		t.Errorf("the server was asked %d times for two checks; want every time", n)
	}
	res := reach.ServerResolver(l.dns.Addr())
	_, err := res.LookupHost(context.Background(), "localhost")
	var de *reach.DNSError
	if !errors.As(err, &de) || de.RCode != "NXDOMAIN" || l.dns.Asked("localhost") < 1 {
		t.Errorf("localhost: %v, asked %d; want the server's NXDOMAIN, not the hosts file", err, l.dns.Asked("localhost"))
	}
}

// TestCheckDNSCodes: the server's answer codes are named, with what they
// mean; a server that is not there is said so in words.
func TestCheckDNSCodes(t *testing.T) {
	l := newLab(t)
	c := l.checker()
	for name, want := range map[string]string{
		"gone.example.com":     "does not exist (NXDOMAIN)",
		"servfail.example.com": "answered SERVFAIL for servfail.example.com: it could not get an answer from its upstream",
		"refused.example.com":  "answered REFUSED for refused.example.com: it will not answer this host",
		"slow.example.com":     "no answer from DNS server 127.0.0.1:",
	} {
		r := c.Check(context.Background(), fqdn(name, 443))
		if r.OK || r.Stage != "dns" || !strings.Contains(r.Reason, want) {
			t.Errorf("%s: ok %v, stage %q, reason %q; want dns, %q", name, r.OK, r.Stage, r.Reason, want)
		}
	}
	port, err := checktest.ClosedPort()
	if err != nil {
		t.Fatal(err)
	}
	c.Resolver = reach.ServerResolver("127.0.0.1:" + portStr("x:"+itoa(port)))
	c.ResolverName = "DNS server 127.0.0.1"
	r := c.Check(context.Background(), fqdn("login.microsoftonline.com", 443))
	if r.Stage != "dns" || !strings.Contains(r.Reason, "nothing answers DNS there (connection refused") || strings.Contains(r.Reason, "read udp") {
		t.Errorf("absent server: stage %q, reason %q", r.Stage, r.Reason)
	}
}

// TestCheckEachAddress: each address of a name is tried in turn with its
// own timeout; a dropped and a refused address before a working one do
// not fail the entry, and the result lists every address's outcome.
func TestCheckEachAddress(t *testing.T) {
	l := newLab(t)
	addr, closeFn, err := checktest.BlackHole()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeFn)
	l.routes["127.0.0.8:443"] = addr
	c := l.checker()
	c.Timeout = time.Second
	r := c.Check(context.Background(), fqdn("twoaddr.example.com", 443))
	if !r.OK || r.Connected != "127.0.0.2:443" || len(r.Attempts) != 3 {
		t.Fatalf("ok %v, stage %q, reason %q, connected %q, attempts %v; want the third address", r.OK, r.Stage, r.Reason, r.Connected, r.Attempts)
	}
	for i, want := range []string{"no answer within 1s", "connection refused", "connected"} {
		if !strings.Contains(r.Attempts[i].Outcome, want) {
			t.Errorf("attempt %d: %+v; want %q", i, r.Attempts[i], want)
		}
	}
	l.routes["127.0.0.2:443"] = l.routes["127.0.0.7:443"] // now all fail
	r = c.Check(context.Background(), fqdn("twoaddr.example.com", 443))
	if r.OK || r.Stage != "tcp" || !strings.Contains(r.Reason, "none of the 3 addresses accepted a connection, each tried for 1s") ||
		!strings.Contains(r.Reason, "127.0.0.8:443: no answer") || !strings.Contains(r.Reason, "127.0.0.2:443: connection refused") {
		t.Errorf("all fail: ok %v, stage %q, reason %q", r.OK, r.Stage, r.Reason)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestServerResolverTCP: a truncated UDP answer is asked again over TCP.
func TestServerResolverTCP(t *testing.T) {
	dns, err := checktest.StartDNS(map[string]string{"big.example.com": checktest.TCPOnly + "127.0.0.2,127.0.0.3"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	addrs, err := reach.ServerResolver(dns.Addr()).LookupHost(context.Background(), "big.example.com")
	if err != nil || strings.Join(addrs, ",") != "127.0.0.2,127.0.0.3" || dns.Asked("big.example.com") < 2 {
		t.Errorf("LookupHost = %v, %v (asked %d); want both addresses over TCP", addrs, err, dns.Asked("big.example.com"))
	}
}

// stubResolver answers every name with its addresses.
type stubResolver []string

func (s stubResolver) LookupHost(context.Context, string) ([]string, error) { return s, nil }

// TestCheckAddressBounds: at most MaxAddresses addresses of a name are
// tried; an answer that is not an address is a dns failure, undialled.
func TestCheckAddressBounds(t *testing.T) {
	l := newLab(t)
	c := l.checker()
	var many stubResolver
	for i := range 10 {
		a := "127.0.3." + itoa(i)
		many = append(many, a)
		l.routes[a+":443"] = l.routes["127.0.0.7:443"] // the closed port
	}
	c.Resolver = many
	r := c.Check(context.Background(), fqdn("many.example.com", 443))
	if r.Stage != "tcp" || len(r.Attempts) != 10 || !strings.Contains(r.Attempts[9].Outcome, "not tried: only the first 8") ||
		!strings.Contains(r.Reason, "none of the 8 addresses") {
		t.Errorf("stage %q, reason %q, attempts %v", r.Stage, r.Reason, r.Attempts)
	}
	c.Resolver = stubResolver{"intranet.contoso.com"}
	r = c.Check(context.Background(), fqdn("odd.example.com", 443))
	if r.Stage != "dns" || !strings.Contains(r.Reason, "not an IP address; nothing was dialled") {
		t.Errorf("a name as an answer: stage %q, reason %q", r.Stage, r.Reason)
	}
}

// TestServerResolverAAAADropped: a server that answers A and drops AAAA
// questions costs AAAAGrace, not the whole timeout.
func TestServerResolverAAAADropped(t *testing.T) {
	dns, err := checktest.StartDNS(map[string]string{"v4only.example.com": checktest.DropAAAA + "127.0.0.2"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	addrs, err := reach.ServerResolver(dns.Addr()).LookupHost(ctx, "v4only.example.com")
	took := time.Since(start)
	t.Logf("A answered, AAAA dropped: %v (grace %v, timeout 1m)", took, reach.AAAAGrace)
	if err != nil || strings.Join(addrs, ",") != "127.0.0.2" || took > 30*time.Second {
		t.Errorf("LookupHost = %v, %v after %v; want the A address after the grace, not the timeout", addrs, err, took)
	}
}
