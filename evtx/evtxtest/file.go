// Package evtxtest writes Windows .evtx files for tests.
//
// The files are laid out as Windows lays out the Application log of classic
// event sources (such as WVD-Agent): a 4 KiB file header, 64 KiB chunks with
// string and template tables, and records that each instance a System
// template whose Provider Name, Channel and Computer are literal text, with
// the insertion strings in a nested EventData fragment. The damage helpers
// take a written file apart in the ways real files are found broken.
//
// It is test support: it writes what it is given and checks little.
package evtxtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"time"
)

// Record is one event to write.
type Record struct {
	Provider   string // e.g. "WVD-Agent"; written as a literal in the System template, NO Guid attribute (classic source)
	EventID    uint16
	Qualifiers uint16    // written as EventID's Qualifiers attribute (substitution)
	Level      uint8     // 4 = Information
	Time       time.Time // TimeCreated SystemTime (FILETIME, 100 ns)
	RecordID   uint64    // 0 = assign sequentially from Options.FirstRecordID
	Computer   string
	Channel    string   // default "Application"
	Data       []string // insertion strings, empty strings allowed and kept in position
}

// Options shape the file around the records.
type Options struct {
	FirstRecordID    uint64 // default 1
	RecordsPerChunk  int    // 0 = fill chunks up to 64 KiB as Windows does
	Dirty            bool   // file header flag 0x1
	NoCRC            bool   // file flag 0x4 and zero checksums (as some Windows 10 files)
	ExtraEmptyChunks int    // preallocated, zero-filled chunks after the last used one (file header chunk count excludes them, as Windows does)
	// ProviderInSubstitution is a variant: Provider Name given as a
	// substitution value instead of a template literal (for prefilter tests).
	ProviderInSubstitution bool
}

const (
	fileHeaderSize = 4096
	fileFlagDirty  = 0x1
)

var fileMagic = []byte("ElfFile\x00")

// Write writes recs as an .evtx file. A record whose RecordID is 0 gets the
// identifier after the previous record's (Options.FirstRecordID for the
// first record). Record numbers in chunk headers count from 1. Times are
// written at 100 ns precision; strings may not contain NUL.
func Write(w io.Writer, recs []Record, opt Options) error {
	b, err := Bytes(recs, opt)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Bytes returns the .evtx file that Write writes.
func Bytes(recs []Record, opt Options) ([]byte, error) {
	if opt.RecordsPerChunk < 0 || opt.ExtraEmptyChunks < 0 {
		return nil, errors.New("evtxtest: negative RecordsPerChunk or ExtraEmptyChunks")
	}
	next := opt.FirstRecordID
	if next == 0 {
		next = 1
	}
	var chunks []*chunk
	var c *chunk
	for i := range recs {
		r := recs[i]
		if err := check(&r); err != nil {
			return nil, fmt.Errorf("evtxtest: record %d: %w", i, err)
		}
		id := r.RecordID
		if id == 0 {
			id = next
		}
		next = id + 1
		num := uint64(i + 1)
		if c == nil || (opt.RecordsPerChunk > 0 && c.count >= opt.RecordsPerChunk) {
			c = newChunk()
			chunks = append(chunks, c)
		}
		ok, err := c.add(&r, num, id, opt.ProviderInSubstitution)
		if err == nil && !ok && c.count > 0 {
			c = newChunk()
			chunks = append(chunks, c)
			ok, err = c.add(&r, num, id, opt.ProviderInSubstitution)
		}
		if err != nil {
			return nil, fmt.Errorf("evtxtest: record %d: %w", i, err)
		}
		if !ok {
			return nil, fmt.Errorf("evtxtest: record %d: too large for a chunk", i)
		}
	}
	if len(chunks)+opt.ExtraEmptyChunks > 0xffff {
		return nil, errors.New("evtxtest: more than 65535 chunks")
	}

	var out bytes.Buffer
	out.Grow(fileHeaderSize + (len(chunks)+opt.ExtraEmptyChunks)*chunkSize)
	out.Write(fileHeader(len(chunks), next, opt))
	for _, c := range chunks {
		out.Write(c.finish(opt.NoCRC))
	}
	out.Write(make([]byte, opt.ExtraEmptyChunks*chunkSize))
	return out.Bytes(), nil
}

// check fills in defaults and rejects what cannot be written.
func check(r *Record) error {
	if r.Channel == "" {
		r.Channel = "Application"
	}
	if r.Time.Before(filetimeEpoch) {
		return fmt.Errorf("time %v is before 1601", r.Time)
	}
	for _, s := range append([]string{r.Provider, r.Computer, r.Channel}, r.Data...) {
		if strings.ContainsRune(s, 0) {
			return fmt.Errorf("string %q contains NUL", s)
		}
	}
	return nil
}

// fileHeader returns the 4 KiB file header of a file with n used chunks.
func fileHeader(n int, nextID uint64, opt Options) []byte {
	b := make([]byte, fileHeaderSize)
	le := binary.LittleEndian
	copy(b, fileMagic)
	le.PutUint64(b[8:], 0) // first chunk number
	if n > 0 {
		le.PutUint64(b[16:], uint64(n-1)) // last chunk number
	}
	le.PutUint64(b[24:], nextID)
	le.PutUint32(b[32:], 128) // header size
	le.PutUint16(b[36:], 2)   // minor version
	le.PutUint16(b[38:], 3)   // major version
	le.PutUint16(b[40:], fileHeaderSize)
	le.PutUint16(b[42:], uint16(n))
	var flags uint32
	if opt.Dirty {
		flags |= fileFlagDirty
	}
	if opt.NoCRC {
		flags |= flagNoCRC
	}
	le.PutUint32(b[120:], flags)
	if !opt.NoCRC {
		setFileHeaderCRC(b)
	}
	return b
}

// setFileHeaderCRC stores the CRC32 of the first 120 bytes of the header.
func setFileHeaderCRC(b []byte) {
	binary.LittleEndian.PutUint32(b[124:], crc32.ChecksumIEEE(b[:120]))
}
