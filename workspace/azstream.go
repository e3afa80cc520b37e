package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/go-json-experiment/json/jsontext"
)

// TableSink takes an answer as it is read: its columns first, then each
// row. An error of Columns ends the read.
type TableSink interface {
	Columns(cols []Column) error
	Row(cells []any)
}

// Streamer is a Querier that reads an answer as it arrives, handing its
// first table's rows to a sink one by one instead of holding the answer:
// the azlogs Querier is one. A partial error beside the rows is returned
// once the rows were read.
type Streamer interface {
	Stream(ctx context.Context, workspaceID, kql string, sink TableSink) error
}

// Stream implements Streamer: the request the SDK's client sends (same
// pipeline: credential, retries, telemetry), its answer decoded token by
// token.
func (q *azlogsQuerier) Stream(ctx context.Context, workspaceID, kql string, sink TableSink) error {
	req, err := runtime.NewRequest(ctx, http.MethodPost,
		runtime.JoinPaths(q.host, "/workspaces/"+url.PathEscape(workspaceID)+"/query"))
	if err != nil {
		return err
	}
	req.Raw().Header["Prefer"] = []string{"wait=" + strconv.Itoa(queryWait)}
	req.Raw().Header["Accept"] = []string{"application/json"}
	if err := runtime.MarshalAsJSON(req, map[string]string{"query": kql}); err != nil {
		return err
	}
	runtime.SkipBodyDownload(req)
	resp, err := q.pl.Do(req)
	if err != nil {
		return q.classify(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return q.classify(runtime.NewResponseError(resp))
	}
	return decodeAnswer(io.LimitReader(resp.Body, maxAnswerBytes), sink)
}

// maxAnswerBytes bounds one answer: the service's limit is 64 MB (of
// its own measure); JSON escaping may add to it.
const maxAnswerBytes = 256 << 20

// decodeAnswer reads an answer of the query API ({"tables": [...],
// "error": {...}}) as a stream: the first table's columns and rows go to
// sink, the other tables are skipped, an error is classified.
func decodeAnswer(r io.Reader, sink TableSink) error {
	dec := newJSONDecoder(r)
	if err := expectJSON(dec, '{'); err != nil {
		return fmt.Errorf("the answer is not a JSON object (%v)", err)
	}
	var svcErr error
	tables := 0
	for jsonMore(dec) {
		key, err := dec.ReadToken()
		if err != nil {
			return fmt.Errorf("the answer: %w", err)
		}
		switch key.String() {
		case "tables":
			if tables, err = decodeTables(dec, sink); err != nil {
				return err
			}
		case "error":
			raw, err := dec.ReadValue()
			if err != nil {
				return fmt.Errorf("the answer's error: %w", err)
			}
			if string(raw) != "null" {
				var code struct{ Code string }
				_ = json.Unmarshal(raw, &code)
				svcErr = classifyServiceError(code.Code, json.RawMessage(raw.Clone()))
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return fmt.Errorf("the answer: %w", err)
			}
		}
	}
	if err := expectJSON(dec, '}'); err != nil {
		return fmt.Errorf("the answer: %w", err)
	}
	if svcErr != nil {
		return svcErr
	}
	if tables == 0 {
		return errors.New("the service answered without a result table")
	}
	return nil
}

// decodeTables reads the tables array: the first table into sink, the
// others skipped. It returns how many tables there were.
func decodeTables(dec *jsontext.Decoder, sink TableSink) (int, error) {
	if err := expectJSON(dec, '['); err != nil {
		return 0, fmt.Errorf("the answer's tables are not an array (%v)", err)
	}
	n := 0
	for ; jsonMore(dec); n++ {
		if n > 0 {
			if err := dec.SkipValue(); err != nil {
				return n, err
			}
			continue
		}
		if err := decodeTable(dec, sink); err != nil {
			return n, err
		}
	}
	return n, expectJSON(dec, ']')
}

// decodeTable reads one table object: its columns to sink, then each
// row (the API writes columns before rows).
func decodeTable(dec *jsontext.Decoder, sink TableSink) error {
	if err := expectJSON(dec, '{'); err != nil {
		return fmt.Errorf("a table is not an object (%v)", err)
	}
	haveCols := false
	for jsonMore(dec) {
		key, err := dec.ReadToken()
		if err != nil {
			return err
		}
		switch key.String() {
		case "columns":
			raw, err := dec.ReadValue()
			if err != nil {
				return fmt.Errorf("the table's columns: %w", err)
			}
			var cols []struct{ Name, Type string }
			if err := json.Unmarshal(raw, &cols); err != nil {
				return fmt.Errorf("the table's columns: %w", err)
			}
			out := make([]Column, len(cols))
			for i, c := range cols {
				out[i] = Column{c.Name, c.Type}
			}
			if err := sink.Columns(out); err != nil {
				return err
			}
			haveCols = true
		case "rows":
			if !haveCols {
				return errors.New("the table's rows come before its columns")
			}
			if err := decodeRows(dec, sink); err != nil {
				return err
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return err
			}
		}
	}
	return expectJSON(dec, '}')
}

// decodeRows reads the rows array, one row (an array of cells) at a time.
func decodeRows(dec *jsontext.Decoder, sink TableSink) error {
	if err := expectJSON(dec, '['); err != nil {
		return fmt.Errorf("the table's rows are not an array (%v)", err)
	}
	var cells []any
	for i := 0; jsonMore(dec); i++ {
		cells = cells[:0]
		if err := decodeRow(dec, &cells); err != nil {
			return fmt.Errorf("row %d of the answer: %w", i+1, err)
		}
		sink.Row(cells)
	}
	return expectJSON(dec, ']')
}

// decodeRow reads one row: an array of cells (jsonCell), or null (no
// cells), as encoding/json decodes a []any.
func decodeRow(dec *jsontext.Decoder, cells *[]any) error {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		return err
	}
	if err := expectJSON(dec, '['); err != nil {
		return err
	}
	for jsonMore(dec) {
		v, err := jsonCell(dec)
		if err != nil {
			return err
		}
		*cells = append(*cells, v)
	}
	return expectJSON(dec, ']')
}

// hostOf is the Logs endpoint of a cloud configuration's service entry.
func hostOf(endpoint string) string { return strings.TrimRight(endpoint, "/") }
