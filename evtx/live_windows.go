//go:build windows

package evtx

import (
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	wevtapi       = windows.NewLazySystemDLL("wevtapi.dll")
	procEvtQuery  = wevtapi.NewProc("EvtQuery")
	procEvtNext   = wevtapi.NewProc("EvtNext")
	procEvtRender = wevtapi.NewProc("EvtRender")
	procEvtClose  = wevtapi.NewProc("EvtClose")
)

// winAPI calls wevtapi.dll. A proc's Call always returns a non-nil error:
// success is judged by the return value, as the API documents.
type winAPI struct{}

func (winAPI) query(channel, xpath string, flags uint32) (evtHandle, error) {
	if err := wevtapi.Load(); err != nil {
		return 0, fmt.Errorf("loading wevtapi.dll: %w", err)
	}
	c, err := windows.UTF16PtrFromString(channel)
	if err != nil {
		return 0, err
	}
	x, err := windows.UTF16PtrFromString(xpath)
	if err != nil {
		return 0, err
	}
	h, _, callErr := procEvtQuery.Call(0, uintptr(unsafe.Pointer(c)), uintptr(unsafe.Pointer(x)), uintptr(flags))
	if h == 0 {
		return 0, errnoOf(callErr)
	}
	return evtHandle(h), nil
}

func (winAPI) next(q evtHandle, hs []evtHandle) (int, error) {
	var returned uint32
	ok, _, callErr := procEvtNext.Call(uintptr(q), uintptr(len(hs)), uintptr(unsafe.Pointer(&hs[0])),
		uintptr(windows.INFINITE), 0, uintptr(unsafe.Pointer(&returned)))
	if ok == 0 {
		return 0, errnoOf(callErr)
	}
	return int(returned), nil
}

func (winAPI) render(h evtHandle, buf []byte) (int, error) {
	var used, props uint32
	var p unsafe.Pointer
	if len(buf) > 0 {
		p = unsafe.Pointer(&buf[0])
	}
	ok, _, callErr := procEvtRender.Call(0, uintptr(h), evtRenderEventXML, uintptr(len(buf)), uintptr(p),
		uintptr(unsafe.Pointer(&used)), uintptr(unsafe.Pointer(&props)))
	if ok == 0 {
		return int(used), errnoOf(callErr)
	}
	return int(used), nil
}

func (winAPI) close(h evtHandle) error {
	procEvtClose.Call(uintptr(h))
	return nil
}

// errnoOf turns the error a proc's Call returned into an Errno, with the
// system's text where Errno has no name for the code. A failed call whose
// last error is 0 gives Errno(0), which liveError explains.
func errnoOf(err error) error {
	en, ok := err.(windows.Errno)
	if !ok {
		return err
	}
	e := Errno(en)
	if e == 0 || e.name() != "" {
		return e
	}
	text := strings.TrimRight(en.Error(), " .\r\n")
	if text == "" || strings.HasPrefix(text, "winapi error") {
		return e
	}
	return describedErrno{errno: e, text: text}
}

// readLiveAPI reads events from this machine's event log through
// wevtapi.dll, newest first. Query handles belong to the thread that made
// them, so the read runs locked to one OS thread.
func readLiveAPI(o Options, emit func(Event) error) (int, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return readLive(winAPI{}, o, emit)
}
