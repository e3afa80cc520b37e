package evtx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrNotEVTX is returned (wrapped, with the file name) for input that does
// not start with the EVTX file signature.
var ErrNotEVTX = errors.New("not an EVTX file (no \"ElfFile\" signature)")

// Filter selects the records to deliver. A zero Filter delivers every
// record.
type Filter struct {
	// Providers are matched case-insensitively; empty means any.
	Providers []string
	// EventIDs; empty means any.
	EventIDs []uint32
	// NoPrefilter turns off the skipping of chunks and records that cannot
	// hold a wanted provider (see prefilter), for comparison.
	NoPrefilter bool
}

// matchProvider reports whether a provider name passes the filter.
func (f Filter) matchProvider(name string) bool {
	if len(f.Providers) == 0 {
		return true
	}
	for _, p := range f.Providers {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

func (f Filter) match(ev *Event) bool {
	if !f.matchProvider(ev.Provider) {
		return false
	}
	if len(f.EventIDs) > 0 {
		for _, id := range f.EventIDs {
			if id == ev.EventID {
				return true
			}
		}
		return false
	}
	return true
}

// Stats counts what reading a file found.
type Stats struct {
	Bytes         int64 `json:"bytes"`
	Chunks        int   `json:"chunks"`        // chunks with a valid signature
	StaleChunks   int   `json:"staleChunks"`   // of those, beyond the header's chunk count
	DamagedChunks int   `json:"damagedChunks"` // chunks that lost records or failed
	Records       int   `json:"records"`       // distinct records decoded
	Duplicates    int   `json:"duplicates"`    // copies of a record ID already delivered
	Matched       int   `json:"matched"`       // records that passed the filter
	// ChecksumErrors counts chunks whose header or record checksum does not
	// match; their records are still read (dirty files often have them).
	ChecksumErrors int `json:"checksumErrors"`
	// SkippedChunks counts chunks the prefilter skipped unread: they
	// cannot hold a record of the wanted providers. Their records are not
	// counted in Records.
	SkippedChunks int `json:"skippedChunks"`
	// SkippedRecords counts records skipped undecoded because their
	// template names another provider.
	SkippedRecords int `json:"skippedRecords"`
	// Truncated is set when the file ends before its last chunk does, or
	// before the chunks its header lists.
	Truncated bool `json:"truncated"`
}

// ReadFile reads the .evtx file at path, calling emit for every distinct
// record that passes the filter and warn for every damaged chunk or record.
// It fails only when the file cannot be opened or is not EVTX at all, or
// when emit returns an error.
func ReadFile(path string, f Filter, emit func(Event) error, warn func(Warning)) (Stats, error) {
	fh, err := os.Open(path)
	if err != nil {
		return Stats{}, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return Stats{}, err
	}
	if fi.IsDir() {
		return Stats{}, fmt.Errorf("%s: is a directory", path)
	}
	return Read(fh, fi.Size(), path, f, emit, warn)
}

// Read reads EVTX data of the given size from r; name labels events and
// warnings.
func Read(r io.ReaderAt, size int64, name string, f Filter, emit func(Event) error, warn func(Warning)) (Stats, error) {
	st := Stats{Bytes: size}
	head := make([]byte, fileHeaderSize)
	n, err := r.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return st, fmt.Errorf("%s: %w", name, err)
	}
	hdr, ok := parseFileHeader(head[:n])
	if !ok {
		return st, fmt.Errorf("%s: %w", name, ErrNotEVTX)
	}
	if !hdr.crcOK && !hdr.noCRC() {
		warn(Warning{File: name, Chunk: -1, Reason: "file header checksum mismatch; chunks are located by signature instead"})
	}
	total := 0
	if size > fileHeaderSize {
		total = int((size - fileHeaderSize + chunkSize - 1) / chunkSize)
	}
	inRange := min(int(hdr.ChunkCount), total)
	if int(hdr.ChunkCount) > total {
		st.Truncated = true
		warn(Warning{File: name, Chunk: -1, Reason: fmt.Sprintf("header lists %d chunks but the file holds %d: file truncated", hdr.ChunkCount, total)})
	}
	rd := &chunkReader{
		name: name, filter: f, emit: emit, warn: warn, st: &st,
		buf: make([]byte, chunkSize), p: newParser(),
		noCRC: hdr.noCRC(),
	}
	if !f.NoPrefilter {
		rd.pre = newPrefilter(f.Providers)
	}
	// Chunks the header counts first, so that a record also found in a
	// stale chunk is delivered from the live one; then the rest.
	for i := 0; i < total; i++ {
		if err := rd.chunk(r, i, i < inRange); err != nil {
			return st, err
		}
	}
	return st, nil
}

// chunkReader holds the state of reading one file.
type chunkReader struct {
	name   string
	filter Filter
	emit   func(Event) error
	warn   func(Warning)
	st     *Stats
	seen   idSet
	index  int // chunk being read
	buf    []byte
	p      *parser
	noCRC  bool
	pre    *prefilter // nil: read every chunk and record
}

// errEmit wraps an error returned by the caller's emit function, which
// stops the read instead of being reported as damage.
type errEmit struct{ err error }

func (e errEmit) Error() string { return e.err.Error() }

// chunk reads the i-th chunk. A damaged chunk is reported and skipped;
// only the caller's own emit error stops the file.
func (rd *chunkReader) chunk(r io.ReaderAt, i int, counted bool) (err error) {
	off := int64(fileHeaderSize) + int64(i)*chunkSize
	n, rerr := r.ReadAt(rd.buf, off)
	if rerr != nil && rerr != io.EOF {
		return fmt.Errorf("%s: chunk %d: %w", rd.name, i, rerr)
	}
	b := rd.buf[:n]
	rd.index = i
	w := func(format string, a ...any) {
		rd.warn(Warning{File: rd.name, Chunk: i, Offset: off, Reason: fmt.Sprintf(format, a...)})
	}
	if len(b) < len(chunkMagic) || !bytes.Equal(b[:len(chunkMagic)], chunkMagic) {
		if counted && !allZero(b) {
			rd.st.DamagedChunks++
			w("bad chunk signature %q; chunk skipped", b[:min(len(b), 8)])
		}
		return nil
	}
	rd.st.Chunks++
	if !counted {
		rd.st.StaleChunks++
	}
	defer func() {
		if v := recover(); v != nil {
			rd.st.DamagedChunks++
			w("internal decoder error: %v; rest of chunk skipped", v)
			err = nil
		}
	}()
	if rd.pre != nil && !rd.pre.mayMatch(b) {
		rd.st.SkippedChunks++
		return nil
	}
	if n < chunkSize {
		rd.st.Truncated = true
		w("chunk truncated at end of file (%d of %d bytes); reading the records present", n, chunkSize)
	}
	return rd.records(b, w)
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}
