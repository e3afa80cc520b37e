package evtx

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// records decodes the records of one chunk (b is the whole chunk).
func (rd *chunkReader) records(b []byte, w func(string, ...any)) error {
	h, err := parseChunkHeader(b)
	if err != nil {
		rd.st.DamagedChunks++
		w("chunk header: %v; chunk skipped", err)
		return nil
	}
	if !rd.noCRC && len(b) == chunkSize {
		if hOK, dOK := h.checksums(b); !hOK || !dOK {
			rd.st.ChecksumErrors++
			which := "header"
			if hOK {
				which = "records"
			} else if !dOK {
				which = "header and records"
			}
			w("%s checksum mismatch (normal for the chunk being written when the log was copied); records read anyway", which)
		}
	}
	rd.p.reset(b)
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
		if !rd.seen.add(id) {
			rd.st.Duplicates++
			off += size
			continue
		}
		if rd.pre != nil && rd.otherProvider(b, off) {
			rd.st.SkippedRecords++
			off += size
			continue
		}
		ev, derr := rd.decode(b, off, size)
		if derr != nil {
			damaged = true
			if ev == nil {
				w("record %d at offset %#x: %v; record skipped", id, off, derr)
				off += size
				continue
			}
			ev.Partial = true
			w("record %d at offset %#x: %v; delivered with the fields decoded before the damage", id, off, derr)
		}
		ev.Recovered = off > int(h.OffsetLastRec)
		rd.st.Records++
		if rd.filter.match(ev) {
			rd.st.Matched++
			if err := rd.emit(*ev); err != nil {
				return err
			}
		}
		off += size
	}
	if damaged {
		rd.st.DamagedChunks++
	}
	return nil
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
func (rd *chunkReader) decode(b []byte, off, size int) (*Event, error) {
	le := binary.LittleEndian
	c := &cursor{b: b[:off+size-4], pos: off + recordHeader}
	nodes, perr := rd.p.fragment(c, false, 0)
	root := &Element{}
	rerr := (&renderer{budget: maxRenderNodes}).render(root, nodes, nil, 0)
	var evEl *Element
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
	ev := EventFromElement(evEl)
	if ev.RecordID == 0 {
		ev.RecordID = le.Uint64(b[off+8:])
	}
	if ev.Time.IsZero() {
		ev.Time = fileTime(le.Uint64(b[off+16:]))
	}
	ev.File = rd.name
	ev.Chunk = rd.index
	return &ev, err
}

// otherProvider reports whether the record at off instances a template
// whose provider name is literal text naming a provider the filter does not
// want; such a record is skipped without decoding its values. Anything
// less certain (a damaged or unusual record, a provider given by a
// substitution) answers false and the record is decoded in full.
func (rd *chunkReader) otherProvider(b []byte, off int) bool {
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
	tm, err := rd.p.template(binary.LittleEndian.Uint32(b[pos+6:]), 0)
	if err != nil {
		return false
	}
	name, ok := tm.literalProvider()
	return ok && !rd.filter.matchProvider(name)
}
