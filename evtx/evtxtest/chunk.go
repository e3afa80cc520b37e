package evtxtest

import (
	"encoding/binary"
	"hash/crc32"
)

const (
	chunkSize        = 64 << 10
	chunkHeaderSize  = 512
	recordHeaderSize = 24

	chunkFlagDirty = 0x1 // set by Windows on every chunk it writes
	flagNoCRC      = 0x4 // file and chunk flag: checksums are not kept
)

var (
	chunkMagic  = []byte("ElfChnk\x00")
	recordMagic = []byte("**\x00\x00")
)

// chunk is a 64 KiB chunk being filled with records. Names and templates
// are defined once per chunk and referenced by offset afterwards.
type chunk struct {
	buf       []byte
	free      int // offset of the next record
	lastOff   int
	count     int
	firstNum  uint64
	lastNum   uint64
	firstID   uint64
	lastID    uint64
	names     map[string]uint32
	tmpls     map[[16]byte]uint32
	strHeads  [64]uint32
	tmplHeads [32]uint32
}

func newChunk() *chunk {
	return &chunk{
		buf:   make([]byte, chunkSize),
		free:  chunkHeaderSize,
		names: map[string]uint32{},
		tmpls: map[[16]byte]uint32{},
	}
}

// add writes r as the record with number num (1-based in the file) and
// identifier id. It reports false, leaving the chunk as it was, if the
// record does not fit.
func (c *chunk) add(r *Record, num, id uint64, provSub bool) (bool, error) {
	e := &enc{
		base:      c.free + recordHeaderSize,
		names:     c.names,
		tmpls:     c.tmpls,
		newNames:  map[string]uint32{},
		newTmpls:  map[[16]byte]uint32{},
		strHeads:  c.strHeads,
		tmplHeads: c.tmplHeads,
	}
	t := systemTemplate(r.Provider, r.Channel, r.Computer)
	if provSub {
		t = systemTemplateProviderSub(r.Computer)
	}
	if err := e.fragment(t, recordValues(r, id, provSub)); err != nil {
		return false, err
	}
	size := (recordHeaderSize + len(e.b) + 4 + 7) &^ 7 // padded to 8 bytes
	if c.free+size > chunkSize {
		return false, nil
	}
	b := c.buf[c.free : c.free+size]
	copy(b, recordMagic)
	binary.LittleEndian.PutUint32(b[4:], uint32(size))
	binary.LittleEndian.PutUint64(b[8:], id)
	binary.LittleEndian.PutUint64(b[16:], filetime(r.Time))
	copy(b[recordHeaderSize:], e.b)
	binary.LittleEndian.PutUint32(b[size-4:], uint32(size))

	for k, v := range e.newNames {
		c.names[k] = v
	}
	for k, v := range e.newTmpls {
		c.tmpls[k] = v
	}
	c.strHeads, c.tmplHeads = e.strHeads, e.tmplHeads
	if c.count == 0 {
		c.firstNum, c.firstID = num, id
	}
	c.lastNum, c.lastID = num, id
	c.lastOff = c.free
	c.free += size
	c.count++
	return true, nil
}

// finish fills in the chunk header and returns the chunk's bytes.
func (c *chunk) finish(noCRC bool) []byte {
	b := c.buf
	copy(b, chunkMagic)
	le := binary.LittleEndian
	le.PutUint64(b[8:], c.firstNum)
	le.PutUint64(b[16:], c.lastNum)
	le.PutUint64(b[24:], c.firstID)
	le.PutUint64(b[32:], c.lastID)
	le.PutUint32(b[40:], 128) // header size
	le.PutUint32(b[44:], uint32(c.lastOff))
	le.PutUint32(b[48:], uint32(c.free))
	for i, o := range c.strHeads {
		le.PutUint32(b[128+4*i:], o)
	}
	for i, o := range c.tmplHeads {
		le.PutUint32(b[384+4*i:], o)
	}
	flags := uint32(chunkFlagDirty)
	if noCRC {
		flags |= flagNoCRC
	}
	le.PutUint32(b[120:], flags)
	if !noCRC {
		setChunkCRCs(b)
	}
	return b
}

// setChunkCRCs stores the records checksum (CRC32 of the bytes from 512 to
// the free space offset) and the header checksum (bytes 0-120 and 128-512)
// of the chunk that b starts with.
func setChunkCRCs(b []byte) {
	free := int(binary.LittleEndian.Uint32(b[48:]))
	free = max(chunkHeaderSize, min(free, chunkSize))
	binary.LittleEndian.PutUint32(b[52:], crc32.ChecksumIEEE(b[chunkHeaderSize:free]))
	binary.LittleEndian.PutUint32(b[124:], chunkHeaderCRC(b))
}

func chunkHeaderCRC(b []byte) uint32 {
	crc := crc32.Update(0, crc32.IEEETable, b[:120])
	return crc32.Update(crc, crc32.IEEETable, b[128:chunkHeaderSize])
}
