package main

import (
	"fmt"
	"io"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/internal/atomicfile"
	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/render"
	"github.com/avdurls/avdurls/scan"
)

// exitChanged is diff's status when there is something to add or remove.
const exitChanged = 4

const diffUsage = `Usage:
    avdurls diff [options] OLD.json NEW.json

Compares two JSON reports of 'avdurls scan --format json' and prints, per
region, the entries to add (with their evidence) and to remove: the body of
the next firewall change request.

Neither report is trusted: each is checked field by field, and its
allowlists are built again from its evidence, as scan would, against the
primary catalog version it names (or --catalog, --catalog-version) with
diff's own cloud, scope and trust options: nothing a report says (its
optional, scope or trust suffixes, a secondary catalog) widens what is
allowed. An entry a report lists that this does not allow is listed as
refused, with the reason, and never proposed.

Options:
    -f, --format FORMAT        table (default), markdown, csv or json
    -o, --output FILE          write to FILE atomically instead of stdout
        --catalog FILE         judge with a catalog file of the same schema
        --catalog-version ID   judge with this catalog version
        --cloud CLOUD          public (default), usgov or china
        --scope SCOPE          sessionhost (default) or client
        --optional             admit names under the catalog's optional rows
        --trust-suffix SUFFIX  also trust names under SUFFIX (repeatable)
        --include-deprecated   allow deprecated hosts seen in events
        --allow-registrable    admit names under customer-registrable wildcards
        --max-report-size MIB  size of one report read (default 64)
        --strict               make the warnings below an error: exit 1,
                               nothing written

Warnings, in the output (JSON warnings[]) and on stderr: hosts or regions
in only one of the reports (a region only OLD has would have its whole
allowlist removed: did NEW lose hosts' reports?), and reports of another
catalog version, cloud or scope, and reports made with options diff was
not given (scope, --optional, --trust-suffix).

Exit status: 0 nothing changed, 4 entries to add or remove, 1 error (with
--strict, also a warning), 2 bad command line.
`

func (e *env) cmdDiff(args []string) (int, error) {
	stdout := e.stdout
	fs := newFlags("diff")
	format := newChoice("table", render.DocFormats...)
	fs.VarP(format, "format", "f", "")
	output := fs.StringP("output", "o", "", "")
	var jo scan.JudgeOptions
	catFile := fs.String("catalog", "", "")
	catVer := fs.String("catalog-version", "", "")
	fs.StringArrayVar(&jo.TrustSuffixes, "trust-suffix", nil, "")
	fs.BoolVar(&jo.IncludeDeprecated, "include-deprecated", false, "")
	fs.BoolVar(&jo.AllowRegistrable, "allow-registrable", false, "")
	cloud, scope := cloudChoice(), scopeChoice()
	fs.Var(cloud, "cloud", "")
	fs.Var(scope, "scope", "")
	fs.BoolVar(&jo.Optional, "optional", false, "")
	maxReport := fs.Int64("max-report-size", scan.DefaultMaxReportBytes>>20, "")
	strict := fs.Bool("strict", false, "")
	if err := parseFlags(fs, args, diffUsage, stdout); err != nil {
		return exitUsage, err
	}
	jo.Cloud, jo.Scope = catalog.Cloud(cloud.value), catalog.Scope(scope.value)
	var err error
	if jo.TrustSuffixes, err = trustSuffixes(jo.TrustSuffixes); err != nil {
		return exitUsage, err
	}
	if fs.NArg() != 2 {
		return exitUsage, usagef("diff needs two JSON reports, OLD and NEW")
	}
	if err := atomicfile.Check(*output, fs.Args()); err != nil {
		return exitError, err
	}
	if *catFile != "" || *catVer != "" {
		if jo.Catalog, err = e.loadCatalog(*catFile, *catVer); err != nil {
			return exitError, err
		}
	}
	d, err := scan.DiffReports(fs.Arg(0), fs.Arg(1), *maxReport<<20, jo)
	if err != nil {
		return exitError, withHint(err)
	}
	for _, r := range d.Refused {
		e.warnf("%s report, region %s: %s port %d refused: %s", r.Side, r.Region, r.Address, r.Port, r.Reason)
	}
	for _, w := range d.Warnings {
		e.warnf("%s", w)
	}
	if *strict && len(d.Warnings) > 0 {
		return exitError, fmt.Errorf("--strict: %s about what the two reports cover; nothing written", termtext.Plural(len(d.Warnings), "warning"))
	}
	if err := writeDiff(*output, format.value, d, stdout); err != nil {
		return exitError, err
	}
	if d.Changed {
		return exitChanged, nil
	}
	return exitOK, nil
}

// writeDiff writes a diff in a format to -o or stdout.
func writeDiff(output, format string, d catalog.ReportDiff, stdout io.Writer) error {
	return atomicfile.Write(output, stdout, func(w io.Writer) error { return render.WriteDoc(w, format, render.ReportDiffDoc(d)) })
}
