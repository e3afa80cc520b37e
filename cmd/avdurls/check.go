package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/internal/atomicfile"
	"github.com/avdurls/avdurls/reach"
	"github.com/avdurls/avdurls/render"
	"github.com/avdurls/avdurls/scan"
)

// exitCheckFailed is check's status when an entry it checked failed.
const exitCheckFailed = 5

const checkUsage = `Usage:
    avdurls check [options] REPORT.json...   the entries of reports
    avdurls check [options]                  on a session host (Windows): this
                                             host's live scan and the catalog
    avdurls check --catalog-only --region R  the catalog's exact rows alone

Tests whether this machine reaches every entry of an allowlist, stage by
stage, and names the stage that failed: dns (the name resolves), tcp (a
connection to the port opens, directly or through the proxy), tls (port 443:
a handshake with the name as SNI, the certificate chain verified and checked
for TLS inspection) and http (port 80: HEAD / answered; the metadata service:
GET with Metadata: true). 168.63.129.16 is checked by a TCP connection. UDP
rows, ranges and wildcards are listed as not checked, with the reason.

Only what the catalog allows is probed: names under its rows for the
report's cloud and scope, on those rows' ports and protocols, and its own
IP addresses (169.254.169.254, 168.63.129.16) on theirs; anything else a
report lists is not checked, with the reason. A name that resolves into a
special range (0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 168.63.129.16,
multicast, reserved) fails at dns and is not dialled; private answers
(Private Link) are recorded and checked.

Names on ports 443 and 80 go through a proxy (CONNECT for 443): --proxy;
else on Windows WinHTTP's (netsh winhttp show proxy), the one the agent
uses; else HTTPS_PROXY, HTTP_PROXY and NO_PROXY. The proxy resolves the
names, so there is no DNS stage. IP rules are never proxied. Proxies are
http://, https:// or socks5:// URLs; any other value, or one that does not
parse, is an error naming its setting. Credentials are never printed.

Options:
    -f, --format FORMAT        table (default), json, csv, markdown
    -o, --output FILE          write to FILE atomically instead of stdout
        --region NAME          only this region of the reports; the region of
                               --catalog-only and of the live scan
        --catalog-only         check the catalog's rows for --region alone
        --cloud CLOUD          public (default), usgov or china
        --scope SCOPE          sessionhost (default) or client
        --optional             with --catalog-only or live: the optional rows too
        --catalog FILE         use a catalog file of the same schema
        --catalog-version ID   use another catalog version
        --timeout DUR          bound of each stage of each entry (default 5s)
        --parallel N           entries checked at once (default 16)
        --dns-server ADDR:PORT ask this DNS server (e.g. the firewall's DNS
                               proxy) for every name, itself: not the hosts
                               file, no cache; its NXDOMAIN, SERVFAIL and
                               REFUSED are named
        --proxy URL            http://, https:// or socks5://[user:pass@]host:port
                               for names on 443 and 80 (percent-encode
                               # / ? @ : in user and password)
        --ca-file FILE         PEM certificates trusted besides the system roots
                               (repeatable); a chain through them that reaches
                               none of Microsoft's root CAs is still inspection
        --public-ca FILE       PEM certificates to count as Microsoft's public
                               root CAs too (repeatable), for a root Microsoft
                               adds before this avdurls knows it
        --imds-endpoint URL    live: the metadata service to ask for the region
    -q, --quiet                no progress bar

Exit status: 0 every checked entry passed, 1 error, 2 bad command line
(or a proxy setting that cannot be used), 5 some entry failed.
`

// checkOptions are the parsed check flags.
type checkOptions struct {
	format, output        string
	region, cloud, scope  string
	catalogOnly, optional bool
	catalogFile, catVer   string
	timeout               time.Duration
	parallel              int
	dnsServer, proxy      string
	caFiles, publicCAs    []string
	imds                  string
	quiet, regionGiven    bool
	reports               []string
}

// cmdCheck runs 'avdurls check'.
func (e *env) cmdCheck(args []string) (int, error) {
	stdout := e.stdout
	o, err := parseCheck(args, stdout)
	if err != nil {
		return exitUsage, err
	}
	c, proxy, err := o.checker()
	if err != nil {
		return exitUsage, err
	}
	// The catalog that judges what may be probed, as scan's would.
	if c.Catalog, err = catalog.LoadVersion(o.catalogFile, o.catVer); err != nil {
		return exitError, err
	}
	if err := atomicfile.Check(o.output, o.reports); err != nil {
		return exitError, err
	}
	targets, err := e.checkTargets(o)
	if err != nil {
		return exitError, err
	}
	if len(targets) == 0 {
		return exitError, fmt.Errorf("no entries to check")
	}
	if proxy != nil {
		e.infof("proxy: %s", proxy)
	}
	start := time.Now()
	bar := newCheckProgress(e.stderr, o.quiet)
	res := c.Run(context.Background(), targets, bar.add)
	bar.finish()
	sum := reach.Summarize(res, time.Since(start))
	if proxy != nil {
		sum.Proxy = proxy.String()
	}
	if err := atomicfile.Write(o.output, stdout, func(w io.Writer) error { return render.WriteDoc(w, o.format, render.CheckDoc(res, sum)) }); err != nil {
		return exitError, err
	}
	e.infof("%s", sum)
	if sum.Failed > 0 {
		return exitCheckFailed, nil
	}
	return exitOK, nil
}

