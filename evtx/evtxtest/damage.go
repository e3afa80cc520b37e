package evtxtest

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// The damage helpers take the bytes of a file written by Write and return a
// damaged copy; b itself is not changed. A chunk is named by its index in
// file order (0 is the chunk right after the file header), a record by its
// index within the chunk. They panic if the chunk or record is not there.

// ChunkOffsets returns the offsets of the chunk magics ("ElfChnk\0") found
// at the 64 KiB steps after the file header.
func ChunkOffsets(b []byte) []int {
	var offs []int
	for o := fileHeaderSize; o+len(chunkMagic) <= len(b); o += chunkSize {
		if bytes.Equal(b[o:o+len(chunkMagic)], chunkMagic) {
			offs = append(offs, o)
		}
	}
	return offs
}

// Truncate returns the first n bytes of b (all of b if it is shorter), as a
// file cut off in a copy.
func Truncate(b []byte, n int) []byte {
	n = max(0, min(n, len(b)))
	return bytes.Clone(b[:n])
}

// FlipByte returns b with every bit of the byte at off inverted. No
// checksum is updated.
func FlipByte(b []byte, off int) []byte {
	c := bytes.Clone(b)
	c[off] ^= 0xff
	return c
}

// CorruptChunkMagic returns b with the first byte of the given chunk's magic
// changed ("XlfChnk\0"); the rest of the chunk is intact.
func CorruptChunkMagic(b []byte, chunk int) []byte {
	c := bytes.Clone(b)
	c[chunkOffset(c, chunk)] = 'X'
	return c
}

// CorruptChunkCRC returns b with the given chunk's records checksum (chunk
// header offset 52) inverted, so that it no longer matches the records. The
// chunk header checksum is recomputed if the chunk keeps checksums, so the
// records checksum is the only thing wrong.
func CorruptChunkCRC(b []byte, chunk int) []byte {
	c := bytes.Clone(b)
	ch := c[chunkOffset(c, chunk):]
	le := binary.LittleEndian
	le.PutUint32(ch[52:], ^le.Uint32(ch[52:]))
	if le.Uint32(ch[120:])&flagNoCRC == 0 {
		le.PutUint32(ch[124:], chunkHeaderCRC(ch))
	}
	return c
}

// SetHeaderChunkCount returns b with a file header that claims n chunks, as
// the stale header of a log copied while in use: the chunk count and, unless
// the log has wrapped, the last chunk number (n-1) change; the header
// checksum is recomputed unless the file keeps none.
func SetHeaderChunkCount(b []byte, n uint16) []byte {
	c := bytes.Clone(b)
	le := binary.LittleEndian
	le.PutUint16(c[42:], n)
	if le.Uint64(c[8:]) == 0 && n > 0 {
		le.PutUint64(c[16:], uint64(n-1))
	}
	fixFileHeaderCRC(c)
	return c
}

// Wrap returns b as a ring buffer that has wrapped: the used chunks (as
// many as the header counts) are rotated so that the oldest chunk moves to
// index rotate (mod the count), and the header's first and last chunk
// numbers name the oldest and the newest chunk, the first above the last.
// Chunks after the used ones stay where they are. The header checksum is
// recomputed unless the file keeps none.
func Wrap(b []byte, rotate int) []byte {
	c := bytes.Clone(b)
	le := binary.LittleEndian
	n := int(le.Uint16(c[42:]))
	if n == 0 {
		return c
	}
	chunkOffset(c, n-1) // all used chunks are there
	r := ((rotate % n) + n) % n
	for i := range n {
		src := b[fileHeaderSize+i*chunkSize:][:chunkSize]
		copy(c[fileHeaderSize+((i+r)%n)*chunkSize:], src)
	}
	le.PutUint64(c[8:], uint64(r))
	le.PutUint64(c[16:], uint64((n-1+r)%n))
	fixFileHeaderCRC(c)
	return c
}

// ZeroSizeRecord returns b with the size of the given record set to 0 (the
// copy of the size at the record's end is kept). The chunk's checksums are
// recomputed if it keeps them, so the size is the only thing wrong.
func ZeroSizeRecord(b []byte, chunk, rec int) []byte {
	return setRecordSize(b, chunk, rec, func(int) uint32 { return 0 })
}

// OversizeRecord returns b with the size of the given record set to reach 8
// bytes past the end of its chunk. The chunk's checksums are recomputed if
// it keeps them, so the size is the only thing wrong.
func OversizeRecord(b []byte, chunk, rec int) []byte {
	return setRecordSize(b, chunk, rec, func(off int) uint32 { return uint32(chunkSize - off + 8) })
}

func setRecordSize(b []byte, chunk, rec int, size func(off int) uint32) []byte {
	c := bytes.Clone(b)
	ch := c[chunkOffset(c, chunk):][:chunkSize]
	off := recordOffset(ch, rec)
	le := binary.LittleEndian
	le.PutUint32(ch[off+4:], size(off))
	if le.Uint32(ch[120:])&flagNoCRC == 0 {
		setChunkCRCs(ch)
	}
	return c
}

// chunkOffset returns the file offset of chunk i, which must be complete.
func chunkOffset(b []byte, i int) int {
	off := fileHeaderSize + i*chunkSize
	if i < 0 || off+chunkSize > len(b) {
		panic(fmt.Sprintf("evtxtest: no chunk %d in a file of %d bytes", i, len(b)))
	}
	return off
}

// recordOffset returns the chunk offset of record i, walking the records
// from the first by their sizes.
func recordOffset(ch []byte, i int) int {
	free := int(binary.LittleEndian.Uint32(ch[48:]))
	off := chunkHeaderSize
	for n := 0; off+recordHeaderSize <= min(free, len(ch)); n++ {
		if !bytes.Equal(ch[off:off+4], recordMagic) {
			break
		}
		if n == i {
			return off
		}
		size := int(binary.LittleEndian.Uint32(ch[off+4:]))
		if size < recordHeaderSize {
			break
		}
		off += size
	}
	panic(fmt.Sprintf("evtxtest: no record %d in the chunk", i))
}

// fixFileHeaderCRC recomputes the file header checksum unless the header's
// flags say the file keeps none.
func fixFileHeaderCRC(b []byte) {
	if binary.LittleEndian.Uint32(b[120:])&flagNoCRC == 0 {
		setFileHeaderCRC(b)
	}
}
