//go:build windows

// Command regcheck reads the AVD agent's health report from the registry
// with the code 'avdurls scan --live' uses (scan.ReadAgentHealthReport and
// discover.ParseAgentHealthReport) and prints the checks as JSON. .ci/wine/run
// runs it under Wine after 'reg add', because scan --live stops at the
// event log (a stub in Wine) before it reads the registry. CI only.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/scan"
)

func main() {
	s, err := scan.ReadAgentHealthReport()
	if err != nil {
		fmt.Fprintln(os.Stderr, "regcheck: reading the registry:", err)
		os.Exit(1)
	}
	checks, ev, err := discover.ParseAgentHealthReport(s, "wine-host")
	if err != nil {
		fmt.Fprintln(os.Stderr, "regcheck:", err)
		os.Exit(1)
	}
	out := struct {
		Checks []discover.AgentCheck `json:"checks"`
		Event  *evtx.Event           `json:"event,omitempty"`
	}{checks, ev}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		os.Exit(1)
	}
}
