package catalog

import (
	"cmp"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/discover"
)

// DefaultMaxListed is the default bound on the names listed in each of a
// report's rejected, deprecated and review lists (BuildOptions.MaxListed);
// the rest are counted in the list's Rest.
const DefaultMaxListed = 1000

// maxUnreachable bounds the names listed in a host's Unreachable list; the
// rest are counted in Host.UnreachableMore.
const maxUnreachable = 100

// Rest counts what a bounded list leaves out. Sightings is exact: how many
// times the names left out were seen. Names is the number of distinct
// names left out; an exact number would take memory that grows with the
// names, so beyond the bound it is estimated (Estimated) from the names
// listed, which are those with the smallest hashes (see nameKey): a
// deterministic estimate that a scan of reports reproduces exactly, within
// a few per cent of the truth (1/sqrt(bound) relative error).
type Rest struct {
	Names     int  `json:"names"`
	Estimated bool `json:"estimated,omitempty"`
	Sightings int  `json:"sightings"`
}

// nameKey orders the names of a bounded list: by a 64-bit hash of the name
// (FNV-1a, mixed), then by name. The names kept are those with the
// smallest keys: a sample of the names that does not favour any spelling
// and, merged with another list's, gives the sample of the union.
type nameKey struct {
	h    uint64
	name string
}

func keyOf(name string) nameKey {
	f := fnv.New64a()
	f.Write([]byte(name))
	return nameKey{mix(f.Sum64()), name}
}

// mix is the finaliser of splitmix64: every bit of the FNV sum reaches
// every bit of the key.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (a nameKey) compare(b nameKey) int {
	return cmp.Or(cmp.Compare(a.h, b.h), strings.Compare(a.name, b.name))
}

// bounded keeps the values of the max names with the smallest keys, with
// a weight (sightings) counted for every name it drops. Memory stays
// below about twice max names whatever the number of names added.
type bounded[V any] struct {
	max    int
	items  map[string]V
	cut    bool    // names were left out: those with keys above cutoff
	cutoff nameKey // valid when cut
	rest   int     // the weight of the names left out
	weight func(V) int
	// seen says rest counts sightings, exact: the names left out are
	// no more than it.
	seen bool
}

func newBounded[V any](max int, weight func(V) int) *bounded[V] {
	return &bounded[V]{max: max, items: map[string]V{}, weight: weight}
}

// get returns the value of name, making it with mk; ok is false when the
// name is past the cutoff: the caller counts its weight with addRest.
func (b *bounded[V]) get(name string, mk func() V) (V, bool) {
	if v, ok := b.items[name]; ok {
		return v, true
	}
	if b.cut && keyOf(name).compare(b.cutoff) > 0 {
		var zero V
		return zero, false
	}
	v := mk()
	b.items[name] = v
	if len(b.items) > 2*b.max {
		b.prune(b.max)
		if _, kept := b.items[name]; !kept {
			// The prune left this very name out: the caller must not
			// put it back, but count it with addRest.
			var zero V
			return zero, false
		}
	}
	return v, true
}

// addRest counts the weight of a name left out.
func (b *bounded[V]) addRest(n int) { b.rest += n }

// prune keeps the n names with the smallest keys.
func (b *bounded[V]) prune(n int) {
	if len(b.items) <= n {
		return
	}
	keys := make([]nameKey, 0, len(b.items))
	for name := range b.items {
		keys = append(keys, keyOf(name))
	}
	slices.SortFunc(keys, nameKey.compare)
	b.limit(keys[max(n, 1)-1])
}

// limit leaves out every name whose key is above k: a list that a report
// cut there knows no names beyond it.
func (b *bounded[V]) limit(k nameKey) {
	if b.cut && b.cutoff.compare(k) <= 0 {
		return
	}
	b.cut, b.cutoff = true, k
	for name, v := range b.items {
		if keyOf(name).compare(k) > 0 {
			b.rest += b.weight(v)
			delete(b.items, name)
		}
	}
}

// finish cuts the list to its bound and returns the names kept, sorted,
// and what was left out.
func (b *bounded[V]) finish() ([]string, Rest) {
	b.prune(b.max)
	names := slices.Sorted(maps.Keys(b.items))
	r := Rest{Sightings: b.rest}
	if b.cut {
		r.Names, r.Estimated = estimateRest(len(names), b.cutoff.h), true
		if b.seen && r.Sightings > 0 {
			r.Names = min(r.Names, r.Sightings) // each was seen at least once
		}
	}
	return names, r
}

// estimateRest estimates the names left out of a list that keeps the k
// names with the smallest hashes, the largest of them h: (k-1)/(h/2^64)
// names in all (the k-th minimum value estimator), less the k listed; at
// least one.
func estimateRest(k int, h uint64) int {
	if k < 2 {
		return 1
	}
	u := (float64(h) + 1) / math.Exp2(64)
	return max(int(math.Round(float64(k-1)/u))-k, 1)
}

// maxKey is the largest key of names: where a list that listed them was
// cut.
func maxKey(names []string) (nameKey, bool) {
	if len(names) == 0 {
		return nameKey{}, false
	}
	k := keyOf(names[0])
	for _, n := range names[1:] {
		if nk := keyOf(n); nk.compare(k) > 0 {
			k = nk
		}
	}
	return k, true
}

// exclList is a bounded list of excluded names: rejected, deprecated or
// review. Each name keeps an item per reason.
type exclList struct {
	b *bounded[[]*Excluded]
}

func newExclList(max int) *exclList {
	b := newBounded(max, func(items []*Excluded) int {
		n := 0
		for _, x := range items {
			n += x.EvidenceCount
		}
		return n
	})
	b.seen = true
	return &exclList{b: b}
}

// add records a sighting of a name kept out for a reason.
func (l *exclList) add(addr string, code discover.Code, reason, row string, s Sighting) {
	items, ok := l.b.get(addr, func() []*Excluded { return nil })
	if !ok {
		l.b.addRest(s.Count)
		return
	}
	var ex *Excluded
	for _, x := range items {
		if x.Reason == reason {
			ex = x
		}
	}
	if ex == nil {
		ex = &Excluded{Address: addr, Code: code, Reason: reason, Row: row}
		l.b.items[addr] = append(items, ex)
	}
	ex.add(s)
}

// cutAt says that a report listed these names of the list and left out
// rest: names past the largest of them are unknown, and rest is counted.
func (l *exclList) cutAt(listed []string, rest Rest) {
	if rest.Names == 0 && rest.Sightings == 0 {
		return
	}
	l.b.addRest(rest.Sightings)
	if k, ok := maxKey(listed); ok {
		l.b.limit(k)
	} else {
		l.b.cut, l.b.cutoff = true, nameKey{}
		for name, v := range l.b.items {
			l.b.rest += l.b.weight(v)
			delete(l.b.items, name)
		}
	}
}

// finish returns the items, sorted by address and reason, with their
// evidence sampled, and what was left out.
func (l *exclList) finish() ([]Excluded, Rest) {
	names, rest := l.b.finish()
	list := []Excluded{}
	for _, name := range names {
		for _, ex := range l.b.items[name] {
			ex.Evidence = capEvidence(ex.Evidence)
			list = append(list, *ex)
		}
	}
	slices.SortFunc(list, func(a, b Excluded) int {
		return cmp.Or(strings.Compare(a.Address, b.Address), strings.Compare(a.Reason, b.Reason))
	})
	return list, rest
}
