package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCarryForwardKeepsTheDefault imports the saved page the default version
// came from and checks that, with the default as base, the import holds the
// default's rows: nothing the catalog has (deprecated rows, Azure China,
// 168.63.129.16 TCP 32526, the TURN relay) is lost by a refresh.
func TestCarryForwardKeepsTheDefault(t *testing.T) {
	def := Default().Newest()
	f, err := os.Open(filepath.Join("testdata", "pages", "required-fqdn-endpoint-"+def.ID+".md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page, warnings, err := Import(f, "")
	if err != nil || len(warnings) > 0 {
		t.Fatalf("Import = %v, warnings %q", err, warnings)
	}
	if SameRows(page, *def) {
		t.Fatal("the page alone holds the default's rows: the test proves nothing")
	}
	got, carried := CarryForward(page, *def)
	if !SameRows(got, *def) {
		t.Errorf("page + carried = %d rows, the default has %d: not the same rows", len(got.AllRows), len(def.AllRows))
	}
	if n := len(page.AllRows) + carried.Len(); n != len(got.AllRows) {
		t.Errorf("%d page rows + %d carried != %d", len(page.AllRows), carried.Len(), len(got.AllRows))
	}
	if len(carried.Deprecated) == 0 || len(carried.OtherTable) == 0 || len(carried.Other) == 0 {
		t.Errorf("carried %d deprecated, %d other-table, %d other: want each kind", len(carried.Deprecated), len(carried.OtherTable), len(carried.Other))
	}
	for _, r := range carried.OtherTable {
		if r.Cloud != CloudChina {
			t.Errorf("%s %s carried as of a table the page lacks", r.Cloud, r.Address)
		}
	}
	if !strings.Contains(got.Source, "carried forward from "+def.ID) {
		t.Errorf("source %q does not name the base", got.Source)
	}
	if id, same := Default().FreeID(got); id != def.ID || !same {
		t.Errorf("FreeID = %q, %v; want %q, true", id, same, def.ID)
	}
	// Carried twice, a note keeps one mark.
	again, _ := CarryForward(Version{ID: "x", SourceDate: "2026-01-01", AllRows: page.AllRows[:1]}, got)
	for _, r := range again.AllRows {
		if strings.Count(r.Note, "Not on the page dated") > 1 {
			t.Errorf("%s: note carries two marks: %q", r.Address, r.Note)
		}
	}
}

// TestFreeIDNeverReuses checks that an id taken by other rows gives the next
// free one.
func TestFreeIDNeverReuses(t *testing.T) {
	c := Default()
	v, err := c.Version("2024-11-21")
	if err != nil {
		t.Fatal(err)
	}
	other := *v
	other.AllRows = other.AllRows[1:]
	if id, same := c.FreeID(other); id != "2024-11-21.3" || same {
		t.Errorf("FreeID(other rows) = %q, %v; want 2024-11-21.3 (2024-11-21.2 is taken too)", id, same)
	}
	if id, same := c.FreeID(*v); id != "2024-11-21" || !same {
		t.Errorf("FreeID(same rows) = %q, %v", id, same)
	}
	fresh := *v
	fresh.ID = "2030-01-01"
	if id, same := c.FreeID(fresh); id != "2030-01-01" || same {
		t.Errorf("FreeID(new id) = %q, %v", id, same)
	}
}
