package workspace

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// sentQueries are the forms of every query a workspace scan can send:
// the default event IDs and provider, other IDs and providers of the
// names CheckProvider lets through, a range split at a second and one of
// fractional seconds.
func sentQueries(t *testing.T) map[string]string {
	t.Helper()
	from := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(7 * 24 * time.Hour)
	all := discover.EventIDs(discover.RoleURLs)
	for _, e := range discover.AgentEvents {
		if e.Role != discover.RoleURLs {
			all = append(all, e.ID)
		}
	}
	slices.Sort(all) // as the scan asks for them
	q := map[string]string{
		"default":        KQL("WVD-Agent", all, from, to),
		"one id":         KQL("WVD-Agent", []uint32{3701}, from, to),
		"other provider": KQL("Some Provider_1.2-x", []uint32{1, 65535}, from, to),
		"split range":    KQL("WVD-Agent", all, from.Add(90*time.Second), to.Add(-time.Nanosecond)),
	}
	if err := CheckProvider("Some Provider_1.2-x"); err != nil {
		t.Fatal(err)
	}
	return q
}

// TestKQLParsesWithKusto parses every query the tool can send, and the
// README's, with Microsoft's Kusto parser and binder (.ci/kusto: npm
// @kusto/language-service-next, run by node) against the Event table's
// schema; any error or warning diagnostic fails. Without node it fails
// under CI=true and is skipped elsewhere.
func TestKQLParsesWithKusto(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is needed to run the Kusto parser (.ci/run installs it): %v", err)
		}
		t.Skip("node not installed")
	}
	type item struct {
		Name  string `json:"name"`
		Query string `json:"query"`
	}
	var items []item
	for name, kql := range sentQueries(t) {
		items = append(items, item{name, kql})
	}
	items = append(items, item{"README", readmeQuery(t)})
	// A control the parser must reject: the check can fail.
	items = append(items, item{"control", strings.Replace(sentQueries(t)["default"], "EventID in", "EventId in", 1)})
	in, _ := json.Marshal(items)
	cmd := exec.Command("bash", filepath.Join("..", ".ci", "kusto", "run.sh"))
	cmd.Stdin = bytes.NewReader(in)
	out, _ := cmd.CombinedOutput()
	if want := "kusto: " + itoa(len(items)-1) + " passed, 1 failed"; !strings.Contains(string(out), want) ||
		!strings.Contains(string(out), "FAIL control") {
		t.Fatalf("the Kusto parser rejects a query the tool sends (want %q and only the control failing):\n%s", want, out)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// readmeQuery is the query of the README's section Fleets.
func readmeQuery(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	start := strings.Index(s, "```\nlet Agent = Event\n| where TimeGenerated > ago(7d)\n")
	if start < 0 {
		t.Fatal("README: no query starting 'let Agent = Event | where TimeGenerated > ago(7d)'")
	}
	s = s[start+4:]
	return s[:strings.Index(s, "\n```")]
}

// TestREADMEQuery: the README's query is the query the tool sends, but
// for the time range (ago(7d) instead of the range's datetimes).
func TestREADMEQuery(t *testing.T) {
	sent := sentQueries(t)["default"]
	first, rest, _ := strings.Cut(sent, "\n| where TimeGenerated >= ")
	_, rest, _ = strings.Cut(rest, "\n")
	want := first + "\n| where TimeGenerated > ago(7d)\n" + rest
	if got := readmeQuery(t); got != want {
		t.Errorf("README query:\n%s\nthe tool's:\n%s", got, want)
	}
}
