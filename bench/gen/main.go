// Command gen writes the benchmark's synthetic Application logs with the
// project's EVTX writer (evtx/evtxtest).
//
//	go run ./bench/gen -kind sparse -size 1024 -o sparse.evtx
//	go run ./bench/gen -kind dense -size 256 -o dense.evtx
//	go run ./bench/gen -kind fleet -size 20 -n 200 -o fleetdir
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/avdurls/avdurls/evtx/evtxtest"
)

func main() {
	kind := flag.String("kind", "sparse", "sparse (WVD-Agent events in under 1% of chunks), dense (in every chunk) or fleet (many hosts)")
	sizeMiB := flag.Int("size", 64, "size of each file in MiB")
	n := flag.Int("n", 1, "number of files (fleet)")
	out := flag.String("o", "", "output file, or folder for fleet")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: -o is required")
		os.Exit(2)
	}
	var err error
	switch *kind {
	case "sparse":
		err = write(*out, "avd-sparse.contoso.local", *sizeMiB, 150*120, 1)
	case "dense":
		err = write(*out, "avd-dense.contoso.local", *sizeMiB, 40, 2)
	case "fleet":
		if err = os.MkdirAll(*out, 0o755); err == nil {
			for i := 0; i < *n && err == nil; i++ {
				name := fmt.Sprintf("avd-%03d.contoso.local", i)
				err = write(filepath.Join(*out, fmt.Sprintf("host%03d.evtx", i)), name, *sizeMiB, 2000, int64(i+3))
			}
		}
	default:
		err = fmt.Errorf("unknown kind %q", *kind)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// write generates about sizeMiB of records, one WVD-Agent 3701 event every
// `every` records and noise from other providers between them.
func write(path, computer string, sizeMiB, every int, seed int64) error {
	r := rand.New(rand.NewPCG(uint64(seed), 42))
	providers := []string{"Microsoft-Windows-Security-SPP", "MsiInstaller", "ESENT", "SecurityCenter",
		"Application Error", "Windows Error Reporting", "WVD-Agent-Updater", "RDAgentBootLoader", "VSS"}
	report := "UrlsAccessibleCheck :  Outcome: HealthCheckSucceeded\nAdditional Contextual Information:<empty>\n\nAccessible URLs:\n======================================================\n" +
		"fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f.rdbroker-g-us-r0.wvd.microsoft.com\nrdgateway-c100-eus2-r1.wvd.microsoft.com\n" +
		"mrsglobalsteus2prod.blob.core.windows.net\ngcs.prod.monitoring.core.windows.net\neastus2-shared.prod.warm.ingest.monitor.core.windows.net\n" +
		"qos.prod.warm.ingest.monitor.core.windows.net\n\nNOT Accessible URLs:\n======================================================\n<empty>"
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	target := sizeMiB << 20
	// Records average about 500 bytes; generate in batches until the size
	// is reached.
	var recs []evtxtest.Record
	approx := 0
	for i := 0; approx < target; i++ {
		rec := evtxtest.Record{Level: 4, Time: base.Add(time.Duration(i) * time.Second), Computer: computer}
		if i%every == every/2 {
			rec.Provider, rec.EventID, rec.Data = "WVD-Agent", 3701, []string{report}
		} else {
			rec.Provider = providers[r.IntN(len(providers))]
			rec.EventID = uint16(r.IntN(9000))
			rec.Data = []string{fmt.Sprintf("process %d exited with code %#x", r.IntN(99999), r.Uint32()),
				strings.Repeat("detail text ", 5+r.IntN(30))}
		}
		recs = append(recs, rec)
		approx += 420 + 2*len(rec.Data[len(rec.Data)-1])
	}
	b, err := evtxtest.Bytes(recs, evtxtest.Options{})
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
