package main

import (
	"context"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
)

// scanLive reads this host's event log and agent health report.
func scanLive(o scanOptions, bo catalog.BuildOptions, ver *catalog.Version, stdout io.Writer) (int, error) {
	if err := checkOutput(o.output, nil); err != nil {
		return exitError, err
	}
	if err := checkOutputDir(o.outputDir); err != nil {
		return exitError, err
	}
	c := o.collector()
	lo := evtx.LiveOptions{Providers: []string{o.provider}, EventIDs: withHealth(o.ids.ids), Since: o.since, Max: o.maxEvents}
	computer, _ := os.Hostname()
	computer = discover.CleanComputer(computer)
	_, err := evtx.ReadLive(lo, func(ev evtx.Event) error {
		if computer == "" || strings.HasPrefix(strings.ToLower(ev.Computer), strings.ToLower(computer)+".") {
			computer = discover.CleanComputer(ev.Computer) // the FQDN the events use
		}
		if slices.Contains(o.ids.ids, ev.EventID) {
			c.event(ev)
		} else {
			c.health(ev)
		}
		return nil
	})
	if err != nil {
		return exitError, err
	}
	partial := false
	if s, err := evtx.ReadAgentHealthReport(); err != nil {
		infof("no agent health report in the registry (%v)", err)
	} else if checks, ev, err := evtx.ParseAgentHealthReport(s, computer); err != nil {
		warnf("%v", err)
		partial = true
	} else {
		ob := c.observation(computer)
		for _, ch := range checks {
			ob.AgentChecks = append(ob.AgentChecks, catalog.AgentCheck{Name: discover.CleanText(ch.Name, discover.MaxText),
				Outcome: discover.CleanText(ch.Outcome, discover.MaxText), Detail: discover.CleanText(ch.Detail, discover.MaxText)})
		}
		if ev != nil {
			c.event(*ev)
		}
	}
	if bo.Region == "" && bo.RegionMap == nil {
		if loc, err := regionFromIMDS(context.Background(), o.imds, bo.Cloud, imdsTimeout); err != nil {
			warnf("%v", err)
		} else {
			bo.Region, bo.RegionBasis = loc, "Azure Instance Metadata Service (location of this VM)"
		}
	}
	if c.events == 0 {
		warnf("no %s events with IDs %s in the %s log; is this a registered AVD session host?", o.provider, o.ids.String(), "Application")
	}
	rep := ver.Build(c.obs, bo)
	rep.Inputs = []catalog.InputFile{{File: "live:Application", Matched: c.events}}
	if err := writeReport(o, rep, stdout); err != nil {
		return exitError, err
	}
	summary(rep, 1, c.events)
	if !o.quiet {
		healthSummary(rep)
	}
	if partial {
		return exitPartial, nil
	}
	return exitOK, nil
}
