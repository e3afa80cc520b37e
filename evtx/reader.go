package evtx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrNotEVTX is returned (wrapped, with the file name) for input that does
// not start with the EVTX file signature.
var ErrNotEVTX = errors.New("not an EVTX file (no \"ElfFile\" signature)")

// ErrEmpty is returned (wrapped, with the file name) for an empty input:
// an export that never ran or was cut at once. It is also an ErrNotEVTX.
var ErrEmpty error = emptyError{}

// emptyError is ErrEmpty's type.
type emptyError struct{}

// Error says what is wrong.
func (emptyError) Error() string { return "empty file (0 bytes)" }

// Is makes an empty file also not an EVTX file.
func (emptyError) Is(target error) bool { return target == ErrNotEVTX }

// filter selects the records to deliver: the providers and event IDs of
// Options. A zero filter delivers every record.
type filter struct {
	// Providers are matched case-insensitively; empty means any.
	Providers []string
	// EventIDs; empty means any.
	EventIDs []uint32
}

// matchProvider reports whether a provider name passes the filter.
func (f filter) matchProvider(name string) bool {
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

// match reports whether an event passes the filter.
func (f filter) match(ev Event) bool {
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
	Matched       int   `json:"matched"`       // records that passed the filter and Since
	// Old counts records that passed the filter but were logged before
	// Options.Since: skipped, not delivered.
	Old int `json:"old"`
	// Oversized counts events of rendered XML skipped for their size (see
	// Options.MaxEventBytes); each was a warning.
	Oversized int `json:"oversized"`
	// ChecksumErrors counts chunks whose header or record checksum does not
	// match; their records are still read (dirty files often have them).
	// With ChecksumIgnore no checksum is verified and none is counted.
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
	// Panics counts chunks whose decoding panicked: the panic is recovered
	// so the chunk costs only itself, but it is a bug in the decoder, and
	// tests and fuzz targets fail on any.
	Panics int `json:"panics"`
}

// readEVTX reads EVTX data of the given size from r, one chunk after
// another on the caller's goroutine; name labels events and warnings. It
// is the in-memory counterpart of readFiles (the EVTX source), with the
// same options and handlers: opt.Workers does not apply, h.Event and
// h.Warning are called as readFiles calls them, and h.Progress and h.File,
// when set, after every chunk and at the end. It fails when the data is
// not EVTX at all, cannot be read, when a budget of opt cuts it (the error
// wraps ErrBudget; the events before were delivered) or when h.Event
// returns an error (returned as it is).
func readEVTX(r io.ReaderAt, size int64, name string, opt Options, h Handlers) (Stats, error) {
	fi, st, err := openFile(r, size, name, opt, h.Warning)
	if err != nil {
		return st, err
	}
	of := &openedFile{path: name, info: fi, acc: fileAcc{st: st, since: opt.Since}}
	buf := make([]byte, chunkSize)
	p := newParser()
	for i := 0; i < fi.total && of.err == nil; i++ {
		if err := consume(jobResult{job: job{file: of, chunk: i}, res: fi.decodeChunk(i, buf, p)}, h, opt); err != nil {
			return of.acc.st, err
		}
	}
	if h.File != nil {
		h.File(FileResult{Path: name, Stats: of.acc.st, Err: of.err})
	}
	return of.acc.st, of.err
}

// fileInfo is what every chunk of a file needs to know about it; it is not
// changed once the header is read, so chunks can be decoded in parallel.
type fileInfo struct {
	r       io.ReaderAt
	name    string
	total   int // 64 KiB blocks after the header
	inRange int // blocks the header counts
	filter  filter
	since   time.Time  // zero: every event
	pre     *prefilter // nil: read every chunk and record
	noCRC   bool       // checksums unset (file flag) or ignored (ChecksumIgnore)
}

// openFile reads and checks the file header.
func openFile(r io.ReaderAt, size int64, name string, opt Options, warn func(Warning)) (*fileInfo, Stats, error) {
	st := Stats{Bytes: size}
	head := make([]byte, fileHeaderSize)
	n, err := r.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return nil, st, fmt.Errorf("%s: %w", name, err)
	}
	if n == 0 {
		return nil, st, fmt.Errorf("%s: %w", name, ErrEmpty)
	}
	hdr, ok := parseFileHeader(head[:n])
	if !ok {
		return nil, st, fmt.Errorf("%s: %w", name, ErrNotEVTX)
	}
	fi := &fileInfo{r: r, name: name, filter: opt.filter(), since: opt.Since, noCRC: hdr.noCRC() || opt.Checksums == ChecksumIgnore}
	if !hdr.crcOK && !fi.noCRC {
		warn(Warning{File: name, Chunk: -1, Reason: "file header checksum mismatch; chunks are located by signature instead"})
	}
	if size > fileHeaderSize {
		fi.total = int((size - fileHeaderSize + chunkSize - 1) / chunkSize)
	}
	// Chunks the header counts come first in the file, so a record also
	// found in a stale chunk is delivered from the live one.
	fi.inRange = min(int(hdr.ChunkCount), fi.total)
	if int(hdr.ChunkCount) > fi.total {
		st.Truncated = true
		warn(Warning{File: name, Chunk: -1, Reason: truncationReason(hdr.ChunkCount, size)})
	}
	if !opt.NoPrefilter {
		fi.pre = newPrefilter(opt.Providers)
	}
	return fi, st, nil
}

