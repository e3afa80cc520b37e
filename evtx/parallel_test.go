package evtx

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// collect reads files one after another (ReadFile) or in parallel
// (ReadFiles) and records everything the handlers see, in order.
func collect(t *testing.T, paths []string, f Filter, workers int) []string {
	t.Helper()
	var log []string
	h := Handlers{
		Event: func(ev Event) error {
			log = append(log, fmt.Sprintf("event %s %d %d %q", ev.File, ev.Chunk, ev.RecordID, ev.Data))
			return nil
		},
		Warning: func(w Warning) { log = append(log, "warning "+w.String()) },
		File: func(r FileResult) {
			log = append(log, fmt.Sprintf("file %s %+v %v", r.Path, r.Stats, r.Err))
		},
	}
	if workers > 0 {
		if err := ReadFiles(paths, f, workers, h); err != nil {
			t.Fatal(err)
		}
		return log
	}
	for _, p := range paths {
		st, err := ReadFile(p, f, h.Event, h.Warning)
		if err != nil {
			st = Stats{}
		}
		h.File(FileResult{Path: p, Stats: st, Err: err})
	}
	return log
}

// TestReadFilesOrder: the parallel reader gives exactly what reading the
// files one after another gives, on clean, damaged and foreign files.
func TestReadFilesOrder(t *testing.T) {
	dir := t.TempDir()
	recs := synthRecords(900)
	clean, err := evtxtest.Bytes(recs, evtxtest.Options{RecordsPerChunk: 20})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"a.evtx":       clean,
		"b-cut.evtx":   evtxtest.Truncate(clean, len(clean)/2+1000),
		"c-magic.evtx": evtxtest.CorruptChunkMagic(clean, 5),
		"d-wrap.evtx":  evtxtest.Wrap(clean, 7),
		"e-text.evtx":  []byte("not an event log"),
		"f-empty.evtx": nil,
	}
	var paths []string
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	paths = append(paths, filepath.Join(dir, "missing.evtx"))
	if corpus := corpusDir(t); corpus != "" {
		more, _ := filepath.Glob(filepath.Join(corpus, "1*.evtx"))
		paths = append(paths, more...)
	}
	for _, f := range []Filter{{}, {Providers: []string{"WVD-Agent"}}} {
		want := collect(t, paths, f, 0)
		for _, workers := range []int{1, 2, 7} {
			got := collect(t, paths, f, workers)
			if !reflect.DeepEqual(got, want) {
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("workers=%d, filter %v: item %d differs:\n got %s\nwant %s", workers, f.Providers, i, got[i], want[i])
					}
				}
				t.Fatalf("workers=%d: %d items, want %d", workers, len(got), len(want))
			}
		}
	}
}
