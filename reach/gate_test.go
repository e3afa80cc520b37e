package reach_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/reach"
	"github.com/avdurls/avdurls/reach/checktest"
)

// noDial is a dialer that fails the test: nothing may be dialled.
func noDial(t *testing.T) func(context.Context, string, string) (net.Conn, error) {
	return func(_ context.Context, _, addr string) (net.Conn, error) {
		t.Errorf("dialled %s", addr)
		return nil, fmt.Errorf("test: no dialling")
	}
}

// TestCheckGate: a forged report's entries (any name, any port) and IP
// rules (any address) are not checked, with the reason; nothing is
// dialled. The built-in catalog judges.
func TestCheckGate(t *testing.T) {
	c := &reach.Checker{Dial: noDial(t), Resolver: failResolver{t}}
	for _, tc := range []struct {
		target reach.Target
		want   string
	}{
		{fqdn("intranet.contoso.com", 443), "under no row of catalog"},
		{fqdn("login.microsoftonline.com", 22), "has no row for login.microsoftonline.com on 22/TCP"},
		{fqdn("www.microsoft.com", 443), "has no row for www.microsoft.com on 443/TCP"},
		{fqdn("kms.core.windows.net", 1688), "deprecated catalog row"},
		{reach.Target{Address: "10.1.2.3", Port: 445, Protocol: "TCP", Kind: "ip"}, "not a platform address"},
		{reach.Target{Address: reach.MetadataAddress, Port: 443, Protocol: "TCP", Kind: "ip"}, "not a platform address"},
		{reach.Target{Address: reach.WireServer, Port: 22, Protocol: "TCP", Kind: "ip"}, "not a platform address"},
		{reach.Target{Address: "login.microsoftonline.com", Port: 443, Protocol: "TCP", Kind: "fqdn", Cloud: catalog.CloudChina}, "under no row of catalog"},
		{fqdn("learn.microsoft.com", 443), "under no row"}, // a client row only
		{reach.Target{Address: "login.microsoftonline.com", Port: 443, Protocol: "TCP", Kind: "FQDN"}, `kind "FQDN" is not one check knows`},
		{reach.Target{Address: "intranet.contoso.com", Port: 22, Protocol: "TCP"}, `kind "" is not one check knows`},
		{reach.Target{Address: "azkms.core.windows.net", Port: 1688, Protocol: "UDP", Kind: "fqdn"}, "has no row for azkms.core.windows.net on 1688/UDP"},
	} {
		r := c.Check(context.Background(), tc.target)
		if r.Checked || r.OK || r.Stage != "" || !strings.HasPrefix(r.Reason, "not checked: ") || !strings.Contains(r.Reason, tc.want) {
			t.Errorf("%s:%d (%s): checked %v, ok %v, stage %q, reason %q; want not checked, %q", tc.target.Address, tc.target.Port, tc.target.Cloud, r.Checked, r.OK, r.Stage, r.Reason, tc.want)
		}
	}
}

// TestCheckSpecialAnswers: a name answered with a special address is a
// dns failure that names the range, and nothing is dialled; a private
// answer is recorded and checked.
func TestCheckSpecialAnswers(t *testing.T) {
	l := newLab(t)
	records := map[string]string{
		"imds.example.com": reach.MetadataAddress, "wire.example.com": reach.WireServer, "sink.example.com": "0.0.0.0",
		"loop.example.com": "127.0.0.1", "multi.example.com": "224.0.0.251", "reserved.example.com": "240.0.0.1",
		"link.example.com": "169.254.10.10", "private.example.com": "10.0.0.5",
	}
	dns, err := checktest.StartDNS(records)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	l.routes["10.0.0.5:443"] = l.routes["127.0.0.2:443"]
	c := l.checker()
	c.Special = nil // all of them, loopback too
	c.Resolver = reach.ServerResolver(dns.Addr())
	for name, want := range map[string]string{
		"imds.example.com": "169.254.0.0/16 (link-local", "wire.example.com": "168.63.129.16/32 (Azure's platform address",
		"sink.example.com": "0.0.0.0/8 (this network", "loop.example.com": "127.0.0.0/8 (loopback)",
		"multi.example.com": "224.0.0.0/4 (multicast)", "reserved.example.com": "240.0.0.0/4 (reserved)",
		"link.example.com": "169.254.0.0/16",
	} {
		r := c.Check(context.Background(), fqdn(name, 443))
		if r.OK || r.Stage != "dns" || !strings.Contains(r.Reason, want) || !strings.Contains(r.Reason, "nothing was dialled") || r.Connected != "" {
			t.Errorf("%s: ok %v, stage %q, reason %q, connected %q; want a dns failure naming %q", name, r.OK, r.Stage, r.Reason, r.Connected, want)
		}
	}
	for _, a := range l.dialed {
		if !strings.HasPrefix(a, "10.0.0.5") {
			t.Errorf("dialled %s", a)
		}
	}
	r := c.Check(context.Background(), fqdn("private.example.com", 443))
	if r.Stage == "dns" || r.Connected != "10.0.0.5:443" || len(r.Private) != 1 || r.Private[0] != "10.0.0.5" {
		t.Errorf("private answer: stage %q, reason %q, connected %q, private %v; want it recorded and dialled", r.Stage, r.Reason, r.Connected, r.Private)
	}
}
