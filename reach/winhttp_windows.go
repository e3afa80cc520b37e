//go:build windows

package reach

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// winHTTPProxyInfo is WINHTTP_PROXY_INFO.
type winHTTPProxyInfo struct {
	accessType uint32
	proxy      *uint16
	bypass     *uint16
}

var (
	procGetDefaultProxy = windows.NewLazySystemDLL("winhttp.dll").NewProc("WinHttpGetDefaultProxyConfiguration")
	procGlobalFree      = windows.NewLazySystemDLL("kernel32.dll").NewProc("GlobalFree")
)

// SystemProxy is WinHTTP's default proxy, the one the Azure Virtual
// Desktop agent uses (see ParseWinHTTP); nil when it is direct.
func SystemProxy() (*ProxySettings, error) {
	if err := procGetDefaultProxy.Find(); err != nil {
		return nil, nil
	}
	var info winHTTPProxyInfo
	if ok, _, err := procGetDefaultProxy.Call(uintptr(unsafe.Pointer(&info))); ok == 0 {
		return nil, fmt.Errorf("WinHTTP proxy settings: %v", err)
	}
	defer func() {
		for _, p := range []*uint16{info.proxy, info.bypass} {
			if p != nil {
				procGlobalFree.Call(uintptr(unsafe.Pointer(p)))
			}
		}
	}()
	return ParseWinHTTP(info.accessType, windows.UTF16PtrToString(info.proxy), windows.UTF16PtrToString(info.bypass))
}
