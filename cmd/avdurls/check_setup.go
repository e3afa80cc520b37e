package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/reach"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/net/http/httpproxy"
)

// checker builds the checker of the options: resolver, proxy choice,
// trusted roots and public CAs.
func (o checkOptions) checker() (*reach.Checker, error) {
	c := &reach.Checker{Timeout: o.timeout, Parallel: o.parallel}
	if o.dnsServer != "" {
		host, port, err := net.SplitHostPort(o.dnsServer)
		if err != nil || host == "" || port == "" {
			return nil, usagef("--dns-server %q: give ADDR:PORT, e.g. 10.0.0.4:53", o.dnsServer)
		}
		c.Resolver, c.ResolverName = serverResolver(o.dnsServer), "DNS server "+o.dnsServer
	}
	pf, err := proxyFunc(o.proxy)
	if err != nil {
		return nil, err
	}
	c.Proxy = pf
	if len(o.caFiles) > 0 {
		if c.Roots, err = x509.SystemCertPool(); err != nil {
			c.Roots = x509.NewCertPool()
		}
		for _, f := range o.caFiles {
			if _, err := readPEMCerts(f, c.Roots); err != nil {
				return nil, usagef("--ca-file %v", err)
			}
		}
	}
	if len(o.publicCAs) > 0 {
		c.PublicCAs = reach.MicrosoftCAs()
		for _, f := range o.publicCAs {
			certs, err := readPEMCerts(f, nil)
			if err != nil {
				return nil, usagef("--public-ca %v", err)
			}
			for _, cert := range certs {
				c.PublicCAs[reach.Thumbprint(cert)] = cert.Subject.CommonName
			}
		}
	}
	return c, nil
}

// serverResolver asks the DNS server at addr, over UDP (TCP when an
// answer is truncated), for names with a final dot: no search domains.
func serverResolver(addr string) reach.Resolver {
	return rootedResolver{&net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}}
}

// rootedResolver looks names up as fully qualified names.
type rootedResolver struct{ r *net.Resolver }

// LookupHost looks host up with a final dot.
func (r rootedResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	return r.r.LookupHost(ctx, strings.TrimSuffix(host, ".")+".")
}

// proxyFunc is the proxy choice: --proxy for every name (NO_PROXY still
// applies), else HTTPS_PROXY, HTTP_PROXY and NO_PROXY of the environment.
func proxyFunc(flag string) (func(*url.URL) (*url.URL, error), error) {
	cfg := httpproxy.FromEnvironment()
	if flag != "" {
		u, err := url.Parse(flag)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return nil, usagef("--proxy %q: give http://host:port (with user:password@ if the proxy asks)", flag)
		}
		cfg.HTTPProxy, cfg.HTTPSProxy = flag, flag
	}
	if cfg.HTTPProxy == "" && cfg.HTTPSProxy == "" {
		return nil, nil
	}
	return cfg.ProxyFunc(), nil
}

// readPEMCerts reads the certificates of a PEM file, adding them to pool
// when it is not nil.
func readPEMCerts(path string, pool *x509.CertPool) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		certs = append(certs, cert)
		if pool != nil {
			pool.AddCert(cert)
		}
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate in it", path)
	}
	return certs, nil
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
