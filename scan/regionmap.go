package scan

import (
	"bufio"
	"bytes"
	"cmp"
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
	path  string
	cloud catalog.Cloud
	// names packs, for each lower-case computer name, its row (line or
	// item, from 1; the high 32 bits), whether it is the row's first name
	// (bit 16) and its region (an index into regions; the low 16 bits):
	// a few dozen bytes a row, whatever the size of the map.
	names   map[string]uint64
	regions []string
	index   map[string]int // region -> its index in regions
	rows    int
	items   bool     // rows are JSON items, not lines
	notes   []string // regions from Azure that the table lacks
}

const firstName = 1 << 16

func pack(row int32, first bool, region int) uint64 {
	v := uint64(row)<<32 | uint64(region)
	if first {
		v |= firstName
	}
	return v
}

func unpack(v uint64) (row int32, first bool, region int) {
	return int32(v >> 32), v&firstName != 0, int(v & 0xffff)
}

// mapRow is one row of a region map: a CSV or TSV line, or one VM of
// az vm list -o json.
type mapRow struct {
	at     int32    // its line (CSV, TSV) or item (JSON), from 1
	names  []string // lower-case; a VM's name and its computer name
	region string
	item   bool // at counts JSON items, not lines
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
	m := &RegionMap{path: path, cloud: cloud, names: map[string]uint64{}, index: map[string]int{}}
	if err := m.read(); err != nil {
		return nil, fmt.Errorf("region map %s: %w", path, err)
	}
	if m.rows == 0 {
		return nil, fmt.Errorf("region map %s: no rows; give the header computer,region and a line per session host", path)
	}
	return m, nil
}

// read reads the file as a stream, as UTF-8 (a UTF-8 byte order mark is
// dropped, UTF-16 with a byte order mark decoded), a row at a time.
func (m *RegionMap) read() error {
	f, err := os.Open(m.path)
	if err != nil {
		return err
	}
	defer f.Close()
	tooLarge := fmt.Errorf("larger than %d MiB; is it the right file?", maxRegionMap>>20)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > maxRegionMap {
		return tooLarge
	}
	lr := &io.LimitedReader{R: f, N: maxRegionMap + 1}
	br := bufio.NewReaderSize(textenc.Reader(lr), 64<<10)
	head, _ := br.Peek(64 << 10)
	if bytes.IndexByte(head, 0) >= 0 {
		return errors.New("holds NUL bytes: UTF-16 without a byte order mark? Save it as UTF-8 (Excel: CSV UTF-8)")
	}
	text := strings.TrimPrefix(string(head), "\ufeff") // a mark left inside UTF-16
	if strings.HasPrefix(text, "\ufeff") || strings.HasPrefix(string(head), "\ufeff") {
		_, _ = br.Discard(len("\ufeff"))
	}
	if strings.HasPrefix(strings.TrimSpace(text), "[") {
		err = m.jsonMapRows(br)
	} else {
		err = m.textMapRows(br, mapSeparator(text))
	}
	if err == nil && lr.N <= 0 {
		return tooLarge
	}
	return err
}

// textMapRows reads CSV or TSV rows. The separator is the first of tab,
// semicolon and comma found in the first line. The header computer,region
// or name,location is required, except for tab-separated text (az ... -o
// tsv prints none).
func (m *RegionMap) textMapRows(in io.Reader, sep rune) error {
	r := csv.NewReader(in)
	r.Comma, r.FieldsPerRecord, r.TrimLeadingSpace, r.LazyQuotes, r.ReuseRecord = sep, -1, true, true, true
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		line, _ := r.FieldPos(0)
		if first && mapHeader(rec) {
			continue
		}
		if first && sep != '\t' {
			return fmt.Errorf("the first line must be the header computer,region (or name,location), not %q", strings.Join(rec, string(sep)))
		}
		row, err := textMapRow(rec, sep)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		row.at, row.azure = int32(line), sep == '\t'
		if err := m.add(row); err != nil {
			return err
		}
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
// [name, location] pairs (az vm list --query "[].[name,location]"), an
// item at a time.
func (m *RegionMap) jsonMapRows(in io.Reader) error {
	dec := json.NewDecoder(in)
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return fmt.Errorf("not the JSON of az vm list: %v", cmp.Or(err, errors.New("not an array")))
	}
	for i := 1; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("not the JSON of az vm list: %v", err)
		}
		row, err := jsonMapRow(raw)
		if err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
		row.at, row.azure, row.item = int32(i), true, true
		if err := m.add(row); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("not the JSON of az vm list: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("not the JSON of az vm list: data after the array")
	}
	return nil
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

