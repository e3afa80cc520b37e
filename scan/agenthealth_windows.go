//go:build windows

package scan

import winreg "golang.org/x/sys/windows/registry"

// ReadAgentHealthReport returns the agent's health report from
// HKLM\SOFTWARE\Microsoft\RDInfraAgent\HealthCheckReport, value
// AgentHealthCheckReport.
func ReadAgentHealthReport() (string, error) {
	k, err := winreg.OpenKey(winreg.LOCAL_MACHINE, `SOFTWARE\Microsoft\RDInfraAgent\HealthCheckReport`, winreg.QUERY_VALUE)
	if err != nil {
		return "", err
	}
	defer k.Close()
	s, _, err := k.GetStringValue("AgentHealthCheckReport")
	return s, err
}
