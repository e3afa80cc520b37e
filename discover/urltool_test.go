package discover

import (
	"testing"
	"time"
)

// TestURLToolEvent: URL-tool text becomes one 3701-like event of the
// named host, dated by the file, whose names Extract reads.
func TestURLToolEvent(t *testing.T) {
	mod := time.Date(2024, 5, 1, 10, 0, 0, 0, time.FixedZone("x", 3600))
	text := "Accessible URLs:\nrdbroker.wvd.microsoft.com\n\nNOT Accessible URLs:\ngcs.prod.monitoring.core.windows.net\n"
	ev := URLToolEvent(text, "avd-1.txt", "avd-1", mod)
	if ev.Provider != URLToolProvider || ev.EventID != 3701 || ev.Computer != "avd-1" || ev.File != "avd-1.txt" ||
		!ev.Time.Equal(mod) || ev.Time.Location() != time.UTC || ev.Chunk != -1 || len(ev.Data) != 1 || ev.Data[0] != text {
		t.Fatalf("event = %+v", ev)
	}
	found, _ := Extract(ev)
	hosts := map[string]bool{}
	for _, f := range found {
		hosts[f.Host] = true
	}
	if !hosts["rdbroker.wvd.microsoft.com"] || !hosts["gcs.prod.monitoring.core.windows.net"] {
		t.Errorf("found = %+v", found)
	}
}
