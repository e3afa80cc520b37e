package reach

import (
	"strings"
	"testing"
)

// TestCheckSummary: the counts and the line on stderr.
func TestCheckSummary(t *testing.T) {
	res := []Result{{Checked: true, OK: true}, {Checked: true, Stage: "tls", Inspection: true}, {Checked: true, Stage: "dns"}, {}}
	s := Summarize(res, 1500*1e6)
	if s.Passed != 1 || s.Failed != 2 || s.NotChecked != 1 || s.Inspection != 1 {
		t.Errorf("%+v", s)
	}
	if got := s.String(); !strings.Contains(got, "3 entries checked in 1.5s: 1 passed, 2 failed (dns 1, tls 1); TLS inspection seen on 1; 1 not checked") {
		t.Errorf("summary %q", got)
	}
}
