// Package reach tests whether this machine reaches the entries of an
// avdurls allowlist, entry by entry and stage by stage (DNS, TCP connect,
// TLS or an HTTP request), and names the stage that failed and why.
//
// The resolver, the dialer and the proxy choice are fields of Checker, so
// tests and other programs can drive it without the network.
package reach

import (
	"cmp"
	"context"
	"crypto/x509"
	"net"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/avdurls/avdurls/catalog"
)

// The stages of a check, in order; Result.Stage names the one that failed.
const (
	StageDNS  = "dns"  // the name did not resolve
	StageTCP  = "tcp"  // no TCP connection (to the address, or through the proxy)
	StageTLS  = "tls"  // no TLS session, an invalid certificate, or TLS inspection
	StageHTTP = "http" // no HTTP answer, or one that says the request was denied
)

// Defaults of Checker.
const (
	DefaultTimeout  = 5 * time.Second
	DefaultParallel = 16
)

// Target is one allowlist entry to check.
type Target struct {
	Region   string
	Address  string // a host name, an IP address or a CIDR range
	Port     int
	Protocol string // TCP or UDP
	Kind     string // fqdn, ip, cidr or wildcard
	// Cloud and Scope are the report's: the catalog rows of these decide
	// whether the target may be probed; empty means public, sessionhost.
	Cloud catalog.Cloud
	Scope catalog.Scope
}

