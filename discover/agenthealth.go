package discover

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/avdurls/avdurls/evtx"
)

// AgentCheck is one check of the AVD agent's health report, as a report
// keeps it.
type AgentCheck struct {
	Name    string `json:"name"`
	Outcome string `json:"outcome"`
	Detail  string `json:"detail,omitempty"`
}

// AgentHealthProvider is the provider of the event made from the agent's
// health report.
const AgentHealthProvider = "RDInfraAgent-HealthCheckReport"

// ParseAgentHealthReport reads the agent's health report, the JSON the
// agent keeps in HKLM\SOFTWARE\Microsoft\RDInfraAgent\HealthCheckReport,
// value AgentHealthCheckReport (evtx.ReadAgentHealthReport returns it): an
// object keyed by check name (UrlsAccessibleCheck, ...). Its layout is not
// documented, so it is read loosely: each check's outcome is its first
// string field named like Outcome, HealthCheckResult, Result or Status;
// every other string is detail. The host names of URL checks come back as
// one event whose text has accessible and not accessible sections, for
// Extract to read like a 3701 event.
func ParseAgentHealthReport(s, computer string) ([]AgentCheck, *evtx.Event, error) {
	var top map[string]any
	if err := json.Unmarshal([]byte(strings.TrimPrefix(s, "\ufeff")), &top); err != nil {
		return nil, nil, fmt.Errorf("agent health report: not a JSON object: %v", err)
	}
	var checks []AgentCheck
	var ok, notOK []string
	for _, name := range sortedKeys(top) {
		c, detail := agentCheck(name, top[name])
		if strings.Contains(strings.ToLower(name), "url") {
			ok, notOK = sortURLDetail(c.Outcome, detail, ok, notOK)
		}
		for i, d := range detail {
			_, detail[i], _ = strings.Cut(d, "=")
		}
		c.Detail = strings.Join(detail, "; ")
		if len(c.Detail) > 500 {
			c.Detail = c.Detail[:497] + "..."
		}
		checks = append(checks, c)
	}
	var ev *evtx.Event
	if len(ok)+len(notOK) > 0 {
		text := "Accessible URLs:\n" + strings.Join(ok, "\n") + "\n\nNOT Accessible URLs:\n" + strings.Join(notOK, "\n")
		ev = &evtx.Event{Provider: AgentHealthProvider, EventID: 3701, Computer: computer, Channel: "Application",
			Data: []string{text}, File: "registry:AgentHealthCheckReport", Chunk: -1}
	}
	return checks, ev, nil
}

// agentCheck reads one check of the report: its outcome, and its other
// strings as "key=text" details.
func agentCheck(name string, v any) (AgentCheck, []string) {
	c := AgentCheck{Name: name}
	var detail []string
	switch v := v.(type) {
	case string:
		c.Outcome = v
	case map[string]any:
		for _, k := range sortedKeys(v) {
			if s, isStr := v[k].(string); isStr && c.Outcome == "" && isOutcomeKey(k) {
				c.Outcome = s
				continue
			}
			collectStrings(v[k], k, &detail)
		}
	default:
		collectStrings(v, name, &detail)
	}
	return c, detail
}

// sortURLDetail adds the names of a URL check's details to the accessible
// or not accessible ones: the field's own name decides, else the check's
// outcome.
func sortURLDetail(outcome string, detail, ok, notOK []string) ([]string, []string) {
	for _, d := range detail {
		key, text, _ := strings.Cut(d, "=")
		if i := strings.LastIndexByte(key, '.'); i >= 0 {
			key = key[i+1:] // the field's own name decides
		}
		if negative(key) || negative(outcome) && !positive(key) {
			notOK = append(notOK, text)
		} else {
			ok = append(ok, text)
		}
	}
	return ok, notOK
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isOutcomeKey(k string) bool {
	switch strings.ToLower(k) {
	case "outcome", "healthcheckresult", "result", "status":
		return true
	}
	return false
}

func negative(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "not") || strings.Contains(s, "inaccessible") || strings.Contains(s, "fail") || strings.Contains(s, "unreachable")
}

func positive(s string) bool {
	s = strings.ToLower(s)
	return !negative(s) && (strings.Contains(s, "accessible") || strings.Contains(s, "reachable") || strings.Contains(s, "succe"))
}

// collectStrings appends every string below v as "key=text", depth-first in key
// order; numbers and booleans are kept as text too.
func collectStrings(v any, key string, out *[]string) {
	if len(*out) > 1000 {
		return
	}
	switch x := v.(type) {
	case string:
		if strings.TrimSpace(x) != "" {
			*out = append(*out, key+"="+x)
		}
	case []any:
		for _, e := range x {
			collectStrings(e, key, out)
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			collectStrings(x[k], key+"."+k, out)
		}
	case float64, bool:
		*out = append(*out, fmt.Sprintf("%s=%v", key, x))
	}
}
