package evtx

import "bytes"

// prefilter decides from a chunk's raw bytes, before any BinXML is parsed,
// whether the chunk can hold a record of one of the wanted providers.
//
// It is conservative for every way the event log service stores a provider
// name: as one contiguous string, either literal text in a template (which
// is defined inside the same chunk as every record that uses it) or a
// substitution value, in UTF-16LE or single-byte ANSI, in any letter case.
// A chunk that holds the name in none of those forms cannot yield a
// matching record, so it is skipped unread.
type prefilter struct {
	pats []pattern
}

type pattern struct {
	lower  []byte // the name, ASCII lower case
	anchor int    // index of the byte searched for first
	bytes  []byte // the anchor byte in each case (one or two values)
}

// newPrefilter builds the prefilter for a provider filter, or returns nil
// when none applies: no provider filter, or a name that is not ASCII (the
// case folding of other scripts is left to the full parse).
func newPrefilter(providers []string) *prefilter {
	if len(providers) == 0 {
		return nil
	}
	p := &prefilter{}
	for _, name := range providers {
		if name == "" {
			return nil
		}
		pt := pattern{lower: make([]byte, len(name)), anchor: -1}
		for i := 0; i < len(name); i++ {
			c := name[i]
			if c >= 0x80 || c == 0 {
				return nil
			}
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			pt.lower[i] = c
			if pt.anchor < 0 && !(c >= 'a' && c <= 'z') {
				pt.anchor = i // a byte with no case: one search
			}
		}
		if pt.anchor < 0 {
			pt.anchor = 0
			pt.bytes = []byte{pt.lower[0], pt.lower[0] - ('a' - 'A')}
		} else {
			pt.bytes = []byte{pt.lower[pt.anchor]}
		}
		p.pats = append(p.pats, pt)
	}
	return p
}

// mayMatch reports whether chunk b can hold a record of a wanted provider.
func (p *prefilter) mayMatch(b []byte) bool {
	for i := range p.pats {
		if p.pats[i].find(b) {
			return true
		}
	}
	return false
}

func (pt *pattern) find(b []byte) bool {
	for _, a := range pt.bytes {
		for from := 0; from < len(b); {
			i := bytes.IndexByte(b[from:], a)
			if i < 0 {
				break
			}
			i += from
			if pt.at(b, i-2*pt.anchor, 2) || pt.at(b, i-pt.anchor, 1) {
				return true
			}
			from = i + 1
		}
	}
	return false
}

// at reports whether the name starts at off with the given stride: 2 for
// UTF-16LE (every high byte zero), 1 for ANSI.
func (pt *pattern) at(b []byte, off, stride int) bool {
	if off < 0 || off+stride*len(pt.lower) > len(b) {
		return false
	}
	for k, want := range pt.lower {
		c := b[off+stride*k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want || (stride == 2 && b[off+2*k+1] != 0) {
			return false
		}
	}
	return true
}
