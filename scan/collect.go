package scan

import (
	"time"

	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
)

// collector gathers what the inputs say, per computer, into a report
// builder that judges every name as it comes and keeps bounded lists.
type collector struct {
	b      *catalog.Builder
	names  map[string]string // lower-case computer -> first spelling seen
	events int
	cloud  catalog.Cloud // reports of another cloud are refused
	// maxNames bounds the names read from one event, maxReport the bytes
	// of one JSON report.
	maxNames  int
	maxReport int64
	// sightBuf and evBuf are a grouped row's sightings and evidence,
	// used again for every row (grouped).
	sightBuf []catalog.Sighting
	evBuf    []discover.Evidence
}

// newCollector returns an empty collector of a builder for a cloud, with
// the bounds of the options (0: the defaults).
func newCollector(b *catalog.Builder, cloud catalog.Cloud, maxNames int, maxReport int64) *collector {
	if maxNames <= 0 {
		maxNames = discover.DefaultMaxNamesPerEvent
	}
	if maxReport == 0 {
		maxReport = DefaultMaxReportBytes
	}
	return &collector{b: b, names: map[string]string{}, cloud: cloud,
		maxNames: maxNames, maxReport: maxReport}
}

// admit is the gate every event passes before anything reads it: the
// computer name, the file name, provider and channel are made safe to
// store, compare and print (discover.CleanComputer, discover.CleanText).
// Host names are checked later, one by one, by discover.Extract.
func admit(ev evtx.Event) evtx.Event {
	ev.Computer = discover.CleanComputer(ev.Computer)
	ev.File = discover.CleanText(ev.File, discover.MaxPath)
	ev.Provider = discover.CleanText(ev.Provider, 256)
	ev.Channel = discover.CleanText(ev.Channel, 256)
	return ev
}

// observe hands what was seen of a computer to the builder, under the
// first spelling of its name seen.
func (c *collector) observe(computer string, ob *catalog.Observation) {
	key := strings.ToLower(computer)
	name, ok := c.names[key]
	if !ok {
		name = computer
		c.names[key] = computer
	}
	c.b.Observe(name, ob)
}

// health records an agent health event of a host.
func (c *collector) health(ev evtx.Event) {
	ev = admit(ev)
	text := ev.Message
	for _, d := range ev.Data {
		if text == "" && strings.TrimSpace(d) != "" {
			text = d
		}
	}
	c.observe(ev.Computer, &catalog.Observation{Health: []catalog.HealthEvent{{EventID: ev.EventID, Time: ev.Time, RecordID: ev.RecordID, File: ev.File,
		Summary: summaryLine(text)}}})
}

// summaryLine is the first non-empty line of s, made printable and cut at
// 160 bytes.
func summaryLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			s = line
			break
		}
	}
	return discover.CleanText(s, 160)
}

// event takes the host names out of one event. A WVD-Agent event logged to
// a channel other than Application is taken as forged: its names are
// rejected.
func (c *collector) event(ev evtx.Event) {
	ev = admit(ev)
	ob, found, rejected := c.hostNames(ev, 1, ev.Time)
	ob.Findings, ob.Rejects = found, rejected
	c.observe(ev.Computer, ob)
}

// hostNames counts n events of ev's host (the newest at newest) and returns
// an observation of the host to fill and the names of ev: found, and
// rejected. Every
// source of events comes through here, so the rule is one: an event that
// claims the agent's provider but was logged to a channel other than
// Application is taken as forged, its names rejected.
func (c *collector) hostNames(ev evtx.Event, n int, newest time.Time) (*catalog.Observation, []discover.Finding, []discover.Reject) {
	c.events += n
	ob := &catalog.Observation{Events: n}
	found, rejected := discover.ExtractN(ev, c.maxNames)
	if !strings.EqualFold(ev.Channel, "Application") {
		for _, fd := range found {
			rejected = append(rejected, discover.Reject{Value: fd.Host, Evidence: fd.Evidence, Code: discover.CodeForged,
				Reason: discover.ReasonForged})
		}
		return ob, nil, rejected
	}
	// Only an event that passed the rule dates the host's newest check:
	// a forged one must not make the names of the real ones look old.
	if discover.NewestTracked(ev.EventID) && newest.After(ob.Newest) {
		ob.Newest = newest
	}
	return ob, found, rejected
}
