package evtxtest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the sample exports in ../../testdata")

// sampleHosts are the hosts of the sample exports in the project's testdata.
var sampleHosts = []struct {
	computer, region string
	seed             int64
}{
	{"avd-eus2-0.contoso.local", "eastus2", 1},
	{"avd-eus2-1.contoso.local", "eastus2", 2},
	{"avd-weu-0.contoso.local", "westeurope", 3}, // seed divisible by 3: the deprecated host
}

// TestSamples keeps ../../testdata/exports/*.evtx and ../../testdata/hosts.csv
// equal to what SampleHost and Write make; -update rewrites them.
func TestSamples(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata")
	type file struct {
		path string
		data []byte
	}
	var files []file
	csv := "computer,region\n"
	for _, h := range sampleHosts {
		b := mustBytes(t, SampleHost(h.computer, h.region, h.seed), Options{})
		if len(b) > 1<<20 {
			t.Errorf("%s: sample is %d bytes, over 1 MiB", h.computer, len(b))
		}
		short, _, _ := strings.Cut(h.computer, ".")
		files = append(files, file{filepath.Join(dir, "exports", short+".evtx"), b})
		csv += h.computer + "," + h.region + "\n"
	}
	files = append(files, file{filepath.Join(dir, "hosts.csv"), []byte(csv)})

	for _, f := range files {
		if *update {
			if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(f.path)
		if err != nil {
			t.Errorf("%v (go test ./evtx/evtxtest -run TestSamples -update writes it)", err)
			continue
		}
		if !bytes.Equal(got, f.data) {
			t.Errorf("%s differs from what SampleHost and Write make (go test ./evtx/evtxtest -run TestSamples -update rewrites it)", f.path)
		}
	}
}

func TestSampleHost(t *testing.T) {
	const deprecated = "gsm123456789eh.servicebus.windows.net"
	brokers := map[string]string{}
	withDeprecated := 0
	for _, h := range sampleHosts {
		recs := SampleHost(h.computer, h.region, h.seed)
		if !reflect.DeepEqual(recs, SampleHost(h.computer, h.region, h.seed)) {
			t.Errorf("%s: SampleHost is not deterministic", h.computer)
		}
		if reflect.DeepEqual(recs, SampleHost(h.computer, h.region, h.seed+100)) {
			t.Errorf("%s: SampleHost ignores the seed", h.computer)
		}
		counts := map[uint16]int{}
		other, hasDeprecated := 0, false
		for i, r := range recs {
			if r.Computer != h.computer || r.Channel != "Application" {
				t.Errorf("%s: record %d: computer %q, channel %q", h.computer, i, r.Computer, r.Channel)
			}
			if i > 0 && (r.Time.Before(recs[i-1].Time) || r.RecordID != recs[i-1].RecordID+1) {
				t.Errorf("%s: record %d out of order", h.computer, i)
			}
			if r.Provider != "WVD-Agent" {
				other++
				continue
			}
			counts[r.EventID]++
			if r.EventID != 3701 && r.EventID != 3702 {
				continue
			}
			if len(r.Data) != 1 {
				t.Fatalf("%s: record %d: %d strings, want 1", h.computer, i, len(r.Data))
			}
			text := r.Data[0]
			for _, want := range []string{
				h.region + "-shared.prod.warm.ingest.monitor.core.windows.net",
				".rdbroker-g-us-r0.wvd.microsoft.com\r\n",
				"mrsglobalsteus2prod.blob.core.windows.net",
				"rdgateway-c",
				"\r\nNOT Accessible URLs:\r\n",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: record %d: no %q in %q", h.computer, i, want, text)
				}
			}
			broker, _, _ := strings.Cut(text[strings.Index(text, "=\r\n")+3:], ".")
			if b, ok := brokers[h.region]; ok && b != broker {
				t.Errorf("%s: host pool %s, other host of %s has %s", h.computer, broker, h.region, b)
			}
			brokers[h.region] = broker
			_, notOK, _ := strings.Cut(text, "NOT Accessible URLs:\r\n")
			lines := strings.Split(notOK, "\r\n")
			if len(lines) != 2 || (r.EventID == 3701) != (lines[1] == "<empty>") {
				t.Errorf("%s: record %d (%d): NOT Accessible section %q", h.computer, i, r.EventID, notOK)
			}
			hasDeprecated = hasDeprecated || strings.Contains(text, deprecated)
		}
		if counts[3701] < 10 || counts[3702] < 1 || counts[3019] < 1 || counts[3277] < 1 || other < 250 {
			t.Errorf("%s: WVD-Agent events %v and %d others", h.computer, counts, other)
		}
		if hasDeprecated != (h.seed%3 == 0) {
			t.Errorf("%s (seed %d): deprecated host listed %v", h.computer, h.seed, hasDeprecated)
		}
		if hasDeprecated {
			withDeprecated++
		}
	}
	if withDeprecated != 1 {
		t.Errorf("%d sample hosts list the deprecated host, want 1", withDeprecated)
	}
}
