package scan

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/internal/termtext"
)

// utf16File encodes s as UTF-16 with a byte order mark, little or big
// endian.
func utf16File(s string, big bool) []byte {
	out := []byte{0xff, 0xfe}
	if big {
		out = []byte{0xfe, 0xff}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if big {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// TestReadRegionMapShapes reads a region map in each shape real tools
// write it.
func TestReadRegionMapShapes(t *testing.T) {
	want := map[string]string{"avd-1": "westeurope", "avd-2": "eastus2"}
	azJSON := `[{"name":"avd-1","location":"westeurope","osProfile":{"computerName":"AVD-1"}},
	 {"name":"avd-2","location":"eastus2","powerState":"VM running","tags":{"hostpool":"p1"}}]`
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"csv", []byte("computer,region\navd-1,westeurope\navd-2,eastus2\n")},
		{"csv, header in capitals, CRLF", []byte("Computer,Region\r\nAVD-1, WestEurope\r\navd-2,eastus2\r\n")},
		{"Excel CSV UTF-8: byte order mark, semicolons", []byte("\ufeffcomputer;region\r\navd-1;westeurope\r\navd-2;eastus2\r\n")},
		{"Excel, trailing separators and quotes", []byte("\"computer\";\"region\";\n\"avd-1\";\"westeurope\";\navd-2;eastus2;;\n")},
		{"UTF-16LE", utf16File("computer,region\r\navd-1,westeurope\r\navd-2,eastus2\r\n", false)},
		{"UTF-16BE", utf16File("computer\tregion\navd-1\twesteurope\navd-2\teastus2\n", true)},
		{"tab with header", []byte("computer\tregion\navd-1\twesteurope\navd-2\teastus2\n")},
		{"az name,location header", []byte("Name,Location\navd-1,westeurope\navd-2,eastus2\n")},
		{"az -o tsv, no header", []byte("avd-1\twesteurope\navd-2\teastus2\n")},
		{"az vm list -o json", []byte(azJSON)},
		{"az --query [].[name,location] -o json", []byte(`[["avd-1","westeurope"],["avd-2","eastus2"]]`)},
		{"identical duplicates", []byte("computer,region\navd-1,westeurope\navd-2,eastus2\nAVD-1,westeurope\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "map")
			if err := os.WriteFile(path, tc.in, 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := ReadRegionMap(path, catalog.CloudPublic)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for n := range m.names {
				got[n], _ = m.Region(n)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestReadRegionMapErrors: what is refused, and that the error says where.
func TestReadRegionMapErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"conflict", "computer,region\navd-1,westeurope\navd-2,eastus2\nAVD-1,northeurope\n",
			"line 2 puts avd-1 in westeurope, line 4 puts it in northeurope; give each computer one region"},
		{"conflict in az json", `[{"name":"a","location":"westeurope"},{"name":"b","location":"eastus","osProfile":{"computerName":"a"}}]`,
			"item 1 puts a in westeurope, item 2 puts it in eastus"},
		{"no header", "avd-1,westeurope\n", "the first line must be the header computer,region"},
		{"typo", "computer,region\navd-1,westeurpe\n", "line 2: region \"westeurpe\" is not an Azure region of cloud public; did you mean westeurope?"},
		{"display name", "computer,region\navd-1,West Europe\n", "line 2: region \"west europe\": write it as westeurope"},
		{"other cloud", "computer,region\navd-1,usgovvirginia\n", "line 2: region \"usgovvirginia\" is a region of cloud usgov"},
		{"empty computer", "computer;region\n;westeurope\n", "line 2: the computer name is empty"},
		{"one column", "computer,region\navd-1\n", "line 2: give a computer and a region"},
		{"three columns", "computer,region\navd-1,westeurope,x\n", "line 2: more than two columns"},
		{"az -o tsv, all columns", "x\tavd-1\twesteurope\tStandard_D4s\n", `give az vm list --query "[].[name,location]" -o tsv`},
		{"json without location", `[{"name":"avd-1"}]`, "item 1: no location"},
		{"not json", `[{"name":`, "not the JSON of az vm list"},
		{"empty", "computer,region\n", "no rows"},
		{"UTF-16 without mark", "c\x00o\x00m\x00", "UTF-16 without a byte order mark"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "map")
			if err := os.WriteFile(path, []byte(tc.in), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadRegionMap(path, catalog.CloudPublic)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error holding %q", err, tc.want)
			}
		})
	}
}

// TestRegionMapMatches lists the rows that matched no host, and the hosts
// that matched no row, by full and by short name.
func TestRegionMapMatches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "map.csv")
	if err := os.WriteFile(path, []byte("computer,region\navd-1,westeurope\navd-2.contoso.local,eastus2\nghost,eastus2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := ReadRegionMap(path, catalog.CloudPublic)
	if err != nil {
		t.Fatal(err)
	}
	hosts := []catalog.Host{{Computer: "AVD-1.contoso.local"}, {Computer: "avd-2.contoso.local"}, {Computer: "avd-3.contoso.local"}}
	unused, n, unmatched := m.matches(hosts)
	if n != 1 || len(unused) != 1 || unused[0].where() != "line 4" || unused[0].names[0] != "ghost" {
		t.Errorf("unused rows %+v, want line 4 ghost", unused)
	}
	if !reflect.DeepEqual(unmatched, []string{"avd-3.contoso.local"}) {
		t.Errorf("unmatched hosts %v", unmatched)
	}
	var many []string
	for i := 0; i < 25; i++ {
		many = append(many, "h")
	}
	if got := termtext.ListSome(many, maxListed); !strings.HasSuffix(got, "h and 5 more") || strings.Count(got, "h") != 20 {
		t.Errorf("listSome: %q", got)
	}
}

// TestRegionMapFromAzure: regions in az vm list's JSON that the table
// lacks are taken with a note; typed in a CSV, they are an error.
func TestRegionMapFromAzure(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, "vms.json")
	if err := os.WriteFile(js, []byte(`[{"name":"avd-1","location":"swedensouth"},{"name":"avd-2","location":"newregion2"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := ReadRegionMap(js, catalog.CloudPublic)
	if err != nil || func() string { r, _ := m.Region("avd-2"); return r }() != "newregion2" || len(m.notes) != 1 {
		t.Fatalf("%v, %+v", err, m)
	}
	csv := filepath.Join(dir, "map.csv")
	if err := os.WriteFile(csv, []byte("computer,region\navd-1,newregion2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRegionMap(csv, catalog.CloudPublic); err == nil {
		t.Error("a typed region the table lacks was accepted")
	}
}

// TestRegionMapCanonicalNames: computer names of a region map are taken
// in one form (lower case, no trailing dot), as events name hosts.
func TestRegionMapCanonicalNames(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.csv")
	os.WriteFile(p, []byte("computer,region\nAVD-1.Contoso.Local.,westeurope\n"), 0o644)
	m, err := ReadRegionMap(p, catalog.CloudPublic)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := m.Region("avd-1.contoso.local"); !ok || got != "westeurope" {
		t.Errorf("Region(avd-1.contoso.local) = %q, %v", got, ok)
	}
}
