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
	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/render"
)

const catalogImportUsage = `Usage:
    avdurls catalog import FILE [-o OUT] [--id ID] [--base VERSION]

Turns Microsoft's page "Required FQDNs and endpoints for Azure Virtual
Desktop" into a catalog file (one version) that --catalog reads. FILE is
the page's markdown (required-fqdn-endpoint.md of Microsoft's docs source)
or the page as saved from Microsoft Learn (HTML; that layout is not
checked against a real saved page). The page's rows: public and US
Government clouds, session hosts and clients, required, optional and no
longer supported. A row the importer cannot read (a port cell it does not
understand, a bad address) is a warning naming its line; the rest of the
page still imports. A cell such as "80, 32526, and 53 when Azure-provided
DNS is used" is one row a port, the condition in the row's note.

The page is not the whole catalog: it has no Azure China tab, and rows
Microsoft dropped from it (deprecated rows the tool still reports) or
published on other pages (168.63.129.16 TCP 32526, RDP Shortpath's TURN
relay) are not on it. So every row of the base version that the page does
not list is carried forward, its note saying so, and listed on stderr by
why; a page row without a note keeps the base row's note.

The version id is the page's ms.date unless --id gives one. An id never
names two sets of rows: when a built-in version already has the id with
other rows, the import takes the next free "ID.2", "ID.3", ... and says
so; an --id taken by other rows is an error.

Options:
        --base VERSION         the version whose rows the page lacks are
                               carried forward: a built-in id, a catalog
                               file or FILE:ID (default: the built-in
                               default version); "none" imports the page
                               alone and lists what it lacks
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
	baseArg := fs.String("base", "", "")
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
	base, err := importBase(*baseArg)
	if err != nil {
		return err
	}
	path := fs.Arg(0)
	v, err := e.readPage(path, *id)
	if err != nil {
		return err
	}
	if base == nil {
		_, lacks := catalog.CarryForward(v, *catalog.Default().Newest())
		e.reportCarried(path, lacks, "lacks", "--base VERSION carries them forward")
	} else {
		var carried catalog.Carried
		v, carried = catalog.CarryForward(v, *base)
		e.reportCarried(path, carried, "carried forward", "--base none leaves them out")
	}
	if v.ID, err = e.importID(v, *id); err != nil {
		return err
	}
	c := catalog.Catalog{SchemaVersion: catalog.SchemaVersion, Versions: []catalog.Version{v}}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	data = render.EscapeJSON(data) // the one escaper of JSON output
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
	e.infof("%s: %s", path, v.Summary())
	return nil
}

// importBase is the version an import carries rows forward from: the
// built-in default for "", none for "none".
func importBase(arg string) (*catalog.Version, error) {
	switch arg {
	case "":
		return catalog.Default().Newest(), nil
	case "none":
		return nil, nil
	}
	v, err := catalog.ResolveVersion(arg)
	if err != nil {
		return nil, usagef("--base: %v", err)
	}
	return v, nil
}

// readPage imports the page at path, each row it could not read a warning.
func (e *env) readPage(path, id string) (catalog.Version, error) {
	f, err := os.Open(path)
	if err != nil {
		return catalog.Version{}, err
	}
	defer f.Close()
	v, warnings, err := catalog.Import(f, id)
	for _, w := range warnings {
		e.warnf("%s: %s", path, w)
	}
	if err != nil {
		return catalog.Version{}, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// importID is the id of an imported version: never one a built-in version
// has for other rows.
func (e *env) importID(v catalog.Version, given string) (string, error) {
	id, same := catalog.Default().FreeID(v)
	switch {
	case id != v.ID && given != "":
		return "", usagef("--id %s: the built-in version %s has other rows; choose another id", given, given)
	case same:
		e.infof("version %s: the same rows as the built-in version %s", v.ID, id)
	case id != v.ID:
		e.warnf("version %s: the built-in version %s has other rows: this import is version %s", v.ID, v.ID, id)
	}
	return id, nil
}

// reportCarried lists, on stderr, the rows of the base the page does not
// list, by why.
func (e *env) reportCarried(path string, c catalog.Carried, verb, hint string) {
	if c.Len() == 0 {
		return
	}
	phrase := "are carried forward"
	if verb == "lacks" {
		phrase = "are not in this import"
	}
	e.infof("%s: %d rows of %s the page does not list %s (%s)", path, c.Len(), c.Base, phrase, hint)
	for _, line := range c.Groups() {
		e.infof("  %s", termtext.Safe(line))
	}
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
		v, err := catalog.ResolveVersion(fs.Arg(i))
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

// exitStatusOf reports whether err only carries an exit status (see
// exitStatus), and which.
func exitStatusOf(err error) (int, bool) {
	var es exitStatus
	if errors.As(err, &es) {
		return int(es), true
	}
	return 0, false
}
