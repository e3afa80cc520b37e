//go:build !windows

package evtx

import "testing"

func TestLiveUnsupportedHere(t *testing.T) {
	if _, err := 0, Read(Live(), Options{}, Handlers{}); err != ErrLiveUnsupported {
		t.Errorf("ReadLive on a system without wevtapi: %v", err)
	}
}
