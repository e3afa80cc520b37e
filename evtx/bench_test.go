package evtx

import (
	"bytes"
	"os"
	"testing"

	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// benchFile is a generated Application-like log: noise from other
// providers and one WVD-Agent event every `every` records.
func benchFile(b *testing.B, every int) []byte {
	b.Helper()
	recs := synthRecords(20000)
	for i := range recs {
		if i%every != 0 && recs[i].Provider == "WVD-Agent" {
			recs[i].Provider = "MsiInstaller"
		}
	}
	data, err := evtxtest.Bytes(recs, evtxtest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func benchRead(b *testing.B, data []byte, opt Options) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		_, err := readEVTX(bytes.NewReader(data), int64(len(data)), "bench", opt, Handlers{Event: func(Event) error { return nil }, Warning: func(Warning) {}})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead compares reading with and without the prefilter, on a
// dense file (WVD-Agent in every chunk) and on the file named by
// AVDURLS_BENCH_FILE if set (e.g. bench/gen's sparse file).
func BenchmarkRead(b *testing.B) {
	wvd := Options{Providers: []string{"WVD-Agent"}, EventIDs: []uint32{3701, 3702}}
	slow := wvd
	slow.NoPrefilter = true
	dense := benchFile(b, 40)
	b.Run("dense/prefilter", func(b *testing.B) { benchRead(b, dense, wvd) })
	b.Run("dense/no-prefilter", func(b *testing.B) { benchRead(b, dense, slow) })
	if path := os.Getenv("AVDURLS_BENCH_FILE"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("file/prefilter", func(b *testing.B) { benchRead(b, data, wvd) })
		b.Run("file/parallel", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if err := readFiles([]string{path}, wvd, Handlers{Event: func(Event) error { return nil }, Warning: func(Warning) {}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPrefilter measures the chunk scan alone.
func BenchmarkPrefilter(b *testing.B) {
	data := benchFile(b, 1<<30)
	chunk := data[fileHeaderSize : fileHeaderSize+chunkSize]
	p := newPrefilter([]string{"WVD-Agent"})
	b.SetBytes(chunkSize)
	for b.Loop() {
		p.mayMatch(chunk)
	}
}
