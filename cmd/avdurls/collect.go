package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
)

// collector gathers what the inputs say, per computer.
type collector struct {
	obs    map[string]*catalog.Observation
	names  map[string]string // lower-case computer -> first spelling seen
	events int
}

func newCollector() *collector {
	return &collector{obs: map[string]*catalog.Observation{}, names: map[string]string{}}
}

func (c *collector) observation(computer string) *catalog.Observation {
	key := strings.ToLower(computer)
	if _, ok := c.names[key]; !ok {
		c.names[key] = computer
	}
	ob := c.obs[c.names[key]]
	if ob == nil {
		ob = &catalog.Observation{}
		c.obs[c.names[key]] = ob
	}
	return ob
}

// healthIDs are the agent's health events, collected per host beside the
// URL events: 3703 RD Gateway URL not accessible, 3019 web-socket transport
// URLs not reachable, 3277 broker or registration failures.
var healthIDs = []uint32{3019, 3277, 3703}

// health records an agent health event of a host.
func (c *collector) health(ev evtx.Event) {
	ob := c.observation(ev.Computer)
	text := ev.Message
	for _, d := range ev.Data {
		if text == "" && strings.TrimSpace(d) != "" {
			text = d
		}
	}
	ob.Health = append(ob.Health, catalog.HealthEvent{EventID: ev.EventID, Time: ev.Time, RecordID: ev.RecordID, File: ev.File,
		Summary: summaryLine(text)})
}

// summaryLine is the first non-empty line of s, printable and at most 160
// characters.
func summaryLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			s = line
			break
		}
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return '?'
		}
		return r
	}, s)
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}

// event takes the host names out of one event. A WVD-Agent event logged to
// a channel other than Application is taken as forged: its names are
// rejected.
func (c *collector) event(ev evtx.Event) {
	c.events++
	ob := c.observation(ev.Computer)
	ob.Events++
	if ev.EventID == 3701 && ev.Time.After(ob.Newest) {
		ob.Newest = ev.Time
	}
	found, rejected := discover.Extract(ev)
	if !strings.EqualFold(ev.Channel, "Application") {
		for _, fd := range found {
			rejected = append(rejected, discover.Reject{Value: fd.Host, Evidence: fd.Evidence,
				Reason: fmt.Sprintf("event claims provider %s but was logged to channel %q, not Application: possibly forged", ev.Provider, ev.Channel)})
		}
		found = nil
	}
	ob.Findings = append(ob.Findings, found...)
	ob.Rejects = append(ob.Rejects, rejected...)
}

// rejudged is the start of the rejection reason the central scan gives
// again itself (trust depends on its catalog and --trust-suffix); other
// rejections of a report stand.
const rejudged = "not under any "

// report merges an earlier JSON report: its hosts, and every name it
// allowlisted, rejected or marked deprecated, with counts and evidence,
// judged again against this run's catalog and options.
func (c *collector) report(path string) error {
	rep, err := readReport(path)
	if err != nil {
		return err
	}
	if len(rep.Hosts) == 0 {
		return fmt.Errorf("%s: report names no host", path)
	}
	regionHost := map[string]string{} // region -> first host of the report there
	for _, h := range rep.Hosts {
		ob := c.observation(h.Computer)
		ob.Events += h.Events
		c.events += h.Events
		if h.Newest3701 != nil && h.Newest3701.After(ob.Newest) {
			ob.Newest = *h.Newest3701
		}
		ob.Health = append(ob.Health, h.Health...)
		ob.AgentChecks = append(ob.AgentChecks, h.AgentChecks...)
		if ob.Region == "" && h.Region != catalog.UnknownRegion {
			ob.Region, ob.RegionBasis = h.Region, h.RegionBasis
		}
		if _, ok := regionHost[h.Region]; !ok {
			regionHost[h.Region] = h.Computer
		}
	}
	// Names go to the host whose evidence they carry, else to the report's
	// host in their region, else to its first host.
	owner := func(ev []discover.Evidence, region string) string {
		for _, e := range ev {
			for _, h := range rep.Hosts {
				if strings.EqualFold(h.Computer, e.Computer) {
					return h.Computer
				}
			}
		}
		if h, ok := regionHost[region]; ok {
			return h
		}
		return rep.Hosts[0].Computer
	}
	at := func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	}
	for _, r := range rep.Regions {
		for _, e := range r.Entries {
			if e.EvidenceCount == 0 {
				continue // a catalog row: this run's catalog has its own
			}
			ob := c.observation(owner(e.Evidence, r.Region))
			ob.Sightings = append(ob.Sightings, catalog.Sighting{Host: e.Address, Status: e.Status, Count: e.EvidenceCount,
				First: at(e.FirstSeen), Last: at(e.LastSeen), Evidence: e.Evidence})
		}
	}
	excluded := func(x catalog.Excluded, keepReason bool) {
		s := catalog.Sighting{Host: x.Address, Count: x.EvidenceCount, Evidence: x.Evidence}
		for _, e := range x.Evidence {
			s.Status = catalog.MergeStatus(s.Status, string(e.Status))
			if s.First.IsZero() || e.Time.Before(s.First) {
				s.First = e.Time
			}
			if e.Time.After(s.Last) {
				s.Last = e.Time
			}
		}
		if keepReason {
			s.Reason = x.Reason
		}
		ob := c.observation(owner(x.Evidence, ""))
		ob.Sightings = append(ob.Sightings, s)
	}
	for _, x := range rep.Rejected {
		excluded(x, !strings.HasPrefix(x.Reason, rejudged))
	}
	for _, x := range rep.Deprecated {
		excluded(x, false)
	}
	return nil
}

// readXML reads rendered event XML and hands the events the filter wants
// to take.
func (c *collector) readXML(path string, f evtx.Filter, take func(evtx.Event)) (int, error) {
	evs, err := readEventsXML(path)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ev := range evs {
		if f.Match(ev) {
			take(ev)
			n++
		}
	}
	return n, nil
}

// readURLTool reads URL-tool output as one event.
func (c *collector) readURLTool(path string) error {
	ev, err := readURLToolEvent(path)
	if err == nil {
		c.event(ev)
	}
	return err
}

func readEventsXML(path string) ([]evtx.Event, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return evtx.ReadEventXML(fh, path)
}

// readURLToolEvent reads URL-tool output; the computer is the file's name
// without its extension, the time its modification time.
func readURLToolEvent(path string) (evtx.Event, error) {
	fh, err := os.Open(path)
	if err != nil {
		return evtx.Event{}, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return evtx.Event{}, err
	}
	computer := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return evtx.ReadURLTool(fh, path, computer, fi.ModTime())
}
