package scan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/internal/textenc"
)

// ReadReport reads a JSON report of at most max bytes (0: the default,
// below 0: no bound) and checks every field of it (catalog.DecodeReport):
// a report is input like any other, and may have been edited by hand. A
// report saved as UTF-16 (PowerShell 5) is read; one that was cut is an
// error that says what is left of it and why that happens.
func ReadReport(path string, max int64) (catalog.Report, error) {
	if max == 0 {
		max = DefaultMaxReportBytes
	}
	b, err := readReportBytes(path, max)
	if err == nil {
		b, err = textenc.Bytes(b) // a report saved by PowerShell 5 is UTF-16
	}
	if err != nil {
		return catalog.Report{}, err
	}
	if cutJSON(b) {
		return catalog.Report{}, cutReport{path, fmt.Sprintf("report ends at byte %d, without its end", len(b)), cutEndHint}
	}
	rep, err := catalog.DecodeReport(b)
	if err != nil && Sniff(b) == KindReportEnd {
		return rep, cutReport{path, fmt.Sprintf("holds only the last %d bytes of a report, without its start", len(b)), cutStartHint}
	}
	if err != nil {
		return rep, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// Why reports come cut, and where the way around it is: a report without
// its end was written or copied only in part; one without its start is
// what the action Run Command (az vm run-command invoke) keeps of output,
// its last 4,096 bytes.
const (
	cutEndHint   = "it was cut short (an upload or copy that did not finish, or a channel that keeps only the start of output: see the README's fleet recipe)"
	cutStartHint = "it was truncated (the action Run Command, az vm run-command invoke, keeps only the last 4,096 bytes of output: see the README's fleet recipe)"
)

// cutReport is the error for a report that was cut: what is left of it,
// and why that happens.
type cutReport struct{ path, what, hint string }

// Error names the file, what is left of the report and the likely cause.
func (e cutReport) Error() string {
	return fmt.Sprintf("%s: %s; %s", e.path, e.what, e.hint)
}

// cutJSON tells whether b is JSON that ends in the middle of a value: the
// start of a report whose end is missing.
func cutJSON(b []byte) bool {
	var v json.RawMessage
	err := json.NewDecoder(bytes.NewReader(b)).Decode(&v)
	return errors.Is(err, io.ErrUnexpectedEOF) && len(bytes.TrimSpace(b)) > 0
}

// report merges an earlier JSON report: its hosts, and every name it
// allowlisted, rejected, sent to review or marked deprecated, with counts
// and evidence. Nothing it says about trust is kept: every name is judged
// again against this run's catalog and options, and only the rejections
// that stay true whatever the catalog (an invalid name, a forged channel)
// stand, with this avdurls's own reason text. A report in a regular file
// is read as a stream (catalog.StreamReport), one name at a time; others
// (pipes) whole.
func (c *collector) report(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		rep, err := ReadReport(path, c.maxReport)
		if err != nil {
			return err
		}
		return c.merge(rep, path)
	}
	if c.maxReport > 0 && fi.Size() > c.maxReport {
		return reportTooLarge(path, c.maxReport)
	}
	open := func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		return readCloser{textenc.Reader(f), f}, nil
	}
	m := &reportMerge{c: c}
	_, err = catalog.StreamReport(open, catalog.ReportVisitor{
		Head:     m.head,
		Entry:    m.entry,
		Excluded: m.excluded,
	})
	if err != nil {
		// Nothing was merged. Read it whole for the error that says what
		// is wrong with it (a cut report, a bad field), as diff does.
		rep, rerr := ReadReport(path, c.maxReport)
		if rerr != nil {
			return rerr
		}
		if m.owner != nil { // the head was fine: the error is this scan's
			return fmt.Errorf("%s: %w", path, err)
		}
		return c.merge(rep, path)
	}
	m.cuts()
	return nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// merge adds a report that was read and checked to the collection.
func (c *collector) merge(rep catalog.Report, path string) error {
	m := &reportMerge{c: c}
	if err := m.head(rep); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, r := range rep.Regions {
		for _, e := range r.Entries {
			_ = m.entry(r.Region, e)
		}
	}
	for _, l := range []struct {
		name string
		list []catalog.Excluded
	}{{"rejected", rep.Rejected}, {"deprecated", rep.Deprecated}, {"review", rep.Review}} {
		for _, x := range l.list {
			_ = m.excluded(l.name, x)
		}
	}
	m.cuts()
	return nil
}

// reportMerge adds one report to the collection, a name at a time.
type reportMerge struct {
	c     *collector
	owner func(ev []discover.Evidence, region string) string
	rests map[string]catalog.Rest // list -> what the report left out of it
	// listed holds the names of the lists the report cut, to tell where.
	listed map[string][]string
	// newest is each host's newest URL check, as the report says.
	newest map[string]time.Time
}

// head checks the report's cloud and hosts and merges its hosts.
func (m *reportMerge) head(rep catalog.Report) error {
	if len(rep.Hosts) == 0 {
		return errors.New("report names no host")
	}
	if rep.Cloud != m.c.cloud {
		return fmt.Errorf("report is for cloud %s, judged for cloud %s; give --cloud %s, or take the reports of each cloud apart", rep.Cloud, m.c.cloud, rep.Cloud)
	}
	m.owner = m.c.reportHosts(rep)
	m.newest = map[string]time.Time{}
	for _, h := range rep.Hosts {
		if h.Newest3701 != nil {
			m.newest[h.Computer] = *h.Newest3701
		}
	}
	m.rests = map[string]catalog.Rest{"rejected": rep.RejectedMore, "deprecated": rep.DeprecatedMore, "review": rep.ReviewMore}
	m.c.b.ObserveHostsMore(rep.HostsMore)
	m.listed = map[string][]string{}
	return nil
}

// entry merges an entry of a region; the catalog's own rows are left to
// this run's catalog.
func (m *reportMerge) entry(region string, e catalog.Entry) error {
	if e.EvidenceCount == 0 {
		return nil
	}
	first := m.owner(e.Evidence, region)
	m.c.observe(first, &catalog.Observation{Sightings: []catalog.Sighting{{Host: e.Address, Status: e.Status, Count: e.EvidenceCount,
		First: at(e.FirstSeen), Last: at(e.LastSeen), Evidence: e.Evidence}}})
	m.stillChecked(e, first)
	return nil
}

// stillChecked spreads a deprecated entry over the hosts whose newest check
// still lists it (the first already has its sighting): each gets a
// sighting of no count, dated in its newest check (never after the
// entry's last sighting), so that it is judged as still checking the name
// again and a merge equals one scan.
func (m *reportMerge) stillChecked(e catalog.Entry, first string) {
	for _, computer := range e.CheckedBy {
		if computer == first {
			continue
		}
		last := m.newest[computer]
		if e.LastSeen != nil && (last.IsZero() || e.LastSeen.Before(last)) {
			last = *e.LastSeen
		}
		m.c.observe(computer, &catalog.Observation{Sightings: []catalog.Sighting{{Host: e.Address, Last: last}}})
	}
}

// excluded merges an item of a list, to be judged again.
func (m *reportMerge) excluded(list string, x catalog.Excluded) error {
	m.c.observe(m.owner(x.Evidence, ""), &catalog.Observation{Sightings: []catalog.Sighting{excludedSighting(x)}})
	if r := m.rests[list]; r.Names > 0 || r.Sightings > 0 {
		m.listed[list] = append(m.listed[list], x.Address)
	}
	return nil
}

// cuts says what the report left out of its lists: it stays in the list
// of the same name, counted, as its names are not known to judge again.
func (m *reportMerge) cuts() {
	for _, list := range []string{"rejected", "deprecated", "review"} {
		m.c.b.ObserveCut(list, m.listed[list], m.rests[list])
	}
}

// reportHosts merges the hosts of a report and returns who owns a name:
// the host whose evidence it carries, else the report's first host in its
// region, else the report's first host.
func (c *collector) reportHosts(rep catalog.Report) func(ev []discover.Evidence, region string) string {
	regionHost := map[string]string{}
	for _, h := range rep.Hosts {
		ob := &catalog.Observation{Events: h.Events, Newest: at(h.Newest3701), Health: h.Health, AgentChecks: h.AgentChecks,
			Unreachable: h.Unreachable, UnreachableCut: h.UnreachableMore > 0}
		c.events += h.Events
		if h.Region != catalog.UnknownRegion {
			ob.Region, ob.RegionBasis = h.Region, h.RegionBasis
		}
		c.observe(h.Computer, ob)
		if _, ok := regionHost[h.Region]; !ok {
			regionHost[h.Region] = h.Computer
		}
	}
	return func(ev []discover.Evidence, region string) string {
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
}

// excludedSighting turns an item a report kept out of its allowlists into
// a sighting to judge again. Only an invalid name, a forged channel and a
// cut event keep their rejection, with this avdurls's own reason text.
func excludedSighting(x catalog.Excluded) catalog.Sighting {
	s := catalog.Sighting{Host: x.Address, Status: x.Status, Count: x.EvidenceCount, Evidence: x.Evidence}
	for _, e := range x.Evidence {
		if s.First.IsZero() || e.Time.Before(s.First) {
			s.First = e.Time
		}
		if e.Time.After(s.Last) {
			s.Last = e.Time
		}
	}
	h, err := discover.Normalize(x.Address)
	if err != nil {
		s.Code, s.Reason = discover.CodeInvalidName, err.Error()
		return s
	}
	s.Host = h // the one canonical form, however the report wrote it
	switch x.Code {
	case discover.CodeForged:
		s.Code, s.Reason = x.Code, discover.ReasonForged
	case discover.CodeTooManyNames:
		s.Code, s.Reason = x.Code, "an earlier report found it in an event holding more host names than are read from one event"
	}
	return s
}

func at(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
