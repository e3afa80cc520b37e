package scan

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/internal/textenc"

	"github.com/avdurls/avdurls/catalog"
)

// maxRegionMap bounds the size of a region map file: a row is a few dozen
// bytes, and az vm list -o json a few KiB per VM.
const maxRegionMap = 64 << 20

// RegionMap is a region map file read and checked: each computer's
// region, and the rows it came from, to say after the scan which rows
// matched no scanned host.
type RegionMap struct {
	path    string
	regions map[string]string // lower-case computer name -> region
	notes   []string          // regions from Azure that the table lacks
	rows    []mapRow
}

// mapRow is one row of a region map: a CSV or TSV line, or one VM of
// az vm list -o json.
type mapRow struct {
	where  string   // "line 3", "item 3"
	names  []string // lower-case; a VM's name and its computer name
	region string
	// azure says the region came from Azure (az vm list), not typed by a
	// person: a region of the right form the table lacks is taken.
	azure bool
}

// ReadRegionMap reads a region map in any of the shapes real tools write:
// CSV with the header computer,region or name,location (any case),
// separated by commas, semicolons (Excel in many locales) or tabs; the
// two-column TSV of az vm list --query "[].[name,location]" -o tsv,
// without a header; or the JSON of az vm list (-d) -o json. UTF-8 with or
// without a byte order mark and UTF-16 with one are read. Every region
// must be one of the cloud's; two rows giving one computer different
// regions are an error naming both.
func ReadRegionMap(path string, cloud catalog.Cloud) (*RegionMap, error) {
	text, err := readMapText(path)
	if err != nil {
		return nil, fmt.Errorf("region map %s: %w", path, err)
	}
	var rows []mapRow
	if t := strings.TrimSpace(text); strings.HasPrefix(t, "[") {
		rows, err = jsonMapRows(t)
	} else {
		rows, err = textMapRows(text)
	}
	if err == nil && len(rows) == 0 {
		err = errors.New("no rows; give the header computer,region and a line per session host")
	}
	if err != nil {
		return nil, fmt.Errorf("region map %s: %w", path, err)
	}
	return buildRegionMap(path, rows, cloud)
}

// readMapText reads a region map file as UTF-8 text: a UTF-8 byte order
// mark is dropped, UTF-16 with a byte order mark is decoded.
func readMapText(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxRegionMap+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxRegionMap {
		return "", fmt.Errorf("larger than %d MiB; is it the right file?", maxRegionMap>>20)
	}
	out, err := textenc.Bytes(b)
	if err != nil {
		return "", err
	}
	if bytes.IndexByte(out, 0) >= 0 {
		return "", errors.New("holds NUL bytes: UTF-16 without a byte order mark? Save it as UTF-8 (Excel: CSV UTF-8)")
	}
	return strings.TrimPrefix(string(out), "\ufeff"), nil // a mark left inside UTF-16
}

// textMapRows reads CSV or TSV rows. The separator is the first of tab,
// semicolon and comma found in the first line. The header computer,region
// or name,location is required, except for tab-separated text (az ... -o
// tsv prints none).
func textMapRows(text string) ([]mapRow, error) {
	sep := mapSeparator(text)
	r := csv.NewReader(strings.NewReader(text))
	r.Comma, r.FieldsPerRecord, r.TrimLeadingSpace, r.LazyQuotes = sep, -1, true, true
	var rows []mapRow
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		if first && mapHeader(rec) {
			continue
		}
		if first && sep != '\t' {
			return nil, fmt.Errorf("the first line must be the header computer,region (or name,location), not %q", strings.Join(rec, string(sep)))
		}
		row, err := textMapRow(rec, sep)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		row.where, row.azure = fmt.Sprintf("line %d", line), sep == '\t'

		rows = append(rows, row)
	}
}

// mapSeparator picks a region map's separator from its first non-empty
// line: tab, else semicolon, else comma.
func mapSeparator(text string) rune {
	line := strings.TrimSpace(text)
	if i := strings.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	switch {
	case strings.Contains(line, "\t"):
		return '\t'
	case strings.Contains(line, ";"):
		return ';'
	}
	return ','
}

// mapHeader tells whether a record is a region map's header.
func mapHeader(rec []string) bool {
	if len(rec) < 2 {
		return false
	}
	h := strings.ToLower(strings.TrimSpace(rec[0])) + "," + strings.ToLower(strings.TrimSpace(rec[1]))
	return h == "computer,region" || h == "name,location"
}

// textMapRow reads one CSV or TSV record: a computer and a region, and
// nothing else but empty fields (trailing separators, as Excel writes).
func textMapRow(rec []string, sep rune) (mapRow, error) {
	for _, extra := range rec[min(2, len(rec)):] {
		if strings.TrimSpace(extra) != "" {
			if sep == '\t' {
				return mapRow{}, errors.New(`more than two columns; give az vm list --query "[].[name,location]" -o tsv, or -o json`)
			}
			return mapRow{}, fmt.Errorf("more than two columns; give computer%cregion", sep)
		}
	}
	if len(rec) < 2 {
		return mapRow{}, fmt.Errorf("give a computer and a region, separated by %q", string(sep))
	}
	return newMapRow(rec[1], rec[0])
}

// newMapRow makes a row of a region and computer names in the one form
// hosts are compared in: lower case, without a trailing dot; the first name
// must not be empty.
func newMapRow(region string, names ...string) (mapRow, error) {
	row := mapRow{region: strings.ToLower(strings.TrimSpace(region))}
	for _, n := range names {
		n = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), ".")
		if n != "" && !slices.Contains(row.names, n) {
			row.names = append(row.names, n)
		}
	}
	if len(names) == 0 || strings.TrimSpace(names[0]) == "" {
		return row, errors.New("the computer name is empty")
	}
	return row, nil
}

