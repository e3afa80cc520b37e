package discover

import (
	"strings"
	"testing"
)

// A sample in the shape the agent's report is believed to have: checks
// keyed by name, each with an outcome and details.
const sampleHealthReport = `{
  "UrlsAccessibleCheck": {
    "HealthCheckName": "UrlsAccessibleCheck",
    "HealthCheckResult": "HealthCheckFailed",
    "AdditionalFailureDetails": {
      "Message": "Some URLs are not accessible",
      "AccessibleUrls": ["rdgateway-c100-eus2-r1.wvd.microsoft.com", "eastus2-shared.prod.warm.ingest.monitor.core.windows.net"],
      "NotAccessibleUrls": ["gcs.prod.monitoring.core.windows.net"]
    }
  },
  "DomainJoinedCheck": {"HealthCheckName": "DomainJoinedCheck", "HealthCheckResult": "HealthCheckSucceeded"},
  "SxSStackListenerCheck": "HealthCheckSucceeded"
}`

func TestParseAgentHealthReport(t *testing.T) {
	checks, ev, err := ParseAgentHealthReport(sampleHealthReport, "avd-0")
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 3 || checks[2].Name != "UrlsAccessibleCheck" || checks[2].Outcome != "HealthCheckFailed" || checks[1].Outcome != "HealthCheckSucceeded" {
		t.Fatalf("checks = %+v", checks)
	}
	if !strings.Contains(checks[2].Detail, "Some URLs are not accessible") {
		t.Errorf("detail = %q", checks[2].Detail)
	}
	if ev == nil || ev.Computer != "avd-0" {
		t.Fatalf("event = %+v", ev)
	}
	acc, notAcc, _ := strings.Cut(ev.Data[0], "NOT Accessible URLs:")
	if !strings.Contains(acc, "rdgateway-c100-eus2-r1.wvd.microsoft.com") || !strings.Contains(notAcc, "gcs.prod.monitoring.core.windows.net") || strings.Contains(acc, "gcs.") {
		t.Errorf("sections: %q", ev.Data[0])
	}
	for _, bad := range []string{"", "[]", "not json", `{"a":`} {
		if _, _, err := ParseAgentHealthReport(bad, "h"); err == nil {
			t.Errorf("ParseAgentHealthReport(%q): no error", bad)
		}
	}
	// No URL check: no event.
	if _, ev, err := ParseAgentHealthReport(`{"DomainJoinedCheck":"HealthCheckSucceeded"}`, "h"); err != nil || ev != nil {
		t.Errorf("no URL check: %v, %v", ev, err)
	}
}
