package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows bytes and files done, rate and ETA on a terminal while a
// scan reads .evtx files (scan.Progress). The bar is
// schollz/progressbar.
type progress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	files int
	done  int64
	sizes []int64 // per file, in order, to count files done
	next  int     // files done
	base  int64   // bytes of the files done
}

// newProgress makes a bar that writes to w, a terminal.
func newProgress(w io.Writer) *progress { return &progress{w: w} }

// Start implements scan.Progress: the bar's total is the files' size.
func (p *progress) Start(files []string) {
	p.files = len(files)
	var total int64
	for _, f := range files {
		var n int64
		if fi, err := os.Stat(f); err == nil {
			n = fi.Size()
		}
		p.sizes = append(p.sizes, n)
		total += n
	}
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription(p.describe()),
	)
}

func (p *progress) describe() string {
	return fmt.Sprintf("files %d/%d", p.next, p.files)
}

// Add implements scan.Progress: n more bytes read.
func (p *progress) Add(n int64) {
	if p.bar == nil {
		return
	}
	p.done += n
	for p.next < len(p.sizes) && p.done >= p.base+p.sizes[p.next] {
		p.base += p.sizes[p.next]
		p.next++
		p.bar.Describe(p.describe())
	}
	_ = p.bar.Add64(n)
}

// Done implements scan.Progress: the bar is removed before the summary is
// printed.
func (p *progress) Done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}
