package workspace

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/avdurls/avdurls/internal/textenc"
)

// Exported results are inputs like files: the JSON of 'az monitor
// log-analytics query ... -o json' and the CSV the portal exports, of the
// query of KQL. They are recognised by content (IsJSONExport,
// IsCSVExport) and read as streams into a Feed, as answers are.

// maxExportBytes bounds one export file.
const maxExportBytes = 4 << 30

// headText is the start of an input as text, for the sniffers.
func headText(head []byte) string {
	b, _ := io.ReadAll(textenc.Reader(bytes.NewReader(head)))
	return strings.TrimSpace(string(b))
}

// IsJSONExport tells the JSON of az monitor log-analytics query -o json,
// of the columns the query projects, from the first bytes of an input.
func IsJSONExport(head []byte) bool {
	s := headText(head)
	if !strings.HasPrefix(s, "[") {
		return false
	}
	low := strings.ToLower(s)
	for _, c := range columns {
		if !strings.Contains(low, `"`+c+`"`) {
			return false
		}
	}
	return true
}

// IsCSVExport tells the portal's CSV export of the query's columns from
// the first bytes of an input.
func IsCSVExport(head []byte) bool {
	s := headText(head)
	if strings.HasPrefix(s, "[") {
		return false
	}
	line, _, _ := strings.Cut(s, "\n")
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	if err != nil {
		return false
	}
	_, err = rowIndex(rec)
	return err == nil
}

// ReadExport reads an exported result (CSV when isCSV, else az JSON) as a
// stream into feed; name labels its errors.
func ReadExport(r io.Reader, name string, isCSV bool, feed *Feed) error {
	lr := &io.LimitedReader{R: r, N: maxExportBytes + 1}
	br := bufio.NewReaderSize(textenc.Reader(lr), 64<<10)
	var err error
	if isCSV {
		err = readExportCSV(br, feed)
	} else {
		err = readExportJSON(br, feed)
	}
	if lr.N <= 0 {
		err = fmt.Errorf("larger than %d GiB; export shorter periods", maxExportBytes>>30)
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", name, err)
	}
	return err
}

// readExportJSON streams the array of row objects az CLI writes; the
// keys are the column names, the values text or numbers.
func readExportJSON(r io.Reader, feed *Feed) error {
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
func readExportCSV(r io.Reader, feed *Feed) error {
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
