package discover

import (
	"regexp"
	"strings"
	"time"

	"github.com/avdurls/avdurls/evtx"
)

// URLToolProvider is the provider of events made from URL-tool output.
const URLToolProvider = "WVDAgentUrlTool"

// URLToolEvent turns the text output of the agent's URL checker
// (WVDAgentUrlTool.exe, as evtx.ReadText decodes it) into one event: its
// accessible and not accessible sections are read by Extract like a 3701
// event's text. name is the input's name; computer names the host (the
// tool does not print it). The event time is the output's own "Acquired
// on" time when it has one (URLToolTime), else modTime: a copied or
// touched file must not make an old check look new.
func URLToolEvent(text, name, computer string, modTime time.Time) evtx.Event {
	t := modTime.UTC()
	if at, ok := URLToolTime(text); ok {
		t = at
	}
	return evtx.Event{Provider: URLToolProvider, EventID: 3701, Time: t, Computer: computer,
		Channel: "Application", Data: []string{text}, File: name, Chunk: -1}
}

// acquiredR finds the URL tool's "Acquired on: 2023/02/03 10:11:12" line
// (the colon optional); the rest of the line is left to the layouts.
var acquiredR = regexp.MustCompile(`(?im)^[ \t]*Acquired on:?[ \t]+([^\r\n]{8,40}?)[ \t]*\r?$`)

// acquiredLayouts are the time layouts of the "Acquired on" line seen in
// published outputs (year first), and the US form Windows may print.
var acquiredLayouts = []string{"2006/01/02 15:04:05", "2006-01-02 15:04:05", "2006/01/02 3:04:05 PM", "1/2/2006 3:04:05 PM", "1/2/2006 15:04:05"}

// URLToolTime is the time a URL-tool output says it was acquired, from its
// first "Acquired on" line, taken as UTC (the tool writes no zone). ok is
// false when there is no such line or its time does not parse.
func URLToolTime(text string) (time.Time, bool) {
	m := acquiredR.FindStringSubmatch(text)
	if m == nil {
		return time.Time{}, false
	}
	v := strings.TrimSpace(m[1])
	for _, layout := range acquiredLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
