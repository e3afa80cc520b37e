package workspace

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// The readers of answers and exports moved from encoding/json's Token to
// jsontext; FuzzJSONReaders holds them to what encoding/json read (the
// reference readers below are the earlier code): the same rows and
// cells, and an error for the same inputs.

// v1Fields reads an array of objects as eachField did with encoding/json.
func v1Fields(data []byte) ([][]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, errBad
	}
	var rows [][]any
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if tok != json.Delim('{') {
			return nil, errBad
		}
		var row []any
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := dec.Token()
			if err != nil {
				return nil, err
			}
			if d, ok := v.(json.Delim); ok {
				if d != '{' && d != '[' {
					return nil, errBad
				}
				for depth := 1; depth > 0; {
					tok, err := dec.Token()
					if err != nil {
						return nil, err
					}
					switch tok {
					case json.Delim('{'), json.Delim('['):
						depth++
					case json.Delim('}'), json.Delim(']'):
						depth--
					}
				}
				v = nil
			}
			row = append(row, kt, v)
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return rows, nil
}

// v1Rows reads an array of rows as decodeRows did with encoding/json;
// a nested cell is given as jsonNested.
func v1Rows(data []byte) ([][]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, errBad
	}
	var rows [][]any
	for dec.More() {
		var cells []any
		if err := dec.Decode(&cells); err != nil {
			return nil, err
		}
		for i, c := range cells {
			switch c.(type) {
			case map[string]any, []any:
				cells[i] = jsonNested{}
			}
		}
		rows = append(rows, append([]any(nil), cells...))
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return rows, nil
}

var errBad = json.Unmarshal([]byte("x"), new(any))

func newFields(data []byte) ([][]any, error) {
	dec := newJSONDecoder(bytes.NewReader(data))
	if err := expectJSON(dec, '['); err != nil {
		return nil, err
	}
	var rows [][]any
	for jsonMore(dec) {
		var row []any
		if err := eachField(dec, func(k string, v any) { row = append(row, k, v) }); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, expectJSON(dec, ']')
}

type rowSink struct{ rows [][]any }

func (s *rowSink) Columns([]Column) error { return nil }
func (s *rowSink) Row(cells []any)        { s.rows = append(s.rows, append([]any(nil), cells...)) }

func newRows(data []byte) ([][]any, error) {
	var s rowSink
	err := decodeRows(newJSONDecoder(bytes.NewReader(data)), &s)
	return s.rows, err
}

func FuzzJSONReaders(f *testing.F) {
	for _, s := range []string{`[]`, `[{"Computer":"a","EventID":3701,"Count":"2","x":{"y":[1,2]},"n":null,"t":true}]`,
		`[{"a":"\ud800\u00e9\\\"","a":1e308}, {"b":-0.5e-3}]`, `[{"a":1e400}]`, "[{\"a\":\"\xff\xfe\"}]", `[{"a":1,}]`, `[{"a" 1}]`, `[{]`,
		`[["a",3701,null,true,{"x":1},[1,[2]]],null,[]]`, `[[1,2],3]`, `[[1e999]]`, `[{"a":"b"}] trailing`, `  [ { } , { "k" : "v" } ]  `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := v1Fields(data)
		got, gerr := newFields(data)
		if (werr == nil) != (gerr == nil) || werr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("objects of %q:\njsontext %v, %v\nencoding/json %v, %v", data, got, gerr, want, werr)
		}
		want, werr = v1Rows(data)
		got, gerr = newRows(data)
		if (werr == nil) != (gerr == nil) || werr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("rows of %q:\njsontext %v, %v\nencoding/json %v, %v", data, got, gerr, want, werr)
		}
	})
}
