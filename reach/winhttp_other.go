//go:build !windows

package reach

// SystemProxy is the system's proxy for the agent's traffic: WinHTTP's
// on Windows; elsewhere there is none (nil).
func SystemProxy() (*ProxySettings, error) { return nil, nil }
