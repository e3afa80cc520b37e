package evtxtest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDeterministic(t *testing.T) {
	for _, f := range testFiles() {
		a := mustBytes(t, f.recs, f.opt)
		var w bytes.Buffer
		if err := Write(&w, f.recs, f.opt); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, w.Bytes()) || !bytes.Equal(a, mustBytes(t, f.recs, f.opt)) {
			t.Errorf("%s: the same records gave different files", f.name)
		}
	}
}

func TestWriteEmpty(t *testing.T) {
	b := mustBytes(t, nil, Options{FirstRecordID: 7, ExtraEmptyChunks: 2})
	if len(b) != fileHeaderSize+2*chunkSize || le.Uint16(b[42:]) != 0 || le.Uint64(b[24:]) != 7 || !fileCRCOK(b) {
		t.Errorf("empty file: %d bytes, %d chunks, next record id %d", len(b), le.Uint16(b[42:]), le.Uint64(b[24:]))
	}
}

func TestWriteErrors(t *testing.T) {
	ok := Record{Provider: "WVD-Agent", EventID: 3701, Level: 4, Time: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), Computer: "h"}
	with := func(f func(*Record)) []Record {
		r := ok
		f(&r)
		return []Record{ok, r}
	}
	for _, c := range []struct {
		name string
		recs []Record
		opt  Options
		want string
	}{
		{"NUL in data", with(func(r *Record) { r.Data = []string{"a\x00b"} }), Options{}, "record 1: string \"a\\x00b\" contains NUL"},
		{"NUL in computer", with(func(r *Record) { r.Computer = "a\x00" }), Options{}, "contains NUL"},
		{"time before 1601", with(func(r *Record) { r.Time = time.Time{} }), Options{}, "before 1601"},
		{"record too large", with(func(r *Record) { r.Data = []string{strings.Repeat("x", 32000)} }), Options{}, "record 1: too large for a chunk"},
		{"value too large", with(func(r *Record) { r.Data = []string{strings.Repeat("x", 40000)} }), Options{}, "more than 65535"},
		{"negative option", []Record{ok}, Options{RecordsPerChunk: -1}, "negative"},
	} {
		_, err := Bytes(c.recs, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Bytes() error = %v, want %q", c.name, err, c.want)
		}
		if err := Write(errWriter{}, c.recs, c.opt); err == nil || errors.Is(err, errWrite) {
			t.Errorf("%s: Write() error = %v, want the encoding error", c.name, err)
		}
	}
	if err := Write(errWriter{}, []Record{ok}, Options{}); !errors.Is(err, errWrite) {
		t.Errorf("Write() to a failing writer: error = %v, want %v", err, errWrite)
	}
}

var errWrite = errors.New("write failed")

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errWrite }
