//go:build !windows

package evtx

// readLiveAPI reads events from this machine's event log. On systems other
// than Windows there is none: it returns ErrLiveUnsupported.
func readLiveAPI(o Options, emit func(Event) error) (int, error) {
	return 0, ErrLiveUnsupported
}
