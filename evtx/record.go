package evtx

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// chunkDecoder decodes the records of one chunk.
type chunkDecoder struct {
	fi    *fileInfo
	p     *parser
	index int
	res   *chunkResult
	w     func(string, ...any)
	// The last template looked up by otherProvider and its answer:
	// neighbouring records mostly share a template.
	lastTmpl uint32
	lastSkip bool
}

// records decodes the records of one chunk (b is the whole chunk).
func (cd *chunkDecoder) records(b []byte) {
	w := cd.w
	h, err := parseChunkHeader(b)
	if err != nil {
		cd.res.damaged = true
		w("chunk header: %v; chunk skipped", err)
		return
	}
	defer cd.checksums(b, h)
	cd.p.reset(b)
	le := binary.LittleEndian
	damaged := false
	claimed := int(h.Freespace) // end of written data, per the header
	for off := chunkHeaderSize; off+recordHeader <= len(b); {
		if !bytes.Equal(b[off:off+4], recordMagic) {
			if off >= claimed || allZero(b[off:min(off+recordHeader, len(b))]) {
				break // end of the records
			}
			next := resync(b, off+8)
			damaged = true
			if next < 0 {
				w("no record signature at offset %#x; %d bytes up to the written end skipped", off, claimed-off)
				break
			}
			w("no record signature at offset %#x; resumed at the next record at %#x", off, next)
			off = next
			continue
		}
		size := int(le.Uint32(b[off+4:]))
		if !validRecord(b, off) {
			damaged = true
			next := resync(b, off+8)
			if next < 0 {
				w("record at offset %#x has a bad size (%d); rest of chunk skipped", off, size)
				break
			}
			w("record at offset %#x has a bad size (%d); resumed at the next record at %#x", off, size, next)
			off = next
			continue
		}
		id := le.Uint64(b[off+8:])
		if cd.fi.pre != nil && cd.otherProvider(b, off) {
			cd.res.records = append(cd.res.records, recResult{id: id, skipped: true})
			off += size
			continue
		}
		ev, derr := cd.decode(b, off, size)
		if derr != nil {
			damaged = true
			if ev == nil {
				w("record %d at offset %#x: %v; record skipped", id, off, derr)
				cd.res.records = append(cd.res.records, recResult{id: id})
				off += size
				continue
			}
			ev.Partial = true
			w("record %d at offset %#x: %v; delivered with the fields decoded before the damage", id, off, derr)
		}
		ev.Recovered = off > int(h.OffsetLastRec)
		r := recResult{id: id, decoded: true}
		if cd.fi.filter.match(*ev) {
			r.ev = ev
		}
		cd.res.records = append(cd.res.records, r)
		off += size
	}
	if damaged {
		cd.res.damaged = true
	}
}

// validRecord reports whether a plausible record starts at off: signature,
// a size that fits the chunk, and the trailing copy of the size.
func validRecord(b []byte, off int) bool {
	if off+recordHeader > len(b) || !bytes.Equal(b[off:off+4], recordMagic) {
		return false
	}
	size := int(binary.LittleEndian.Uint32(b[off+4:]))
	if size < recordHeader+4 || off+size > len(b) {
		return false
	}
	return int(binary.LittleEndian.Uint32(b[off+size-4:])) == size
}

// resync finds the next plausible record at or after from (records are
// 8-byte aligned), or -1.
func resync(b []byte, from int) int {
	for off := (from + 7) &^ 7; off+recordHeader <= len(b); off += 8 {
		if validRecord(b, off) {
			return off
		}
	}
	return -1
}

// decode renders the record at off. It returns a nil event when nothing
// usable was decoded, and a non-nil event with an error when the record was
// decoded in part.
func (cd *chunkDecoder) decode(b []byte, off, size int) (*Event, error) {
	le := binary.LittleEndian
	c := &cursor{b: b[:off+size-4], pos: off + recordHeader}
	nodes, perr := cd.p.fragment(c, false, 0)
	root := &element{}
	rerr := (&renderer{budget: maxRenderNodes}).render(root, nodes, nil, 0)
	var evEl *element
	for _, ch := range root.Children {
		if ch.Name == "Event" {
			evEl = ch
			break
		}
	}
	err := perr
	if err == nil {
		err = rerr
	}
	if evEl == nil {
		if err == nil {
			err = fmt.Errorf("no <Event> element")
		}
		return nil, err
	}
	ev := eventFromElement(evEl)
	if ev.RecordID == 0 {
		ev.RecordID = le.Uint64(b[off+8:])
	}
	if ev.Time.IsZero() {
		ev.Time = fileTime(le.Uint64(b[off+16:]))
	}
	ev.File = cd.fi.name
	ev.Chunk = cd.index
	return &ev, err
}

// otherProvider reports whether the record at off instances a template
// whose provider name is literal text naming a provider the filter does not
// want; such a record is skipped without decoding its values. Anything
// less certain (a damaged or unusual record, a provider given by a
// substitution) answers false and the record is decoded in full.
func (cd *chunkDecoder) otherProvider(b []byte, off int) bool {
	pos := off + recordHeader
	if pos+10 > len(b) {
		return false
	}
	if b[pos] == tokFragmentHeader {
		pos += 4
	}
	if b[pos] != tokTemplate || pos+10 > len(b) {
		return false
	}
	tmpl := binary.LittleEndian.Uint32(b[pos+6:])
	if tmpl != cd.lastTmpl {
		name, ok := cd.p.templateProvider(tmpl)
		cd.lastTmpl, cd.lastSkip = tmpl, ok && !cd.fi.filter.matchProvider(name)
	}
	return cd.lastSkip
}

// checksums verifies the chunk's checksums when it matters: when the chunk
// gave a wanted record or was found damaged. A mismatch elsewhere cannot
// change a result, and skipping the check keeps sparse scans fast.
func (cd *chunkDecoder) checksums(b []byte, h chunkHeader) {
	if cd.fi.noCRC || len(b) != chunkSize {
		return
	}
	relevant := cd.res.damaged
	for _, r := range cd.res.records {
		relevant = relevant || r.ev != nil
	}
	if !relevant {
		return
	}
	w := cd.w
	if hOK, dOK := h.checksums(b); !hOK || !dOK {
		cd.res.crcErr = true
		which := "header"
		if hOK {
			which = "records"
		} else if !dOK {
			which = "header and records"
		}
		w("%s checksum mismatch (normal for the chunk being written when the log was copied); records read anyway", which)
	}
}
