package reach

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
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
	if p.Scheme != "http" {
		return nil, fmt.Errorf("proxy %s: only http:// proxies are supported", p.Redacted())
	}
	return p, nil
}

// proxyHost is the proxy's host:port, port 80 when none is given.
func proxyHost(p *url.URL) string {
	if p.Port() != "" {
		return p.Host
	}
	return net.JoinHostPort(p.Hostname(), "80")
}

// proxyConnect is the TCP stage through a proxy: a connection to the
// proxy and, for port 443, a CONNECT tunnel to the name; nil on failure.
// Port 80 requests are sent to the proxy as they are (absolute form).
func (c *Checker) proxyConnect(ctx context.Context, p *url.URL, t Target, r *Result) net.Conn {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	addr := proxyHost(p)
	conn, err := c.dial(ctx, addr)
	if err != nil {
		r.Stage, r.Reason = StageTCP, "proxy "+p.Redacted()+": "+tcpReason(err, c.timeout())
		return nil
	}
	r.Connected = addr
	if t.Port != 443 {
		return conn
	}
	target := net.JoinHostPort(t.Address, strconv.Itoa(t.Port))
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
		r.Stage, r.Reason = StageTCP, "proxy "+p.Redacted()+" gave no answer to CONNECT "+target+": "+httpReason(err, c.timeout())
	case resp.StatusCode != http.StatusOK:
		r.Stage, r.Reason = StageTCP, fmt.Sprintf("proxy %s answered CONNECT %s with %s: it refuses the name or cannot reach it", p.Redacted(), target, statusText(resp))
	case br.Buffered() > 0:
		r.Stage, r.Reason = StageTCP, "proxy "+p.Redacted()+" sent data after its CONNECT answer"
	}
	if r.Stage != "" {
		conn.Close()
		return nil
	}
	return conn
}

// setProxyAuth adds the proxy URL's credentials, if any, as Basic
// Proxy-Authorization.
func setProxyAuth(req *http.Request, p *url.URL) {
	if u := p.User; u != nil {
		pw, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)))
	}
}
