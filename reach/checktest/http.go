package checktest

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StartHTTP starts an HTTP server that answers every request with status.
// With metadata set it acts as the Azure Instance Metadata Service does:
// 200 and a JSON document only for requests with the header
// Metadata: true, 400 for the others.
func StartHTTP(status int, metadata bool) (*Server, error) {
	ln, err := listen()
	if err != nil {
		return nil, err
	}
	return serve(ln, answerHTTP(status, metadata, nil)), nil
}

// StartHTTPHeaders starts an HTTP server that answers every request with
// status and the headers: a block page of a filtering device
// (X-Squid-Error), or an origin behind a CDN (Via).
func StartHTTPHeaders(status int, h http.Header) (*Server, error) {
	ln, err := listen()
	if err != nil {
		return nil, err
	}
	return serve(ln, answerHTTP(status, false, h)), nil
}

// StartTLSHTTP starts a TLS server with the certificate that answers
// every HTTP request over it with status and the headers: an inspecting
// device that also blocks (or passes) the request.
func StartTLSHTTP(cert tls.Certificate, status int, h http.Header) (*Server, error) {
	ln, err := listen()
	if err != nil {
		return nil, err
	}
	return serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}}), answerHTTP(status, false, h)), nil
}

// answerHTTP answers the requests of a connection with status (and the
// metadata service's rules when metadata is set) and the headers.
func answerHTTP(status int, metadata bool, h http.Header) func(net.Conn) {
	return func(c net.Conn) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			code, body := status, ""
			if metadata {
				code, body = http.StatusBadRequest, `{"error":"Bad request. Required metadata header not specified"}`
				if req.Header.Get("Metadata") == "true" {
					code, body = http.StatusOK, `{"compute":{"location":"westeurope"}}`
				}
			}
			hdr := http.Header{"Content-Type": {"application/json"}}
			for k, v := range h {
				hdr[k] = v
			}
			resp := &http.Response{StatusCode: code, ProtoMajor: 1, ProtoMinor: 1, Request: req,
				Header: hdr, ContentLength: int64(len(body)), Body: io.NopCloser(strings.NewReader(body))}
			if resp.Write(c) != nil {
				return
			}
		}
	}
}

// Proxy is an HTTP proxy on 127.0.0.1: it tunnels CONNECT and forwards
// plain HTTP requests in absolute form. Every name it is asked for is
// reached at 127.0.0.1: on the port its route gives, else on the port
// asked for; names without a route whose port is 0 get 403.
type Proxy struct {
	*Server
	routes map[string]int // host name -> port of 127.0.0.1; 0: refused with 403
	mu     sync.Mutex
	seen   []string
}

// StartProxy starts the proxy with its routes: host name to a port of
// 127.0.0.1, or 0 to refuse the name with 403 Forbidden.
func StartProxy(routes map[string]int) (*Proxy, error) {
	ln, err := listen()
	if err != nil {
		return nil, err
	}
	p := &Proxy{routes: routes}
	p.Server = serve(ln, p.handle)
	return p, nil
}

// StartProxyTLS starts the proxy of StartProxy behind TLS with the
// certificate: an https:// proxy.
func StartProxyTLS(routes map[string]int, cert tls.Certificate) (*Proxy, error) {
	ln, err := listen()
	if err != nil {
		return nil, err
	}
	p := &Proxy{routes: routes}
	p.Server = serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}}), p.handle)
	return p, nil
}

// Seen lists the requests received, "CONNECT host:port" or "HEAD
// http://host/", in order.
func (p *Proxy) Seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// handle serves one client connection.
func (p *Proxy) handle(c net.Conn) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	target := req.Host
	if req.Method != http.MethodConnect {
		target = req.URL.Host
	}
	p.mu.Lock()
	p.seen = append(p.seen, req.Method+" "+req.RequestURI)
	p.mu.Unlock()
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		host, port = target, "80"
	}
	if to, ok := p.routes[host]; ok && to == 0 {
		io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nContent-Length: 0\r\n\r\n")
		return
	} else if ok {
		port = strconv.Itoa(to)
	}
	up, err := net.DialTimeout("tcp", net.JoinHostPort(Loopback, port), 5*time.Second)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer up.Close()
	if req.Method == http.MethodConnect {
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() {
			io.Copy(up, br)
			up.Close() // the client is gone: end the other direction too
		}()
		io.Copy(c, up)
		return
	}
	req.RequestURI = ""
	if req.Write(up) != nil {
		return
	}
	resp, err := http.ReadResponse(bufio.NewReader(up), req)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	resp.Header.Set("Via", "1.1 checktest-proxy:"+strconv.Itoa(p.Port()))
	resp.Write(c)
}

// StartEndless starts a server that reads a request head, then answers
// with a status line and headers that never end, until the client goes:
// a peer trying to make a checker hold without bound what it sends. It
// plays an origin server and a proxy answering CONNECT alike.
func StartEndless() (*Server, error) {
	ln, err := listen()
	if err != nil {
		return nil, err
	}
	line := "X-Pad: " + strings.Repeat("a", 1000) + "\r\n"
	chunk := []byte(strings.Repeat(line, 64))
	return serve(ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(time.Minute))
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\n"); err != nil {
			return
		}
		for {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}), nil
}
