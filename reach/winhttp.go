package reach

import (
	"strings"
)

// WinHTTP access types of WINHTTP_PROXY_INFO.dwAccessType.
const (
	winHTTPNoProxy    = 1 // WINHTTP_ACCESS_TYPE_NO_PROXY
	winHTTPNamedProxy = 3 // WINHTTP_ACCESS_TYPE_NAMED_PROXY
)

// ParseWinHTTP turns Windows' WinHTTP default proxy settings (what
// "netsh winhttp show proxy" shows: a proxy list such as "proxy:3128" or
// "http=proxy:80;https=proxy:3128", and a bypass list such as
// "<local>;*.contoso.com") into proxy settings; nil when they name no
// proxy. The agent of Azure Virtual Desktop runs as LocalSystem and uses
// these machine-wide settings (Microsoft, "Proxy server guidelines for
// Azure Virtual Desktop", https://learn.microsoft.com/azure/virtual-desktop/proxy-server-support),
// not a user's environment. A PAC file (autoconfig) is not evaluated.
func ParseWinHTTP(accessType uint32, proxy, bypass string) (*ProxySettings, error) {
	if accessType != winHTTPNamedProxy || strings.TrimSpace(proxy) == "" {
		return nil, nil
	}
	ps := &ProxySettings{Source: "WinHTTP (netsh winhttp show proxy)"}
	for _, item := range strings.FieldsFunc(proxy, func(r rune) bool { return r == ';' || r == ' ' }) {
		scheme, addr, named := strings.Cut(item, "=")
		if !named {
			addr = item
		}
		u, err := ParseProxyURL("WinHTTP proxy", addr)
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(scheme) {
		case "https":
			ps.HTTPS = u
		case "http":
			ps.HTTP = u
		default:
			if !named {
				ps.HTTPS, ps.HTTP = u, u
			}
		}
	}
	var noProxy []string
	for _, b := range strings.FieldsFunc(bypass, func(r rune) bool { return r == ';' || r == ' ' }) {
		if b == "<local>" {
			continue // names without a dot: none in an allowlist
		}
		noProxy = append(noProxy, strings.TrimPrefix(b, "*"))
	}
	ps.NoProxy = strings.Join(noProxy, ",")
	if ps.HTTPS == nil && ps.HTTP == nil {
		return nil, nil
	}
	return ps, nil
}
