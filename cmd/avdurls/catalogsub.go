package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/internal/atomicfile"
	"github.com/avdurls/avdurls/render"
)

const catalogImportUsage = `Usage:
    avdurls catalog import FILE [-o OUT] [--id ID]

Turns Microsoft's page "Required FQDNs and endpoints for Azure Virtual
Desktop" into a catalog file (schemaVersion 1, one version) that --catalog
reads. FILE is the page's markdown (MicrosoftDocs/azure-docs,
articles/virtual-desktop/required-fqdn-endpoint.md) or the page as saved
from Microsoft Learn (HTML; that layout is not checked against a real
saved page). The rows are the page's own: public and US Government
clouds, session hosts and clients, required, optional and no longer
supported. The page has no Azure China tab.

Options:
        --id ID                the version id (default: the page's ms.date)
    -o, --output FILE          write to FILE atomically instead of stdout
`

const catalogDiffUsage = `Usage:
    avdurls catalog diff [options] A B

Lists the rows added, removed and changed (port, protocol, service tag,
purpose, required, deprecated, registrable) from catalog version A to B,
by cloud and scope. A and B are each a version id of the built-in catalog
(see 'avdurls catalog --versions'), a catalog file (its newest primary
version) or FILE:ID.

Options:
    -f, --format FORMAT        table (default), markdown or json
    -o, --output FILE          write to FILE atomically instead of stdout

Exit status: 0 the versions hold the same rows, 4 they differ, 1 error,
2 bad command line.
`

// exitStatus is an error that only sets the exit status; nothing is
// printed for it.
type exitStatus int

// Error makes exitStatus an error.
func (e exitStatus) Error() string { return "exit status " + strconv.Itoa(int(e)) }

// cmdCatalogImport is 'avdurls catalog import'.
func (e *env) cmdCatalogImport(args []string) error {
	stdout := e.stdout
	fs := newFlags("catalog import")
	id := fs.String("id", "", "")
	output := fs.StringP("output", "o", "", "")
	if err := parseFlags(fs, args, catalogImportUsage, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("catalog import needs one FILE: the page's markdown or saved HTML")
	}
	if err := atomicfile.Check(*output, fs.Args()); err != nil {
		return err
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	v, err := catalog.Import(f, *id)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	c := catalog.Catalog{SchemaVersion: catalog.SchemaVersion, Versions: []catalog.Version{v}}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if _, err := catalog.Load(strings.NewReader(string(data))); err != nil {
		return fmt.Errorf("%s: the imported catalog does not load: %w", path, err)
	}
	if err := atomicfile.Write(*output, stdout, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	}); err != nil {
		return err
	}
	e.registrableWarnings(&v)
	e.infof("%s: %s", path, importSummary(&v))
	return nil
}

// importSummary counts the rows of an imported version by cloud and scope.
func importSummary(v *catalog.Version) string {
	var parts []string
	for _, cl := range catalog.Clouds() {
		for _, sc := range catalog.Scopes() {
			if n := len(v.Rows(cl, sc)); n > 0 {
				parts = append(parts, fmt.Sprintf("%s/%s %d", cl, sc, n))
			}
		}
	}
	return fmt.Sprintf("version %s (dated %s): %d rows (%s)", v.ID, v.SourceDate, len(v.AllRows), strings.Join(parts, ", "))
}

// cmdCatalogDiff is 'avdurls catalog diff'; a difference is exit status 4.
func (e *env) cmdCatalogDiff(args []string) error {
	stdout := e.stdout
	fs := newFlags("catalog diff")
	format := newChoice("table", render.DocFormats...)
	fs.VarP(format, "format", "f", "")
	output := fs.StringP("output", "o", "", "")
	if err := parseFlags(fs, args, catalogDiffUsage, stdout); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("catalog diff needs two versions, A and B")
	}
	if err := atomicfile.Check(*output, fs.Args()); err != nil {
		return err
	}
	var vs [2]*catalog.Version
	for i := range vs {
		v, err := resolveVersion(fs.Arg(i))
		if err != nil {
			return err
		}
		vs[i] = v
	}
	d := catalog.NewVersionDiff(fs.Arg(0), vs[0], fs.Arg(1), vs[1])
	err := atomicfile.Write(*output, stdout, func(w io.Writer) error {
		return render.WriteDoc(w, format.value, render.VersionDiffDoc(d))
	})
	if err != nil {
		return err
	}
	if d.Changed {
		return exitStatus(exitChanged)
	}
	return nil
}

// resolveVersion finds a diff side: a file (its newest primary version), a
// version id of the built-in catalog, or FILE:ID.
func resolveVersion(arg string) (*catalog.Version, error) {
	if fi, err := os.Stat(arg); err == nil && !fi.IsDir() {
		return catalog.LoadVersion(arg, "")
	}
	c := catalog.Default()
	if v, err := c.Version(arg); err == nil {
		return v, nil
	}
	if i := strings.LastIndex(arg, ":"); i > 0 {
		file, id := arg[:i], arg[i+1:]
		if fi, err := os.Stat(file); err == nil && !fi.IsDir() {
			return catalog.LoadVersion(file, id)
		}
	}
	var ids []string
	for _, v := range c.Versions {
		ids = append(ids, v.ID)
	}
	return nil, fmt.Errorf("%q is neither a built-in catalog version (%s) nor a catalog file (or FILE:ID)", arg, strings.Join(ids, ", "))
}

// exitStatusOf reports whether err only carries an exit status (see
// exitStatus), and which.
func exitStatusOf(err error) (int, bool) {
	var es exitStatus
	if errors.As(err, &es) {
		return int(es), true
	}
	return 0, false
}
