package evtx

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// binxml builds BinXML by hand for hostile structures the writer does not
// make.
type binxml struct{ b []byte }

func (x *binxml) u8(v ...byte)         { x.b = append(x.b, v...) }
func (x *binxml) u16(v uint16)         { x.b = binary.LittleEndian.AppendUint16(x.b, v) }
func (x *binxml) u32(v uint32)         { x.b = binary.LittleEndian.AppendUint32(x.b, v) }
func (x *binxml) pos() uint32          { return uint32(len(x.b)) }
func (x *binxml) at(off int, v uint32) { binary.LittleEndian.PutUint32(x.b[off:], v) }

// name writes a name structure and returns its offset.
func (x *binxml) name(s string) uint32 {
	off := x.pos()
	x.u32(0)
	x.u16(0)
	u := utf16.Encode([]rune(s))
	x.u16(uint16(len(u)))
	for _, c := range u {
		x.u16(c)
	}
	x.u16(0)
	return off
}

// element writes an open-start tag (in a template: with a dependency id)
// referring to a name elsewhere, and close-start.
func (x *binxml) open(nameOff uint32) {
	x.u8(0x01)
	x.u16(0xffff)
	x.u32(0)
	x.u32(nameOff)
	x.u8(0x02)
}

// instance writes a template instance with no values.
func (x *binxml) instance(tmplOff uint32) {
	x.u8(0x0c, 0x01)
	x.u32(0)
	x.u32(tmplOff)
	x.u32(0) // no values
}

// hostileFile wraps one chunk's body (records and templates from offset
// 512) into a file; records is the end of the record area.
func hostileFile(body []byte, lastRec, freeSpace int) []byte {
	chunk := make([]byte, chunkSize)
	copy(chunk, "ElfChnk\x00")
	le := binary.LittleEndian
	le.PutUint64(chunk[8:], 1)
	le.PutUint64(chunk[16:], 1)
	le.PutUint64(chunk[24:], 1)
	le.PutUint64(chunk[32:], 1)
	le.PutUint32(chunk[40:], 128)
	le.PutUint32(chunk[44:], uint32(lastRec))
	le.PutUint32(chunk[48:], uint32(freeSpace))
	copy(chunk[chunkHeaderSize:], body[chunkHeaderSize:])
	le.PutUint32(chunk[52:], crc32.ChecksumIEEE(chunk[chunkHeaderSize:freeSpace]))
	h := crc32.NewIEEE()
	h.Write(chunk[:120])
	h.Write(chunk[128:chunkHeaderSize])
	le.PutUint32(chunk[124:], h.Sum32())
	head := make([]byte, fileHeaderSize)
	copy(head, "ElfFile\x00")
	le.PutUint64(head[24:], 2)
	le.PutUint32(head[32:], 128)
	le.PutUint16(head[36:], 2)
	le.PutUint16(head[38:], 3)
	le.PutUint16(head[40:], fileHeaderSize)
	le.PutUint16(head[42:], 1)
	le.PutUint32(head[124:], crc32.ChecksumIEEE(head[:120]))
	return append(head, chunk...)
}

// expansionChunk builds a record instancing template T0, where Tk holds
// fan instances of Tk+1 (depth levels): rendering multiplies by fan at each
// level. selfRef makes T0 instance itself instead.
func expansionChunk(depth, fan int, selfRef bool) []byte {
	x := &binxml{b: make([]byte, chunkHeaderSize)}
	rec := int(x.pos())
	x.u8('*', '*', 0, 0)
	x.u32(0) // size, patched
	x.b = binary.LittleEndian.AppendUint64(x.b, 1)
	x.b = binary.LittleEndian.AppendUint64(x.b, 132000000000000000)
	x.u8(0x0f, 1, 1, 0)
	top := len(x.b) + 6 // offset field of the top instance
	x.instance(0)
	x.u8(0x00)
	for len(x.b)%8 != 4 {
		x.u8(0)
	}
	x.u32(0) // size copy, patched
	size := len(x.b) - rec
	x.at(rec+4, uint32(size))
	x.at(len(x.b)-4, uint32(size))
	lastRec, recEnd := rec, len(x.b)
	nameE := x.name("Event")
	tmpls := make([]uint32, depth+1)
	patches := map[int]int{} // offset field -> template index
	for k := 0; k <= depth; k++ {
		tmpls[k] = x.pos()
		x.u32(0)
		x.b = append(x.b, make([]byte, 16)...)
		sizeAt := len(x.b)
		x.u32(0)
		start := len(x.b)
		x.u8(0x0f, 1, 1, 0)
		x.open(nameE)
		if k < depth {
			for range fan {
				patches[len(x.b)+6] = k + 1
				if selfRef {
					patches[len(x.b)+6] = 0
				}
				x.instance(0)
			}
		}
		x.u8(0x04, 0x00)
		x.at(sizeAt, uint32(len(x.b)-start))
	}
	x.at(top, tmpls[0])
	for at, k := range patches {
		x.at(at, tmpls[k])
	}
	return hostileFile(x.b, lastRec, recEnd)
}

