package render

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenCases are the golden files: a format of a fixed report, the
// samples' (testdata/report.json) or the same judged with the 2025-late
// catalog (testdata/report-2025-late.json, which adds a CIDR on UDP 3478
// and a second port of 168.63.129.16). The Palo Alto lists hold one
// region, so theirs are the files of a set (Set), as is one Terraform
// case.
var goldenCases = []struct {
	file, format, report string
	set                  bool
}{
	{"edl", "edl", "report", true}, {"edl-domain", "edl-domain", "report", true}, {"edl-ip", "edl-ip", "report", true},
	{"squid", "squid", "report", false}, {"fortigate", "fortigate", "report", false}, {"bicep", "bicep", "report", false},
	{"az-cli", "az-cli", "report", false}, {"terraform", "terraform", "report", false}, {"terraform-output-dir", "terraform", "report", true},
	{"markdown", "markdown", "report", false}, {"text", "text", "report", false}, {"csv", "csv", "report", false}, {"table", "table", "report", false},
	{"fortigate-2025-late", "fortigate", "report-2025-late", false},
	{"squid-2025-late", "squid", "report-2025-late", false},
	{"edl-ip-2025-late", "edl-ip", "report-2025-late", true},
}

// goldenOptions are the firewall options of the golden files.
var goldenOptions = Options{Sources: []string{"10.10.0.0/24", "10.20.0.0/24"}, Priority: 1000, NamePrefix: "avd"}

// fixedReport reads a fixed report of testdata.
func fixedReport(t *testing.T, name string) catalog.Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := catalog.DecodeReport(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rep
}

// TestGolden writes every format of the fixed reports and compares them
// with the golden files (go test ./render -run Golden -update rewrites
// them).
func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		rep := fixedReport(t, c.report)
		var got bytes.Buffer
		if c.set {
			parts, err := Set("out", c.format, rep, goldenOptions)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(parts, func(a, b Part) int { return strings.Compare(a.Path, b.Path) })
			for _, p := range parts {
				fmt.Fprintf(&got, "==> %s <==\n", filepath.Base(p.Path))
				if err := p.Write(&got); err != nil {
					t.Fatalf("%s: %v", c.file, err)
				}
			}
		} else if err := Write(&got, c.format, rep, goldenOptions); err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		path := filepath.Join("testdata", "golden", c.file+".golden")
		if *update {
			if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s differs from %s (run with -update after checking the change)", c.file, path)
		}
	}
}

// TestEveryFormatHasGolden: a format added to the registry gets a golden
// file.
func TestEveryFormatHasGolden(t *testing.T) {
	have := map[string]bool{}
	for _, c := range goldenCases {
		have[c.format] = true
	}
	for _, f := range Formats() {
		if !have[f.Name] && f.Name != "json" && f.Name != "azfw-arm" {
			t.Errorf("format %s has no golden file", f.Name)
		}
	}
}
