package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/scan"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Exported workspace results are inputs like files: the JSON of
// 'az monitor log-analytics query ... -o json' ("azjson") and the CSV the
// portal exports ("azcsv"), of the query the README gives. They are
// recognised by content and read into the same collector as the
// workspace scan.

// maxExportBytes bounds one export file.
const maxExportBytes = 4 << 30

// exportText returns r as UTF-8: a UTF-8 byte order mark is dropped and
// UTF-16 with one (PowerShell 5 redirection) decoded.
func exportText(r io.Reader) io.Reader {
	return transform.NewReader(r, unicode.BOMOverride(unicode.UTF8.NewDecoder()))
}

// sniffExport tells an exported result from the first bytes of a file:
// scan.KindAzJSON, scan.KindAzCSV or scan.KindUnknown.
func sniffExport(head []byte) scan.Kind {
	b, _ := io.ReadAll(exportText(bytes.NewReader(head)))
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, "[") {
		low := strings.ToLower(s)
		for _, c := range wsColumns {
			if !strings.Contains(low, `"`+c+`"`) {
				return scan.KindUnknown
			}
		}
		return scan.KindAzJSON
	}
	line, _, _ := strings.Cut(s, "\n")
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	if err != nil {
		return scan.KindUnknown
	}
	if _, err := rowIndex(rec); err != nil {
		return scan.KindUnknown
	}
	return scan.KindAzCSV
}

// sniffExportFile reads the start of a file and tells an export.
func sniffExportFile(path string) scan.Kind {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	return sniffExport(head[:n])
}

// expandWithExports is expandInputs that also knows exported workspace
// results, named or in folders; they are checked first, as their text
// (the agent's "Accessible URLs") would pass for URL-tool output.
func expandWithExports(paths []string) ([]input, int, error) {
	var exports []input
	var rest []string
	seen, inRest := map[string]bool{}, map[string]bool{}
	add := func(path string, kind scan.Kind, rested bool) {
		if path = filepath.Clean(path); !seen[path] {
			seen[path] = true
			exports = append(exports, input{path, kind})
		}
		inRest[path] = inRest[path] || rested
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			rest = append(rest, p) // expandInputs says what is wrong
		case !fi.IsDir():
			if k := sniffExportFile(p); k != scan.KindUnknown {
				add(p, k, false)
			} else {
				rest = append(rest, p)
			}
		default:
			found, others := exportsIn(p)
			for _, in := range found {
				add(in.path, in.kind, others)
			}
			if others || len(found) == 0 {
				rest = append(rest, p)
			}
		}
	}
	return mergeExports(exports, rest, inRest)
}

// exportsIn walks a folder for exports, and says whether it holds other
// files too.
func exportsIn(dir string) (found []input, others bool) {
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if k := sniffExportFile(path); k != "" {
			found = append(found, input{path, k})
		} else {
			others = true
		}
		return nil
	})
	return found, others
}

// mergeExports expands the other paths and puts the exports in place of
// what expandInputs made of them (URL-tool output, or skipped files).
func mergeExports(exports []input, rest []string, inRest map[string]bool) ([]input, int, error) {
	var ins []input
	skipped := 0
	if len(rest) > 0 {
		var err error
		if ins, skipped, err = expandInputs(rest); err != nil {
			return nil, 0, err
		}
	}
	isExport := map[string]bool{}
	for _, in := range exports {
		isExport[in.path] = true
	}
	listed := 0
	ins = slices.DeleteFunc(ins, func(in input) bool {
		if isExport[in.path] {
			listed++
			return true
		}
		return false
	})
	rested := 0
	for _, ok := range inRest {
		if ok {
			rested++
		}
	}
	skipped = max(0, skipped-(rested-listed))
	ins = append(ins, exports...)
	slices.SortFunc(ins, func(a, b input) int { return strings.Compare(a.path, b.path) })
	return ins, skipped, nil
}

// readExport reads an exported result into the collector and returns the
// rows read and skipped.
func (c *collector) readExport(path string, kind scan.Kind, o scanOptions) (rows, bad int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	lr := &io.LimitedReader{R: f, N: maxExportBytes + 1}
	r := bufio.NewReaderSize(exportText(lr), 64<<10)
	feed := c.rowFeeder(o, path)
	if kind == scan.KindAzJSON {
		err = readExportJSON(r, feed)
	} else {
		err = readExportCSV(r, feed)
	}
	if lr.N <= 0 {
		err = fmt.Errorf("larger than %d GiB; export shorter periods", maxExportBytes>>30)
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", path, err)
	}
	return feed.rows, feed.bad, err
}

// readExportJSON streams the array of row objects az CLI writes; the
// keys are the column names, the values text or numbers.
func readExportJSON(r io.Reader, feed *rowFeeder) error {
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return errors.New("not a JSON array of rows (az monitor log-analytics query -o json)")
	}
	for dec.More() {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return fmt.Errorf("row %d: %w", feed.n+1, err)
		}
		names := make([]string, 0, len(obj))
		cells := make([]any, 0, len(obj))
		for k, v := range obj {
			names = append(names, k)
			cells = append(cells, v)
		}
		idx, err := rowIndex(names)
		if err != nil {
			feed.n++
			feed.skip(err)
			continue
		}
		feed.add(idx, func(i int) any { return cells[i] })
	}
	return nil
}

// readExportCSV streams the portal's CSV export: a header of column names
// (datetime columns may carry " [UTC]"), then one record per row.
func readExportCSV(r io.Reader, feed *rowFeeder) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("CSV header: %w", err)
	}
	for _, h := range head {
		if strings.Contains(strings.ToLower(h), "[local") {
			return errors.New("the export holds local times: export with times in UTC (the portal's default)")
		}
	}
	idx, err := rowIndex(head)
	if err != nil {
		return err
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		feed.add(idx, func(i int) any {
			if i < len(rec) {
				return rec[i]
			}
			return nil
		})
	}
}
