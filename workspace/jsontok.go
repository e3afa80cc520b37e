package workspace

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// The answers of the Logs API and az's JSON exports are read token by
// token with jsontext (the encoding/json/v2 syntax layer), which reads a
// row without reflection and a value per cell: a fleet's answer is a
// hundred megabytes. Its options keep encoding/json's leniency where an
// export may need it: invalid UTF-8 becomes U+FFFD, and a row that names
// a column twice keeps its first (rowLayout).

// newJSONDecoder returns a streaming decoder of r.
func newJSONDecoder(r io.Reader) *jsontext.Decoder {
	return jsontext.NewDecoder(r, jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
}

// expectJSON reads the next token and checks that it is of kind k.
func expectJSON(dec *jsontext.Decoder, k jsontext.Kind) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != k {
		return fmt.Errorf("%v where %v was expected", tok.Kind(), k)
	}
	return nil
}

// jsonNested is the cell of an object or array: no column holds one, so
// the row's parser refuses it as of the wrong type.
type jsonNested struct{}

// jsonCell reads one value as a cell: a string, float64, bool or nil, as
// encoding/json gives them; an object or array is skipped and given as
// jsonNested.
func jsonCell(dec *jsontext.Decoder) (any, error) {
	switch dec.PeekKind() {
	case '{', '[':
		return jsonNested{}, dec.SkipValue()
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case '"':
		return tok.String(), nil
	case '0':
		f, err := strconv.ParseFloat(tok.String(), 64)
		if err != nil {
			return nil, fmt.Errorf("number %s: %w", tok.String(), errors.Unwrap(err))
		}
		return f, nil
	case 't', 'f':
		return tok.Bool(), nil
	case 'n':
		return nil, nil
	}
	return nil, fmt.Errorf("%v where a value was expected", tok.Kind())
}

// eachField reads one JSON object from dec, handing each key and its
// value (jsonCell; nil for an object or array: az writes none in a row,
// and the row's layout decides whether the column matters) to field.
func eachField(dec *jsontext.Decoder, field func(key string, v any)) error {
	if err := expectJSON(dec, '{'); err != nil {
		return fmt.Errorf("not an object: %w", err)
	}
	for dec.PeekKind() != '}' {
		kt, err := dec.ReadToken()
		if err != nil {
			return err
		}
		key := kt.String() // a token lasts until the next read
		v, err := jsonCell(dec)
		if err != nil {
			return err
		}
		if _, nested := v.(jsonNested); nested {
			v = nil
		}
		field(key, v)
	}
	_, err := dec.ReadToken() // '}'
	return err
}

// jsonMore reports whether the array or object being read has another
// value: its end is not next. An error stays for the next read.
func jsonMore(dec *jsontext.Decoder) bool {
	k := dec.PeekKind()
	return k != ']' && k != '}' && k != jsontext.KindInvalid
}
