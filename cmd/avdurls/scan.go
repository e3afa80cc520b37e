package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
)

const scanUsage = `Usage:
    avdurls scan [options] PATH...
    avdurls scan --live [options]        on a session host (Windows)
    avdurls scan --workspace ID [options] from a Log Analytics workspace

Reads every .evtx file named, and every .evtx file below each folder named,
keeps the WVD-Agent events 3701 (reachable) and 3702 (not reachable), takes
the host names out of them, checks each against Microsoft's catalog, and
prints one allowlist per Azure region. Names that match no catalog row are
reported as rejected and never allowlisted. Inputs are recognised by
content: .evtx files, rendered event XML (wevtutil qe /f:xml, Get-WinEvent
ToXml()), WVDAgentUrlTool.exe output, earlier JSON reports, which merge, and
results of the README's workspace query exported as JSON (az monitor
log-analytics query -o json) or CSV (the portal's export).

--live (the default on Windows when no PATH is given) reads this host's
Application log through the Windows Event Log API, the agent's health report
from the registry, and the VM's region from the Azure Instance Metadata
Service when no --region is given.

Options:
    -f, --format FORMAT        table (default), csv, json, text, markdown, edl,
                               squid, fortigate, azfw-arm, bicep, terraform, az-cli
    -o, --output FILE          write to FILE atomically instead of stdout
        --output-dir DIR       write one file per region, DIR/REGION.EXT
        --source CIDR          firewall rules' source addresses (repeatable;
                               default *), for azfw-arm, bicep, terraform, az-cli
        --priority N           priority of the first rule collection group (default 1000)
        --name-prefix NAME     prefix of rule and object names (default avd)
        --no-tag-rules         Azure Firewall formats: leave out the rules that
                               cover unresolved wildcard rows by service tag and
                               FQDN tag (the file then says what it lacks)
        --region NAME          the Azure region of every host
        --region-map FILE      each host's region: CSV with header computer,region
                               (or name,location; separated by , ; or tab; UTF-8
                               or UTF-16), or az vm list -o json, or
                               az vm list --query "[].[name,location]" -o tsv
        --cloud CLOUD          public (default), usgov or china
        --scope SCOPE          sessionhost (default), or client: judge against
                               the end-user device list (see also
                               'avdurls catalog --scope client -f FORMAT')
        --optional             add the catalog's optional rows, and admit names
                               under them
        --allow-registrable    admit names under wildcards whose first label
                               any Azure customer can register (storage
                               accounts, Event Hubs); they go to review otherwise
        --max-entries N        discovered entries per region (default 10000)
        --max-names N          host names read from one event (default 1000)
        --max-report-size MIB  size of one JSON report read (default 64)
        --include-deprecated   allow deprecated hosts seen in events
        --trust-suffix SUFFIX  also trust names under SUFFIX (repeatable)
        --catalog FILE         use a catalog file of the same schema
        --catalog-version ID   use another catalog version (see 'avdurls catalog --versions')
        --event-id IDS         event IDs to read (default 3701,3702)
        --provider NAME        event provider (default WVD-Agent)
        --no-prefilter         parse every record (slower; for comparison)
        --file-timeout DUR     give up on a file after DUR (default 10m)
        --max-events N         give up on a file after N matching events
                               (default 1000000; bounds memory on forged floods);
                               live: read at most the N newest
        --live                 read this Windows host's event log instead of files
        --since DURATION       only events of the last DURATION (e.g. 72h, 7d),
                               from .evtx files, event XML and --live; reports
                               and URL-tool output are taken whole; workspace:
                               the period to read (default 7d)
        --workspace ID         read the agent's events from the Event table of
                               this Log Analytics workspace (Workspace ID);
                               credentials of DefaultAzureCredential (az login,
                               managed or workload identity, environment),
                               role Log Analytics Reader; see README, Fleets
        --imds-endpoint URL    live: the metadata service to ask for the region
    -q, --quiet                no warnings about damaged chunks, only the summary

Region of each host: --region, else --region-map, else inferred from a
<region>-shared.prod.warm.ingest.monitor.core.windows.net host in its own
events, else "unknown". The JSON output says which basis was used.

Exit status: 0 ok, 1 error, 2 bad command line, 3 output written but some
input was damaged or unreadable.
`

// scanOptions are the parsed scan flags.
type scanOptions struct {
	format, output      string
	region, regionMap   string
	cloud               string
	optional, inclDepr  bool
	registrable         bool
	maxEntries          int
	trust               []string
	catalogFile, catVer string
	ids                 idList
	provider            string
	quiet, noPrefilter  bool
	fileTimeout         time.Duration
	maxEvents           int
	maxNames            int
	maxReportMiB        int64
	outputDir           string
	fw                  fwOptions
	live                bool
	since               time.Duration
	imds                string
	workspace           string
}

