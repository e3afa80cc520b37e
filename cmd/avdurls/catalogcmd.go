package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/avdurls/avdurls/internal/atomicfile"
	"github.com/avdurls/avdurls/internal/termtext"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/render"
)

const catalogUsage = `Usage:
    avdurls catalog [options]
    avdurls catalog import FILE [-o OUT] [--id ID]
    avdurls catalog diff [-f FORMAT] A B

Prints Microsoft's list of required (and optional) endpoints from the
catalog built into avdurls, or from a catalog file. 'catalog import' turns
Microsoft's page (markdown or saved HTML) into a catalog file; 'catalog
diff' lists the rows that differ between two versions (exit status 4 when
they differ). Run 'avdurls catalog import --help' or 'avdurls catalog diff
--help' for their options.

Options:
        --cloud CLOUD          public (default), usgov or china
        --scope SCOPE          sessionhost (default) or client
        --catalog FILE         read a catalog file of the same schema
        --catalog-version ID   a version other than the newest primary one
        --versions             list the versions instead
        --regions              list the Azure regions of the cloud instead
    -f, --format FORMAT        table (default), json (the rows), or any format
                               of scan ({{other formats}}):
                               the catalog's rows as an allowlist, wildcards
                               carried as scan carries unresolved rows
        --optional             with a scan format: the optional rows too
        --no-wildcards         with a scan format: no wildcard at all (the
                               output says what it leaves out)
        --no-registrable-wildcards
                               with a scan format: leave out the wildcards any
                               Azure customer can put a name under
        --registrable-tag-rules
                               with an Azure Firewall format: cover such rows
                               by their whole service tag
        --source CIDR          with an Azure Firewall format: rule sources
                               (without it, a required input; any: every source)
        --priority N           with an Azure Firewall format (default 1000)
        --name-prefix NAME     rule and object names (default avd)
    -o, --output FILE          write to FILE atomically instead of stdout

Example: the end-user device list for a firewall change request:
    avdurls catalog --scope client -f markdown -o clients.md
`

func (e *env) cmdCatalog(args []string) error {
	stdout := e.stdout
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return e.cmdCatalogImport(args[1:])
		case "diff":
			return e.cmdCatalogDiff(args[1:])
		}
	}
	fs := newFlags("catalog")
	cloud := cloudChoice()
	scope := scopeChoice()
	format := newChoice("table", formatNames()...)
	var fo render.Options
	optional := fs.Bool("optional", false, "")
	noWild := fs.Bool("no-wildcards", false, "")
	noRegWild := fs.Bool("no-registrable-wildcards", false, "")
	fs.BoolVar(&fo.RegistrableTagRules, "registrable-tag-rules", false, "")
	fs.StringArrayVar(&fo.Sources, "source", nil, "")
	fs.IntVar(&fo.Priority, "priority", 1000, "")
	fs.StringVar(&fo.NamePrefix, "name-prefix", "avd", "")
	fs.Var(cloud, "cloud", "")
	fs.Var(scope, "scope", "")
	file := fs.String("catalog", "", "")
	id := fs.String("catalog-version", "", "")
	versions := fs.Bool("versions", false, "")
	regions := fs.Bool("regions", false, "")
	fs.VarP(format, "format", "f", "")
	output := fs.StringP("output", "o", "", "")
	if err := parseFlags(fs, args, catalogUsage, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("catalog takes no arguments, got %q", fs.Arg(0))
	}
	if err := atomicfile.Check(*output, nil); err != nil {
		return err
	}
	if *regions {
		return atomicfile.Write(*output, stdout, func(w io.Writer) error {
			return render.WriteDoc(w, docFormat(format.value), render.RegionsDoc(catalog.Cloud(cloud.value)))
		})
	}
	if *versions {
		c := catalog.Default()
		if *file != "" {
			var err error
			if c, err = catalog.LoadFile(*file); err != nil {
				return err
			}
		}
		return atomicfile.Write(*output, stdout, func(w io.Writer) error { return writeVersions(w, c) })
	}
	v, err := e.loadCatalog(*file, *id)
	if err != nil {
		return err
	}
	if gap := v.Gap(catalog.Cloud(cloud.value), catalog.Scope(scope.value)); gap != "" {
		e.warnf("%s", gap)
	}
	if format.value != "json" && format.value != "table" {
		if err := checkFirewall(fo); err != nil {
			return err
		}
		// The catalog's rows alone, as the allowlist of no region.
		rep := v.Build(nil, catalog.BuildOptions{Cloud: catalog.Cloud(cloud.value), Scope: catalog.Scope(scope.value),
			Optional: *optional, Region: "all", NoWildcards: *noWild, NoRegistrableWildcards: *noRegWild})
		return atomicfile.Write(*output, stdout, func(w io.Writer) error { return e.renderReport(w, format.value, rep, fo) })
	}
	return atomicfile.Write(*output, stdout, func(w io.Writer) error {
		return render.WriteDoc(w, format.value, render.RowsDoc(v, catalog.Cloud(cloud.value), catalog.Scope(scope.value)))
	})
}

// docFormat is the document format of a --format value: table for the
// formats a document has not.
func docFormat(f string) string {
	if slices.Contains(render.DocFormats, f) {
		return f
	}
	return "table"
}

// cloudNames and scopeNames are the catalog's clouds and scopes, as flag
// choices.
func cloudNames() []string {
	var n []string
	for _, c := range catalog.Clouds() {
		n = append(n, string(c))
	}
	return n
}

func scopeNames() []string {
	var n []string
	for _, s := range catalog.Scopes() {
		n = append(n, string(s))
	}
	return n
}

// writeVersions lists the versions of a catalog, the default marked.
func writeVersions(w io.Writer, c *catalog.Catalog) error {
	def := c.Newest()
	for _, v := range c.Versions {
		mark := ""
		if def != nil && v.ID == def.ID {
			mark = " (default)"
		}
		fmt.Fprintf(w, "%s%s\t%s\t%s\t%d rows\t%s\n", v.ID, mark, v.SourceDate, v.Confidence, len(v.AllRows), termtext.Safe(v.Source))
	}
	return nil
}
