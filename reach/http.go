package reach

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// roundTrip writes req on conn (in proxy form when proxied) and reads the
// answer's head, within Timeout.
func (c *Checker) roundTrip(ctx context.Context, conn net.Conn, req *http.Request, proxied bool) (*http.Response, error) {
	deadline := time.Now().Add(c.timeout())
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetDeadline(deadline)
	defer conn.SetDeadline(time.Time{})
	req.Header.Set("User-Agent", "avdurls-check")
	req.Close = true
	write := req.Write
	if proxied {
		write = req.WriteProxy
	}
	if err := write(conn); err != nil {
		return nil, err
	}
	resp, _, err := readHead(conn, req)
	return resp, err
}

// httpReason says in words why no HTTP answer came.
func httpReason(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no HTTP answer within %s (the connection was accepted, the request got no reply)", timeout)
	case errors.Is(err, errHeadTooLong):
		return fmt.Sprintf("the answer's status line and headers run past %d KB: not an HTTP server, or a device sending endless data; nothing more was read", maxHead>>10)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was closed without an HTTP answer (a firewall that filters HTTP by host name closed it)"
	}
	return clean(err.Error())
}

// httpStage is the HTTP stage of port 80 entries: HEAD / and its status.
// A filtering device's block (see blockOf) fails; the origin's own
// statuses are recorded as they are.
func (c *Checker) httpStage(ctx context.Context, conn net.Conn, t Target, proxy *url.URL, r *Result) {
	req, err := http.NewRequest(http.MethodHead, "http://"+t.Address+"/", nil)
	if err != nil {
		r.Stage, r.Reason = StageHTTP, clean(err.Error())
		return
	}
	proxied := proxy != nil && proxy.Scheme != "socks5" // a SOCKS tunnel carries the request as it is
	if proxied {
		setProxyAuth(req, proxy)
	}
	resp, err := c.roundTrip(ctx, conn, req, proxied)
	if err != nil {
		r.Stage, r.Reason = StageHTTP, httpReason(err, c.timeout())
		return
	}
	r.HTTPStatus = resp.StatusCode
	if dev := blockOf(resp, proxied); dev != "" {
		r.Stage, r.Reason = StageHTTP, "blocked by "+dev
	}
}

// statusText is a response's status code and, for a known code, its
// standard text; the peer's own text is not shown.
func statusText(resp *http.Response) string {
	s := strconv.Itoa(resp.StatusCode)
	if t := http.StatusText(resp.StatusCode); t != "" {
		s += " " + t
	}
	return s
}
