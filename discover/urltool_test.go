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

// TestURLToolTime: an output's own "Acquired on" time dates its checks,
// not the file's modification time (a copied file looks new); a line that
// does not parse leaves the file's time.
func TestURLToolTime(t *testing.T) {
	mod := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	want := time.Date(2023, 2, 3, 10, 11, 12, 0, time.UTC)
	for _, text := range []string{
		"Acquired on: 2023/02/03 10:11:12\r\nAccessible URLs:\r\nrdbroker.wvd.microsoft.com\r\n",
		"WVD Agent URL check\nAcquired on 2023-02-03 10:11:12\nAccessible URLs:\n",
		"  acquired on: 2/3/2023 10:11:12 AM\n",
	} {
		if ev := URLToolEvent(text, "a.txt", "a", mod); !ev.Time.Equal(want) {
			t.Errorf("%q: time %v, want %v", text, ev.Time, want)
		}
	}
	for _, text := range []string{"Acquired on: yesterday evening\n", "Accessible URLs:\nx.example.com\n", "Not acquired on 2023/02/03 10:11:12\n"} {
		if ev := URLToolEvent(text, "a.txt", "a", mod); !ev.Time.Equal(mod) {
			t.Errorf("%q: time %v, want the file's %v", text, ev.Time, mod)
		}
	}
}
