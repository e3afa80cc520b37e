package evtxtest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"testing"
)

var le = binary.LittleEndian

func mustBytes(t *testing.T, recs []Record, opt Options) []byte {
	t.Helper()
	b, err := Bytes(recs, opt)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func chunkAt(b []byte, i int) []byte { return b[fileHeaderSize+i*chunkSize:][:chunkSize] }

func recordsCRCOK(ch []byte) bool {
	return le.Uint32(ch[52:]) == crc32.ChecksumIEEE(ch[chunkHeaderSize:le.Uint32(ch[48:])])
}

func headerCRCOK(ch []byte) bool { return le.Uint32(ch[124:]) == chunkHeaderCRC(ch) }

func fileCRCOK(b []byte) bool { return le.Uint32(b[124:]) == crc32.ChecksumIEEE(b[:120]) }

// differing returns the offsets where a and b differ, at most 20.
func differing(a, b []byte) []int {
	var d []int
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] && len(d) < 20 {
			d = append(d, i)
		}
	}
	return d
}

// sameOutside reports whether a and b (of one length) differ only in
// [from, to).
func sameOutside(a, b []byte, from, to int) bool {
	return len(a) == len(b) && bytes.Equal(a[:from], b[:from]) && bytes.Equal(a[to:], b[to:])
}

