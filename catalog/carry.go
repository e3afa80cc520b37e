package catalog

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// This file is what an import keeps from the version before it: Microsoft's
// page is not the whole catalog (deprecated rows Microsoft dropped from it,
// Azure China from docs.azure.cn, rows from Microsoft's other pages), so an
// import that took only the page would weaken the catalog it replaces.

// Carried is what CarryForward kept from the base version, by why.
type Carried struct {
	Base string // the base version's id
	// Deprecated rows, rows of a cloud and scope the page has no table
	// for, and the other rows the page does not list (another Microsoft
	// page's, or rows the page dropped: the user should read these).
	Deprecated, OtherTable, Other []Row
	// Notes is how many page rows took the base row's note.
	Notes int
}

// Groups says what was carried, a line per reason: how many rows and
// which ("12 deprecated: public/sessionhost kms.core.windows.net 1688/TCP,
// ...").
func (c Carried) Groups() []string {
	var out []string
	for _, g := range []struct {
		what string
		rows []Row
	}{
		{"deprecated", c.Deprecated},
		{"of a cloud and scope the page has no table for", c.OtherTable},
		{"of other Microsoft pages or dropped from this one: read them", c.Other},
	} {
		if len(g.rows) == 0 {
			continue
		}
		names := make([]string, 0, len(g.rows))
		for _, r := range g.rows {
			names = append(names, fmt.Sprintf("%s/%s %s %d/%s", r.Cloud, r.Scope, r.Address, r.Port, r.Protocol))
		}
		out = append(out, fmt.Sprintf("%d %s: %s", len(g.rows), g.what, strings.Join(names, ", ")))
	}
	return out
}

// Len is the number of rows carried.
func (c Carried) Len() int { return len(c.Deprecated) + len(c.OtherTable) + len(c.Other) }

// carriedPrefixR matches the "carried forward" note an earlier import gave.
var carriedPrefixR = regexp.MustCompile(`^Not on the page dated [0-9-]+; carried forward from [a-z0-9._-]+: `)

// CarryForward returns page with what base has and the page does not: every
// row of base whose cloud, scope, address, port and protocol the page does
// not list (its note saying so), and the note of a base row where the page's
// row has none. The result's source names the base. Rows are never dropped
// silently: Carried lists each one by why, for the user to read.
func CarryForward(page, base Version) (Version, Carried) {
	out := page
	out.AllRows = slices.Clone(page.AllRows)
	c := Carried{Base: base.ID}
	onPage := map[rowKey]int{}
	tables := map[[2]string]bool{}
	for i, r := range out.AllRows {
		onPage[rowKey{r.Cloud, r.Scope, r.Address, r.Port, r.Protocol}] = i
		tables[[2]string{string(r.Cloud), string(r.Scope)}] = true
	}
	for _, r := range base.AllRows {
		if i, ok := onPage[rowKey{r.Cloud, r.Scope, r.Address, r.Port, r.Protocol}]; ok {
			if out.AllRows[i].Note == "" && r.Note != "" {
				out.AllRows[i].Note = r.Note
				c.Notes++
			}
			continue
		}
		r.Note = carriedNote(page.SourceDate, base.ID, r.Note)
		out.AllRows = append(out.AllRows, r)
		switch {
		case r.Deprecated:
			c.Deprecated = append(c.Deprecated, r)
		case !tables[[2]string{string(r.Cloud), string(r.Scope)}]:
			c.OtherTable = append(c.OtherTable, r)
		default:
			c.Other = append(c.Other, r)
		}
	}
	if c.Len() > 0 || c.Notes > 0 {
		out.Source = fmt.Sprintf("%s; %d rows the page does not list and %d notes carried forward from %s (see each row's note)",
			page.Source, c.Len(), c.Notes, base.ID)
	}
	return out, c
}

// carriedNote is the note of a row carried forward from base into a page
// dated date: it says so, then the row's own note without the marks of
// earlier carries, bounded like every note.
func carriedNote(date, base, note string) string {
	for carriedPrefixR.MatchString(note) {
		note = carriedPrefixR.ReplaceAllString(note, "")
	}
	s := fmt.Sprintf("Not on the page dated %s; carried forward from %s", date, base)
	if note != "" {
		s += ": " + note
	}
	if len(s) > 2000 {
		s = strings.ToValidUTF8(s[:1997], "") + "..."
	}
	return s
}

// SameRows reports whether a and b hold the same rows, in any order, field
// for field except the notes (which say where a row came from, not what
// it allows).
func SameRows(a, b Version) bool {
	if len(a.AllRows) != len(b.AllRows) {
		return false
	}
	x, y := slices.Clone(a.AllRows), slices.Clone(b.AllRows)
	slices.SortFunc(x, compareRowKeys)
	slices.SortFunc(y, compareRowKeys)
	return slices.EqualFunc(x, y, func(p, q Row) bool {
		p.Note, q.Note = "", ""
		return p == q
	})
}

// compareRowKeys orders rows by cloud, scope, address, port and protocol,
// which tell the rows of a valid version apart.
func compareRowKeys(a, b Row) int {
	return cmp.Or(strings.Compare(string(a.Cloud), string(b.Cloud)), strings.Compare(string(a.Scope), string(b.Scope)),
		strings.Compare(a.Address, b.Address), cmp.Compare(a.Port, b.Port), strings.Compare(a.Protocol, b.Protocol))
}

// FreeID is the id an imported version v takes in c: v.ID when c has no
// version of that id or has one with the same rows (same is then true);
// otherwise the first of v.ID+".2", ".3", ... that c does not use, so that
// one id never names two sets of rows.
func (c *Catalog) FreeID(v Version) (id string, same bool) {
	taken := func(id string) *Version {
		for i := range c.Versions {
			if c.Versions[i].ID == id {
				return &c.Versions[i]
			}
		}
		return nil
	}
	old := taken(v.ID)
	if old == nil {
		return v.ID, false
	}
	if SameRows(*old, v) {
		return v.ID, true
	}
	for n := 2; ; n++ {
		id := fmt.Sprintf("%s.%d", v.ID, n)
		old := taken(id)
		if old == nil {
			return id, false
		}
		if SameRows(*old, v) {
			return id, true
		}
	}
}