// azVM is what a region map takes from one VM of az vm list -o json (or
// -d): its name, its Windows computer name and its location. An object
// {"computer":..., "region":...} is read too.
type azVM struct {
	Name      string `json:"name"`
	Location  string `json:"location"`
	Computer  string `json:"computer"`
	Region    string `json:"region"`
	OSProfile *struct {
		ComputerName string `json:"computerName"`
	} `json:"osProfile"`
}

// jsonMapRows reads the JSON of az vm list: an array of VM objects, or of
// [name, location] pairs (az vm list --query "[].[name,location]").
func jsonMapRows(text string) ([]mapRow, error) {
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(text), &items); err != nil {
		return nil, fmt.Errorf("not the JSON of az vm list: %v", err)
	}
	rows := make([]mapRow, 0, len(items))
	for i, raw := range items {
		row, err := jsonMapRow(raw)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
		row.where, row.azure = fmt.Sprintf("item %d", i+1), true
		rows = append(rows, row)
	}
	return rows, nil
}

// jsonMapRow reads one item of az vm list's JSON.
func jsonMapRow(raw json.RawMessage) (mapRow, error) {
	var pair []string
	if err := json.Unmarshal(raw, &pair); err == nil {
		if len(pair) != 2 {
			return mapRow{}, errors.New("give [name, location]")
		}
		return newMapRow(pair[1], pair[0])
	}
	var vm azVM
	if err := json.Unmarshal(raw, &vm); err != nil {
		return mapRow{}, errors.New("not a VM object with name and location")
	}
	if vm.Name == "" && vm.Location == "" {
		vm.Name, vm.Location = vm.Computer, vm.Region
	}
	if vm.Location == "" {
		return mapRow{}, errors.New("no location")
	}
	names := []string{vm.Name}
	if vm.OSProfile != nil {
		names = append(names, vm.OSProfile.ComputerName)
	}
	return newMapRow(vm.Location, names...)
}

// checkRegion checks a row's region: a region of the cloud's table, or,
// for a row from Azure (az vm list), one of the right form the table
// lacks, which is noted.
func (m *RegionMap) checkRegion(cloud catalog.Cloud, row mapRow) error {
	if !row.azure {
		return catalog.CheckRegion(cloud, row.region)
	}
	note, err := catalog.CheckReportedRegion(cloud, row.region)
	if note != "" && !slices.Contains(m.notes, note) {
		m.notes = append(m.notes, "region map "+m.path+": "+note)
	}
	return err
}

// buildRegionMap checks every row's region against the cloud and that no
// computer is given two regions; identical duplicates are fine.
func buildRegionMap(path string, rows []mapRow, cloud catalog.Cloud) (*RegionMap, error) {
	m := &RegionMap{path: path, regions: map[string]string{}, rows: rows}
	by := map[string]mapRow{}
	for _, row := range rows {
		if err := m.checkRegion(cloud, row); err != nil {
			return nil, fmt.Errorf("region map %s: %s: %v", path, row.where, err)
		}
		for _, n := range row.names {
			if prev, ok := by[n]; ok && prev.region != row.region {
				return nil, fmt.Errorf("region map %s: %s puts %s in %s, %s puts it in %s; give each computer one region",
					path, prev.where, n, prev.region, row.where, row.region)
			}
			if _, ok := by[n]; !ok {
				by[n] = row
			}
			m.regions[n] = row.region
		}
	}
	return m, nil
}

// maxListed is how many names a region map warning lists.
const maxListed = 20

// matches compares the map with the hosts scanned, as catalog's regionOf
// matches them (the full computer name, else its short name): it returns
// the rows that matched no host and the hosts that matched no row.
func (m *RegionMap) matches(hosts []catalog.Host) (unused []mapRow, unmatched []string) {
	used := map[string]bool{}
	for _, h := range hosts {
		c := strings.ToLower(h.Computer)
		short, _, _ := strings.Cut(c, ".")
		switch {
		case m.regions[c] != "":
			used[c] = true
		case m.regions[short] != "":
			used[short] = true
		default:
			unmatched = append(unmatched, h.Computer)
		}
	}
	for _, row := range m.rows {
		if !anyUsed(row.names, used) {
			unused = append(unused, row)
		}
	}
	return unused, unmatched
}

// anyUsed tells whether one of names is in used.
func anyUsed(names []string, used map[string]bool) bool {
	for _, n := range names {
		if used[n] {
			return true
		}
	}
	return false
}

// Regions maps each computer (lower case, full and short name) to its
// region, for catalog.BuildOptions.RegionMap.
func (m *RegionMap) Regions() map[string]string { return m.regions }

// loose says which rows of the map matched no scanned host and which
// hosts matched no row: at most 20 of each, with a count of the rest.
func (m *RegionMap) loose(hosts []catalog.Host) []string {
	notes := slices.Clone(m.notes)
	unused, unmatched := m.matches(hosts)
	if len(unused) > 0 {
		var l []string
		for _, r := range unused {
			l = append(l, r.where+" "+r.names[0])
		}
		notes = append(notes, fmt.Sprintf("region map %s: %s matched no scanned host (a misspelt name, or a host that sent no events): %s",
			m.path, termtext.Plural(len(unused), "row"), termtext.ListSome(l, maxListed)))
	}
	if len(unmatched) > 0 {
		what := fmt.Sprintf("%d scanned hosts are", len(unmatched))
		if len(unmatched) == 1 {
			what = "1 scanned host is"
		}
		notes = append(notes, fmt.Sprintf("region map %s: %s in no row; the region comes from the events, else it is unknown: %s",
			m.path, what, termtext.ListSome(unmatched, maxListed)))
	}
	return notes
}
