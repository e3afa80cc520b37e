package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/internal/atomicfile"
	"github.com/avdurls/avdurls/internal/memlimit"
	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/scan"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/render"
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
results of the README's workspace query, or the Event table's own rows,
exported as JSON (az monitor log-analytics query -o json) or CSV (the
portal's export).

--live (the default on Windows when no PATH is given) reads this host's
Application log through the Windows Event Log API, the agent's health report
from the registry, and the VM's region from the Azure Instance Metadata
Service when no --region is given.

Options:
    -f, --format FORMAT        {{formats}}
    -o, --output FILE          write to FILE atomically instead of stdout
        --output-dir DIR       write one file per region, DIR/REGION.EXT; files
                               there named like region files of this format
                               that the run did not write are listed
        --prune                remove those files (regular files only)
        --source CIDR          firewall rules' source addresses (repeatable),
                               for azfw-arm, bicep, terraform, az-cli; without
                               it each region's sources are a required input of
                               the output; --source any allows every source
        --no-wildcards         a strictly wildcard-free list: leave out the
                               wildcards Microsoft requires (service traffic)
                               and those no scan can name; the output says what
                               it leaves out
        --no-registrable-wildcards
                               leave out the required wildcards any Azure
                               customer can put a name under (client
                               *.servicebus.windows.net)
        --registrable-tag-rules
                               Azure Firewall formats: cover unresolved rows any
                               customer can register by their whole service tag
        --priority N           base priority of the rule collection groups
                               (default 1000): a region's group gets N + 10 x
                               its slot in avdurls's region index, the same
                               whatever other regions a run holds
        --name-prefix NAME     prefix of rule and object names (default avd)
        --no-tag-rules         Azure Firewall formats: leave out the rules that
                               cover unresolved wildcard rows by service tag and
                               FQDN tag (the file then says what it lacks)
        --region NAME          the Azure region of every host
        --region-map FILE      each host's region: CSV with header computer,region
                               (or name,location; separated by , ; or tab; UTF-8
                               or UTF-16), or az vm list -o json, or
                               az vm list --query "[].[name,location]" -o tsv
        --regions-from-azure   ask Azure Resource Graph where each host is: by the
                               resource IDs of workspace rows, and by computer
                               name (a VM's, scale set instance's or Arc
                               machine's osProfile.computerName); needs Reader
                               on their subscriptions and an identity as for
                               --workspace
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
        --max-listed N         names listed in each of the rejected, review and
                               deprecated lists (default 1000); the rest are
                               counted (rejectedMore, ... in JSON)
        --max-hosts N          computers one report holds (default 20000); the
                               events of those past it are counted and their
                               names rejected (a flood of forged computer names)
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
        --live                 read this Windows host's event log instead of
                               files
        --since DURATION       only events of the last DURATION (e.g. 72h, 7d),
                               from .evtx files, event XML and --live; reports
                               and URL-tool output are taken whole; workspace:
                               the period to read (default 7d)
        --workspace ID         read the agent's events from the Event table of
                               this Log Analytics workspace (Workspace ID);
                               credentials of DefaultAzureCredential (az login,
                               managed or workload identity, environment),
                               role Log Analytics Reader; see README, Fleets
        --query-timeout DUR    workspace: give up on a query that has not
                               answered after DUR, retries included (default
                               12m; each try: the service's 10m wait and 1m)
        --workspace-timeout DUR
                               workspace: give up on the whole scan after DUR
                               (default 2h)
        --imds-endpoint URL    live: the metadata service to ask for the region
    -q, --quiet                no warnings about damaged chunks, only the
                               summary

Region of each host: --region, else --region-map, else Azure Resource Graph
(--regions-from-azure), else inferred from a
<region>-shared.prod.warm.ingest.monitor.core.windows.net host in its own
events, else "unknown". The JSON output says which basis was used.

Exit status: 0 ok, 1 error, 2 bad command line, 3 output written but some
input was damaged or unreadable.
`

// scanOptions are the parsed scan flags.
type scanOptions struct {
	format, output      string
	region, regionMap   string
	cloud, scope        string
	optional, inclDepr  bool
	registrable         bool
	noWildcards         bool
	noRegWild           bool
	maxEntries          int
	maxListed           int
	maxHosts            int
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
	prune               bool
	fw                  render.Options
	live                bool
	since               time.Duration
	imds                string
	workspace           string
	fromAzure           bool          // --regions-from-azure
	queryTimeout        time.Duration // each workspace query
	wsTimeout           time.Duration // the whole workspace scan
	paths               []string
	regionGiven         bool // --region was on the command line
}

// cmdScan is the scan command: flags, then the scan library over one
// source (files, the live log, a workspace), then the report written and
// summarised.
func (e *env) cmdScan(args []string) (int, error) {
	o, err := parseScanFlags(args, e.stdout)
	if err != nil {
		return exitUsage, err
	}
	if memlimit.Set(scanMemoryLimit) {
		defer memlimit.Watch(scanMemoryLimit)()
	}
	if err := o.validate(); err != nil {
		return exitUsage, err
	}
	so, err := o.scanOptions(e)
	if err != nil {
		return exitUsage, err
	}
	if so.Catalog, err = e.loadCatalog(o.catalogFile, o.catVer); err != nil {
		return exitError, err
	}
	if gap := so.Catalog.Gap(so.Build.Cloud, so.Build.Scope); gap != "" {
		e.warnf("%s", gap)
	}
	src, err := e.scanSource(o)
	if err != nil {
		return exitError, err
	}
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if o.workspace != "" && o.wsTimeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, o.wsTimeout, fmt.Errorf("--workspace-timeout %s", o.wsTimeout))
	}
	defer cancel()
	rep, st, err := scan.Run(ctx, so, src)
	if err != nil {
		return exitError, e.explainScanError(err, o)
	}
	if err := e.writeReport(o, rep); err != nil {
		return exitError, err
	}
	e.epilogue(o, so, rep, st)
	if st.Partial {
		return exitPartial, nil
	}
	return exitOK, nil
}

// scanSource is the source of the options: the live log, a workspace or
// the files and folders given. Before any work it checks that the output
// can be written and is none of the inputs.
func (e *env) scanSource(o scanOptions) (scan.Source, error) {
	var inputs []string
	var src scan.Source
	switch {
	case o.live:
		src = scan.Live(scan.LiveOptions{IMDS: o.imds})
	case o.workspace != "":
		q, err := e.newQuerier(o.cloud, o.queryTimeout)
		if err != nil {
			return nil, e.explainWorkspaceError(err, o)
		}
		since := o.since
		if since == 0 {
			since = defaultWorkspaceSince
		}
		to := e.now().UTC().Truncate(time.Second)
		src = scan.Workspace(q, scan.WorkspaceOptions{ID: o.workspace, From: to.Add(-since), To: to, QueryTimeout: o.queryTimeout})
	default:
		ins, err := scan.Expand(o.paths)
		if err != nil {
			return nil, err
		}
		inputs, src = ins.Paths(), scan.Files(ins)
	}
	if err := atomicfile.Check(o.output, inputs); err != nil {
		return nil, err
	}
	return src, checkOutputDir(o.outputDir)
}

// scanOptions turns the flags into the scan library's options. Its errors
// are usage errors.
func (o scanOptions) scanOptions(e *env) (scan.Options, error) {
	so := scan.Options{MaxNames: o.maxNames, MaxReportBytes: o.maxReportMiB << 20, Notify: e.notify(o.quiet)}
	so.Build = catalog.BuildOptions{Cloud: catalog.Cloud(o.cloud), Scope: catalog.Scope(o.scope),
		Optional: o.optional, IncludeDeprecated: o.inclDepr, Region: o.region,
		AllowRegistrable: o.registrable, MaxEntries: o.maxEntries, MaxListed: o.maxListed, MaxHosts: o.maxHosts, NoWildcards: o.noWildcards, NoRegistrableWildcards: o.noRegWild}
	so.Events = evtx.Options{Providers: []string{o.provider}, EventIDs: o.ids.ids, NoPrefilter: o.noPrefilter,
		Timeout: o.fileTimeout, MaxEvents: o.maxEvents}
	if o.since > 0 && o.workspace == "" {
		so.Events.Since = e.now().Add(-o.since)
	}
	if !o.quiet && termtext.IsTerminal(e.stderr) {
		so.Progress = newProgress(e.stderr)
	}
	var err error
	if so.Build.TrustSuffixes, err = trustSuffixes(o.trust); err != nil {
		return so, err
	}
	if o.regionMap != "" {
		if so.RegionMap, err = scan.ReadRegionMap(o.regionMap, so.Build.Cloud); err != nil {
			return so, usageError{err.Error()}
		}
	}
	if o.fromAzure {
		if so.AzureRegions, err = e.newRegions(o.cloud); err != nil {
			return so, fmt.Errorf("--regions-from-azure: %v", err)
		}
	}
	return so, nil
}

// epilogue prints, after the report is written, the summary and what the
// user may want to act on: events older than --since, the region map's
// loose ends, the options that change how kept-out names are judged, a
// cloud hint and the hosts' health.
func (e *env) epilogue(o scanOptions, so scan.Options, rep catalog.Report, st scan.Stats) {
	if st.Old > 0 {
		e.infof("%s older than --since %s (before %s) skipped", termtext.Plural(st.Old, "event"), o.since, st.Since.UTC().Format(time.RFC3339))
	}
	e.summary(rep, st)
	for _, w := range st.RegionMap {
		e.warnf("%s", w)
	}
	e.printHints(rep)
	if cl, n := so.Catalog.CloudHint(rep); n > 0 {
		e.warnf("%d of the rejected names are %s cloud names of the catalog: did you mean --cloud %s?", n, cl, cl)
	}
	if !o.quiet {
		for _, line := range scan.HealthLines(rep) {
			e.infof("%s", line)
		}
	}
}

// parseScanFlags parses the scan command line.
func parseScanFlags(args []string, stdout io.Writer) (scanOptions, error) {
	fs := newFlags("scan")
	o := scanOptions{ids: idList{ids: discover.EventIDs(discover.RoleURLs)}}
	format, cloud, scope := newChoice("table", formatNames()...), cloudChoice(), scopeChoice()
	fs.VarP(format, "format", "f", "")
	fs.StringVarP(&o.output, "output", "o", "", "")
	fs.StringVar(&o.outputDir, "output-dir", "", "")
	fs.BoolVar(&o.prune, "prune", false, "")
	fs.StringArrayVar(&o.fw.Sources, "source", nil, "")
	fs.IntVar(&o.fw.Priority, "priority", 1000, "")
	fs.StringVar(&o.fw.NamePrefix, "name-prefix", "avd", "")
	fs.BoolVar(&o.fw.NoTagRules, "no-tag-rules", false, "")
	fs.BoolVar(&o.fw.RegistrableTagRules, "registrable-tag-rules", false, "")
	fs.BoolVar(&o.noWildcards, "no-wildcards", false, "")
	fs.BoolVar(&o.noRegWild, "no-registrable-wildcards", false, "")
	fs.StringVar(&o.region, "region", "", "")
	fs.StringVar(&o.regionMap, "region-map", "", "")
	fs.Var(cloud, "cloud", "")
	fs.Var(scope, "scope", "")
	fs.BoolVar(&o.optional, "optional", false, "")
	fs.BoolVar(&o.inclDepr, "include-deprecated", false, "")
	fs.BoolVar(&o.registrable, "allow-registrable", false, "")
	fs.IntVar(&o.maxEntries, "max-entries", catalog.DefaultMaxEntries, "")
	fs.IntVar(&o.maxListed, "max-listed", catalog.DefaultMaxListed, "")
	fs.IntVar(&o.maxHosts, "max-hosts", catalog.DefaultMaxHosts, "")
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
	fs.Int64Var(&o.maxReportMiB, "max-report-size", scan.DefaultMaxReportBytes>>20, "")
	fs.BoolVar(&o.live, "live", false, "")
	fs.Var(sinceFlag{&o.since}, "since", "")
	fs.StringVar(&o.workspace, "workspace", "", "")
	fs.DurationVar(&o.queryTimeout, "query-timeout", 12*time.Minute, "")
	fs.BoolVar(&o.fromAzure, "regions-from-azure", false, "")
	fs.DurationVar(&o.wsTimeout, "workspace-timeout", 2*time.Hour, "")
	fs.StringVar(&o.imds, "imds-endpoint", scan.IMDSEndpoint, "")
	if err := parseFlags(fs, args, scanUsage, stdout); err != nil {
		return o, err
	}
	o.format, o.cloud, o.scope = format.value, cloud.value, scope.value
	o.paths, o.regionGiven = fs.Args(), fs.Changed("region")
	return o, nil
}

// validate checks the options against each other, in one place; every
// error is a usage error (exit status 2).
func (o *scanOptions) validate() error {
	if err := o.checkWorkspace(len(o.paths), o.live); err != nil {
		return err
	}
	if len(o.paths) == 0 && runtime.GOOS == "windows" && o.workspace == "" {
		o.live = true
	}
	checks := []struct {
		bad bool
		msg string
	}{
		{o.live && len(o.paths) > 0, "--live reads this host's event log: give no paths with it"},
		{!o.live && len(o.paths) == 0 && o.workspace == "", "scan needs at least one .evtx file or folder (or --live on a Windows session host)"},
		{o.since < 0, "--since must not be negative"},
		{o.output != "" && o.outputDir != "", "-o and --output-dir conflict: give one"},
		{o.prune && o.outputDir == "", "--prune needs --output-dir"},
		{o.fileTimeout < 0 || o.maxEvents < 0, "--file-timeout and --max-events must not be negative (0 means no limit)"},
		{o.queryTimeout < 0 || o.wsTimeout < 0, "--query-timeout and --workspace-timeout must not be negative (0 means no limit)"},
		{o.maxEntries < 1 || o.maxListed < 1 || o.maxHosts < 1 || o.maxNames < 1 || o.maxReportMiB < 1, "--max-entries, --max-listed, --max-hosts, --max-names and --max-report-size must be at least 1"},
		{o.region != "" && o.regionMap != "", "--region and --region-map conflict: give one"},
	}
	for _, c := range checks {
		if c.bad {
			return usagef("%s", c.msg)
		}
	}
	if err := checkFirewall(o.fw); err != nil {
		return err
	}
	if o.regionGiven {
		if err := catalog.CheckRegion(catalog.Cloud(o.cloud), o.region); err != nil {
			return usagef("--region: %v", err)
		}
	}
	return nil
}

// summary prints one line about the run on stderr.
func (e *env) summary(rep catalog.Report, st scan.Stats) {
	for _, r := range rep.Regions {
		for _, w := range r.Warnings {
			if strings.HasPrefix(w, "host ") {
				e.warnf("region %s: %s", r.Region, w)
			}
		}
	}
	t := rep.Totals()
	e.infof("%s, %s, %s, %s: %s (%d deprecated but still checked), %s, %s unresolved, %s rejected, %s to review, %s deprecated to remove",
		termtext.Plural(st.Inputs, "file"), termtext.Plural(st.Events, "event"), termtext.Plural(len(rep.Hosts), "host"), termtext.Plural(len(rep.Regions), "region"),
		termtext.Plural(t.Entries, "entry"), t.Deprecated, termtext.Plural(t.Wildcards, "wildcard"), termtext.Plural(t.Unresolved, "wildcard row"),
		listCount(rep.Rejected, rep.RejectedMore), listCount(rep.Review, rep.ReviewMore), listCount(rep.Deprecated, rep.DeprecatedMore))
	if m := rep.HostsMore; m.Names > 0 || m.Sightings > 0 {
		about := ""
		if m.Estimated {
			about = "about "
		}
		e.warnf("%s%s past --max-hosts %d (%s): counted, not listed, and every name they gave rejected; a flood of computer names, or raise --max-hosts for a larger fleet",
			about, termtext.Plural(m.Names, "computer"), len(rep.Hosts), termtext.Plural(m.Sightings, "event"))
	}
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

// checkFirewall validates the firewall-rule flags: a bad value is a
// usage error.
func checkFirewall(fo render.Options) error {
	if err := fo.Check(); err != nil {
		return usagef("--%v", err)
	}
	return nil
}

// formatNames are the --format values, in the order the formats are
// listed.
func formatNames() []string {
	var n []string
	for _, f := range render.Formats() {
		n = append(n, f.Name)
	}
	return n
}
