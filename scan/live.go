package scan

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
)

// LiveOptions say how a live scan learns what the events do not say.
type LiveOptions struct {
	// IMDS is the metadata service asked for the VM's region when the
	// options give none (IMDSEndpoint; tests give a loopback one).
	IMDS string
	// Hostname is this machine's name; "" asks the system.
	Hostname string
	// AgentHealth reads the agent's health report; nil reads the
	// registry (ReadAgentHealthReport).
	AgentHealth func() (string, error)
}

// Live is this Windows host's Application log as a source, with the
// agent's health report from the registry and, unless a region is given,
// the VM's region from the metadata service.
func Live(o LiveOptions) Source { return liveSource{o} }

type liveSource struct{ o LiveOptions }

func (s liveSource) read(ctx context.Context, r *run) error {
	computer := s.o.Hostname
	if computer == "" {
		computer, _ = os.Hostname()
	}
	computer = discover.CleanComputer(computer)
	err := evtx.Read(evtx.Live(), r.o.Events, evtx.Handlers{Event: func(ev evtx.Event) error {
		if computer == "" || strings.HasPrefix(strings.ToLower(ev.Computer), strings.ToLower(computer)+".") {
			computer = discover.CleanComputer(ev.Computer) // the FQDN the events use
		}
		r.take(ev)
		return nil
	}, File: func(res evtx.FileResult) { r.st.Old += res.Stats.Old }})
	if err != nil {
		return err
	}
	read := s.o.AgentHealth
	if read == nil {
		read = ReadAgentHealthReport
	}
	partial := r.readAgentHealth(read, computer)
	if r.o.Build.Region == "" && r.o.Build.RegionMap == nil {
		endpoint := cmp.Or(s.o.IMDS, IMDSEndpoint)
		if loc, err := regionFromIMDS(ctx, endpoint, r.o.Build.Cloud, imdsTimeout, func(n string) { r.note(Warning, n, nil) }); err != nil {
			r.note(Warning, err.Error(), err)
		} else {
			r.o.Build.Region, r.o.Build.RegionBasis = loc, "Azure Instance Metadata Service (location of this VM)"
		}
	}
	if r.c.events == 0 {
		r.note(Warning, fmt.Sprintf("no %s events with IDs %s in the %s log; is this a registered AVD session host?",
			strings.Join(r.o.Events.Providers, ", "), idString(r.urlIDs), "Application"), nil)
	}
	r.inputs = []catalog.InputFile{{File: "live:Application", Kind: "live", Matched: r.c.events}}
	r.st.Inputs, r.st.Partial = 1, r.st.Partial || partial
	return nil
}

// readAgentHealth adds the agent's health report in the registry to the
// host's observation; it says whether the report was there but unreadable.
func (r *run) readAgentHealth(read func() (string, error), computer string) (partial bool) {
	c := r.c
	s, err := read()
	if err != nil {
		r.note(Info, fmt.Sprintf("no agent health report in the registry (%v)", err), nil)
		return false
	}
	checks, ev, err := discover.ParseAgentHealthReport(s, computer)
	if err != nil {
		r.note(Warning, err.Error(), err)
		return true
	}
	ob := &catalog.Observation{}
	for _, ch := range checks {
		ob.AgentChecks = append(ob.AgentChecks, discover.AgentCheck{Name: discover.CleanText(ch.Name, discover.MaxText),
			Outcome: discover.CleanText(ch.Outcome, discover.MaxText), Detail: discover.CleanText(ch.Detail, discover.MaxText)})
	}
	c.observe(computer, ob)
	if ev != nil {
		c.event(*ev)
	}
	return false
}
