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

// diffEnd is one side of a catalog diff, as the JSON output names it.
type diffEnd struct {
	Arg        string `json:"arg"`
	ID         string `json:"id"`
	SourceDate string `json:"sourceDate"`
	Confidence string `json:"confidence"`
	Source     string `json:"source"`
}

// catalogDiff is the JSON output of 'avdurls catalog diff'.
type catalogDiff struct {
	A       diffEnd             `json:"a"`
	B       diffEnd             `json:"b"`
	Changed bool                `json:"changed"`
	Changes []catalog.RowChange `json:"changes"`
}

// cmdCatalogDiff is 'avdurls catalog diff'; a difference is exit status 4.
func (e *env) cmdCatalogDiff(args []string) error {
	stdout := e.stdout
	fs := newFlags("catalog diff")
	format := newChoice("table", "table", "markdown", "json")
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
	var ends [2]diffEnd
	var vs [2]*catalog.Version
	for i := range vs {
		v, err := resolveVersion(fs.Arg(i))
		if err != nil {
			return err
		}
		vs[i] = v
		ends[i] = diffEnd{fs.Arg(i), v.ID, v.SourceDate, v.Confidence, v.Source}
	}
	d := catalogDiff{A: ends[0], B: ends[1], Changes: catalog.DiffVersions(vs[0], vs[1])}
	d.Changed = len(d.Changes) > 0
	if d.Changes == nil {
		d.Changes = []catalog.RowChange{}
	}
	err := atomicfile.Write(*output, stdout, func(w io.Writer) error {
		switch format.value {
		case "json":
			return render.WriteJSON(w, d)
		case "markdown":
			return writeCatalogDiffMarkdown(w, d)
		}
		return render.Terminal(w, func(w io.Writer) error { return writeCatalogDiffTable(w, d) })
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

// changeGroups splits changes (in DiffVersions order) by cloud and scope.
func changeGroups(changes []catalog.RowChange) [][]catalog.RowChange {
	var groups [][]catalog.RowChange
	for i, c := range changes {
		if i == 0 || c.Cloud != changes[i-1].Cloud || c.Scope != changes[i-1].Scope {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], c)
	}
	return groups
}

// diffHeadline names the two sides and counts the changes.
func diffHeadline(d catalogDiff) string {
	n := map[string]int{}
	for _, c := range d.Changes {
		n[c.Change]++
	}
	return fmt.Sprintf("Catalog %s (%s) -> %s (%s): %d added, %d removed, %d changed",
		d.A.ID, d.A.SourceDate, d.B.ID, d.B.SourceDate, n[catalog.ChangeAdded], n[catalog.ChangeRemoved], n[catalog.ChangeChanged])
}

// changeRow gives the port, protocol and details of a change: for a row
// added or removed its status, tag and purpose, for a changed one each
// changed field as old -> new.
func changeRow(c catalog.RowChange) (port, proto, details string) {
	r := c.New
	if r == nil {
		r = c.Old
	}
	port, proto = strconv.Itoa(r.Port), r.Protocol
	if c.Change != catalog.ChangeChanged {
		parts := []string{rowStatus(*r)}
		if r.ServiceTag != "" {
			parts = append(parts, "service tag "+r.ServiceTag)
		}
		if r.Purpose != "" {
			parts = append(parts, r.Purpose)
		}
		return port, proto, strings.Join(parts, "; ")
	}
	var parts []string
	for _, f := range c.Fields {
		parts = append(parts, fmt.Sprintf("%s: %s -> %s", f, fieldValue(*c.Old, f), fieldValue(*c.New, f)))
	}
	return port, proto, strings.Join(parts, "; ")
}

// rowStatus is "required", "optional" or "deprecated", and "registrable".
func rowStatus(r catalog.Row) string {
	s := "optional"
	switch {
	case r.Deprecated:
		s = "deprecated"
	case r.Required:
		s = "required"
	}
	if r.Registrable {
		s += ", registrable"
	}
	return s
}

// fieldValue is the value of a field named in RowChange.Fields.
func fieldValue(r catalog.Row, field string) string {
	switch field {
	case "port":
		return strconv.Itoa(r.Port)
	case "protocol":
		return r.Protocol
	case "serviceTag":
		if r.ServiceTag == "" {
			return "(none)"
		}
		return r.ServiceTag
	case "purpose":
		return strconv.Quote(r.Purpose)
	case "required":
		return yesNo(r.Required)
	case "deprecated":
		return yesNo(r.Deprecated)
	case "registrable":
		return yesNo(r.Registrable)
	}
	return ""
}

// writeCatalogDiffTable writes the diff for a terminal, one table per
// cloud and scope.
func writeCatalogDiffTable(w io.Writer, d catalogDiff) error {
	fmt.Fprintln(w, diffHeadline(d))
	if !d.Changed {
		fmt.Fprintln(w, "No change.")
		return nil
	}
	for _, g := range changeGroups(d.Changes) {
		fmt.Fprintf(w, "\nCloud %s, scope %s\n", g[0].Cloud, g[0].Scope)
		t := render.NewTable(w)
		t.Header("Change", "Address", "Port", "Protocol", "Details")
		for _, c := range g {
			port, proto, details := changeRow(c)
			if err := t.Append(c.Change, c.Address, port, proto, details); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	return nil
}

// writeCatalogDiffMarkdown writes the diff as GitHub Flavored Markdown.
func writeCatalogDiffMarkdown(w io.Writer, d catalogDiff) error {
	fmt.Fprintf(w, "# %s\n", render.MarkdownEscape(diffHeadline(d)))
	if !d.Changed {
		_, err := fmt.Fprintln(w, "\nNo change.")
		return err
	}
	for _, g := range changeGroups(d.Changes) {
		fmt.Fprintf(w, "\n## Cloud %s, scope %s\n\n", render.MarkdownEscape(string(g[0].Cloud)), render.MarkdownEscape(string(g[0].Scope)))
		fmt.Fprintln(w, "| Change | Address | Port | Protocol | Details |")
		fmt.Fprintln(w, "|--|--|--|--|--|")
		for _, c := range g {
			port, proto, details := changeRow(c)
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", c.Change, render.MarkdownCode(c.Address), port, render.MarkdownEscape(proto), render.MarkdownEscape(details))
		}
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
