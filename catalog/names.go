package catalog

import (
	"strings"

	"github.com/avdurls/avdurls/discover"
)

// nameInfo is what a name says whatever host saw it: its canonical form
// (or why it has none), the catalog row it matches, and the region its
// monitoring or gateway host name points to. A fleet's events repeat the
// same names, so the Builder keeps it per name (Builder.name).
type nameInfo struct {
	host    string // canonical form (discover.Normalize); "" when invalid
	err     error  // why it is not a host name
	row     Row
	matched bool
	hint    string // the real region of a monitoring ingest host name
	gateway string // the region a gateway host name points to
}

// maxNames bounds the Builder's names; it starts anew when full.
const maxNames = 1 << 16

// name returns what raw says: cached, computed once per name while the
// cache holds it. The canonical form is a string of the cache's own, so
// that the hosts' names share it and none keeps an event's text alive.
func (b *Builder) name(raw string) *nameInfo {
	if n, ok := b.names[raw]; ok {
		return n
	}
	if len(b.names) >= maxNames {
		clear(b.names)
	}
	key := strings.Clone(raw)
	n := &nameInfo{}
	if h, err := discover.Normalize(key); err != nil {
		n.err = err
	} else {
		if h != key {
			h = strings.Clone(h)
		}
		n.host = h
		n.row, n.matched = matchRows(b.rows, h)
		if r, ok := discover.RegionHint(h); ok {
			if _, real := LookupRegion(b.o.Cloud, r); real {
				n.hint = r
			}
		}
		if _, r, ok := discover.GatewayRegion(h); ok {
			n.gateway = r
		}
	}
	b.names[key] = n
	return n
}

// normalize is discover.Normalize, cached.
func (b *Builder) normalize(raw string) (string, error) {
	n := b.name(raw)
	return n.host, n.err
}

// match is the catalog row a canonical name matches, cached.
func (b *Builder) match(host string) (Row, bool) {
	n := b.name(host)
	return n.row, n.matched
}
