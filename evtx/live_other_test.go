//go:build !windows

package evtx

import "testing"

func TestLiveUnsupportedHere(t *testing.T) {
	if _, err := ReadLive(LiveOptions{}, func(Event) error { return nil }); err != ErrLiveUnsupported {
		t.Errorf("ReadLive on a system without wevtapi: %v", err)
	}
}
