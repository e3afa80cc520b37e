package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows bytes and files done, rate and ETA on stderr while a scan
// runs, when stderr is a terminal and --quiet is not given; otherwise it
// does nothing. The bar is schollz/progressbar.
type progress struct {
	bar   *progressbar.ProgressBar
	files int
	done  int64
	sizes []int64 // per file, in order, to count files done
	next  int     // files done
	base  int64   // bytes of the files done
}

func newProgress(files []string, quiet bool) *progress {
	p := &progress{files: len(files)}
	if quiet || !term.IsTerminal(int(os.Stderr.Fd())) {
		return p
	}
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
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription(p.describe()),
	)
	return p
}

func (p *progress) describe() string {
	return fmt.Sprintf("files %d/%d", p.next, p.files)
}

// add counts n more bytes read.
func (p *progress) add(n int64) {
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

// finish removes the bar before the summary is printed.
func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}