// where says where a row is: "line 3", "item 3".
func (r mapRow) where() string {
	if r.item {
		return fmt.Sprintf("item %d", r.at)
	}
	return fmt.Sprintf("line %d", r.at)
}

// listSome lists the first of n items, and says how many more there are.
func listSome(first []string, n int) string {
	if n <= len(first) {
		return strings.Join(first, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(first, ", "), n-len(first))
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

// add checks a row's region against the cloud and that no computer is
// given two regions (identical duplicates are fine), and adds it.
func (m *RegionMap) add(row mapRow) error {
	if err := m.checkRegion(m.cloud, row); err != nil {
		return fmt.Errorf("%s: %v", row.where(), err)
	}
	ri, ok := m.index[row.region]
	if !ok {
		if len(m.regions) == 0xffff {
			return fmt.Errorf("%s: more than %d regions", row.where(), 0xffff)
		}
		ri = len(m.regions)
		m.index[row.region] = ri
		m.regions = append(m.regions, row.region)
	}
	for i, n := range row.names {
		if v, ok := m.names[n]; ok {
			at, _, pr := unpack(v)
			if pr != ri {
				prev := mapRow{at: at, item: row.item}
				return fmt.Errorf("%s puts %s in %s, %s puts it in %s; give each computer one region",
					prev.where(), n, m.regions[pr], row.where(), row.region)
			}
			continue
		}
		m.names[strings.Clone(n)] = pack(row.at, i == 0, ri)
	}
	m.rows++
	m.items = row.item
	return nil
}

// maxListed is how many names a region map warning lists.
const maxListed = 20

// Region returns the region of a computer (lower case) the map gives:
// catalog.RegionLookup.
func (m *RegionMap) Region(computer string) (string, bool) {
	v, ok := m.names[computer]
	if !ok {
		return "", false
	}
	_, _, r := unpack(v)
	return m.regions[r], true
}

// matches compares the map with the hosts scanned, as catalog's regionOf
// matches them (the full computer name, else its short name): it returns
// the first maxListed rows that matched no host, by line, how many rows
// matched none, and the hosts that matched no row.
func (m *RegionMap) matches(hosts []catalog.Host) (unused []mapRow, n int, unmatched []string) {
	used := make([]bool, m.maxRow()+1) // by row
	for _, h := range hosts {
		c := strings.ToLower(h.Computer)
		short, _, _ := strings.Cut(c, ".")
		v, ok := m.names[c]
		if !ok {
			v, ok = m.names[short]
		}
		if !ok {
			unmatched = append(unmatched, h.Computer)
			continue
		}
		at, _, _ := unpack(v)
		used[at] = true
	}
	for name, v := range m.names {
		at, first, _ := unpack(v)
		if used[at] || !first {
			continue
		}
		n++
		unused = append(unused, mapRow{at: at, item: m.items, names: []string{name}})
		if len(unused) > 2*maxListed {
			unused = firstRows(unused)
		}
	}
	return firstRows(unused), n, unmatched
}

// firstRows keeps the first maxListed rows, by line.
func firstRows(rows []mapRow) []mapRow {
	slices.SortFunc(rows, func(a, b mapRow) int { return cmp.Compare(a.at, b.at) })
	return rows[:min(len(rows), maxListed)]
}

func (m *RegionMap) maxRow() int32 {
	var top int32
	for _, v := range m.names {
		top = max(top, int32(v>>32))
	}
	return top
}

// loose says which rows of the map matched no scanned host and which
// hosts matched no row: at most 20 of each, with a count of the rest.
func (m *RegionMap) loose(hosts []catalog.Host) []string {
	notes := slices.Clone(m.notes)
	unused, n, unmatched := m.matches(hosts)
	if n > 0 {
		var l []string
		for _, r := range unused {
			l = append(l, r.where()+" "+r.names[0])
		}
		notes = append(notes, fmt.Sprintf("region map %s: %s matched no scanned host (a misspelt name, or a host that sent no events): %s",
			m.path, termtext.Plural(n, "row"), listSome(l, n)))
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
