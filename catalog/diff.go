package catalog

import (
	"cmp"
	"slices"
	"strings"
)

// Kinds of RowChange.
const (
	ChangeAdded   = "added"
	ChangeRemoved = "removed"
	ChangeChanged = "changed"
)

// RowChange is one difference between two versions: a row only in the new
// version (added), only in the old one (removed), or in both with other
// values (changed). Rows are matched by cloud, scope and address; among
// the rows of one address, those of the same port and protocol pair first.
type RowChange struct {
	Change  string `json:"change"` // ChangeAdded, ChangeRemoved or ChangeChanged
	Cloud   Cloud  `json:"cloud"`
	Scope   Scope  `json:"scope"`
	Address string `json:"address"`
	Old     *Row   `json:"old,omitempty"` // nil when added
	New     *Row   `json:"new,omitempty"` // nil when removed
	// Fields names what differs in a changed row: "port", "protocol",
	// "serviceTag", "purpose", "required", "deprecated", "registrable".
	// Notes are not compared: they say where a row comes from, which
	// differs from version to version.
	Fields []string `json:"fields,omitempty"`
}

// DiffVersions lists the rows added, removed and changed from a to b,
// ordered by cloud (public, usgov, china, then others by name), scope
// (sessionhost, client), address, port, protocol and change.
func DiffVersions(a, b *Version) []RowChange {
	type key struct {
		cloud   Cloud
		scope   Scope
		address string
	}
	olds, news := map[key][]Row{}, map[key][]Row{}
	var keys []key
	for _, side := range []struct {
		m    map[key][]Row
		rows []Row
	}{{olds, a.AllRows}, {news, b.AllRows}} {
		for _, r := range side.rows {
			k := key{r.Cloud, r.Scope, r.Address}
			if _, ok := olds[k]; !ok {
				if _, ok := news[k]; !ok {
					keys = append(keys, k)
				}
			}
			side.m[k] = append(side.m[k], r)
		}
	}
	var out []RowChange
	for _, k := range keys {
		out = append(out, diffAddress(olds[k], news[k])...)
	}
	slices.SortStableFunc(out, compareChanges)
	return out
}

// diffAddress compares the rows of one cloud, scope and address: rows of
// the same port and protocol first, then the rest in port order.
func diffAddress(olds, news []Row) []RowChange {
	slices.SortStableFunc(olds, comparePortProto)
	slices.SortStableFunc(news, comparePortProto)
	var out []RowChange
	var restOld []Row
	used := make([]bool, len(news))
	for _, o := range olds {
		j := slices.IndexFunc(news, func(n Row) bool { return n.Port == o.Port && n.Protocol == o.Protocol })
		if j < 0 || used[j] {
			restOld = append(restOld, o)
			continue
		}
		used[j] = true
		out = appendChange(out, o, news[j])
	}
	var restNew []Row
	for j, n := range news {
		if !used[j] {
			restNew = append(restNew, n)
		}
	}
	for i := 0; i < max(len(restOld), len(restNew)); i++ {
		switch {
		case i >= len(restOld):
			n := restNew[i]
			out = append(out, RowChange{Change: ChangeAdded, Cloud: n.Cloud, Scope: n.Scope, Address: n.Address, New: &n})
		case i >= len(restNew):
			o := restOld[i]
			out = append(out, RowChange{Change: ChangeRemoved, Cloud: o.Cloud, Scope: o.Scope, Address: o.Address, Old: &o})
		default:
			out = appendChange(out, restOld[i], restNew[i])
		}
	}
	return out
}

// appendChange appends a changed row when o and n differ in a compared
// field.
func appendChange(out []RowChange, o, n Row) []RowChange {
	f := changedFields(o, n)
	if len(f) == 0 {
		return out
	}
	return append(out, RowChange{Change: ChangeChanged, Cloud: n.Cloud, Scope: n.Scope, Address: n.Address, Old: &o, New: &n, Fields: f})
}

// changedFields names the compared fields in which a and b differ.
func changedFields(a, b Row) []string {
	var f []string
	for _, c := range []struct {
		name string
		diff bool
	}{
		{"port", a.Port != b.Port},
		{"protocol", a.Protocol != b.Protocol},
		{"serviceTag", a.ServiceTag != b.ServiceTag},
		{"purpose", a.Purpose != b.Purpose},
		{"required", a.Required != b.Required},
		{"deprecated", a.Deprecated != b.Deprecated},
		{"registrable", a.Registrable != b.Registrable},
	} {
		if c.diff {
			f = append(f, c.name)
		}
	}
	return f
}

// comparePortProto orders rows by port, then protocol.
func comparePortProto(a, b Row) int {
	return cmp.Or(cmp.Compare(a.Port, b.Port), strings.Compare(a.Protocol, b.Protocol))
}

// compareChanges orders changes by cloud, scope, address, port, protocol
// and kind of change.
func compareChanges(a, b RowChange) int {
	ra, rb := a.row(), b.row()
	return cmp.Or(
		cmp.Compare(cloudRank(a.Cloud), cloudRank(b.Cloud)), strings.Compare(string(a.Cloud), string(b.Cloud)),
		cmp.Compare(scopeRank(a.Scope), scopeRank(b.Scope)), strings.Compare(string(a.Scope), string(b.Scope)),
		strings.Compare(a.Address, b.Address),
		comparePortProto(ra, rb),
		strings.Compare(a.Change, b.Change),
	)
}

// row is the new row of a change, or the old one when it was removed.
func (c RowChange) row() Row {
	if c.New != nil {
		return *c.New
	}
	if c.Old != nil {
		return *c.Old
	}
	return Row{}
}

// cloudRank is the place of a cloud in Clouds(); unknown clouds go last.
func cloudRank(c Cloud) int {
	if i := slices.Index(Clouds(), c); i >= 0 {
		return i
	}
	return len(Clouds())
}

// scopeRank is the place of a scope in Scopes(); unknown scopes go last.
func scopeRank(s Scope) int {
	if i := slices.Index(Scopes(), s); i >= 0 {
		return i
	}
	return len(Scopes())
}
