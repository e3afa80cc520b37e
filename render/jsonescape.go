package render

import (
	"fmt"
	"unicode/utf8"

	"github.com/avdurls/avdurls/discover"
)

// EscapeJSON is the escaper of the JSON output target: it rewrites JSON
// that encoding/json wrote so that no bidi, zero-width or other invisible
// character (discover.Invisible) stands raw, each written as a \u escape
// (a surrogate pair beyond U+FFFF). The data stays lossless: a JSON reader
// decodes the same strings. encoding/json already escapes the ASCII
// controls, so every rune rewritten here is inside a string.
func EscapeJSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if r >= utf8.RuneSelf && discover.Invisible(r) {
			break
		}
		i += size
	}
	if i == len(b) {
		return b
	}
	out := append([]byte(nil), b[:i]...)
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r < utf8.RuneSelf || !discover.Invisible(r):
			out = append(out, b[i:i+size]...)
		case r == utf8.RuneError && size == 1:
			out = append(out, `\ufffd`...) // encoding/json writes no invalid UTF-8; be safe
		case r > 0xffff:
			r -= 0x10000
			out = fmt.Appendf(out, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += size
	}
	return out
}
