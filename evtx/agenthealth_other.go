//go:build !windows

package evtx

// ReadAgentHealthReport returns the agent's health report from the
// registry. Only Windows has one.
func ReadAgentHealthReport() (string, error) {
	return "", ErrLiveUnsupported
}
