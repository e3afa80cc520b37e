package reach_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/avdurls/avdurls/reach"
	"github.com/avdurls/avdurls/reach/checktest"
)

// countConn counts the bytes read from a connection.
type countConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// endlessLab is a lab checker whose every connection is counted, with a
// server sending endless headers as the origin of endless.example.com:80
// and as a proxy.
func endlessLab(tb testing.TB) (*lab, *reach.Checker, *checktest.Server, *atomic.Int64) {
	l := newLab(tb)
	s, err := checktest.StartEndless()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	l.routes["127.0.0.9:80"] = s.Addr()
	c := l.checker()
	var read atomic.Int64
	dial := c.Dial
	c.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countConn{conn, &read}, nil
	}
	return l, c, s, &read
}

// TestCheckEndlessHeaders: an origin or a proxy that sends headers without
// end is an http or tcp failure that says so, and the check reads no more
// than 64 KB and a buffer of it, at a timeout long enough for gigabytes.
func TestCheckEndlessHeaders(t *testing.T) {
	_, c, s, read := endlessLab(t)
	c.Timeout = time.Minute
	r := c.Check(context.Background(), fqdn("endless.example.com", 80))
	if r.OK || r.Stage != "http" || !strings.Contains(r.Reason, "run past 64 KB") {
		t.Errorf("origin: ok %v, stage %q, reason %q; want an http failure for endless headers", r.OK, r.Stage, r.Reason)
	}
	if n := read.Load(); n > 64<<10+8<<10 {
		t.Errorf("origin: read %d bytes; the bound is 64 KB", n)
	}
	read.Store(0)
	pu := &url.URL{Scheme: "http", Host: s.Addr()}
	c.Proxy = func(*url.URL) (*url.URL, error) { return pu, nil }
	for _, tg := range []reach.Target{fqdn("login.microsoftonline.com", 443), fqdn("www.microsoft.com", 80)} {
		read.Store(0)
		r = c.Check(context.Background(), tg)
		if r.OK || (r.Stage != "tcp" && r.Stage != "http") || !strings.Contains(r.Reason, "run past 64 KB") {
			t.Errorf("proxy, %s:%d: ok %v, stage %q, reason %q; want a failure for endless headers", tg.Address, tg.Port, r.OK, r.Stage, r.Reason)
		}
		if n := read.Load(); n > 64<<10+8<<10 {
			t.Errorf("proxy, %s:%d: read %d bytes; the bound is 64 KB", tg.Address, tg.Port, n)
		}
	}
}

// BenchmarkEndlessHeaders checks 64 entries, 16 at a time, through a proxy
// that answers every request with endless headers, at a one-minute stage
// timeout, and reports the peak heap in use (sampled every millisecond)
// and the bytes read per entry. Without the bound, memory grew with
// timeout x bandwidth x parallel (184 MB for one entry at 5 s).
func BenchmarkEndlessHeaders(b *testing.B) {
	_, c, s, read := endlessLab(b)
	c.Timeout = time.Minute
	pu := &url.URL{Scheme: "http", Host: s.Addr()}
	c.Proxy = func(*url.URL) (*url.URL, error) { return pu, nil }
	var targets []reach.Target
	for i := range 64 {
		targets = append(targets, fqdn(fmt.Sprintf("e%d.example.com", i), 80+363*(i%2)))
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	read.Store(0)
	b.ResetTimer()
	for range b.N {
		for _, r := range c.Run(context.Background(), targets, nil) {
			if r.OK || !strings.Contains(r.Reason, "run past 64 KB") {
				b.Fatalf("%s: ok %v, %s", r.Address, r.OK, r.Reason)
			}
		}
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(base.HeapInuse)/(1<<20), "start-heap-MiB")
	b.ReportMetric(float64(read.Load())/float64(b.N*len(targets))/1024, "KiB-read/entry")
}
