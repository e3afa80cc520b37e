package scan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/catalog"
)

// TestDiffReports diffs the samples' report with itself (nothing to
// change) and with a NEW that lost the westeurope region and its host,
// claims it was made with --optional and lists a forged entry: the whole
// westeurope allowlist is to be removed, the forged entry is refused on
// the NEW side, and the warnings name the lost region, the lost host and
// the option.
func TestDiffReports(t *testing.T) {
	old := filepath.Join("testdata", "samples.json")
	same, err := DiffReports(old, old, 0, JudgeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if same.Changed || len(same.Refused) > 0 || len(same.Warnings) > 0 || same.Old.File != old || same.New.File != old {
		t.Fatalf("a report against itself: %+v", same)
	}

	var rep map[string]any
	b, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	regions := rep["regions"].([]any)
	eastus2 := regions[0].(map[string]any)
	if eastus2["region"] != "eastus2" || regions[1].(map[string]any)["region"] != "westeurope" {
		t.Fatalf("samples.json regions changed: %v", regions)
	}
	rep["regions"] = regions[:1]
	rep["hosts"] = rep["hosts"].([]any)[:2]
	rep["optional"] = true
	entries := eastus2["entries"].([]any)
	forged := map[string]any{}
	for k, v := range entries[4].(map[string]any) {
		forged[k] = v
	}
	forged["address"] = "eastus2-shared.prod.warm.ingest.monitor.evil.example"
	eastus2["entries"] = append(entries, forged)
	b, err = json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	newPath := filepath.Join(t.TempDir(), "new.json")
	if err := os.WriteFile(newPath, b, 0o644); err != nil {
		t.Fatal(err)
	}

	d, err := DiffReports(old, newPath, 0, JudgeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Changed || d.New.File != newPath {
		t.Errorf("changed %v, new file %q", d.Changed, d.New.File)
	}
	i := slices.IndexFunc(d.Regions, func(r catalog.RegionDiff) bool { return r.Region == "westeurope" })
	if i < 0 || len(d.Regions[i].Remove) == 0 || len(d.Regions[i].Add) > 0 {
		t.Errorf("westeurope is not removed whole: %+v", d.Regions)
	}
	if len(d.Refused) != 1 || d.Refused[0].Side != "new" || d.Refused[0].Address != forged["address"] {
		t.Errorf("refused: %+v", d.Refused)
	}
	all := strings.Join(d.Warnings, "\n")
	for _, want := range []string{"region westeurope is in OLD only", "avd-weu-0.contoso.local", "NEW was made with --optional"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	if _, err := DiffReports(old, filepath.Join(t.TempDir(), "none.json"), 0, JudgeOptions{}); err == nil {
		t.Error("a missing NEW report gave no error")
	}
}
