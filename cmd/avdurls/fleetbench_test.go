//go:build linux

package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/csv"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/avdurls/avdurls/workspace"
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

// row is the grouped row of host i's text k, in the columns of
// workspacetest.GroupedColumns (the exports' rows): its time is spread
// over the week before sampleNow.
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

// nameRows are host i's rows as the names query sends them (the columns
// of workspacetest.Columns): an "events" row per event ID and a "name"
// row per name, status and event ID of its texts. cache holds each
// text's names.
func (f benchFleet) nameRows(i int, cache map[string][]workspace.NameStatus) [][]any {
	type key struct {
		id           int
		name, status string
	}
	type agg struct {
		n           int
		first, last string
	}
	groups := map[key]*agg{}
	var order []key
	add := func(k key, n int, first, last string) {
		g := groups[k]
		if g == nil {
			g = &agg{first: first}
			groups[k] = g
			order = append(order, k)
		}
		g.n += n
		g.last = last // the texts come in time order
	}
	var computer, rid string
	for k := range f.texts {
		r := f.row(i, k)
		computer, rid = r[0].(string), r[3].(string)
		id, n, first, last, text := r[1].(int), r[4].(int), r[5].(string), r[6].(string), r[7].(string)
		add(key{id: id}, n, first, last)
		names, ok := cache[text]
		if !ok {
			names = workspace.QueryNames(text)
			cache[text] = names
		}
		for _, ns := range names {
			add(key{id, ns.Name, ns.Status}, n, first, last)
		}
	}
	rows := make([][]any, 0, len(order))
	for _, k := range order {
		g, kind := groups[k], "name"
		if k.name == "" {
			kind = "events"
		}
		rows = append(rows, []any{kind, computer, k.id, "Application", rid, k.name, k.status, g.n, g.first, g.last, ""})
	}
	return rows
}

