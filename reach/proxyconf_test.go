package reach_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/reach"
)

// envOf is a getenv of a map.
func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestResolveProxy: --proxy beats the system's, which beats the
// environment; each value is parsed strictly; none is nil.
func TestResolveProxy(t *testing.T) {
	sys := func() (*reach.ProxySettings, error) {
		return reach.ParseWinHTTP(3, "http=10.0.0.9:80;https=10.0.0.9:3128", "<local>;*.contoso.com")
	}
	env := envOf(map[string]string{"https_proxy": "http://u:p%23w@10.0.0.1:3128", "HTTP_PROXY": "10.0.0.2:8080", "NO_PROXY": "login.microsoftonline.com"})
	for _, tc := range []struct {
		name          string
		flag          string
		sys           func() (*reach.ProxySettings, error)
		https, http   string
		source, noPrx string
	}{
		{"flag", "socks5://10.0.0.3:1080", sys, "socks5://10.0.0.3:1080", "socks5://10.0.0.3:1080", "--proxy", "login.microsoftonline.com"},
		{"winhttp", "", sys, "http://10.0.0.9:3128", "http://10.0.0.9:80", "WinHTTP", ".contoso.com"},
		{"env", "", nil, "http://u:p%23w@10.0.0.1:3128", "http://10.0.0.2:8080", "https_proxy, HTTP_PROXY", "login.microsoftonline.com"},
	} {
		ps, err := reach.ResolveProxy(tc.flag, env, tc.sys)
		if err != nil || ps == nil {
			t.Fatalf("%s: %v, %v", tc.name, ps, err)
		}
		if ps.HTTPS.String() != tc.https || ps.HTTP.String() != tc.http || !strings.HasPrefix(ps.Source, tc.source) || ps.NoProxy != tc.noPrx {
			t.Errorf("%s: https %s, http %s, source %q, no proxy %q; want %s, %s, %q, %q", tc.name, ps.HTTPS, ps.HTTP, ps.Source, ps.NoProxy, tc.https, tc.http, tc.source, tc.noPrx)
		}
		if s := ps.String(); strings.Contains(s, "p%23w") || strings.Contains(s, "u:") {
			t.Errorf("%s: String() shows credentials: %s", tc.name, s)
		}
	}
	if pw, _ := mustResolve(t, "", env).HTTPS.User.Password(); pw != "p#w" {
		t.Errorf("password %q, want p#w", pw)
	}
	if ps, err := reach.ResolveProxy("", envOf(nil), nil); ps != nil || err != nil {
		t.Errorf("no proxy: %v, %v", ps, err)
	}
	pf := mustResolve(t, "", env).Func()
	if u, _ := pf(&url.URL{Scheme: "https", Host: "login.microsoftonline.com"}); u != nil {
		t.Errorf("NO_PROXY name proxied through %v", u)
	}
	if u, _ := pf(&url.URL{Scheme: "http", Host: "www.microsoft.com"}); u == nil || u.Host != "10.0.0.2:8080" {
		t.Errorf("port 80 name: %v", u)
	}
}

