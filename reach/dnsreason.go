package reach

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
)

// dnsReason says in words why name did not resolve, naming the server's
// answer code when there is one, and what to ask the DNS team.
func (c *Checker) dnsReason(name string, err error) string {
	who := c.resolverName()
	var de *DNSError
	if errors.As(err, &de) {
		switch {
		case de.RCode == "NXDOMAIN":
			return fmt.Sprintf("%s says %s does not exist (NXDOMAIN): a DNS filter or a wrong conditional forwarder; the public name exists", who, name)
		case de.RCode == "SERVFAIL":
			return fmt.Sprintf("%s answered SERVFAIL for %s: it could not get an answer from its upstream (forwarders, root hints, or a DNSSEC failure)", who, name)
		case de.RCode == "REFUSED":
			return fmt.Sprintf("%s answered REFUSED for %s: it will not answer this host (its access list) or does not recurse: allow this host's address on it", who, name)
		case de.RCode != "":
			return fmt.Sprintf("%s answered %s for %s", who, de.RCode, name)
		case de.NoData:
			return fmt.Sprintf("%s has no address record for %s (NOERROR, no A or AAAA)", who, name)
		case de.Timeout:
			return fmt.Sprintf("no answer from %s for %s within %s (the server is down, or a firewall drops DNS to it)", who, name, c.timeout())
		}
		return fmt.Sprintf("%s did not answer for %s: %s", who, name, dnsNetReason(de.Err))
	}
	return c.systemDNSReason(name, err)
}

// systemDNSReason says in words why the system resolver failed: Go's
// errors name no answer code, so SERVFAIL and REFUSED are told apart
// only with --dns-server.
func (c *Checker) systemDNSReason(name string, err error) string {
	who := c.resolverName()
	var de *net.DNSError
	if !errors.As(err, &de) {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Sprintf("no answer from %s for %s within %s", who, name, c.timeout())
		}
		return fmt.Sprintf("%s could not resolve %s: %s", who, name, clean(err.Error()))
	}
	msg := strings.ToLower(de.Err)
	switch {
	case de.IsNotFound:
		return fmt.Sprintf("%s says %s does not exist (NXDOMAIN or no address record)", who, name)
	case de.IsTimeout || errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer from %s for %s within %s", who, name, c.timeout())
	case strings.Contains(msg, "refused"):
		return fmt.Sprintf("%s could not resolve %s: no DNS server answers at the configured address (connection refused)", who, name)
	case strings.Contains(msg, "server misbehaving"):
		return fmt.Sprintf("%s could not resolve %s: the DNS server answered with an error (SERVFAIL or REFUSED; ask it with --dns-server to see which)", who, name)
	}
	// de.Err only: the server de names is the system's.
	return fmt.Sprintf("%s could not resolve %s: %s", who, name, clean(de.Err))
}