// TestHostileBinXML: exponential template expansion, self-reference and
// deep nesting end in a warning naming the chunk, quickly and in bounded
// memory.
func TestHostileBinXML(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"billion-laughs", expansionChunk(12, 8, false), "too many nodes"},
		{"self-reference", expansionChunk(3, 2, true), "references itself"},
		{"deep-nesting", expansionChunk(maxDepth+10, 1, false), "nested too deeply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, ws, _, err := readAll(t, tc.b, filter{})
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d) // a hang guard, not a performance test
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
				t.Errorf("allocated %d MiB", alloc>>20)
			}
			found := false
			for _, w := range ws {
				found = found || (w.Chunk == 0 && strings.Contains(w.Reason, tc.want))
			}
			if !found {
				t.Errorf("no warning on chunk 0 saying %q; warnings: %v", tc.want, ws)
			}
		})
	}
}

// TestDamageEverywhere applies damage at every chunk boundary, mid-record
// and at random bytes and template offsets: no panic, every intact chunk's
// records delivered, bounded time and memory.
func TestDamageEverywhere(t *testing.T) {
	recs := synthRecords(240)
	clean, err := evtxtest.Bytes(recs, evtxtest.Options{RecordsPerChunk: 30})
	if err != nil {
		t.Fatal(err)
	}
	all, _, _, _ := readAll(t, clean, filter{})
	perChunk := map[int][]uint64{}
	for _, ev := range all {
		perChunk[ev.Chunk] = append(perChunk[ev.Chunk], ev.RecordID)
	}
	offs := evtxtest.ChunkOffsets(clean)
	check := func(name string, b []byte, damaged map[int]bool) {
		t.Helper()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		evs, _, _, err := readAll(t, b, filter{})
		runtime.ReadMemStats(&after)
		if err != nil {
			if len(b) < 128 {
				return
			}
			t.Fatalf("%s: %v", name, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
			t.Errorf("%s: allocated %d MiB for a %d KiB file", name, alloc>>20, len(b)>>10)
		}
		got := map[uint64]bool{}
		for _, ev := range evs {
			got[ev.RecordID] = true
		}
		for c, ids := range perChunk {
			if damaged[c] {
				continue
			}
			for _, id := range ids {
				if !got[id] {
					t.Fatalf("%s: record %d of intact chunk %d lost", name, id, c)
				}
			}
		}
	}
	// Truncation at every chunk boundary and inside records.
	for i, off := range offs {
		check("truncate at chunk boundary", evtxtest.Truncate(clean, off), after(i, len(offs)))
		for _, d := range []int{1, 100, 600, 4000, 30000, 65535} {
			check("truncate mid-chunk", evtxtest.Truncate(clean, off+d), after(i, len(offs)))
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	// Flipped bytes anywhere: the chunk holding the byte may lose records.
	for range 400 {
		off := r.IntN(len(clean))
		c := (off - fileHeaderSize) / chunkSize
		check("flipped byte", evtxtest.FlipByte(clean, off), map[int]bool{c: true})
	}
	// Template offsets pointing anywhere.
	for range 200 {
		b := bytes.Clone(clean)
		c := r.IntN(len(offs))
		ch := b[offs[c]:][:chunkSize]
		for off := chunkHeaderSize; validRecord(ch, off); off += int(binary.LittleEndian.Uint32(ch[off+4:])) {
			if r.IntN(3) == 0 && ch[off+recordHeader+4] == tokTemplate {
				binary.LittleEndian.PutUint32(ch[off+recordHeader+10:], r.Uint32()%0x10010)
			}
		}
		check("template offsets", b, map[int]bool{c: true})
	}
	// Record sizes: zero and past the chunk, in every chunk.
	for c := range offs {
		check("zero-size record", evtxtest.ZeroSizeRecord(clean, c, 1), map[int]bool{c: true})
		check("oversize record", evtxtest.OversizeRecord(clean, c, 1), map[int]bool{c: true})
	}
}

// after returns the set of chunks from i on.
func after(i, n int) map[int]bool {
	m := map[int]bool{}
	for ; i < n; i++ {
		m[i] = true
	}
	return m
}

// TestFuzzSeeds checks that the hostile files are kept as regression seeds
// of FuzzRead, which runs them on every go test (AVDURLS_WRITE_SEEDS=1
// rewrites them).
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	for name, b := range map[string][]byte{
		"billion-laughs": expansionChunk(12, 8, false),
		"self-reference": expansionChunk(3, 2, true),
		"deep-nesting":   expansionChunk(maxDepth+10, 1, false),
	} {
		data := "go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n"
		path := filepath.Join(dir, name)
		if os.Getenv("AVDURLS_WRITE_SEEDS") != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != data {
			t.Errorf("seed %s is missing or stale (err %v); rerun with AVDURLS_WRITE_SEEDS=1", path, err)
		}
	}
}