func cmdScan(args []string, stdout io.Writer) (int, error) {
	fs := newFlags("scan")
	o := scanOptions{ids: idList{ids: discover.EventIDs(discover.RoleURLs)}}
	format := newChoice("table", formatNames()...)
	cloud := cloudChoice()
	scope := scopeChoice()
	fs.VarP(format, "format", "f", "")
	fs.StringVarP(&o.output, "output", "o", "", "")
	fs.StringVar(&o.outputDir, "output-dir", "", "")
	fs.StringArrayVar(&o.fw.sources, "source", nil, "")
	fs.IntVar(&o.fw.priority, "priority", 1000, "")
	fs.StringVar(&o.fw.namePrefix, "name-prefix", "avd", "")
	fs.BoolVar(&o.fw.noTagRules, "no-tag-rules", false, "")
	fs.StringVar(&o.region, "region", "", "")
	fs.StringVar(&o.regionMap, "region-map", "", "")
	fs.Var(cloud, "cloud", "")
	fs.Var(scope, "scope", "")
	fs.BoolVar(&o.optional, "optional", false, "")
	fs.BoolVar(&o.inclDepr, "include-deprecated", false, "")
	fs.BoolVar(&o.registrable, "allow-registrable", false, "")
	fs.IntVar(&o.maxEntries, "max-entries", catalog.DefaultMaxEntries, "")
	fs.StringArrayVar(&o.trust, "trust-suffix", nil, "")
	fs.StringVar(&o.catalogFile, "catalog", "", "")
	fs.StringVar(&o.catVer, "catalog-version", "", "")
	fs.Var(&o.ids, "event-id", "")
	fs.StringVar(&o.provider, "provider", "WVD-Agent", "")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "")
	fs.BoolVar(&o.noPrefilter, "no-prefilter", false, "")
	fs.DurationVar(&o.fileTimeout, "file-timeout", 10*time.Minute, "")
	fs.IntVar(&o.maxEvents, "max-events", 1_000_000, "")
	fs.IntVar(&o.maxNames, "max-names", discover.DefaultMaxNamesPerEvent, "")
	fs.Int64Var(&o.maxReportMiB, "max-report-size", defaultMaxReportBytes>>20, "")
	fs.BoolVar(&o.live, "live", false, "")
	fs.Var(sinceFlag{&o.since}, "since", "")
	fs.StringVar(&o.workspace, "workspace", "", "")
	fs.StringVar(&o.imds, "imds-endpoint", imdsEndpoint, "")
	if err := parseFlags(fs, args, scanUsage, stdout); err != nil {
		return exitUsage, err
	}
	o.format, o.cloud = format.value, cloud.value
	if err := o.checkWorkspace(fs.NArg(), o.live); err != nil {
		return exitUsage, err
	}
	if fs.NArg() == 0 && runtime.GOOS == "windows" && o.workspace == "" {
		o.live = true
	}
	if o.live && fs.NArg() > 0 {
		return exitUsage, usagef("--live reads this host's event log: give no paths with it")
	}
	if !o.live && fs.NArg() == 0 && o.workspace == "" {
		return exitUsage, usagef("scan needs at least one .evtx file or folder (or --live on a Windows session host)")
	}
	if o.since < 0 {
		return exitUsage, usagef("--since must not be negative")
	}
	if o.output != "" && o.outputDir != "" {
		return exitUsage, usagef("-o and --output-dir conflict: give one")
	}
	if err := o.fw.check(); err != nil {
		return exitUsage, err
	}
	if o.fileTimeout < 0 || o.maxEvents < 0 {
		return exitUsage, usagef("--file-timeout and --max-events must not be negative (0 means no limit)")
	}
	if o.maxEntries < 1 || o.maxNames < 1 || o.maxReportMiB < 1 {
		return exitUsage, usagef("--max-entries, --max-names and --max-report-size must be at least 1")
	}
	if o.region != "" && o.regionMap != "" {
		return exitUsage, usagef("--region and --region-map conflict: give one")
	}
	if fs.Changed("region") {
		if err := catalog.CheckRegion(catalog.Cloud(o.cloud), o.region); err != nil {
			return exitUsage, usagef("--region: %v", err)
		}
	}
	bo := catalog.BuildOptions{Cloud: catalog.Cloud(o.cloud), Scope: catalog.Scope(scope.value),
		Optional: o.optional, IncludeDeprecated: o.inclDepr, Region: o.region,
		AllowRegistrable: o.registrable, MaxEntries: o.maxEntries}
	var err error
	if bo.TrustSuffixes, err = trustSuffixes(o.trust); err != nil {
		return exitUsage, err
	}
	ver, err := loadCatalogVersion(o.catalogFile, o.catVer)
	if err != nil {
		return exitError, err
	}
	var rmap *regionMap
	if o.regionMap != "" {
		if rmap, err = readRegionMap(o.regionMap, bo.Cloud); err != nil {
			return exitUsage, usageError{err.Error()}
		}
		bo.RegionMap = rmap.regions
	}
	if o.live {
		return scanLive(o, bo, ver, stdout)
	}
	if o.workspace != "" {
		return scanWorkspace(o, bo, ver, stdout)
	}
	ins, skipped, err := expandWithExports(fs.Args())
	if err != nil {
		return exitError, err
	}
	files := pathsOf(ins, "evtx")
	if err := checkOutput(o.output, allPaths(ins)); err != nil {
		return exitError, err
	}
	if err := checkOutputDir(o.outputDir); err != nil {
		return exitError, err
	}

	c := o.collector()
	filter := evtx.Filter{Providers: []string{o.provider}, EventIDs: withHealth(o.ids.ids), NoPrefilter: o.noPrefilter}
	// URL events give names; the agent's health events are kept apart.
	since := newSinceFilter(o.since, time.Now())
	take := func(ev evtx.Event) {
		if !since.keep(ev) {
			return
		}
		if slices.Contains(o.ids.ids, ev.EventID) {
			c.event(ev)
		} else {
			c.health(ev)
		}
	}
	var inputs []catalog.InputFile
	partial := false
	bar := newProgress(files, o.quiet)
	readable := 0
	nwarn := map[string]int{}
	err = evtx.ReadFiles(files, filter, evtx.ReadOptions{FileTimeout: o.fileTimeout, MaxEvents: o.maxEvents}, evtx.Handlers{
		Event: func(ev evtx.Event) error {
			take(ev)
			return nil
		},
		Warning: func(w evtx.Warning) {
			nwarn[w.File]++
			if !o.quiet && nwarn[w.File] <= 10 {
				warnf("%s", w)
			}
		},
		File: func(r evtx.FileResult) {
			st := r.Stats
			in := catalog.InputFile{File: r.Path, Records: st.Records, Matched: st.Matched, Damaged: st.DamagedChunks}
			if r.Err == nil || errors.Is(r.Err, evtx.ErrBudget) {
				readable++ // in full or in part
			}
			if r.Err != nil {
				partial = true
				in.Error = r.Err.Error()
				msg := r.Err.Error()
				switch {
				case errors.Is(r.Err, evtx.ErrEmpty):
					msg += "; export the log again (wevtutil epl Application host.evtx); file skipped"
				case errors.Is(r.Err, evtx.ErrNotEVTX):
					msg += "; export the log as .evtx (wevtutil epl Application host.evtx); file skipped"
				case errors.Is(r.Err, os.ErrPermission):
					msg += "; run as a user who may read it, or copy it first; file skipped"
				case errors.Is(r.Err, evtx.ErrBudget):
				default:
					msg += "; file skipped"
				}
				errorf("%s", msg)
			}
			if n := nwarn[r.Path]; n > 10 && !o.quiet {
				warnf("%s: %d more warnings not shown", r.Path, n-10)
			}
			if st.DamagedChunks > 0 || st.Truncated {
				partial = true // records may be missing
			}
			inputs = append(inputs, in)
		},
		Progress: bar.add,
	})
	bar.finish()
	if err != nil {
		return exitError, err
	}
	// The other inputs are small: read them one after another.
	for _, in := range ins {
		var err error
		n, cut := 0, false
		switch in.kind {
		case "xml":
			xo := evtx.XMLOptions{Filter: filter, MaxEvents: o.maxEvents, Timeout: o.fileTimeout,
				Warn: func(w evtx.Warning) { warnf("%s", w) }}
			n, cut, err = readXML(in.path, xo, take)
		case "urltool":
			err, n = c.readURLTool(in.path), 1
		case "report", "report-end": // readReport says what is left of a cut one
			err = c.report(in.path)
		case "empty":
			err = fmt.Errorf("%s: empty file (0 bytes)", in.path)
		case "azjson", "azcsv":
			var bad int
			n, bad, err = c.readExport(in.path, in.kind, o)
			partial = partial || bad > 0
		default:
			continue
		}
		rec := catalog.InputFile{File: discover.CleanText(in.path, discover.MaxPath), Matched: n}
		partial = partial || cut
		switch {
		case err != nil && cut: // a budget: what was read stands
			readable++
			rec.Error = err.Error()
			errorf("%v", err)
		case err != nil:
			partial = true
			rec.Error = err.Error()
			errorf("%v; file skipped", err)
		default:
			readable++
		}
		inputs = append(inputs, rec)
	}
	if since.dropped > 0 {
		infof("%s older than --since %s (before %s) skipped", plural(since.dropped, "event"), o.since, since.cutoff.UTC().Format(time.RFC3339))
	}
	if skipped > 0 {
		infof("skipped %d files in the folders given that are not event logs, event XML, URL-tool output or reports", skipped)
	}

	if readable == 0 {
		return exitError, fmt.Errorf("none of the %d input files could be read", len(ins))
	}
	if c.events == 0 {
		warnf("no %s events with IDs %s in %d files; the allowlist holds catalog rows only and every wildcard stays unresolved", o.provider, o.ids.String(), len(ins))
	}
	slices.SortFunc(inputs, func(a, b catalog.InputFile) int { return strings.Compare(a.File, b.File) })
	rep := ver.Build(c.obs, bo)
	rep.Inputs = inputs
	if err := writeReport(o, rep, stdout); err != nil {
		return exitError, err
	}
	summary(rep, len(ins), c.events)
	if rmap != nil {
		rmap.warnUnmatched(rep.Hosts)
	}
	if cl, n := ver.CloudHint(rep); n > 0 {
		warnf("%d of the rejected names are %s cloud names of the catalog: did you mean --cloud %s?", n, cl, cl)
	}
	if !o.quiet {
		healthSummary(rep)
	}
	if partial {
		return exitPartial, nil
	}
	return exitOK, nil
}

