package main

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
)

// scanLive reads this host's event log and agent health report.
func scanLive(j *scanJob) (int, error) {
	if err := j.checkOutputs(nil); err != nil {
		return exitError, err
	}
	o, c := j.o, j.c
	lo := evtx.Options{Providers: []string{o.provider}, EventIDs: withHealth(o.ids.ids), MaxEvents: o.maxEvents}
	if o.since > 0 {
		lo.Since = time.Now().Add(-o.since)
	}
	computer, _ := os.Hostname()
	computer = discover.CleanComputer(computer)
	err := evtx.Read(evtx.Live(), lo, evtx.Handlers{Event: func(ev evtx.Event) error {
		if computer == "" || strings.HasPrefix(strings.ToLower(ev.Computer), strings.ToLower(computer)+".") {
			computer = discover.CleanComputer(ev.Computer) // the FQDN the events use
		}
		j.take(ev)
		return nil
	}})
	if err != nil {
		return exitError, err
	}
	partial := readAgentHealth(c, computer)
	if j.bo.Region == "" && j.bo.RegionMap == nil {
		if loc, err := regionFromIMDS(context.Background(), o.imds, j.bo.Cloud, imdsTimeout); err != nil {
			warnf("%v", err)
		} else {
			j.bo.Region, j.bo.RegionBasis = loc, "Azure Instance Metadata Service (location of this VM)"
		}
	}
	if c.events == 0 {
		warnf("no %s events with IDs %s in the %s log; is this a registered AVD session host?", o.provider, o.ids.String(), "Application")
	}
	j.inputs = []catalog.InputFile{{File: "live:Application", Matched: c.events}}
	j.partial = j.partial || partial
	return j.finish(1)
}

// readAgentHealth adds the agent's health report in the registry to the
// host's observation; it says whether the report was there but unreadable.
func readAgentHealth(c *collector, computer string) (partial bool) {
	s, err := evtx.ReadAgentHealthReport()
	if err != nil {
		infof("no agent health report in the registry (%v)", err)
		return false
	}
	checks, ev, err := discover.ParseAgentHealthReport(s, computer)
	if err != nil {
		warnf("%v", err)
		return true
	}
	ob := c.observation(computer)
	for _, ch := range checks {
		ob.AgentChecks = append(ob.AgentChecks, discover.AgentCheck{Name: discover.CleanText(ch.Name, discover.MaxText),
			Outcome: discover.CleanText(ch.Outcome, discover.MaxText), Detail: discover.CleanText(ch.Detail, discover.MaxText)})
	}
	if ev != nil {
		c.event(*ev)
	}
	return false
}