// parseCheck parses and validates the flags of check.
func parseCheck(args []string, stdout io.Writer) (checkOptions, error) {
	fs := newFlags("check")
	o := checkOptions{}
	format := newChoice("table", render.DocFormats...)
	cloud := newChoice(string(catalog.CloudPublic), cloudNames()...)
	scope := newChoice(string(catalog.ScopeSessionHost), scopeNames()...)
	fs.VarP(format, "format", "f", "")
	fs.StringVarP(&o.output, "output", "o", "", "")
	fs.StringVar(&o.region, "region", "", "")
	fs.BoolVar(&o.catalogOnly, "catalog-only", false, "")
	fs.Var(cloud, "cloud", "")
	fs.Var(scope, "scope", "")
	fs.BoolVar(&o.optional, "optional", false, "")
	fs.StringVar(&o.catalogFile, "catalog", "", "")
	fs.StringVar(&o.catVer, "catalog-version", "", "")
	fs.DurationVar(&o.timeout, "timeout", reach.DefaultTimeout, "")
	fs.IntVar(&o.parallel, "parallel", reach.DefaultParallel, "")
	fs.StringVar(&o.dnsServer, "dns-server", "", "")
	fs.StringVar(&o.proxy, "proxy", "", "")
	fs.StringArrayVar(&o.caFiles, "ca-file", nil, "")
	fs.StringArrayVar(&o.publicCAs, "public-ca", nil, "")
	fs.StringVar(&o.imds, "imds-endpoint", scan.IMDSEndpoint, "")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "")
	if err := parseFlags(fs, args, checkUsage, stdout); err != nil {
		return o, err
	}
	o.format, o.cloud, o.scope, o.reports = format.value, cloud.value, scope.value, fs.Args()
	o.regionGiven = fs.Changed("region")
	return o, o.validate()
}

// validate checks the flags against each other.
func (o checkOptions) validate() error {
	switch {
	case o.timeout <= 0:
		return usagef("--timeout must be more than 0")
	case o.parallel < 1 || o.parallel > 1024:
		return usagef("--parallel must be 1 to 1024")
	case o.catalogOnly && len(o.reports) > 0:
		return usagef("--catalog-only checks the catalog's rows: give no reports with it")
	case o.catalogOnly && !o.regionGiven:
		return usagef("--catalog-only needs --region")
	case !o.catalogOnly && len(o.reports) == 0 && runtime.GOOS != "windows":
		return usagef("check needs JSON reports of 'avdurls scan -f json', or --catalog-only --region R (with neither, it scans this Windows session host)")
	}
	if o.regionGiven {
		if err := catalog.CheckRegion(catalog.Cloud(o.cloud), o.region); err != nil {
			return usagef("--region: %v", err)
		}
	}
	return nil
}

// checkTargets lists the entries to check: of the reports, of the
// catalog, or of this host's live scan.
func (e *env) checkTargets(o checkOptions) ([]reach.Target, error) {
	if len(o.reports) == 0 {
		rep, err := e.checkReport(o)
		if err != nil {
			return nil, err
		}
		return reach.Targets(rep, "")
	}
	reps := make([]catalog.Report, 0, len(o.reports))
	for _, path := range o.reports {
		rep, err := scan.ReadReport(path, 0)
		if err != nil {
			return nil, withHint(err)
		}
		reps = append(reps, rep)
	}
	return reach.ReportsTargets(reps, o.region)
}

// checkReport is the allowlist to check without reports: the catalog's
// rows for --region, or this Windows host's live scan merged with them.
func (e *env) checkReport(o checkOptions) (catalog.Report, error) {
	ver, err := e.loadCatalog(o.catalogFile, o.catVer)
	if err != nil {
		return catalog.Report{}, err
	}
	bo := catalog.BuildOptions{Cloud: catalog.Cloud(o.cloud), Scope: catalog.Scope(o.scope), Optional: o.optional, Region: o.region}
	if o.catalogOnly {
		return ver.Build(map[string]*catalog.Observation{}, bo), nil
	}
	so := scan.Options{Catalog: ver, Build: bo, Notify: e.notify(true),
		Events: evtx.Options{Providers: []string{"WVD-Agent"}, EventIDs: discover.EventIDs(discover.RoleURLs), MaxEvents: 1_000_000}}
	rep, _, err := scan.Run(context.Background(), so, scan.Live(scan.LiveOptions{IMDS: o.imds}))
	return rep, err
}
