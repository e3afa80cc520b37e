package workspace

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
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

// IsJSONExport tells the JSON of az monitor log-analytics query -o json
// from the first bytes of an input: an array of objects whose first
// holds three or more column names of the README's query or of the
// Event table. Whether it holds every column it needs is for
// ReadExport to say: a file that looks like an export is read as one.
func IsJSONExport(head []byte) bool {
	s := headText(head)
	if !strings.HasPrefix(s, "[") {
		return false
	}
	dec := newJSONDecoder(strings.NewReader(s))
	if expectJSON(dec, '[') != nil {
		return false
	}
	var keys []string
	_ = eachField(dec, func(key string, _ any) { keys = append(keys, key) }) // a cut head ends it
	return looksLikeRows(keys)
}

// IsCSVExport tells the portal's CSV export, of the README's query or of
// the Event table, from the first bytes of an input: a header holding
// three or more of their column names.
func IsCSVExport(head []byte) bool {
	s := headText(head)
	if strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{") || strings.HasPrefix(s, "<") {
		return false
	}
	line, _, _ := strings.Cut(s, "\n")
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	return err == nil && looksLikeRows(rec)
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

// readExportJSON streams the array of row objects az CLI writes, token
// by token: the keys are the column names, the values text or numbers.
// The columns of the first row must make a layout (else the file is
// refused naming what it lacks); a later row of other columns that make
// none is skipped.
func readExportJSON(r io.Reader, feed *Feed) error {
	dec := newJSONDecoder(r)
	if expectJSON(dec, '[') != nil {
		return errors.New("not a JSON array of rows (az monitor log-analytics query -o json)")
	}
	var names, prev []string
	var cells []any
	var l layout
	var lerr error
	cell := func(i int) any { return cells[i] }
	for first := true; jsonMore(dec); first = false {
		names, cells = names[:0], cells[:0]
		err := eachField(dec, func(k string, v any) { names, cells = append(names, k), append(cells, v) })
		if err != nil {
			return fmt.Errorf("row %d: %w", feed.n+1, err)
		}
		if first || !slices.Equal(names, prev) {
			prev = append(prev[:0], names...)
			l, lerr = rowLayout(names)
		}
		if lerr != nil && first {
			return lerr
		}
		if lerr != nil {
			feed.n++
			feed.skip(lerr)
			continue
		}
		feed.add(l, cell)
	}
	if err := expectJSON(dec, ']'); err != nil {
		return fmt.Errorf("after row %d: %w", feed.n, err)
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
	l, err := rowLayout(head)
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
		feed.add(l, func(i int) any {
			if i < len(rec) {
				return rec[i]
			}
			return nil
		})
	}
}
