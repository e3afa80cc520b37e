package main

import (
	"crypto/x509"
	"io"
	"net"
	"os"
	"time"

	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/reach"
	"github.com/schollz/progressbar/v3"
)

// checker builds the checker of the options: resolver, proxy choice,
// trusted roots and public CAs. The proxy settings are returned to be
// named: which proxy was used, from where.
func (o checkOptions) checker() (*reach.Checker, *reach.ProxySettings, error) {
	c := &reach.Checker{Timeout: o.timeout, Parallel: o.parallel}
	if o.dnsServer != "" {
		host, port, err := net.SplitHostPort(o.dnsServer)
		if err != nil || host == "" || port == "" {
			return nil, nil, usagef("--dns-server %q: give ADDR:PORT, e.g. 10.0.0.4:53", o.dnsServer)
		}
		c.Resolver, c.ResolverName = reach.ServerResolver(o.dnsServer), "DNS server "+o.dnsServer
	}
	// --proxy, else (Windows) WinHTTP's, else the environment's; a bad
	// value is a usage error naming its setting, credentials redacted.
	ps, err := reach.ResolveProxy(o.proxy, os.Getenv, reach.SystemProxy)
	if err != nil {
		return nil, nil, usagef("%v", err)
	}
	c.Proxy = ps.Func()
	if len(o.caFiles) > 0 {
		if c.Roots, err = x509.SystemCertPool(); err != nil {
			c.Roots = x509.NewCertPool()
		}
		for _, f := range o.caFiles {
			if _, err := reach.ReadPEMCerts(f, c.Roots); err != nil {
				return nil, nil, usagef("--ca-file %v", err)
			}
		}
	}
	if len(o.publicCAs) > 0 {
		c.PublicCAs = reach.MicrosoftCAs()
		for _, f := range o.publicCAs {
			certs, err := reach.ReadPEMCerts(f, nil)
			if err != nil {
				return nil, nil, usagef("--public-ca %v", err)
			}
			for _, cert := range certs {
				c.PublicCAs[reach.Thumbprint(cert)] = cert.Subject.CommonName
			}
		}
	}
	return c, ps, nil
}

// checkProgress shows entries done on stderr while check runs, when
// stderr is a terminal and --quiet is not given.
type checkProgress struct{ bar *progressbar.ProgressBar }

// newCheckProgress makes the bar; its size is set by the first result.
func newCheckProgress(w io.Writer, quiet bool) *checkProgress {
	if quiet || !termtext.IsTerminal(w) {
		return &checkProgress{}
	}
	return &checkProgress{bar: progressbar.NewOptions(-1, progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("checking"), progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())}
}

// add counts one entry done of total.
func (p *checkProgress) add(_ reach.Result, done, total int) {
	if p.bar == nil {
		return
	}
	if p.bar.GetMax() != total {
		p.bar.ChangeMax(total)
	}
	_ = p.bar.Set(done)
}

// finish removes the bar.
func (p *checkProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}
