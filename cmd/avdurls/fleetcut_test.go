package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// fleetReports writes the JSON reports of n hosts spread over regions, as
// the README's fleet recipe collects them (one 'avdurls scan --live -f
// json' per host), and returns them by file name.
func fleetReports(t *testing.T, n int, regions []string) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	out := map[string][]byte{}
	for i := 0; i < n; i++ {
		computer := fmt.Sprintf("avd-%03d.contoso.local", i)
		b, err := evtxtest.Bytes(evtxtest.SampleHost(computer, regions[i%len(regions)], int64(i)), evtxtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		export := filepath.Join(dir, fmt.Sprintf("host%03d.evtx", i))
		if err := os.WriteFile(export, b, 0o644); err != nil {
			t.Fatal(err)
		}
		js, errs, code := runScan(t, "-q", "-f", "json", export)
		if code != exitOK {
			t.Fatalf("host %d: exit %d: %s", i, code, errs)
		}
		out[fmt.Sprintf("host%03d.json", i)] = []byte(js)
	}
	return out
}

// writeReports writes reports into a new folder and returns it.
func writeReports(t *testing.T, reports map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range reports {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestFleetCutReport: the fleet recipe's shape, 100 hosts in 3 regions, one
// report cut as Azure VM Run Command cuts output (its last 4,096 bytes) or
// as a broken copy does (its first 4,096 bytes). The cut file is named as
// cut, never skipped as "not an event log"; the exit status is 3; every
// other host and all 3 regions are still in the output.
func TestFleetCutReport(t *testing.T) {
	regions := []string{"eastus2", "westeurope", "japaneast"}
	reports := fleetReports(t, 100, regions)
	const victim = "host042.json"
	full := reports[victim]
	if len(full) < 3*4096 {
		t.Fatalf("a host's report is only %d bytes; the test needs more than 4,096", len(full))
	}
	for _, tc := range []struct {
		name, want string
		cut        []byte
	}{
		{"first 4096 bytes", victim + ": report ends at byte 4096, without its end; it was cut short (an upload or copy that did not finish", full[:4096]},
		{"last 4096 bytes", victim + ": holds only the last 4096 bytes of a report, without its start; it was truncated (the action Run Command, az vm run-command invoke, keeps only the last 4,096 bytes", full[len(full)-4096:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string][]byte{}
			for k, v := range reports {
				in[k] = v
			}
			in[victim] = tc.cut
			dir := writeReports(t, in)
			check := func(args ...string) {
				t.Helper()
				out, errs, code := runScan(t, append([]string{"-q", "-f", "json"}, args...)...)
				if code != exitPartial {
					t.Fatalf("scan %v: exit %d, want %d (partial): %s", args, code, exitPartial, errs)
				}
				if !strings.Contains(errs, tc.want) || strings.Contains(errs, "not event logs") {
					t.Errorf("stderr does not name the cut file as cut:\n%s", errs)
				}
				var rep catalog.Report
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range rep.Regions {
					got = append(got, r.Region)
				}
				if strings.Join(got, ",") != "eastus2,japaneast,westeurope" {
					t.Errorf("regions %v, want all 3", got)
				}
				if len(rep.Hosts) != 99 {
					t.Errorf("%d hosts, want the 99 whole reports", len(rep.Hosts))
				}
			}
			check(dir) // in a folder
			others := []string{filepath.Join(dir, victim)}
			for k := range in {
				if k != victim {
					others = append(others, filepath.Join(dir, k))
				}
			}
			check(others...) // named on the command line
		})
	}
}
