package discover

import (
	"time"

	"github.com/avdurls/avdurls/evtx"
)

// URLToolProvider is the provider of events made from URL-tool output.
const URLToolProvider = "WVDAgentUrlTool"

// URLToolEvent turns the text output of the agent's URL checker
// (WVDAgentUrlTool.exe, as evtx.ReadText decodes it) into one event: its
// accessible and not accessible sections are read by Extract like a 3701
// event's text. name is the input's name; computer names the host (the
// tool does not print it); modTime stands for the event time.
func URLToolEvent(text, name, computer string, modTime time.Time) evtx.Event {
	return evtx.Event{Provider: URLToolProvider, EventID: 3701, Time: modTime.UTC(), Computer: computer,
		Channel: "Application", Data: []string{text}, File: name, Chunk: -1}
}
