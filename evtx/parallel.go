package evtx

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// FileResult reports the end of one input: an .evtx file, the EVTX or
// XML data of a source, or the live log.
type FileResult struct {
	Path  string
	Stats Stats
	// Err says why the input could not be read, or was read only in part:
	// it cannot be opened, is not EVTX or XML, or a budget cut it (the
	// error wraps ErrBudget; the events before the cut were delivered).
	Err error
}

// Handlers receive what Read finds, always on the caller's goroutine and
// in the order of files and chunks.
type Handlers struct {
	Event    func(Event) error // an error stops the read and is returned
	Warning  func(Warning)
	File     func(FileResult) // after a file's last event and warning
	Progress func(bytes int64)
}

// readFiles reads .evtx files, calling h.Event for every distinct record
// that passes the options' filter and Since, h.Warning for every damaged chunk or record and
// h.File at the end of every file (a file that cannot be opened or is not
// EVTX, or that a budget cut, is reported there, not returned). Chunks are
// decoded on several goroutines.
// Results are merged back into file and chunk order, so what the handlers
// see is exactly what reading the files one after another would give.
// Memory is bounded by the chunks in flight (a few per worker), not by
// file size or count. The error is the first one h.Event returns; it
// stops the read.
func readFiles(paths []string, opt Options, h Handlers) error {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	inflight := 4 * workers
	tokens := make(chan struct{}, inflight)
	jobs := make(chan job, inflight)
	results := make(chan jobResult, inflight)
	quit := make(chan struct{})

	go produce(paths, opt, tokens, jobs, quit)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, chunkSize)
			p := newParser()
			for j := range jobs {
				r := jobResult{job: j}
				if j.chunk >= 0 && !j.file.cancelled.Load() {
					r.res = j.file.info.decodeChunk(j.chunk, buf, p)
				}
				results <- r
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	pending := map[int]jobResult{}
	next := 0
	var stop error
	for r := range results {
		pending[r.seq] = r
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-tokens
			if stop == nil {
				stop = consume(r, h, opt)
				if stop != nil {
					close(quit)
				}
			}
			if r.chunk < 0 && r.file.fh != nil {
				r.file.fh.Close()
			}
		}
	}
	return stop
}

// openedFile is one input as the producer opened it; acc belongs to the
// consumer.
type openedFile struct {
	path     string
	fh       *os.File
	info     *fileInfo
	err      error
	warnings []Warning // from the file header
	acc      fileAcc
	started  bool
	reported int64 // bytes reported to Progress
	start    time.Time
	events   int
	// cancelled tells the producer and workers to skip the rest of the
	// file once a budget cut it.
	cancelled atomic.Bool
}

// job is one chunk to decode, or (chunk -1) the end of a file.
type job struct {
	seq   int
	file  *openedFile
	chunk int
}

type jobResult struct {
	job
	res chunkResult
}

// produce opens the files one after another and queues their chunks; each
// job holds a token until the consumer is done with it.
func produce(paths []string, opt Options, tokens chan struct{}, jobs chan<- job, quit <-chan struct{}) {
	defer close(jobs)
	seq := 0
	send := func(j job) bool {
		select {
		case tokens <- struct{}{}:
		case <-quit:
			return false
		}
		j.seq = seq
		seq++
		jobs <- j
		return true
	}
	for _, path := range paths {
		of := openInput(path, opt)
		if of.info != nil {
			for i := 0; i < of.info.total && !of.cancelled.Load(); i++ {
				if !send(job{file: of, chunk: i}) {
					of.fh.Close()
					return
				}
			}
		}
		if !send(job{file: of, chunk: -1}) {
			if of.fh != nil {
				of.fh.Close()
			}
			return
		}
	}
}

func openInput(path string, opt Options) *openedFile {
	of := &openedFile{path: path}
	fh, err := os.Open(path)
	if err != nil {
		of.err = err
		return of
	}
	fi, err := fh.Stat()
	if err == nil && fi.IsDir() {
		err = fmt.Errorf("%s: is a directory", path)
	}
	if err != nil {
		fh.Close()
		of.err = err
		return of
	}
	info, st, err := openFile(fh, fi.Size(), path, opt, func(w Warning) { of.warnings = append(of.warnings, w) })
	if err != nil {
		fh.Close()
		of.err = err
		return of
	}
	of.fh, of.info, of.acc.st, of.acc.since = fh, info, st, opt.Since
	return of
}

// consume hands one job's results to the handlers.
func consume(r jobResult, h Handlers, opt Options) error {
	of := r.file
	if !of.started {
		of.started = true
		of.start = time.Now()
		for _, w := range of.warnings {
			h.Warning(w)
		}
	}
	cut := func(format string, a ...any) {
		of.err = budgetError(fmt.Sprintf("%s: %s; the rest of the file was skipped", of.path, fmt.Sprintf(format, a...)))
		of.cancelled.Store(true)
	}
	emit := func(ev Event) error {
		if opt.MaxEvents > 0 && of.events >= opt.MaxEvents {
			return ErrBudget
		}
		of.events++
		return h.Event(ev)
	}
	done := of.acc.st.Bytes
	if r.chunk >= 0 {
		done = min(int64(fileHeaderSize)+int64(r.chunk+1)*chunkSize, of.acc.st.Bytes)
		switch {
		case of.err != nil: // cut short, or an earlier chunk could not be read
		case r.res.err != nil:
			of.err = r.res.err
		default:
			err := of.acc.apply(r.res, emit, h.Warning)
			switch {
			case errors.Is(err, ErrBudget):
				cut("more than %d matching events, the budget per file", opt.MaxEvents)
			case err != nil:
				return err
			case opt.Timeout > 0 && time.Since(of.start) > opt.Timeout:
				cut("reading took longer than %v, the time budget per file", opt.Timeout)
			}
		}
	}
	if h.Progress != nil && done > of.reported {
		h.Progress(done - of.reported)
		of.reported = done
	}
	if r.chunk < 0 && h.File != nil {
		h.File(FileResult{Path: of.path, Stats: of.acc.st, Err: of.err})
	}
	return nil
}
