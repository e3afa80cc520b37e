package reach

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/discover"
	"golang.org/x/net/http/httpproxy"
)

// ProxySettings are the proxies check uses, parsed once and strictly.
type ProxySettings struct {
	// HTTPS and HTTP are the proxies of names on ports 443 and 80; nil
	// means direct. Each is http://, https:// or socks5://, with a host
	// and a port.
	HTTPS, HTTP *url.URL
	// NoProxy lists the names and ranges reached direct, as NO_PROXY does.
	NoProxy string
	// Source says where the settings come from: "--proxy",
	// "HTTPS_PROXY", "WinHTTP"...
	Source string
}

// ProxyError is a proxy setting that cannot be used; its text names the
// setting and shows the value with its credentials replaced by ***.
type ProxyError struct {
	Setting string // "--proxy", "HTTPS_PROXY"...
	Value   string // redacted
	Why     string
}

func (e *ProxyError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Setting, e.Value, e.Why)
}

// proxyHint is how to write a proxy setting.
const proxyHint = "give http://host:port, https://host:port or socks5://host:port, with user:password@ before the host if the proxy asks " +
	"(percent-encode # / ? @ : and spaces in them: %23 %2F %3F %40 %3A %20)"

// ParseProxyURL parses the value of a proxy setting strictly: a scheme Go
// speaks to proxies (http, https, socks5; none is http, as Go's transport
// takes it), a host, a port that is a number, and nothing else (no path,
// query or fragment, where a password's unescaped # / or ? would land).
func ParseProxyURL(setting, raw string) (*url.URL, error) {
	refuse := func(why string) error { return &ProxyError{Setting: setting, Value: RedactRaw(raw), Why: why} }
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, refuse("empty")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, refuse("not a URL: " + proxyHint)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5":
		return nil, refuse(fmt.Sprintf("scheme %s is not one Go speaks to proxies: %s", cleanScheme(u.Scheme), proxyHint))
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return nil, refuse("no host: " + proxyHint)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, refuse("a path, query or fragment after the host (an unescaped # / or ? in a password?): " + proxyHint)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, refuse("port is not 1-65535: " + proxyHint)
		}
	}
	u.Path, u.RawPath = "", ""
	return u, nil
}

// cleanScheme bounds a scheme for a message.
func cleanScheme(s string) string { return discover.CleanText(s, 20) }

// ResolveProxy picks the proxy settings of check, in order: flag (the
// --proxy value) for both ports; the system's (system, when not nil:
// WinHTTP on Windows, the settings the agent itself uses), when it names
// a proxy; else HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case
// forms) of getenv. Nil settings mean direct. Every value is parsed with
// ParseProxyURL; a bad one is an error naming its setting.
func ResolveProxy(flag string, getenv func(string) string, system func() (*ProxySettings, error)) (*ProxySettings, error) {
	env := func(name string) (string, string) {
		if v := getenv(name); v != "" {
			return name, v
		}
		return strings.ToLower(name), getenv(strings.ToLower(name))
	}
	_, noProxy := env("NO_PROXY")
	if flag != "" {
		u, err := ParseProxyURL("--proxy", flag)
		if err != nil {
			return nil, err
		}
		return &ProxySettings{HTTPS: u, HTTP: u, NoProxy: noProxy, Source: "--proxy"}, nil
	}
	if system != nil {
		ps, err := system()
		if err != nil || ps != nil {
			return ps, err
		}
	}
	ps := &ProxySettings{NoProxy: noProxy}
	var sources []string
	for _, p := range []struct {
		name string
		dst  **url.URL
	}{{"HTTPS_PROXY", &ps.HTTPS}, {"HTTP_PROXY", &ps.HTTP}} {
		name, v := env(p.name)
		if v == "" {
			continue
		}
		u, err := ParseProxyURL(name, v)
		if err != nil {
			return nil, err
		}
		*p.dst = u
		sources = append(sources, name)
	}
	if len(sources) == 0 {
		return nil, nil
	}
	ps.Source = strings.Join(sources, ", ")
	return ps, nil
}

// Func is the proxy choice of the settings for Checker.Proxy: the proxy
// of a name's port unless NO_PROXY holds it.
func (p *ProxySettings) Func() func(*url.URL) (*url.URL, error) {
	if p == nil {
		return nil
	}
	cfg := httpproxy.Config{NoProxy: p.NoProxy}
	if p.HTTPS != nil {
		cfg.HTTPSProxy = p.HTTPS.String()
	}
	if p.HTTP != nil {
		cfg.HTTPProxy = p.HTTP.String()
	}
	return cfg.ProxyFunc()
}

// String says which proxies are used, credentials replaced by ***.
func (p *ProxySettings) String() string {
	if p == nil {
		return "none: connections are direct"
	}
	var parts []string
	if p.HTTPS != nil {
		parts = append(parts, Redact(p.HTTPS)+" for port 443")
	}
	if p.HTTP != nil {
		parts = append(parts, Redact(p.HTTP)+" for port 80")
	}
	if len(parts) == 0 {
		parts = append(parts, "none")
	}
	s := strings.Join(parts, ", ") + " (from " + p.Source + ")"
	if p.NoProxy != "" {
		s += "; direct for " + discover.CleanText(p.NoProxy, 200)
	}
	return s
}

// Redact is a proxy URL with any user name and password replaced by ***.
func Redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User == nil {
		return c.String()
	}
	c.User = nil
	scheme, rest, _ := strings.Cut(c.String(), "://")
	return scheme + "://***@" + rest
}

// RedactRaw is a proxy setting's text, parsable or not, with everything
// between its scheme and its last @ (the credentials) replaced by ***.
func RedactRaw(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !validScheme(scheme) {
		scheme, rest, ok = "", s, false // a "://" in a password is no scheme
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = "***" + rest[i:]
	}
	rest = discover.CleanText(rest, 200)
	if ok {
		// The scheme is bounded on its own, so a long one cannot push the
		// *** and the @ out of the shown text.
		rest = cleanScheme(scheme) + "://" + rest
	}
	return rest
}

// validScheme reports whether s is a URL scheme (RFC 3986: a letter, then
// letters, digits, + - .).
func validScheme(s string) bool {
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return s != ""
}

// proxyAddr is a proxy's host:port, with the scheme's default port when
// none is given (80, 443, 1080).
func proxyAddr(p *url.URL) string {
	if p.Port() != "" {
		return p.Host
	}
	port := map[string]string{"https": "443", "socks5": "1080"}[p.Scheme]
	if port == "" {
		port = "80"
	}
	return net.JoinHostPort(p.Hostname(), port)
}
