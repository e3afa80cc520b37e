//go:build !windows

package scan

import "github.com/avdurls/avdurls/evtx"

// ReadAgentHealthReport returns the agent's health report from the
// registry. Only Windows has one.
func ReadAgentHealthReport() (string, error) {
	return "", evtx.ErrLiveUnsupported
}
