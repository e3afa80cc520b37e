package evtx

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"

	goevtx "github.com/0xrawsec/golang-evtx/evtx"
)

// Sizes fixed by the format.
const (
	fileHeaderSize  = 4096
	chunkSize       = 65536
	chunkHeaderSize = 512 // header plus string and template tables
	recordHeader    = 24
)

var (
	fileMagic   = []byte("ElfFile\x00")
	chunkMagic  = []byte("ElfChnk\x00")
	recordMagic = []byte("**\x00\x00")
)

// fileHeader is the decoded file header. The layout is golang-evtx's
// FileHeader; only the decoding is ours (the library's panics on short
// input).
type fileHeader struct {
	goevtx.FileHeader
	crcOK bool
}

func parseFileHeader(b []byte) (fileHeader, bool) {
	var h fileHeader
	if len(b) < 128 || !bytes.Equal(b[:8], fileMagic) {
		return h, false
	}
	if err := binary.Read(bytes.NewReader(b[:128]), binary.LittleEndian, &h.FileHeader); err != nil {
		return h, false
	}
	h.crcOK = crc32.ChecksumIEEE(b[:120]) == h.CheckSum
	return h, true
}

// noCRC reports the file flag that tells readers the checksums are unset.
func (h fileHeader) noCRC() bool { return h.Flags&0x4 != 0 }

// chunkHeader is the decoded chunk header (golang-evtx's layout) plus the
// fields the library does not decode. It is decoded by hand: it is read
// once per chunk, and reflection-based decoding cost more than the scan.
type chunkHeader struct {
	goevtx.ChunkHeader
	flags     uint32
	headerCRC uint32
}

func parseChunkHeader(b []byte) (chunkHeader, error) {
	var h chunkHeader
	if len(b) < chunkHeaderSize {
		return h, errShort
	}
	le := binary.LittleEndian
	copy(h.Magic[:], b[:8])
	h.NumFirstRecLog = int64(le.Uint64(b[8:]))
	h.NumLastRecLog = int64(le.Uint64(b[16:]))
	h.FirstEventRecID = int64(le.Uint64(b[24:]))
	h.LastEventRecID = int64(le.Uint64(b[32:]))
	h.SizeHeader = int32(le.Uint32(b[40:]))
	h.OffsetLastRec = int32(le.Uint32(b[44:]))
	h.Freespace = int32(le.Uint32(b[48:]))
	h.CheckSum = le.Uint32(b[52:])
	h.flags = binary.LittleEndian.Uint32(b[120:])
	h.headerCRC = binary.LittleEndian.Uint32(b[124:])
	return h, nil
}

// checksums verifies the chunk's header and record checksums.
func (h chunkHeader) checksums(b []byte) (headerOK, dataOK bool) {
	c := crc32.NewIEEE()
	c.Write(b[:120])
	c.Write(b[128:chunkHeaderSize])
	headerOK = c.Sum32() == h.headerCRC
	end := int(h.Freespace)
	if end < chunkHeaderSize || end > len(b) {
		return headerOK, false
	}
	dataOK = crc32.ChecksumIEEE(b[chunkHeaderSize:end]) == h.CheckSum
	return headerOK, dataOK
}
