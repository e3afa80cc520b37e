package main

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/internal/atomicfile"
	"github.com/avdurls/avdurls/internal/termtext"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/render"
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
catalog version it names (or --catalog) with diff's own trust options. An
entry a report lists that this does not allow is listed as refused, with
the reason, and never proposed.

Options:
    -f, --format FORMAT        table (default), markdown, csv or json
    -o, --output FILE          write to FILE atomically instead of stdout
        --catalog FILE         judge with a catalog file of the same schema
        --catalog-version ID   judge with this catalog version
        --trust-suffix SUFFIX  also trust names under SUFFIX (repeatable)
        --include-deprecated   allow deprecated hosts seen in events
        --allow-registrable    admit names under customer-registrable wildcards
        --max-report-size MIB  size of one report read (default 64)
        --strict               make the warnings below an error: exit 1,
                               nothing written

Warnings, in the output (JSON warnings[]) and on stderr: hosts or regions
in only one of the reports (a region only OLD has would have its whole
allowlist removed: did NEW lose hosts' reports?), and reports of another
catalog version, cloud or scope.

Exit status: 0 nothing changed, 4 entries to add or remove, 1 error (with
--strict, also a warning), 2 bad command line.
`

// Diff is the JSON form of a diff.
type Diff struct {
	SchemaVersion int          `json:"schemaVersion"`
	Old           diffSide     `json:"old"`
	New           diffSide     `json:"new"`
	Changed       bool         `json:"changed"`
	Regions       []RegionDiff `json:"regions"`
	// Refused lists what either report allowlists but avdurls does not
	// allow from its evidence.
	Refused []Refused `json:"refused"`
	// Warnings say where the two reports do not cover the same ground:
	// hosts or regions in only one, another catalog version, cloud or
	// scope (see diffWarnings).
	Warnings []string `json:"warnings"`
}

type diffSide struct {
	File    string             `json:"file"`
	Catalog catalog.CatalogRef `json:"catalog"`
}

// RegionDiff is what changes in one region's allowlist.
type RegionDiff struct {
	Region string          `json:"region"`
	Add    []catalog.Entry `json:"add"`
	Remove []catalog.Entry `json:"remove"`
}

func cmdDiff(args []string, stdout io.Writer) (int, error) {
	fs := newFlags("diff")
	format := newChoice("table", "table", "markdown", "csv", "json")
	fs.VarP(format, "format", "f", "")
	output := fs.StringP("output", "o", "", "")
	var jo judgeOptions
	fs.StringVar(&jo.catalogFile, "catalog", "", "")
	fs.StringVar(&jo.catVer, "catalog-version", "", "")
	fs.StringArrayVar(&jo.trust, "trust-suffix", nil, "")
	fs.BoolVar(&jo.inclDepr, "include-deprecated", false, "")
	fs.BoolVar(&jo.registrable, "allow-registrable", false, "")
	maxReport := fs.Int64("max-report-size", defaultMaxReportBytes>>20, "")
	strict := fs.Bool("strict", false, "")
	if err := parseFlags(fs, args, diffUsage, stdout); err != nil {
		return exitUsage, err
	}
	var err error
	if jo.trust, err = trustSuffixes(jo.trust); err != nil {
		return exitUsage, err
	}
	if fs.NArg() != 2 {
		return exitUsage, usagef("diff needs two JSON reports, OLD and NEW")
	}
	if err := atomicfile.Check(*output, fs.Args()); err != nil {
		return exitError, err
	}
	var sides [2]catalog.Report
	var refused []Refused
	for i, side := range []string{"old", "new"} {
		rep, err := readReport(fs.Arg(i), *maxReport<<20)
		if err != nil {
			return exitError, err
		}
		built, ref, err := rejudge(rep, fs.Arg(i), side, jo)
		if err != nil {
			return exitError, err
		}
		sides[i], refused = built, append(refused, ref...)
	}
	d := diffReports(sides[0], sides[1])
	d.Old.File, d.New.File = fs.Arg(0), fs.Arg(1)
	d.Refused = append([]Refused{}, refused...)
	d.Warnings = diffWarnings(sides[0], sides[1])
	for _, r := range d.Refused {
		warnf("%s report, region %s: %s port %d refused: %s", r.Side, r.Region, r.Address, r.Port, r.Reason)
	}
	for _, w := range d.Warnings {
		warnf("%s", w)
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
func writeDiff(output, format string, d Diff, stdout io.Writer) error {
	return atomicfile.Write(output, stdout, func(w io.Writer) error {
		switch format {
		case "json":
			return render.WriteJSON(w, d)
		case "csv":
			return writeDiffCSV(w, d)
		case "markdown":
			return writeDiffMarkdown(w, d)
		}
		return render.Terminal(w, func(w io.Writer) error { return writeDiffTable(w, d) })
	})
}

// diffReports compares the entries of every region by address, port and
// protocol.
func diffReports(oldRep, newRep catalog.Report) Diff {
	d := Diff{SchemaVersion: catalog.ReportSchemaVersion, Regions: []RegionDiff{}, Warnings: []string{},
		Old: diffSide{Catalog: oldRep.Catalog}, New: diffSide{Catalog: newRep.Catalog}}
	index := func(rep catalog.Report) map[string]map[string]catalog.Entry {
		m := map[string]map[string]catalog.Entry{}
		for _, r := range rep.Regions {
			m[r.Region] = map[string]catalog.Entry{}
			for _, e := range append(slices.Clone(r.Entries), r.IPRules...) {
				m[r.Region][e.Address+"/"+strconv.Itoa(e.Port)+"/"+e.Protocol] = e
			}
		}
		return m
	}
	o, n := index(oldRep), index(newRep)
	regions := map[string]bool{}
	for r := range o {
		regions[r] = true
	}
	for r := range n {
		regions[r] = true
	}
	for _, region := range slices.Sorted(maps.Keys(regions)) {
		rd := RegionDiff{Region: region, Add: []catalog.Entry{}, Remove: []catalog.Entry{}}
		for k, e := range n[region] {
			if _, ok := o[region][k]; !ok {
				rd.Add = append(rd.Add, e)
			}
		}
		for k, e := range o[region] {
			if _, ok := n[region][k]; !ok {
				e.Evidence = nil // what is removed needs no evidence
				rd.Remove = append(rd.Remove, e)
			}
		}
		byAddr := func(a, b catalog.Entry) int {
			return cmp.Or(strings.Compare(a.Address, b.Address), cmp.Compare(a.Port, b.Port), strings.Compare(a.Protocol, b.Protocol))
		}
		slices.SortFunc(rd.Add, byAddr)
		slices.SortFunc(rd.Remove, byAddr)
		if len(rd.Add)+len(rd.Remove) > 0 {
			d.Changed = true
			d.Regions = append(d.Regions, rd)
		}
	}
	return d
}

func evidenceLine(e catalog.Entry) string {
	if e.EvidenceCount == 0 {
		return e.Source
	}
	ev := e.Evidence[0]
	return fmt.Sprintf("%s: seen %d times, last on %s (record %d of %s)", e.Source, e.EvidenceCount, ev.Time.UTC().Format("2006-01-02 15:04Z"), ev.RecordID, ev.Computer)
}

func writeDiffTable(w io.Writer, d Diff) error {
	for i, warn := range d.Warnings {
		if i == 0 {
			fmt.Fprintln(w, "Warnings:")
		}
		fmt.Fprintf(w, "  ! %s\n", termtext.Safe(warn))
	}
	if !d.Changed {
		_, err := fmt.Fprintln(w, "No change.")
		return err
	}
	for _, r := range d.Regions {
		fmt.Fprintf(w, "\nRegion %s\n", r.Region)
		t := render.NewTable(w)
		t.Header("Change", "Address", "Port", "Protocol", "Replaces", "Evidence")
		for _, e := range r.Add {
			if err := t.Append("add", termtext.Safe(e.Address), strconv.Itoa(e.Port), e.Protocol, e.Replaces, termtext.Safe(evidenceLine(e))); err != nil {
				return err
			}
		}
		for _, e := range r.Remove {
			if err := t.Append("remove", termtext.Safe(e.Address), strconv.Itoa(e.Port), e.Protocol, e.Replaces, ""); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	return nil
}

func writeDiffCSV(w io.Writer, d Diff) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"region", "change", "address", "port", "protocol", "replaces", "evidence"})
	for _, warn := range d.Warnings {
		if err := render.WriteCSVRecord(cw, []string{"", "warning", "", "", "", "", warn}); err != nil {
			return err
		}
	}
	for _, r := range d.Regions {
		for _, list := range []struct {
			change  string
			entries []catalog.Entry
		}{{"add", r.Add}, {"remove", r.Remove}} {
			for _, e := range list.entries {
				ev := ""
				if list.change == "add" {
					ev = evidenceLine(e)
				}
				rec := []string{r.Region, list.change, e.Address, strconv.Itoa(e.Port), e.Protocol, e.Replaces, ev}
				if err := render.WriteCSVRecord(cw, rec); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeDiffMarkdown(w io.Writer, d Diff) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Firewall change request: AVD endpoint changes\n\nFrom catalog %s to %s.\n",
		render.MarkdownEscape(d.Old.Catalog.Version), render.MarkdownEscape(d.New.Catalog.Version))
	if len(d.Warnings) > 0 {
		b.WriteString("\n## Warnings\n\n")
		for _, warn := range d.Warnings {
			fmt.Fprintf(&b, "- %s\n", render.MarkdownEscape(warn))
		}
	}
	if !d.Changed {
		b.WriteString("\nNo change.\n")
	}
	for _, r := range d.Regions {
		fmt.Fprintf(&b, "\n## Region %s\n", render.MarkdownEscape(r.Region))
		if len(r.Add) > 0 {
			b.WriteString("\n### Add\n\n| Address | Port | Protocol | Replaces | Evidence |\n|---|---|---|---|---|\n")
			for _, e := range r.Add {
				fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", render.MarkdownEscape(e.Address), e.Port, e.Protocol, render.MarkdownEscape(e.Replaces), render.MarkdownEscape(evidenceLine(e)))
			}
		}
		if len(r.Remove) > 0 {
			b.WriteString("\n### Remove\n\n| Address | Port | Protocol |\n|---|---|---|\n")
			for _, e := range r.Remove {
				fmt.Fprintf(&b, "| %s | %d | %s |\n", render.MarkdownEscape(e.Address), e.Port, e.Protocol)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
