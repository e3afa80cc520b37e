package reach_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/reach"
	"github.com/avdurls/avdurls/reach/checktest"
)

// lab is the loopback laboratory of a test: servers, and a dialer that
// reaches them by the address a name resolved to and refuses any address
// not of the lab, so nothing leaves the machine.
type lab struct {
	t        testing.TB
	ca, insp *checktest.CA
	dns      *checktest.DNS
	routes   map[string]string // "ip:port" the checker dials -> 127.0.0.1:PORT of a server
	mu       sync.Mutex
	dialed   []string
	// open and maxOpen count the lab's connections open at once: how the
	// tests see that entries run side by side, without timing them.
	open, maxOpen int
	// hold, when set, makes each dial wait (at most holdFor) until that
	// many connections were open at once: entries that run side by side
	// meet there whatever the machine's load; entries run one after
	// another never do, and the peak says so.
	hold int
}

// holdFor bounds a dial's wait for the others (lab.hold): well within
// the tests' timeout of a second, so the entries still pass.
const holdFor = 400 * time.Millisecond

// waitOpen waits until n lab connections were open at once, holdFor at
// most.
func (l *lab) waitOpen(ctx context.Context, n int) {
	deadline := time.Now().Add(holdFor)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		l.mu.Lock()
		met := l.maxOpen >= n
		l.mu.Unlock()
		if met {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// countedConn is a lab connection that counts itself open until closed.
type countedConn struct {
	net.Conn
	l    *lab
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// peak is the most lab connections that were open at once.
func (l *lab) peak() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.maxOpen
}

// newLab starts the servers. Names resolve to addresses of 127.0.0.0/8;
// the dialer maps each address and port to the server that plays it.
func newLab(t testing.TB) *lab {
	t.Helper()
	l := &lab{t: t, routes: map[string]string{}}
	var err error
	l.ca = must(t, func() (*checktest.CA, error) { return checktest.NewCA("avdurls Test Root CA") })
	l.insp = must(t, func() (*checktest.CA, error) { return checktest.NewCA("Contoso Inspection CA") })
	good := must(t, func() (tls.Certificate, error) {
		return l.ca.Issue("login.microsoftonline.com", "gcs.prod.monitoring.core.windows.net", "*.example.com")
	})
	fake := must(t, func() (tls.Certificate, error) {
		return l.insp.Issue("login.microsoftonline.com", "gcs.prod.monitoring.core.windows.net")
	})
	l.serve("127.0.0.2:443", must(t, func() (*checktest.Server, error) { return checktest.StartTLS(good) }))
	l.serve("127.0.0.3:443", must(t, func() (*checktest.Server, error) { return checktest.StartTLS(fake) }))
	l.serve("127.0.0.4:443", must(t, func() (*checktest.Server, error) { return checktest.StartSilent() }))
	l.serve("127.0.0.5:80", must(t, func() (*checktest.Server, error) { return checktest.StartHTTP(200, false) }))
	l.serve("127.0.0.6:80", must(t, func() (*checktest.Server, error) { return checktest.StartHTTP(470, false) }))
	l.serve(reach.MetadataAddress+":80", must(t, func() (*checktest.Server, error) { return checktest.StartHTTP(0, true) }))
	l.serve(reach.WireServer+":80", must(t, func() (*checktest.Server, error) { return checktest.StartSilent() }))
	closed, err := checktest.ClosedPort()
	if err != nil {
		t.Fatal(err)
	}
	l.routes["127.0.0.7:443"] = "127.0.0.1:" + strconv.Itoa(closed)
	records := map[string]string{
		"login.microsoftonline.com": "127.0.0.2", "inspected.example.com": "127.0.0.3", "silent.example.com": "127.0.0.4",
		"www.microsoft.com": "127.0.0.5", "denied.example.com": "127.0.0.6", "closed.example.com": "127.0.0.7",
		"blackhole.example.com": "127.0.0.8", "endless.example.com": "127.0.0.9",
		"servfail.example.com": checktest.ServFail, "refused.example.com": checktest.Refused, "twoaddr.example.com": "127.0.0.8,127.0.0.7,127.0.0.2",
		"localhost": checktest.NXDomain, "gone.example.com": checktest.NXDomain, "slow.example.com": checktest.NoAnswer,
	}
	// fastN.example.com: the good TLS server; silentN.example.com: the
	// silent one, each under its own address.
	for i := range 64 {
		records[fmt.Sprintf("fast%d.example.com", i)] = fmt.Sprintf("127.0.1.%d", i)
		l.routes[fmt.Sprintf("127.0.1.%d:443", i)] = l.routes["127.0.0.2:443"]
		records[fmt.Sprintf("silent%d.example.com", i)] = fmt.Sprintf("127.0.2.%d", i)
		l.routes[fmt.Sprintf("127.0.2.%d:443", i)] = l.routes["127.0.0.4:443"]
	}
	l.dns = must(t, func() (*checktest.DNS, error) { return checktest.StartDNS(records) })
	t.Cleanup(l.dns.Close)
	return l
}

// must runs f and fails the test on error.
func must[T any](t testing.TB, f func() (T, error)) T {
	t.Helper()
	v, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// serve routes addr to a server, closed at the end of the test.
func (l *lab) serve(addr string, s *checktest.Server) {
	l.routes[addr] = s.Addr()
	l.t.Cleanup(s.Close)
}

// dial is the checker's dialer: lab addresses only.
func (l *lab) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	l.mu.Lock()
	l.dialed = append(l.dialed, addr)
	to, ok := l.routes[addr]
	l.mu.Unlock()
	if !ok {
		host, _, _ := net.SplitHostPort(addr)
		if host != checktest.Loopback {
			l.t.Errorf("the checker dialed %s, not an address of the lab", addr)
			return nil, fmt.Errorf("test: %s is not in the lab", addr)
		}
		to = addr
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, to)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.open++
	l.maxOpen = max(l.maxOpen, l.open)
	hold := l.hold
	l.mu.Unlock()
	if hold > 0 {
		l.waitOpen(ctx, hold)
	}
	return &countedConn{Conn: conn, l: l}, nil
}

// checker is a checker of the lab: its DNS server, its dialer, the test
// CA trusted and counted as public.
func (l *lab) checker() *reach.Checker {
	return &reach.Checker{
		Resolver: reach.ServerResolver(l.dns.Addr()), ResolverName: "DNS server " + l.dns.Addr(), Dial: l.dial,
		Roots: l.ca.Pool(), PublicCAs: map[string]string{reach.Thumbprint(l.ca.Cert): "avdurls Test Root CA"},
		Timeout: 2 * time.Second, // generous: handshakes are slow under -race
		Catalog: labCatalog(), Special: labSpecial(),
	}
}

// labCatalog allows the lab's names: Microsoft's two on their ports, any
// name under example.com on 443 and 80, and the platform addresses.
func labCatalog() *catalog.Version {
	row := func(a string, port int) catalog.Row {
		return catalog.Row{Address: a, Port: port, Protocol: "TCP", Cloud: catalog.CloudPublic, Scope: catalog.ScopeSessionHost, Required: true}
	}
	return &catalog.Version{ID: "lab", Confidence: catalog.ConfidencePrimary, AllRows: []catalog.Row{
		row("login.microsoftonline.com", 443), row("www.microsoft.com", 80), row("www.microsoft.com", 443), row("*.example.com", 443), row("*.example.com", 80),
		row(reach.MetadataAddress, 80), row(reach.WireServer, 80),
	}}
}

// labSpecial are the special ranges but loopback, where the lab's
// servers are.
func labSpecial() []reach.Range {
	return slices.DeleteFunc(reach.SpecialRanges(), func(r reach.Range) bool { return r.Name == "loopback" })
}

func fqdn(name string, port int) reach.Target {
	return reach.Target{Region: "westeurope", Address: name, Port: port, Protocol: "TCP", Kind: "fqdn"}
}

// TestCheckStages: each stage's failure is named, with its reason.
func TestCheckStages(t *testing.T) {
	l := newLab(t)
	c := l.checker()
	for _, tc := range []struct {
		target      reach.Target
		ok          bool
		stage, want string
		inspection  bool
	}{
		{fqdn("login.microsoftonline.com", 443), true, "", "", false},
		{fqdn("www.microsoft.com", 80), true, "", "", false},
		{fqdn("gone.example.com", 443), false, "dns", "does not exist (NXDOMAIN", false},
		{fqdn("slow.example.com", 443), false, "dns", "no answer from DNS server", false},
		{fqdn("closed.example.com", 443), false, "tcp", "connection refused", false},
		{fqdn("silent.example.com", 443), false, "tls", "no TLS answer within 2s", false},
		{fqdn("inspected.example.com", 443), false, "tls", `issued by "Contoso Inspection CA"`, true},
		{fqdn("denied.example.com", 80), false, "http", "HTTP 470", false},
		{reach.Target{Address: reach.MetadataAddress, Port: 80, Protocol: "TCP", Kind: "ip"}, true, "", "", false},
		{reach.Target{Address: reach.WireServer, Port: 80, Protocol: "TCP", Kind: "ip"}, true, "", "", false},
	} {
		r := c.Check(context.Background(), tc.target)
		if r.OK != tc.ok || r.Stage != tc.stage || !strings.Contains(r.Reason, tc.want) || r.Inspection != tc.inspection || !r.Checked {
			t.Errorf("%s:%d: ok %v, stage %q, inspection %v, reason %q; want ok %v, stage %q, inspection %v, reason with %q",
				tc.target.Address, tc.target.Port, r.OK, r.Stage, r.Inspection, r.Reason, tc.ok, tc.stage, tc.inspection, tc.want)
		}
	}
	if r := c.Check(context.Background(), fqdn("inspected.example.com", 443)); r.Issuer != "Contoso Inspection CA" {
		t.Errorf("issuer %q, want Contoso Inspection CA", r.Issuer)
	}
	if r := c.Check(context.Background(), fqdn("login.microsoftonline.com", 443)); r.Issuer != "avdurls Test Root CA" || len(r.Resolved) != 1 || r.Resolved[0] != "127.0.0.2" {
		t.Errorf("issuer %q, resolved %v; want the test CA and 127.0.0.2", r.Issuer, r.Resolved)
	}
}

// TestCheckInspectionThroughCAFile: a chain that verifies only through an
// added root (a corporate CA given with --ca-file) that is not one of the
// public CAs is inspection; so is the test CA when the public CAs are
// Microsoft's alone.
func TestCheckInspectionThroughCAFile(t *testing.T) {
	l := newLab(t)
	c := l.checker()
	c.PublicCAs = nil // Microsoft's
	r := c.Check(context.Background(), fqdn("login.microsoftonline.com", 443))
	if r.OK || r.Stage != "tls" || !r.Inspection || !strings.Contains(r.Reason, `root "avdurls Test Root CA"`) ||
		!strings.Contains(r.Reason, "Microsoft does not support") {
		t.Errorf("ok %v, stage %q, inspection %v, reason %q; want inspection through the test root", r.OK, r.Stage, r.Inspection, r.Reason)
	}
	c.Roots = l.insp.Pool() // now the good server's CA is unknown, and not named as a public one
	if r := c.Check(context.Background(), fqdn("login.microsoftonline.com", 443)); !r.Inspection || !strings.Contains(r.Reason, "not trusted here") {
		t.Errorf("untrusted private CA: inspection %v, reason %q", r.Inspection, r.Reason)
	}
}

// TestCheckNameMismatch: a server that closes on a TLS hello is the tls
// stage; a certificate of a public CA for other names fails TLS without
// being called inspection.
func TestCheckNameMismatch(t *testing.T) {
	l := newLab(t)
	c := l.checker()
	l.routes["127.0.0.5:443"] = l.routes["127.0.0.5:80"]
	r := c.Check(context.Background(), fqdn("www.microsoft.com", 443))
	if r.OK || r.Stage != "tls" || !strings.Contains(r.Reason, "closed during the TLS handshake") {
		t.Errorf("TLS to an HTTP server: ok %v, stage %q, reason %q", r.OK, r.Stage, r.Reason)
	}
	l.routes["127.0.0.5:443"] = l.routes["127.0.0.2:443"]
	r = c.Check(context.Background(), fqdn("www.microsoft.com", 443))
	if r.OK || r.Stage != "tls" || !strings.Contains(r.Reason, "certificate not valid") || !strings.Contains(r.Reason, "not www.microsoft.com") || r.Inspection {
		t.Errorf("wrong name: ok %v, stage %q, inspection %v, reason %q", r.OK, r.Stage, r.Inspection, r.Reason)
	}
}

// TestCheckProxy: names on 443 go through CONNECT and on 80 as proxy
// requests; IP rules never do; the result names the proxy; a refusal is
// the tcp stage.
func TestCheckProxy(t *testing.T) {
	l := newLab(t)
	p, err := checktest.StartProxy(map[string]int{
		"login.microsoftonline.com": portOf(l.routes["127.0.0.2:443"]), "www.microsoft.com": portOf(l.routes["127.0.0.5:80"]),
		"blocked.example.com": 0,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	c := l.checker()
	c.Resolver = failResolver{t}
	pu := &url.URL{Scheme: "http", Host: p.Addr(), User: url.UserPassword("u", "secret")}
	c.Proxy = func(*url.URL) (*url.URL, error) { return pu, nil }
	targets := []reach.Target{fqdn("login.microsoftonline.com", 443), fqdn("www.microsoft.com", 80), fqdn("blocked.example.com", 443),
		{Address: reach.MetadataAddress, Port: 80, Protocol: "TCP", Kind: "ip"}}
	res := c.Run(context.Background(), targets, nil)
	for i, want := range []struct {
		ok    bool
		stage string
		proxy bool
	}{{true, "", true}, {true, "", true}, {false, "tcp", true}, {true, "", false}} {
		r := res[i]
		if r.OK != want.ok || r.Stage != want.stage || (r.Proxy != "") != want.proxy || strings.Contains(r.Proxy, "secret") {
			t.Errorf("%s:%d: ok %v, stage %q, proxy %q, reason %q", r.Address, r.Port, r.OK, r.Stage, r.Proxy, r.Reason)
		}
	}
	seen := strings.Join(p.Seen(), "\n")
	for _, want := range []string{"CONNECT login.microsoftonline.com:443", "HEAD http://www.microsoft.com/", "CONNECT blocked.example.com:443"} {
		if !strings.Contains(seen, want) {
			t.Errorf("the proxy did not see %q; it saw:\n%s", want, seen)
		}
	}
	if strings.Contains(seen, "169.254") {
		t.Errorf("the metadata request went through the proxy:\n%s", seen)
	}
}

func portOf(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}

// failResolver fails the test when asked: through a proxy, names are
// not resolved here.
type failResolver struct{ t *testing.T }

func (f failResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	if host != reach.MetadataAddress {
		f.t.Errorf("resolved %s although a proxy is set", host)
	}
	return nil, fmt.Errorf("no DNS in this test")
}

// TestCheckTCPTimeout: a connection nothing answers is the tcp stage.
func TestCheckTCPTimeout(t *testing.T) {
	l := newLab(t)
	addr, closeFn, err := checktest.BlackHole()
	if err != nil && runtime.GOOS == "linux" {
		t.Fatal(err)
	} else if err != nil {
		t.Skip(err) // a black hole needs Linux; CI runs Linux
	}
	t.Cleanup(closeFn)
	l.routes["127.0.0.8:443"] = addr
	start := time.Now()
	r := l.checker().Check(context.Background(), fqdn("blackhole.example.com", 443))
	if r.OK || r.Stage != "tcp" || !strings.Contains(r.Reason, "no answer within 2s") {
		t.Errorf("ok %v, stage %q, reason %q; want a tcp timeout", r.OK, r.Stage, r.Reason)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("took %v; the stage timeout is 2s", d)
	}
}

// TestCheckNotChecked: UDP, ranges and wildcards are listed, not checked.
func TestCheckNotChecked(t *testing.T) {
	c := &reach.Checker{Dial: func(context.Context, string, string) (net.Conn, error) {
		t.Error("dialed")
		return nil, fmt.Errorf("no")
	}}
	for _, tg := range []reach.Target{
		{Address: "turn.example.com", Port: 3478, Protocol: "UDP", Kind: "fqdn"},
		{Address: "10.0.0.0/8", Port: 443, Protocol: "TCP", Kind: "cidr"},
		{Address: "*.wvd.microsoft.com", Port: 443, Protocol: "TCP", Kind: "wildcard"},
	} {
		r := c.Check(context.Background(), tg)
		if r.Checked || r.OK || r.Stage != "" || !strings.Contains(r.Reason, "not checked") {
			t.Errorf("%s: checked %v, ok %v, stage %q, reason %q", tg.Address, r.Checked, r.OK, r.Stage, r.Reason)
		}
	}
}

// TestCheckParallel: 50 entries, one of which takes the whole timeout,
// take about as long as that one, not the sum; results keep the input
// order; duplicates are checked once.
func TestCheckParallel(t *testing.T) {
	l := newLab(t)
	l.hold = 2
	c := l.checker()
	c.Timeout = time.Second
	var targets []reach.Target
	for i := range 49 {
		targets = append(targets, reach.Target{Region: fmt.Sprint("r", i%3), Address: "login.microsoftonline.com", Port: 443, Protocol: "TCP", Kind: "fqdn"})
		targets[i].Port = 443
		if i%2 == 1 {
			targets[i] = fqdn("www.microsoft.com", 80)
			targets[i].Region = fmt.Sprint("r", i)
		}
	}
	targets = append(targets, fqdn("silent.example.com", 443))
	calls := 0
	res := c.Run(context.Background(), targets, func(_ reach.Result, done, total int) {
		calls++
		if done != calls || total != 3 {
			t.Errorf("progress %d/%d at call %d", done, total, calls)
		}
	})
	if len(res) != 50 || res[49].Stage != "tls" || !res[0].OK || res[1].Region != "r1" || res[1].Address != "www.microsoft.com" {
		t.Fatalf("results out of order or wrong: %+v", res[:2])
	}
	// Duplicates are checked once: three distinct entries, three dials
	// (an HTTPS entry dials once for TLS); the silent one ran beside the
	// others, not after them.
	l.mu.Lock()
	dials := len(l.dialed)
	l.mu.Unlock()
	if dials != 3 {
		t.Errorf("%d dials for 3 distinct entries: duplicates were checked again", dials)
	}
	if p := l.peak(); p < 2 {
		t.Errorf("at most %d connection open at once: the entries ran one after another", p)
	}
}

// TestCheckManyDistinct: 50 distinct entries, one of which gets no TLS
// answer within the timeout, run side by side (the silent one does not hold
// the others back); 50 that all get none run 16 at a time, so they take
// about ceil(50/16) = 4 timeouts, not 50. Seen by counting the connections
// open at once, never by a clock.
func TestCheckManyDistinct(t *testing.T) {
	l := newLab(t)
	l.hold = 2
	c := l.checker()
	c.Timeout = time.Second
	var targets []reach.Target
	for i := range 49 {
		targets = append(targets, fqdn(fmt.Sprintf("fast%d.example.com", i), 443))
	}
	targets = append(targets, fqdn("silent.example.com", 443))
	res := c.Run(context.Background(), targets, nil)
	for _, r := range res[:49] {
		if !r.OK {
			t.Fatalf("%s: %s %s", r.Address, r.Stage, r.Reason)
		}
	}
	if res[49].Stage != "tls" || l.peak() < 2 {
		t.Errorf("silent entry stage %q; at most %d connections open at once: want the silent one beside the others", res[49].Stage, l.peak())
	}
	// 50 silent entries: each holds its connection for the whole timeout,
	// so if they run 16 at a time, 16 are open at once (not 1: the sum of
	// the timeouts), and never more.
	l2 := newLab(t)
	c = l2.checker()
	c.Timeout = time.Second
	targets = targets[:0]
	for i := range 50 {
		targets = append(targets, fqdn(fmt.Sprintf("silent%d.example.com", i), 443))
	}
	res = c.Run(context.Background(), targets, nil)
	if res[0].Stage != "tls" || l2.peak() != reach.DefaultParallel {
		t.Errorf("all silent: stage %q, at most %d connections open at once; want %d (the parallel bound)", res[0].Stage, l2.peak(), reach.DefaultParallel)
	}
}
