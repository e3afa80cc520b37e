// Package textenc reads the text inputs avdurls meets as UTF-8: a UTF-8
// byte order mark is dropped and UTF-16 with a byte order mark (what
// PowerShell 5's '>' and Out-File write) is decoded; anything else passes
// as it is. One decoder for event XML, URL-tool output, reports, exports
// and region maps.
package textenc

import (
	"bytes"
	"io"
	"unicode/utf16"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Reader returns r as UTF-8, decoded as it is read: the input is never
// held whole.
func Reader(r io.Reader) io.Reader {
	return transform.NewReader(r, unicode.BOMOverride(transform.Nop))
}

// Bytes returns b as UTF-8.
func Bytes(b []byte) ([]byte, error) {
	out, _, err := transform.Bytes(unicode.BOMOverride(transform.Nop), b)
	return out, err
}

// Head decodes the first bytes of an input, which may end in the middle
// of a character, for telling what the input is.
func Head(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		return string(b[3:])
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return utf16Head(b[2:], func(p []byte) uint16 { return uint16(p[0]) | uint16(p[1])<<8 })
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return utf16Head(b[2:], func(p []byte) uint16 { return uint16(p[0])<<8 | uint16(p[1]) })
	}
	return string(b)
}

// utf16Head decodes whole UTF-16 code units of b.
func utf16Head(b []byte, unit func([]byte) uint16) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = unit(b[2*i:])
	}
	return string(utf16.Decode(u))
}