// encodedNames makes the names query's rows of every host once, written
// as JSON, and returns a generator of those of the hosts whose last event
// is in [from, to): the fake's answers then cost
// it no more than copying bytes, as the service's work is not done on
// the scan's machine.
func (f benchFleet) encodedNames() func(from, to time.Time, emit func([]byte) bool) {
	cache := map[string][]workspace.NameStatus{}
	hosts := make([][][]byte, f.hosts)
	for i := range f.hosts {
		for _, r := range f.nameRows(i, cache) {
			b, _ := json.Marshal(r)
			hosts[i] = append(hosts[i], b)
		}
	}
	return func(from, to time.Time, emit func([]byte) bool) {
		for i, rows := range hosts {
			if last := f.last(i, f.texts-1); last.Before(from) || !last.Before(to) {
				continue
			}
			for _, r := range rows {
				if !emit(r) {
					return
				}
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
// (texts) the source holds, the events the scan counted and, for the
// workspace, the rows it received.
func benchScan(b *testing.B, e *env, rows int, args ...string) {
	var events, received int
	peak := peakRSS(b)
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for range b.N {
		e.stdout, e.stderr = io.Discard, eventCounter{&events, &received}
		if code := e.run(append([]string{"scan", "-f", "text"}, args...)); code != exitOK {
			b.Fatalf("exit %d", code)
		}
	}
	b.StopTimer()
	b.ReportMetric(cpuSeconds()-cpu0, "cpu-s")
	b.ReportMetric(peak(), "peak-RSS-MiB")
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(events), "events")
	if received > 0 {
		b.ReportMetric(float64(received), "rows-received")
	}
}

// eventCounter reads the events a scan says it read from its summary,
// and the rows a workspace scan received.
type eventCounter struct{ n, rows *int }

func (c eventCounter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(string(p), "\n") {
		if i := strings.Index(line, " grouped row"); i > 0 {
			f := strings.Fields(line[:i])
			*c.rows, _ = strconv.Atoi(strings.ReplaceAll(f[len(f)-1], ",", ""))
		}
		if i := strings.Index(line, " events, "); i > 0 {
			f := strings.Fields(line[:i])
			*c.n, _ = strconv.Atoi(strings.ReplaceAll(f[len(f)-1], ",", ""))
		}
	}
	return len(p), nil
}

// BenchmarkFleetWorkspace reads the fleet through the fake workspace,
// which streams the names query's answers (a row per host, name and
// status: about 31 rows of 250 bytes per host) and cuts them at 100,000
// rows, so the week is split. The fake runs in a process of its own
// (serveFakeWorkspace), so that the time, CPU and memory measured are the
// scan's alone.
func BenchmarkFleetWorkspace(b *testing.B) {
	fl := fleetSize()
	e := newEnv(nil, nil)
	e.now = func() time.Time { return sampleNow }
	q := fakeWorkspaceProcess(b)
	e.newQuerier = func(string, time.Duration) (workspace.Querier, error) { return q, nil }
	benchScan(b, e, fl.hosts*fl.texts, "--workspace", testWorkspace, "--since", "7d")
}

// serveFakeWorkspace serves the fleet's fake workspace on a loopback TLS
// port: it prints the URL and the server's certificate (PEM), then serves
// until its standard input closes.
func serveFakeWorkspace() int {
	fl := fleetSize()
	srv := httptest.NewTLSServer(&workspacetest.Fake{Encoded: fl.encodedNames(), MaxRows: 100000})
	defer srv.Close()
	fmt.Println(srv.URL)
	pem.Encode(os.Stdout, &pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// fakeWorkspaceProcess starts serveFakeWorkspace in a child process (this
// test binary under another name) and returns a Querier that reaches it
// through the SDK's cloud configuration; the child ends with the
// benchmark.
func fakeWorkspaceProcess(b *testing.B) workspace.Querier {
	cmd := exec.Command(os.Args[0])
	cmd.Args[0] = "avdurls-fakeworkspace"
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	br := bufio.NewReader(out)
	url, err := br.ReadString('\n')
	if err != nil {
		b.Fatalf("fake workspace: %v", err)
	}
	var certPEM []byte
	for !strings.Contains(string(certPEM), "END CERTIFICATE") {
		line, err := br.ReadBytes('\n')
		if err != nil {
			b.Fatalf("fake workspace certificate: %v", err)
		}
		certPEM = append(certPEM, line...)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	url = strings.TrimSpace(url)
	q, err := workspace.NewAzlogs(workspace.AzlogsConfig{Cloud: workspace.CloudAt(url+"/v1", url+"/"), Credential: workspacetest.StaticCred{},
		Transport: client, Retry: retryFast(time.Minute)})
	if err != nil {
		b.Fatal(err)
	}
	return q
}

func benchExport(b *testing.B, kind string, args ...string) {
	fl := fleetSize()
	paths := fl.writeExports(b, b.TempDir())
	e := newEnv(nil, nil)
	benchScan(b, e, fl.hosts*fl.texts, append(args, paths[kind])...)
}

// BenchmarkFleetAzJSON, ...PortalCSV, ...RawAzJSON and ...RawPortalCSV read
// the fleet's rows exported.
func BenchmarkFleetAzJSON(b *testing.B)       { benchExport(b, "az.json") }
func BenchmarkFleetPortalCSV(b *testing.B)    { benchExport(b, "portal.csv") }
func BenchmarkFleetRawAzJSON(b *testing.B)    { benchExport(b, "raw-az.json") }
func BenchmarkFleetRawPortalCSV(b *testing.B) { benchExport(b, "raw-portal.csv") }

// BenchmarkFleetAzJSONRegion reads the az JSON export with one region
// given for every host: the hosts' names are shared by their region from
// the start instead of waiting, per host, for its region.
func BenchmarkFleetAzJSONRegion(b *testing.B) { benchExport(b, "az.json", "--region", "eastus2") }
