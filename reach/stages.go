package reach

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// The platform addresses of the catalog's IP rules.
const (
	// MetadataAddress is the Azure Instance Metadata Service: its check is
	// a GET of MetadataPath with the header Metadata: true, never proxied.
	MetadataAddress = "169.254.169.254"
	MetadataPath    = "/metadata/instance?api-version=2021-02-01"
	// WireServer is Azure's virtual public IP (health probes, VM agent):
	// its check is a TCP connection.
	WireServer = "168.63.129.16"
)

// clean makes text from the network printable and bounded: an error
// message, a status line or a certificate name is the peer's text.
func clean(s string) string { return discover.CleanText(s, 400) }

// resolverName names the resolver in reasons.
func (c *Checker) resolverName() string {
	if c.ResolverName != "" {
		return c.ResolverName
	}
	return "the system resolver"
}

// lookup is the DNS stage: the addresses of name, IPv4 first; nil on
// failure.
func (c *Checker) lookup(ctx context.Context, name string, r *Result) []string {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	var res Resolver = net.DefaultResolver
	if c.Resolver != nil {
		res = c.Resolver
	}
	addrs, err := res.LookupHost(ctx, name)
	switch {
	case err != nil:
		r.Stage, r.Reason = StageDNS, c.dnsReason(name, err)
	case len(addrs) == 0:
		r.Stage, r.Reason = StageDNS, fmt.Sprintf("%s returned no address for %s", c.resolverName(), name)
	}
	if r.Stage != "" {
		return nil
	}
	slices.SortStableFunc(addrs, func(a, b string) int {
		return boolInt(strings.Contains(a, ":")) - boolInt(strings.Contains(b, ":"))
	})
	r.Resolved = addrs
	return c.judgeAnswers(name, addrs, r)
}

// judgeAnswers fails the dns stage when an answer is in a special range
// (nothing is dialled then) and records the private ones.
func (c *Checker) judgeAnswers(name string, addrs []string, r *Result) []string {
	for _, a := range addrs {
		if _, err := netip.ParseAddr(a); err != nil {
			r.Stage, r.Reason = StageDNS, fmt.Sprintf("%s answered %q for %s, which is not an IP address; nothing was dialled", c.resolverName(), clean(a), name)
			return nil
		}
		if sr, ok := rangeOf(c.special(), a); ok {
			r.Stage = StageDNS
			r.Reason = fmt.Sprintf("%s answered %s for %s, an address in %s (%s) where no Microsoft endpoint is: a DNS sinkhole or a forged record; "+
				"nothing was dialled: ask the DNS team why the name resolves there", c.resolverName(), a, name, sr.Prefix, sr.Name)
			return nil
		}
		if _, ok := rangeOf(c.private(), a); ok {
			r.Private = append(r.Private, a)
		}
	}
	return addrs
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// dial opens a TCP connection through Dial, or a net.Dialer.
func (c *Checker) dial(ctx context.Context, addr string) (net.Conn, error) {
	if c.Dial != nil {
		return c.Dial(ctx, "tcp", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// MaxAddresses bounds the addresses of a name tried, each with its own
// timeout, so a DNS answer cannot make one check last without bound.
const MaxAddresses = 8

// connect is the TCP stage: each of addrs in turn, each within its own
// Timeout, until one accepts a connection on port; every address's
// outcome is recorded in r.Attempts. Nil on failure.
func (c *Checker) connect(ctx context.Context, addrs []string, port int, r *Result) net.Conn {
	var errs []string
	for i, a := range addrs {
		addr := net.JoinHostPort(a, strconv.Itoa(port))
		if i >= MaxAddresses {
			r.Attempts = append(r.Attempts, Attempt{Address: addr, Outcome: fmt.Sprintf("not tried: only the first %d addresses of a name are tried", MaxAddresses)})
			continue
		}
		if ctx.Err() != nil {
			r.Attempts = append(r.Attempts, Attempt{Address: addr, Outcome: "not tried: " + ctx.Err().Error()})
			continue
		}
		actx, cancel := context.WithTimeout(ctx, c.timeout())
		conn, err := c.dial(actx, addr)
		cancel()
		if err == nil {
			r.Connected = addr
			r.Attempts = append(r.Attempts, Attempt{Address: addr, Outcome: "connected"})
			for _, rest := range addrs[i+1:] {
				r.Attempts = append(r.Attempts, Attempt{Address: net.JoinHostPort(rest, strconv.Itoa(port)), Outcome: "not tried: an earlier address connected"})
			}
			return conn
		}
		why := tcpReason(err, c.timeout())
		r.Attempts = append(r.Attempts, Attempt{Address: addr, Outcome: why})
		errs = append(errs, addr+": "+why)
	}
	r.Stage = StageTCP
	r.Reason = strings.Join(errs, "; ")
	if len(errs) > 1 {
		r.Reason = fmt.Sprintf("none of the %d addresses accepted a connection, each tried for %s: %s", len(errs), c.timeout(), r.Reason)
	}
	if ctx.Err() != nil {
		r.Reason += "; the check was stopped: " + ctx.Err().Error()
	}
	return nil
}

// tcpReason says in words what a failed connection means.
func tcpReason(err error, timeout time.Duration) string {
	msg := strings.ToLower(err.Error())
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s (packets dropped: no firewall rule lets it through, or no route)", timeout)
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(msg, "refused"):
		return "connection refused (a firewall rejecting it, or nothing listening on the port)"
	case errors.Is(err, syscall.ECONNRESET) || strings.Contains(msg, "reset") || strings.Contains(msg, "forcibly closed"):
		return "connection reset (a firewall rejecting it)"
	case errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) || strings.Contains(msg, "unreachable"):
		return "network or host unreachable (no route: check the route table and user-defined routes)"
	}
	return clean(err.Error())
}

// checkIP checks an IP rule: the metadata service by a GET with
// Metadata: true, any other address by a TCP connection. IP rules are
// never proxied.
func (c *Checker) checkIP(ctx context.Context, t Target, r *Result) {
	ip, err := netip.ParseAddr(t.Address)
	if err != nil {
		r.Stage, r.Reason = StageTCP, "not an IP address"
		return
	}
	conn := c.connect(ctx, []string{ip.String()}, t.Port, r)
	if conn == nil {
		return
	}
	defer conn.Close()
	if t.Address != MetadataAddress || t.Port != 80 {
		return
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+MetadataAddress+MetadataPath, nil)
	req.Header.Set("Metadata", "true")
	resp, err := c.roundTrip(ctx, conn, req, false)
	if err != nil {
		r.Stage, r.Reason = StageHTTP, "metadata service: "+httpReason(err, c.timeout())
		return
	}
	r.HTTPStatus = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		r.Stage, r.Reason = StageHTTP, fmt.Sprintf("the metadata service answered %s, not 200 (is this an Azure VM?)", statusText(resp))
	}
}
