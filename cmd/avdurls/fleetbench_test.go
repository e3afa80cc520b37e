//go:build linux

package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/avdurls/avdurls/workspace/workspacetest"
)

// The fleet benchmarks read 10,000 hosts × 20 distinct agent texts in a
// week (200,000 grouped rows, about 200 MB of answer) through the fake
// workspace and through exports of the same rows, and report the wall
// time (ns/op; run with -benchtime 1x), the peak resident memory of the
// scan (peak-RSS-MiB: /proc/self/status VmHWM, reset before the scan)
// and the rows read. bench/fleet runs them one process each.
// AVDURLS_BENCH_HOSTS sets another number of hosts.

// benchFleet is the size of a benchmark's fleet.
type benchFleet struct{ hosts, texts int }

func fleetSize() benchFleet {
	f := benchFleet{10000, 20}
	if n, err := strconv.Atoi(os.Getenv("AVDURLS_BENCH_HOSTS")); err == nil && n > 0 {
		f.hosts = n
	}
	return f
}

var benchRegions = []struct{ name, code string }{{"eastus2", "eus2"}, {"westeurope", "weu"}, {"japaneast", "jpe"}}

// row is the grouped row of host i's text k, in workspacetest.Columns'
// order: its time is spread over the week before sampleNow.
func (f benchFleet) row(i, k int) []any {
	reg := benchRegions[i%len(benchRegions)]
	last := f.last(i, k)
	first := last.Add(-time.Duration(k+1) * time.Minute)
	pool := fmt.Sprintf("%08x-48e1-4811-8d08-905dd6da%04x", i/50, i/50)
	ok := []string{pool + ".rdbroker-g-us-r0.wvd.microsoft.com", pool + ".rdbroker.wvd.microsoft.com",
		pool + ".rddiagnostics-g-us-r0.wvd.microsoft.com", fmt.Sprintf("rdgateway-c%03d-%s-r1.wvd.microsoft.com", 100+k, reg.code),
		"mrsglobalsteus2prod.blob.core.windows.net", "gcs.prod.monitoring.core.windows.net",
		"production.diagnostics.monitoring.core.windows.net", reg.name + "-shared.prod.warm.ingest.monitor.core.windows.net",
		"qos.prod.warm.ingest.monitor.core.windows.net"}
	notOK, id := "<empty>", 3701
	if k%5 == 4 {
		notOK, id = ok[6], 3702
		ok = append(ok[:6], ok[7:]...)
	}
	rule := "======================================================"
	text := strings.Join([]string{"UrlsAccessibleCheck :  Outcome: HealthCheckSucceeded", "Additional Contextual Information:<empty>", "",
		"Accessible URLs:", rule, strings.Join(ok, "\r\n"), "", "NOT Accessible URLs:", rule, notOK}, "\r\n")
	computer := fmt.Sprintf("avd-%05d.contoso.local", i)
	rid := fmt.Sprintf("/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg-avd/providers/microsoft.compute/virtualmachines/avd-%05d", i)
	return []any{computer, id, "Application", rid, k + 1, first.Format(time.RFC3339Nano), last.Format(time.RFC3339Nano), text}
}

// last is the time of the last event of host i's text k: the rows are
// spread over the week before sampleNow.
func (f benchFleet) last(i, k int) time.Time {
	week := 7 * 24 * time.Hour
	return sampleNow.Add(-week).Add(time.Duration(int64(week) / int64(f.hosts*f.texts) * int64(i*f.texts+k)))
}

// each calls emit with every row whose last time is in [from, to),
// until emit returns false.
func (f benchFleet) each(from, to time.Time, emit func([]any) bool) {
	for i := range f.hosts {
		for k := range f.texts {
			if last := f.last(i, k); !last.Before(from) && last.Before(to) && !emit(f.row(i, k)) {
				return
			}
		}
	}
}

// writeExports writes the fleet's rows as az JSON and portal CSV, grouped
// and raw (one Event row per grouped row), streaming to files.
func (f benchFleet) writeExports(b *testing.B, dir string) map[string]string {
	paths := map[string]string{}
	for _, kind := range []string{"az.json", "portal.csv", "raw-az.json", "raw-portal.csv"} {
		p := filepath.Join(dir, kind)
		fh, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(fh, 1<<20)
		f.writeExport(w, kind)
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		fh.Close()
		paths[kind] = p
	}
	return paths
}