func mustResolve(t *testing.T, flag string, env func(string) string) *reach.ProxySettings {
	t.Helper()
	ps, err := reach.ResolveProxy(flag, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestResolveProxyRefuses: a value of another scheme, or one that does
// not parse (an unescaped # / ? or space in a password), is an error
// naming the setting, its credentials shown as *** and never in clear.
func TestResolveProxyRefuses(t *testing.T) {
	for _, tc := range []struct{ flag, variable, value, secret string }{
		{"", "HTTPS_PROXY", "ftp://u:s3cret@proxy:21", "s3cret"},
		{"", "HTTPS_PROXY", "socks4://proxy:1080", ""},
		{"", "HTTPS_PROXY", "http://", ""},
		{"", "HTTPS_PROXY", "http://user:pa#ss@proxy:3128", "pa#ss"},
		{"", "https_proxy", "http://user:pa/ss@proxy:3128", "pa/ss"},
		{"", "HTTP_PROXY", "http://user:1234/x@proxy:3128", "1234/x"},
		{"", "HTTP_PROXY", "http://user:p?w@proxy:3128", "p?w"},
		{"", "HTTPS_PROXY", "http://user:pa ss@proxy:3128", "pa ss"},
		{"", "HTTPS_PROXY", "http://proxy:99999", ""},
		{"", "HTTPS_PROXY", "http://proxy:3128/path", ""},
		{"http://user:pa#ss@proxy:3128", "--proxy", "", "pa#ss"},
		{"https://u:top secret@proxy", "--proxy", "", "top secret"},
	} {
		env := envOf(map[string]string{tc.variable: tc.value})
		_, err := reach.ResolveProxy(tc.flag, env, nil)
		var pe *reach.ProxyError
		if !errors.As(err, &pe) || pe.Setting != tc.variable {
			t.Errorf("%s=%q --proxy %q: %v; want an error naming %s", tc.variable, tc.value, tc.flag, err, tc.variable)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, tc.variable+" ") || (tc.secret != "" && (strings.Contains(msg, tc.secret) || !strings.Contains(msg, "***@"))) {
			t.Errorf("%s: message %q shows the credentials or not the variable", tc.variable, msg)
		}
	}
}

// TestRedact: credentials become ***, in URLs and raw text.
func TestRedact(t *testing.T) {
	u, _ := url.Parse("http://user:pw@proxy:3128")
	if got := reach.Redact(u); got != "http://***@proxy:3128" {
		t.Errorf("Redact = %q", got)
	}
	for in, want := range map[string]string{
		"http://u:p@w@proxy:1": "http://***@proxy:1", "u:p@proxy:1": "***@proxy:1", "http://proxy:1": "http://proxy:1",
		"user:pa://ss@proxy:3128": "***@proxy:3128",
	} {
		if got := reach.RedactRaw(in); got != want {
			t.Errorf("RedactRaw(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseWinHTTP: WinHTTP's proxy lists as netsh shows them.
func TestParseWinHTTP(t *testing.T) {
	ps, err := reach.ParseWinHTTP(3, "proxy.contoso.com:8080", "")
	if err != nil || ps.HTTPS.String() != "http://proxy.contoso.com:8080" || ps.HTTP.String() != "http://proxy.contoso.com:8080" {
		t.Errorf("one proxy: %v, %v", ps, err)
	}
	ps, err = reach.ParseWinHTTP(3, "https=p:3128", "")
	if err != nil || ps.HTTPS == nil || ps.HTTP != nil {
		t.Errorf("https only: %+v, %v", ps, err)
	}
	if ps, err := reach.ParseWinHTTP(1, "", ""); ps != nil || err != nil {
		t.Errorf("direct access: %v, %v", ps, err)
	}
	if _, err := reach.ParseWinHTTP(3, "http=u:p#w@p:1", ""); err == nil || strings.Contains(err.Error(), "p#w") {
		t.Errorf("bad WinHTTP proxy: %v", err)
	}
}

// FuzzParseProxyURL: no value panics, and a refused value's message
// never holds what stood between its scheme and its last @ (the
// credentials), whatever the value.
func FuzzParseProxyURL(f *testing.F) {
	for _, s := range []string{"http://u:p@h:1", "http://u:pa#ss@proxy:3128", "socks5://a:b/c@d:1", "u:p@h", "ftp://x:y@z", "http://[::1]:3128", "%zz://u:v@w", "user:pa://ss@proxy:3128", "http://user:pa://ss@proxy:3128"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := reach.ParseProxyURL("HTTPS_PROXY", s)
		if err == nil {
			if red := reach.Redact(u); u.User != nil && (!strings.HasPrefix(red, u.Scheme+"://***@") || strings.Count(red, "@") != 1) {
				t.Errorf("Redact(%q) = %q shows the user info", s, red)
			}
			return
		}
		_, rest, ok := strings.Cut(s, "://")
		if !ok {
			rest = s
		}
		at := strings.LastIndex(rest, "@")
		if at < 4 {
			return
		}
		var pe *reach.ProxyError
		if !errors.As(err, &pe) {
			t.Fatalf("ParseProxyURL(%q): %v is not a *ProxyError", s, err)
		}
		before, _, found := strings.Cut(pe.Value, "@")
		scheme, isURL := strings.CutSuffix(before, "://***")
		if !found || (before != "***" && (!isURL || strings.ContainsAny(scheme, ":/@ "))) {
			t.Errorf("ParseProxyURL(%q): the value shown, %q, holds what stood before its @", s, pe.Value)
		}
	})
}
