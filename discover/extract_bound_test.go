package discover

import (
	"fmt"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/evtx"
)

// names returns n distinct host names joined by sep.
func names(n int, sep string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "h%d.evil.example%s", i, sep)
	}
	return b.String()
}

// TestExtractBound: an event with more names than the bound yields the
// bound's worth and one Reject that says the rest were not read.
func TestExtractBound(t *testing.T) {
	e := evtx.Event{EventID: 3701, Data: []string{names(200000, "\n")}}
	found, rejected := Extract(e)
	if len(found) != DefaultMaxNamesPerEvent || len(rejected) != 1 {
		t.Fatalf("Extract: %d found, %d rejected; want %d and 1", len(found), len(rejected), DefaultMaxNamesPerEvent)
	}
	r := rejected[0]
	want := "event holds more than 1000 host names; the rest were not read"
	if r.Reason != want || r.Value != "h1000.evil.example" || r.Evidence.Status != Reachable {
		t.Errorf("Reject = %+v, want reason %q for h1000.evil.example", r, want)
	}
	if found, rejected := ExtractN(e, 0); len(found) != 200000 || len(rejected) != 0 {
		t.Errorf("ExtractN(e, 0): %d found, %d rejected; want all 200000", len(found), len(rejected))
	}
}

// TestExtractBoundCounts: Rejects count toward the bound, repeats do not.
func TestExtractBoundCounts(t *testing.T) {
	rep := strings.Repeat("a.example.com 10.0.0.1\n", 5000)
	if found, rejected := ExtractN(evtx.Event{EventID: 3701, Data: []string{rep}}, 2); len(found) != 1 || len(rejected) != 1 {
		t.Errorf("repeats: %d found, %d rejected; want 1 and 1", len(found), len(rejected))
	}
	mixed := evtx.Event{EventID: 3701, Data: []string{"a.example.com 10.0.0.1", "b.example.com"}, Message: "c.example.com"}
	found, rejected := ExtractN(mixed, 2)
	if len(found) != 1 || len(rejected) != 2 || rejected[1].Reason != TooManyNamesReason(2) || rejected[1].Value != "b.example.com" {
		t.Errorf("mixed: found %+v, rejected %+v; want a.example.com, 10.0.0.1 and the bound", found, rejected)
	}
	if found, rejected := ExtractN(mixed, 3); len(found) != 2 || len(rejected) != 2 || rejected[1].Reason != TooManyNamesReason(3) {
		t.Errorf("bound 3: found %+v, rejected %+v; want the message not read", found, rejected)
	}
}

// TestExtractLongLine: a line with more candidates than a line holds still
// takes its status from a header at its end.
func TestExtractLongLine(t *testing.T) {
	line := names(3*maxLineCands, " ") + "NOT accessible"
	found, rejected := ExtractN(evtx.Event{EventID: 3701, Data: []string{line}}, 0)
	if len(found) != 3*maxLineCands || len(rejected) != 0 {
		t.Fatalf("%d found, %d rejected; want %d", len(found), len(rejected), 3*maxLineCands)
	}
	for _, f := range found {
		if f.Evidence.Status != Unreachable {
			t.Fatalf("%s: status %s, want unreachable", f.Host, f.Evidence.Status)
		}
	}
	if found, rejected := Extract(evtx.Event{EventID: 3701, Data: []string{line}}); len(found) != DefaultMaxNamesPerEvent || len(rejected) != 1 {
		t.Errorf("bounded: %d found, %d rejected", len(found), len(rejected))
	}
}