func (f benchFleet) writeExport(w io.Writer, kind string) {
	raw, isCSV := strings.HasPrefix(kind, "raw"), strings.HasSuffix(kind, ".csv")
	cw := csv.NewWriter(w)
	head := []string{"Computer", "EventID", "EventLog", "ResourceId", "Count", "First [UTC]", "Last [UTC]", "Text"}
	if raw {
		head = []string{"TenantId", "TimeGenerated [UTC]", "Source", "EventLog", "Computer", "EventID", "RenderedDescription", "_ResourceId"}
	}
	if isCSV {
		_ = cw.Write(head)
	} else {
		io.WriteString(w, "[")
	}
	n := 0
	f.each(time.Time{}, sampleNow, func(r []any) bool {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = fmt.Sprint(v)
		}
		if raw {
			cells = []string{"11111111-2222-3333-4444-555555555555", cells[6], "WVD-Agent", cells[2], cells[0], cells[1], cells[7], cells[3]}
		}
		if isCSV {
			_ = cw.Write(cells)
			return true
		}
		obj := map[string]string{"TableName": "PrimaryResult"}
		for i, h := range head {
			obj[strings.TrimSuffix(h, " [UTC]")] = cells[i]
		}
		js, _ := json.Marshal(obj)
		if n++; n > 1 {
			io.WriteString(w, ",\n")
		}
		w.Write(js)
		return true
	})
	if isCSV {
		cw.Flush()
	} else {
		io.WriteString(w, "]\n")
	}
}

// peakRSS resets the process's peak resident memory (clear_refs 5) and
// returns a function that reads it in MiB.
func peakRSS(b *testing.B) func() float64 {
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak RSS cannot be reset: %v", err)
	}
	return func() float64 {
		s, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return -1
		}
		for _, line := range strings.Split(string(s), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
				return float64(kb) / 1024
			}
		}
		return -1
	}
}

// cpuSeconds is the user and system CPU time of the process so far: the
// machine is shared, so the CPU time says more than the wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// benchScan runs scan in e b.N times and reports peak RSS, the rows
// the source holds and the events the scan counted.
func benchScan(b *testing.B, e *env, rows int, args ...string) {
	var events int
	peak := peakRSS(b)
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for range b.N {
		e.stdout, e.stderr = io.Discard, eventCounter{&events}
		if code := e.run(append([]string{"scan", "-f", "text"}, args...)); code != exitOK {
			b.Fatalf("exit %d", code)
		}
	}
	b.StopTimer()
	b.ReportMetric(cpuSeconds()-cpu0, "cpu-s")
	b.ReportMetric(peak(), "peak-RSS-MiB")
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(events), "events")
}

// eventCounter reads the events a scan says it read from its summary.
type eventCounter struct{ n *int }

func (c eventCounter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(string(p), "\n") {
		if i := strings.Index(line, " events, "); i > 0 {
			f := strings.Fields(line[:i])
			*c.n, _ = strconv.Atoi(strings.ReplaceAll(f[len(f)-1], ",", ""))
		}
	}
	return len(p), nil
}

// BenchmarkFleetWorkspace reads the fleet through the fake workspace,
// which streams its answers and cuts them at 50,000 rows (about the
// service's 64 MB at these texts), so the week is split.
func BenchmarkFleetWorkspace(b *testing.B) {
	fl := fleetSize()
	f := &workspacetest.Fake{Rows: fl.each, MaxRows: 50000}
	benchScan(b, fakeEnv(b, f, workspacetest.StaticCred{}, sampleNow), fl.hosts*fl.texts, "--workspace", testWorkspace, "--since", "7d")
}

func benchExport(b *testing.B, kind string) {
	fl := fleetSize()
	paths := fl.writeExports(b, b.TempDir())
	e := newEnv(nil, nil)
	benchScan(b, e, fl.hosts*fl.texts, paths[kind])
}

// BenchmarkFleetAzJSON, ...PortalCSV, ...RawAzJSON and ...RawPortalCSV read
// the fleet's rows exported.
func BenchmarkFleetAzJSON(b *testing.B)       { benchExport(b, "az.json") }
func BenchmarkFleetPortalCSV(b *testing.B)    { benchExport(b, "portal.csv") }
func BenchmarkFleetRawAzJSON(b *testing.B)    { benchExport(b, "raw-az.json") }
func BenchmarkFleetRawPortalCSV(b *testing.B) { benchExport(b, "raw-portal.csv") }