// Result is what the check of one target found.
type Result struct {
	Region   string `json:"region"`
	Address  string `json:"address"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
	Kind     string `json:"kind"`
	// Checked is false for entries that cannot be tested (UDP, ranges,
	// wildcards); Reason says why.
	Checked bool `json:"checked"`
	OK      bool `json:"ok"`
	// Stage is the stage that failed: dns, tcp, tls or http; empty when
	// OK or not checked.
	Stage  string `json:"stage"`
	Reason string `json:"reason"`
	// Resolved are the addresses DNS gave (empty through a proxy, which
	// resolves the name itself).
	Resolved []string `json:"resolved"`
	// Private are the addresses of Resolved in private ranges (Private
	// Link, private DNS zones): recorded, not failed.
	Private []string `json:"private,omitempty"`
	// Attempts are the addresses of a name tried in turn, each with its
	// outcome: "connected", why it failed, or why it was not tried.
	Attempts []Attempt `json:"attempts,omitempty"`
	// Connected is the address the TCP connection was made to: one of
	// Resolved, the IP rule's address, or the proxy's.
	Connected string `json:"connected,omitempty"`
	// Proxy is the proxy used (credentials removed), empty when direct.
	Proxy string `json:"proxy"`
	// Issuer is the issuer of the server's certificate (TLS entries).
	Issuer string `json:"issuer"`
	// Inspection is true when the certificate was not issued by the CAs
	// Microsoft uses: a TLS-inspecting firewall or proxy answered.
	Inspection bool  `json:"inspection"`
	HTTPStatus int   `json:"httpStatus,omitempty"`
	MS         int64 `json:"ms"` // time the check took, in milliseconds
}

// Attempt is the outcome of one address of a name.
type Attempt struct {
	Address string `json:"address"` // ip:port
	Outcome string `json:"outcome"`
}

// Resolver looks host names up; *net.Resolver is one.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Checker checks targets. The zero value checks with the system resolver,
// direct connections, the system roots and Microsoft's public CAs.
type Checker struct {
	// Resolver looks names up; nil is net.DefaultResolver.
	Resolver Resolver
	// ResolverName names the resolver in reasons; empty: "the system
	// resolver".
	ResolverName string
	// Dial opens connections; nil is a net.Dialer. Every connection a
	// check makes goes through it, to resolved addresses, IP rules and
	// proxies.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Proxy says which proxy to use for a URL (https://name for port 443,
	// http://name for port 80); nil, or a nil URL, means direct. http://,
	// https:// and socks5:// proxies are spoken to (see ResolveProxy).
	Proxy func(u *url.URL) (*url.URL, error)
	// Roots verify certificate chains; nil means the system roots.
	Roots *x509.CertPool
	// PublicCAs are the certificates (SHA-1 thumbprint, upper-case hex, to
	// name) that count as the public CAs Microsoft uses; a verified chain
	// through none of them is TLS inspection. Nil means MicrosoftCAs().
	PublicCAs map[string]string
	// Timeout bounds each stage of a check; 0 means DefaultTimeout.
	Timeout time.Duration
	// Parallel is how many targets are checked at once; 0 means
	// DefaultParallel.
	Parallel int
	// Catalog decides what may be probed: names under its rows for the
	// target's cloud and scope on those rows' ports and protocols, and its
	// IP addresses on theirs; anything else is not checked. Nil means the
	// built-in catalog's newest version.
	Catalog *catalog.Version
	// Special are the ranges a DNS answer must not be in (a dns failure,
	// nothing dialled); nil means SpecialRanges().
	Special []Range
	// Private are the ranges whose answers are recorded in
	// Result.Private; nil means PrivateRanges().
	Private []Range
}

// Run checks the targets, at most Parallel at a time, and returns one
// result per target, in the order given. Targets with the same address,
// port, protocol and kind are checked once. progress, when not nil, is
// called after each check, one call at a time, with the count done and
// the count to do.
func (c *Checker) Run(ctx context.Context, targets []Target, progress func(r Result, done, total int)) []Result {
	index := make([]int, len(targets))
	var uniq []Target
	seen := map[string]int{}
	for i, t := range targets {
		k := t.Address + " " + strconv.Itoa(t.Port) + " " + t.Protocol + " " + t.Kind + " " + string(t.Cloud) + " " + string(t.Scope)
		j, ok := seen[k]
		if !ok {
			j = len(uniq)
			seen[k] = j
			uniq = append(uniq, t)
		}
		index[i] = j
	}
	out := make([]Result, len(uniq))
	sem := make(chan struct{}, cmp.Or(c.Parallel, DefaultParallel))
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for j, t := range uniq {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[j] = c.Check(ctx, t)
			if progress != nil {
				mu.Lock()
				done++
				progress(out[j], done, len(uniq))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res := make([]Result, len(targets))
	for i, t := range targets {
		r := out[index[i]]
		r.Region, r.Resolved, r.Private, r.Attempts = t.Region, slices.Clone(r.Resolved), slices.Clone(r.Private), slices.Clone(r.Attempts)
		res[i] = r
	}
	return res
}

// Check checks one target, stage by stage, each stage within Timeout.
func (c *Checker) Check(ctx context.Context, t Target) Result {
	start := time.Now()
	r := Result{Region: t.Region, Address: t.Address, Port: t.Port, Protocol: t.Protocol, Kind: t.Kind, Resolved: []string{}}
	refused := c.admit(t)
	switch {
	case refused != "":
		r.Reason = refused
	case t.Kind == "wildcard":
		r.Reason = "a wildcard is not checked: only names under it can be; scan the agent's events to list them"
	case t.Kind == "cidr":
		r.Reason = "a range is not checked: no single address of it is known to answer"
	case t.Protocol != "TCP":
		r.Reason = t.Protocol + " is not checked: a UDP port gives no answer to a probe that does not speak its protocol, so silence proves nothing; test it with the application that uses it"
	case ctx.Err() != nil:
		r.Reason = "not checked: " + ctx.Err().Error()
	default:
		r.Checked = true
		c.run(ctx, t, &r)
		r.OK = r.Stage == ""
	}
	r.MS = time.Since(start).Milliseconds()
	return r
}

// run runs the stages of a checked target; a failure sets r.Stage.
func (c *Checker) run(ctx context.Context, t Target, r *Result) {
	if t.Kind == "ip" {
		c.checkIP(ctx, t, r)
		return
	}
	proxy, err := c.proxyFor(t)
	if err != nil {
		r.Stage, r.Reason = StageTCP, "proxy setting: "+clean(err.Error())
		return
	}
	var conn net.Conn
	if proxy != nil {
		r.Proxy = Redact(proxy)
		conn = c.proxyConnect(ctx, proxy, t, r)
	} else if addrs := c.lookup(ctx, t.Address, r); addrs != nil {
		conn = c.connect(ctx, addrs, t.Port, r)
	}
	if conn == nil {
		return
	}
	defer conn.Close()
	switch t.Port {
	case 443:
		c.tlsStage(ctx, conn, t, proxy, r)
	case 80:
		c.httpStage(ctx, conn, t, proxy, r)
	}
}

// timeout is the bound of one stage.
func (c *Checker) timeout() time.Duration { return cmp.Or(c.Timeout, DefaultTimeout) }