// sinceFilter keeps the events of the last --since duration and counts
// the others.
type sinceFilter struct {
	cutoff  time.Time // zero: keep every event
	dropped int
}

// newSinceFilter returns a filter for events after now-d; d 0 keeps all.
func newSinceFilter(d time.Duration, now time.Time) *sinceFilter {
	f := &sinceFilter{}
	if d > 0 {
		f.cutoff = now.Add(-d)
	}
	return f
}

// keep tells whether an event is recent enough, counting those that are
// not.
func (f *sinceFilter) keep(ev evtx.Event) bool {
	if f.cutoff.IsZero() || !ev.Time.Before(f.cutoff) {
		return true
	}
	f.dropped++
	return false
}

// collector returns a collector with the scan's cloud and bounds.
func (o scanOptions) collector() *collector {
	c := newCollector(catalog.Cloud(o.cloud))
	c.maxNames, c.maxReport = o.maxNames, o.maxReportMiB<<20
	return c
}

// summary prints one line about the run on stderr.
func summary(rep catalog.Report, files, events int) {
	entries, unresolved := 0, 0
	for _, r := range rep.Regions {
		entries += len(r.Entries) + len(r.IPRules)
		unresolved += len(r.Unresolved)
		for _, w := range r.Warnings {
			if strings.HasPrefix(w, "host ") {
				warnf("region %s: %s", r.Region, w)
			}
		}
	}
	infof("%s, %s, %s, %s: %s, %s unresolved, %d rejected, %d to review, %d deprecated",
		plural(files, "file"), plural(events, "event"), plural(len(rep.Hosts), "host"), plural(len(rep.Regions), "region"),
		plural(entries, "entry"), plural(unresolved, "wildcard"), len(rep.Rejected), len(rep.Review), len(rep.Deprecated))
}

