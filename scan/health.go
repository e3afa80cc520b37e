package scan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
)

// withHealth adds the agent health events to the IDs read.
func withHealth(ids []uint32) []uint32 {
	all := slices.Clone(ids)
	for _, id := range discover.EventIDs(discover.RoleHealth) {
		if !slices.Contains(all, id) {
			all = append(all, id)
		}
	}
	slices.Sort(all)
	return all
}

// HealthLines says, per host with something to report, the newest 3701
// time, the URLs not reachable and the agent's failures; at most 20 hosts,
// and a line for the rest.
func HealthLines(rep catalog.Report) []string {
	var lines []string
	shown := 0
	for _, h := range rep.Hosts {
		if len(h.Unreachable) == 0 && len(h.Health) == 0 {
			continue
		}
		if shown++; shown > 20 {
			continue
		}
		newest := "no 3701 event"
		if h.Newest3701 != nil {
			newest = "newest 3701 " + h.Newest3701.UTC().Format(time.RFC3339)
		}
		line := fmt.Sprintf("host %s (%s): %s", (h.Computer), h.Region, newest)
		if n := len(h.Unreachable); n > 0 {
			line += fmt.Sprintf("; %d names not reachable (%s)", n, (strings.Join(h.Unreachable[:min(n, 3)], ", ")))
		}
		if n := len(h.Health); n > 0 {
			line += fmt.Sprintf("; %d health events, newest %d: %s", n, h.Health[0].EventID, (h.Health[0].Summary))
		}
		lines = append(lines, line)
	}
	if shown > 20 {
		lines = append(lines, fmt.Sprintf("%d more hosts with unreachable names or health events: see the JSON report (hosts[].unreachable, hosts[].health)", shown-20))
	}
	return lines
}

// idString writes event IDs as a comma-separated list.
func idString(ids []uint32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatUint(uint64(id), 10)
	}
	return strings.Join(s, ",")
}