// truncationReason says how much of a file whose header lists more chunks
// than it holds is there: the whole chunks, and the part of the last one.
func truncationReason(listed uint16, size int64) string {
	body := max(size-fileHeaderSize, 0)
	whole, part := body/chunkSize, body%chunkSize
	s := fmt.Sprintf("header lists %d chunks but the file holds %d whole", listed, whole)
	if part > 0 {
		s += fmt.Sprintf(" and %d bytes of chunk %d (cut)", part, whole)
	}
	return s + ": file truncated"
}

// chunkResult is what decoding one chunk found, before records are
// deduplicated against the rest of the file.
type chunkResult struct {
	index     int
	records   []recResult
	warnings  []Warning
	err       error // reading failed: stops the file
	valid     bool  // the chunk has a chunk signature
	stale     bool  // beyond the header's chunk count
	damaged   bool
	skipped   bool // by the prefilter
	truncated bool
	crcErr    bool
	panicked  bool // decoding panicked (a decoder bug), recovered
}

// recResult is one record of a chunk: its ID, and the event when it passed
// the filter.
type recResult struct {
	id      uint64
	skipped bool   // by its template's provider
	decoded bool   // decoded in full or in part
	ev      *Event // non-nil when it passed the filter
}

// decodeChunk reads and decodes the i-th chunk with buf and p, which the
// caller owns. A damaged chunk is reported in the result, never panics.
func (fi *fileInfo) decodeChunk(i int, buf []byte, p *parser) (res chunkResult) {
	res.index = i
	res.stale = i >= fi.inRange
	off := int64(fileHeaderSize) + int64(i)*chunkSize
	n, err := fi.r.ReadAt(buf, off)
	if err != nil && err != io.EOF {
		res.err = fmt.Errorf("%s: chunk %d: %w", fi.name, i, err)
		return res
	}
	b := buf[:n]
	w := func(format string, a ...any) {
		res.warnings = append(res.warnings, Warning{File: fi.name, Chunk: i, Offset: off, Reason: fmt.Sprintf(format, a...)})
	}
	if len(b) < len(chunkMagic) || !bytes.Equal(b[:len(chunkMagic)], chunkMagic) {
		if !res.stale && !allZero(b) {
			res.damaged = true
			w("bad chunk signature %q; chunk skipped", b[:min(len(b), 8)])
		}
		return res
	}
	res.valid = true
	defer func() {
		if v := recover(); v != nil {
			res.damaged, res.panicked = true, true
			w("internal decoder error: %v; rest of chunk skipped", v)
		}
	}()
	if fi.pre != nil && !fi.pre.mayMatch(b) {
		res.skipped = true
		return res
	}
	if n < chunkSize {
		res.truncated = true
		w("chunk truncated at end of file (%d of %d bytes); reading the records present", n, chunkSize)
	}
	res.records = make([]recResult, 0, 160) // about as many as a chunk holds
	cd := chunkDecoder{fi: fi, p: p, index: i, res: &res, w: w, lastTmpl: ^uint32(0)}
	cd.records(b)
	return res
}

// fileAcc accumulates the results of a file's chunks in chunk order: it
// deduplicates records, counts, and delivers events and warnings.
type fileAcc struct {
	st    Stats
	seen  idSet
	since time.Time // events before it are counted in st.Old, not emitted
}

func (a *fileAcc) apply(res chunkResult, emit func(Event) error, warn func(Warning)) error {
	for _, w := range res.warnings {
		warn(w)
	}
	if res.err != nil {
		return res.err
	}
	if res.valid {
		a.st.Chunks++
		if res.stale {
			a.st.StaleChunks++
		}
	}
	if res.damaged {
		a.st.DamagedChunks++
	}
	if res.skipped {
		a.st.SkippedChunks++
	}
	if res.truncated {
		a.st.Truncated = true
	}
	if res.panicked {
		a.st.Panics++
	}
	if res.crcErr {
		a.st.ChecksumErrors++
	}
	for _, r := range res.records {
		if !a.seen.add(r.id) {
			a.st.Duplicates++
			continue
		}
		switch {
		case r.skipped:
			a.st.SkippedRecords++
		case r.decoded:
			a.st.Records++
		}
		if r.ev != nil && !a.since.IsZero() && r.ev.Time.Before(a.since) {
			a.st.Old++
			continue
		}
		if r.ev != nil {
			a.st.Matched++
			if err := emit(*r.ev); err != nil {
				return err
			}
		}
	}
	return nil
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}