// plural writes a count and a noun, in the plural unless the count is 1.
func plural(n int, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case strings.HasSuffix(noun, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func loadCatalogVersion(file, id string) (*catalog.Version, error) {
	c := catalog.Default()
	if file != "" {
		var err error
		if c, err = catalog.LoadFile(file); err != nil {
			return nil, err
		}
	}
	if id != "" {
		return c.Version(id)
	}
	if v := c.Newest(); v != nil {
		return v, nil
	}
	return nil, fmt.Errorf("catalog %s has no version of primary confidence; pick one with --catalog-version", file)
}

// trustSuffixes checks and normalises --trust-suffix values.
func trustSuffixes(in []string) ([]string, error) {
	var out []string
	for _, s := range in {
		n, err := discover.Normalize(s)
		if err != nil || strings.Count(n, ".") < 1 {
			return nil, usagef("--trust-suffix %q is not a domain of at least two labels", discover.CleanText(s, 80))
		}
		out = append(out, n)
	}
	return out, nil
}

// check validates the firewall-rule flags.
func (fo fwOptions) check() error {
	if fo.priority < 100 || fo.priority > 64000 {
		return usagef("--priority %d: give 100 to 64000 (Azure allows up to 65000; the rest is room for the collections and further regions)", fo.priority)
	}
	if err := validName(fo.namePrefix); err != nil {
		return usageError{err.Error()}
	}
	for _, src := range fo.sources {
		if !validSource(src) {
			return usagef("--source %q is not an IP address, a CIDR range or *", discover.CleanText(src, 80))
		}
	}
	return nil
}

// validSource accepts a firewall rule source: an IP address, a CIDR range
// or *.
func validSource(s string) bool {
	if s == "*" {
		return true
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}
