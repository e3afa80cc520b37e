//go:build windows

package evtx

import "golang.org/x/sys/windows/registry"

// ReadAgentHealthReport returns the agent's health report from
// HKLM\SOFTWARE\Microsoft\RDInfraAgent\HealthCheckReport, value
// AgentHealthCheckReport.
func ReadAgentHealthReport() (string, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\RDInfraAgent\HealthCheckReport`, registry.QUERY_VALUE)
	if err != nil {
		return "", err
	}
	defer k.Close()
	s, _, err := k.GetStringValue("AgentHealthCheckReport")
	return s, err
}
