package reach

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/avdurls/avdurls/discover"
	"golang.org/x/net/proxy"
)

// proxyFor asks Proxy which proxy serves the target: only names on ports
// 443 (as https://name) and 80 (as http://name) go through one.
func (c *Checker) proxyFor(t Target) (*url.URL, error) {
	if c.Proxy == nil || t.Kind != "fqdn" || (t.Port != 443 && t.Port != 80) {
		return nil, nil
	}
	u := &url.URL{Scheme: "https", Host: t.Address}
	if t.Port == 80 {
		u.Scheme = "http"
	}
	p, err := c.Proxy(u)
	if err != nil || p == nil {
		return nil, err
	}
	if p.Scheme != "http" && p.Scheme != "https" && p.Scheme != "socks5" {
		return nil, fmt.Errorf("proxy %s: only http://, https:// and socks5:// proxies are spoken to", Redact(p))
	}
	return p, nil
}

// proxyConnect is the TCP stage through a proxy: a connection to the
// proxy (TLS to an https:// one) and, for port 443, a CONNECT tunnel to
// the name; through a socks5:// proxy a tunnel for either port; nil on
// failure. Port 80 requests are sent to an HTTP proxy as they are
// (absolute form).
func (c *Checker) proxyConnect(ctx context.Context, p *url.URL, t Target, r *Result) net.Conn {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	target := net.JoinHostPort(t.Address, strconv.Itoa(t.Port))
	if p.Scheme == "socks5" {
		return c.socksConnect(ctx, p, target, r)
	}
	addr := proxyAddr(p)
	conn, err := c.dial(ctx, addr)
	if err != nil {
		r.Stage, r.Reason = StageTCP, "proxy "+Redact(p)+": "+tcpReason(err, c.timeout())
		return nil
	}
	r.Connected = addr
	if p.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: p.Hostname(), RootCAs: c.Roots, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			r.Stage, r.Reason = StageTCP, "proxy "+Redact(p)+": TLS to the proxy failed: "+tlsReason(err, c.timeout())
			return nil
		}
		conn = tc
	}
	if t.Port != 443 {
		return conn
	}
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: target}, Host: target, Header: http.Header{}}
	setProxyAuth(req, p)
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	err = req.Write(conn)
	var resp *http.Response
	var br *bufio.Reader
	if err == nil {
		resp, br, err = readHead(conn, req)
	}
	conn.SetDeadline(time.Time{})
	switch {
	case err != nil:
		r.Stage, r.Reason = StageTCP, "proxy "+Redact(p)+" gave no answer to CONNECT "+target+": "+httpReason(err, c.timeout())
	case resp.StatusCode != http.StatusOK:
		r.HTTPStatus = resp.StatusCode
		r.Stage, r.Reason = StageTCP, fmt.Sprintf("proxy %s answered CONNECT %s with %s%s: %s", Redact(p), target, statusText(resp), proxyDetail(resp), proxyRefusal(resp.StatusCode))
	case br.Buffered() > 0:
		r.Stage, r.Reason = StageTCP, "proxy "+Redact(p)+" sent data after its CONNECT answer"
	}
	if r.Stage != "" {
		conn.Close()
		return nil
	}
	return conn
}

// proxyRefusal says what a proxy's status means for the firewall team.
func proxyRefusal(code int) string {
	switch {
	case code == http.StatusProxyAuthRequired:
		return "the proxy asks for credentials (give user:password@ in the proxy setting); the agent runs as LocalSystem and cannot authenticate: allow the name without authentication"
	case code == http.StatusForbidden:
		return "the proxy's rules deny the name: allow it on the proxy"
	case code >= 500:
		return "the proxy could not resolve or reach the name: check the proxy's DNS and its own outbound rules"
	}
	return "the proxy refuses the name or cannot reach it"
}

// proxyDetail is a proxy's own error detail of an answer, " (X-Squid-Error:
// ERR_ACCESS_DENIED 0)", or "".
func proxyDetail(resp *http.Response) string {
	var parts []string
	for _, h := range []string{"X-Squid-Error", "Proxy-Status"} {
		if v := resp.Header.Get(h); v != "" {
			parts = append(parts, h+": "+discover.CleanText(v, 120))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// socksConnect opens a tunnel to target through a SOCKS5 proxy.
func (c *Checker) socksConnect(ctx context.Context, p *url.URL, target string, r *Result) net.Conn {
	var auth *proxy.Auth
	if p.User != nil {
		pw, _ := p.User.Password()
		auth = &proxy.Auth{User: p.User.Username(), Password: pw}
	}
	fwd := &forwardDialer{c: c}
	d, err := proxy.SOCKS5("tcp", proxyAddr(p), auth, fwd)
	if err != nil {
		r.Stage, r.Reason = StageTCP, "proxy "+Redact(p)+": "+clean(err.Error())
		return nil
	}
	cd, ok := d.(proxy.ContextDialer)
	if !ok {
		r.Stage, r.Reason = StageTCP, "proxy "+Redact(p)+": the SOCKS5 dialer cannot be bounded by a timeout"
		return nil
	}
	conn, err := cd.DialContext(ctx, "tcp", target)
	switch {
	case err != nil && fwd.err != nil:
		r.Stage, r.Reason = StageTCP, "proxy "+Redact(p)+": "+tcpReason(fwd.err, c.timeout())
	case err != nil:
		r.Connected = proxyAddr(p)
		msg := strings.ReplaceAll(err.Error(), p.String(), Redact(p))
		r.Stage, r.Reason = StageTCP, fmt.Sprintf("socks5 proxy %s did not open a tunnel to %s: %s: it refuses the name or cannot reach it", Redact(p), target, clean(msg))
	default:
		r.Connected = proxyAddr(p)
	}
	return conn
}

// forwardDialer dials a SOCKS proxy through the checker's dialer and
// keeps the error of that dial.
type forwardDialer struct {
	c   *Checker
	err error
}

func (f *forwardDialer) Dial(network, addr string) (net.Conn, error) {
	return f.DialContext(context.Background(), network, addr)
}

func (f *forwardDialer) DialContext(ctx context.Context, _, addr string) (net.Conn, error) {
	conn, err := f.c.dial(ctx, addr)
	f.err = err
	return conn, err
}

// setProxyAuth adds the proxy URL's credentials, if any, as Basic
// Proxy-Authorization.
func setProxyAuth(req *http.Request, p *url.URL) {
	if u := p.User; u != nil {
		pw, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)))
	}
}