func TestDamage(t *testing.T) {
	b := mustBytes(t, mixedRecords(400), Options{ExtraEmptyChunks: 1})
	orig := bytes.Clone(b)
	n := len(ChunkOffsets(b))
	if n < 4 {
		t.Fatalf("test file has %d chunks, want at least 4", n)
	}

	t.Run("ChunkOffsets", func(t *testing.T) {
		offs := ChunkOffsets(b)
		for i, o := range offs {
			if o != fileHeaderSize+i*chunkSize {
				t.Errorf("ChunkOffsets()[%d] = %#x", i, o)
			}
		}
		if int(le.Uint16(b[42:])) != len(offs) {
			t.Errorf("%d chunk magics, header counts %d", len(offs), le.Uint16(b[42:]))
		}
	})

	t.Run("Truncate", func(t *testing.T) {
		c := Truncate(b, fileHeaderSize+chunkSize+100)
		if len(c) != fileHeaderSize+chunkSize+100 || !bytes.HasPrefix(b, c) {
			t.Errorf("Truncate: %d bytes, prefix of the file %v", len(c), bytes.HasPrefix(b, c))
		}
		if got := len(ChunkOffsets(c)); got != 2 {
			t.Errorf("truncated in chunk 1: %d chunk magics, want 2", got)
		}
		if got := Truncate(b, len(b)+10); !bytes.Equal(got, b) {
			t.Errorf("Truncate past the end changed the file")
		}
	})

	t.Run("FlipByte", func(t *testing.T) {
		off := fileHeaderSize + 5000
		c := FlipByte(b, off)
		if d := differing(b, c); !slices.Equal(d, []int{off}) || c[off] != ^b[off] {
			t.Errorf("FlipByte(%#x): bytes differ at %#x", off, d)
		}
		if recordsCRCOK(chunkAt(c, 0)) {
			t.Errorf("records checksum of chunk 0 still matches")
		}
	})

	t.Run("CorruptChunkMagic", func(t *testing.T) {
		c := CorruptChunkMagic(b, 2)
		off := fileHeaderSize + 2*chunkSize
		if bytes.Equal(c[off:off+8], chunkMagic) || !sameOutside(b, c, off, off+8) {
			t.Errorf("magic %q, rest unchanged %v", c[off:off+8], sameOutside(b, c, off, off+8))
		}
		if slices.Contains(ChunkOffsets(c), off) || len(ChunkOffsets(c)) != n-1 {
			t.Errorf("ChunkOffsets still finds the chunk: %v", ChunkOffsets(c))
		}
	})

	t.Run("CorruptChunkCRC", func(t *testing.T) {
		c := CorruptChunkCRC(b, 1)
		ch := chunkAt(c, 1)
		if recordsCRCOK(ch) || !headerCRCOK(ch) {
			t.Errorf("records checksum matches: %v, header checksum matches: %v; want false, true", recordsCRCOK(ch), headerCRCOK(ch))
		}
		off := fileHeaderSize + chunkSize
		if !sameOutside(b, c, off, off+chunkHeaderSize) {
			t.Errorf("bytes outside chunk 1's header changed: %#x", differing(b, c))
		}
		if !bytes.Equal(ch[chunkHeaderSize:], chunkAt(b, 1)[chunkHeaderSize:]) {
			t.Errorf("records of chunk 1 changed")
		}
	})

	t.Run("CorruptChunkCRC without checksums", func(t *testing.T) {
		b := mustBytes(t, mixedRecords(20), Options{NoCRC: true})
		ch := chunkAt(CorruptChunkCRC(b, 0), 0)
		if le.Uint32(ch[52:]) == 0 || le.Uint32(ch[124:]) != 0 {
			t.Errorf("checksums %#x %#x, want non-zero, zero", le.Uint32(ch[52:]), le.Uint32(ch[124:]))
		}
	})

	t.Run("SetHeaderChunkCount", func(t *testing.T) {
		c := SetHeaderChunkCount(b, 2)
		if le.Uint16(c[42:]) != 2 || le.Uint64(c[16:]) != 1 || !fileCRCOK(c) {
			t.Errorf("chunk count %d, last chunk %d, checksum ok %v; want 2, 1, true", le.Uint16(c[42:]), le.Uint64(c[16:]), fileCRCOK(c))
		}
		if len(ChunkOffsets(c)) != n || !sameOutside(b, c, 16, 128) {
			t.Errorf("more than the header changed")
		}
	})

	t.Run("Wrap", func(t *testing.T) {
		c := Wrap(b, 2)
		first, last := le.Uint64(c[8:]), le.Uint64(c[16:])
		if first != 2 || last != 1 || !fileCRCOK(c) {
			t.Errorf("first chunk %d, last chunk %d, checksum ok %v; want 2, 1, true", first, last, fileCRCOK(c))
		}
		for i := range n {
			src, dst := chunkAt(b, i), chunkAt(c, (i+2)%n)
			if !bytes.Equal(src, dst) {
				t.Errorf("chunk %d is not at %d", i, (i+2)%n)
			}
		}
		// The oldest chunk (lowest first record id) is at the header's first chunk.
		oldest := 0
		for i := range n {
			if le.Uint64(chunkAt(c, i)[24:]) < le.Uint64(chunkAt(c, oldest)[24:]) {
				oldest = i
			}
		}
		if oldest != int(first) || oldest == 0 {
			t.Errorf("oldest chunk at %d, header says %d", oldest, first)
		}
		if !bytes.Equal(c[fileHeaderSize+n*chunkSize:], b[fileHeaderSize+n*chunkSize:]) {
			t.Errorf("chunks after the used ones moved")
		}
	})

	for _, d := range []struct {
		name string
		fn   func([]byte, int, int) []byte
		bad  func(off, size int) bool
	}{
		{"ZeroSizeRecord", ZeroSizeRecord, func(_, size int) bool { return size == 0 }},
		{"OversizeRecord", OversizeRecord, func(off, size int) bool { return off+size > chunkSize }},
	} {
		t.Run(d.name, func(t *testing.T) {
			c := d.fn(b, 1, 3)
			ch := chunkAt(c, 1)
			offs := recordOffsets(chunkAt(b, 1))
			off := offs[3]
			size := int(le.Uint32(ch[off+4:]))
			if !d.bad(off, size) {
				t.Errorf("record 3 at %#x: size %d", off, size)
			}
			if !recordsCRCOK(ch) || !headerCRCOK(ch) {
				t.Errorf("chunk checksums do not match")
			}
			if got := recordOffsets(ch); len(got) != 4 || got[3] != -1 {
				t.Errorf("walking the chunk's records: %v, want the first 3 and then a bad one", got)
			}
			if le.Uint32(ch[off+int(le.Uint32(chunkAt(b, 1)[off+4:]))-4:]) != le.Uint32(chunkAt(b, 1)[off+4:]) {
				t.Errorf("the copy of the size at the record's end changed")
			}
		})
	}

	t.Run("panics", func(t *testing.T) {
		for name, fn := range map[string]func(){
			"chunk":  func() { ZeroSizeRecord(b, n+5, 0) },
			"record": func() { OversizeRecord(b, 0, 10000) },
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("no panic for a missing %s", name)
					}
				}()
				fn()
			}()
		}
	})

	if !bytes.Equal(b, orig) {
		t.Errorf("a damage helper changed its input")
	}
}

// TestEvtxexportReadsWrapped shows that a wrapped file is still read whole
// by libevtx, so the rotation leaves a valid ring buffer.
func TestEvtxexportReadsWrapped(t *testing.T) {
	lookTool(t, "evtxexport", "libevtx-utils")
	recs := mixedRecords(400)
	b := Wrap(mustBytes(t, recs, Options{}), 3)
	got := runEvtxexport(t, "wrapped", b)
	want := wantEvents(recs, Options{}, 100)
	ids := func(evs []event) []string {
		var s []string
		for _, e := range evs {
			s = append(s, e.RecordID)
		}
		slices.Sort(s)
		return s
	}
	if !slices.Equal(ids(got), ids(want)) {
		t.Errorf("evtxexport read %d records of the wrapped file, want the %d written", len(got), len(want))
	}
}
