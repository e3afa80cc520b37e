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
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("the answer is not a JSON object (%v)", err)
	}
	var svcErr error
	tables := 0
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return fmt.Errorf("the answer: %w", err)
		}
		switch key {
		case "tables":
			if tables, err = decodeTables(dec, sink); err != nil {
				return err
			}
		case "error":
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fmt.Errorf("the answer's error: %w", err)
			}
			if string(raw) != "null" {
				var code struct{ Code string }
				_ = json.Unmarshal(raw, &code)
				svcErr = classifyServiceError(code.Code, raw)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("the answer: %w", err)
			}
		}
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
func decodeTables(dec *json.Decoder, sink TableSink) (int, error) {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return 0, fmt.Errorf("the answer's tables are not an array (%v)", err)
	}
	n := 0
	for ; dec.More(); n++ {
		if n > 0 {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return n, err
			}
			continue
		}
		if err := decodeTable(dec, sink); err != nil {
			return n, err
		}
	}
	_, err := dec.Token() // ']'
	return n, err
}

// decodeTable reads one table object: its columns to sink, then each
// row (the API writes columns before rows).
func decodeTable(dec *json.Decoder, sink TableSink) error {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("a table is not an object (%v)", err)
	}
	haveCols := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		switch key {
		case "columns":
			var cols []struct{ Name, Type string }
			if err := dec.Decode(&cols); err != nil {
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
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	_, err := dec.Token() // '}'
	return err
}

// decodeRows reads the rows array, one row at a time.
func decodeRows(dec *json.Decoder, sink TableSink) error {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("the table's rows are not an array (%v)", err)
	}
	var cells []any
	for i := 0; dec.More(); i++ {
		cells = cells[:0]
		if err := dec.Decode(&cells); err != nil {
			return fmt.Errorf("row %d of the answer: %w", i+1, err)
		}
		sink.Row(cells)
	}
	_, err := dec.Token()
	return err
}

// hostOf is the Logs endpoint of a cloud configuration's service entry.
func hostOf(endpoint string) string { return strings.TrimRight(endpoint, "/") }
