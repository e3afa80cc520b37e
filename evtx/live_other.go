//go:build !windows

package evtx

// ReadLive reads events from this machine's event log. On systems other
// than Windows there is none: it returns ErrLiveUnsupported.
func ReadLive(o LiveOptions, emit func(Event) error) (int, error) {
	return 0, ErrLiveUnsupported
}
