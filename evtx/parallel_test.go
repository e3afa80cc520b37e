package evtx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// collect reads files one after another (ReadFile) or in parallel
// (ReadFiles) and records everything the handlers see, in order.
func collect(t *testing.T, paths []string, f filter, workers int) []string {
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
		if err := readFiles(paths, withFilter(f, Options{Workers: workers}), h); err != nil {
			t.Fatal(err)
		}
		return log
	}
	for _, p := range paths {
		st, err := readFile(p, withFilter(f, Options{}), Handlers{Event: h.Event, Warning: h.Warning})
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
	for _, f := range []filter{{}, {Providers: []string{"WVD-Agent"}}} {
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

// TestReadFilesBudgets: a file cut by a budget reports ErrBudget, keeps the
// events before the cut, and the next file is read in full.
func TestReadFilesBudgets(t *testing.T) {
	dir := t.TempDir()
	b, err := evtxtest.Bytes(synthRecords(600), evtxtest.Options{RecordsPerChunk: 20})
	if err != nil {
		t.Fatal(err)
	}
	a, c := filepath.Join(dir, "a.evtx"), filepath.Join(dir, "c.evtx")
	for _, p := range []string{a, c} {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, opt := range []Options{{MaxEvents: 50}, {Timeout: time.Nanosecond}} {
		events := map[string]int{}
		results := map[string]error{}
		err := readFiles([]string{a, c}, opt, Handlers{
			Event:   func(ev Event) error { events[ev.File]++; return nil },
			Warning: func(Warning) {},
			File:    func(r FileResult) { results[r.Path] = r.Err },
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{a, c} {
			if !errors.Is(results[p], ErrBudget) {
				t.Errorf("%+v: %s: err %v, want ErrBudget", opt, p, results[p])
			}
			if events[p] == 0 || events[p] >= 600 {
				t.Errorf("%+v: %s: %d events delivered, want some but not all", opt, p, events[p])
			}
		}
		if opt.MaxEvents > 0 && events[a] != opt.MaxEvents {
			t.Errorf("max events: %d delivered, want %d", events[a], opt.MaxEvents)
		}
	}
}

// readFile reads one file with Read on the test's goroutine, as ReadFiles
// would with one worker.
func readFile(path string, opt Options, h Handlers) (Stats, error) {
	fh, err := os.Open(path)
	if err != nil {
		return Stats{}, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return Stats{}, err
	}
	return readEVTX(fh, fi.Size(), path, opt, h)
}
