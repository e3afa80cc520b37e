package discover

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the free-text fields that CleanText makes safe.
const (
	MaxComputer = 255  // bytes of a computer name
	MaxText     = 512  // bytes of a summary, detail or reason
	MaxPath     = 4096 // bytes of a file path
)

// CleanText returns s safe to store, print and render: every character
// that is not printable (C0 and C1 controls, DEL, bidi marks, embeddings,
// overrides and isolates, zero-width characters, line and paragraph
// separators, invalid UTF-8) is written as a Go escape (\x1b, \u202e), and
// the result is cut to at most max bytes, ending in "..." when cut.
// Printable letters of any script stay as they are.
//
// CleanText is the gate for every free-text field that enters (event text,
// agent health reports, file names, fields of JSON reports): a value is
// acceptable in a report exactly when CleanText leaves it unchanged
// (CheckText).
func CleanText(s string, max int) string {
	clean := true
	for _, r := range s {
		if !textRune(r) {
			clean = false
			break
		}
	}
	if !clean {
		var b strings.Builder
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				fmt.Fprintf(&b, `\x%02x`, s[i])
			case textRune(r):
				b.WriteRune(r)
			case r < 0x80:
				fmt.Fprintf(&b, `\x%02x`, r)
			default:
				fmt.Fprintf(&b, `\u%04x`, r)
			}
			i += size
		}
		s = b.String()
	}
	return cut(s, max)
}

// Invisible reports a character that must never be written raw to any
// output: not printable (controls, invalid UTF-8), or a bidi mark,
// embedding, override or isolate, a zero-width character or the byte
// order mark. CleanText escapes exactly these; so does the JSON writer.
func Invisible(r rune) bool { return !textRune(r) }

// textRune reports whether r may stand as it is in a text field.
func textRune(r rune) bool {
	return r != utf8.RuneError && unicode.IsPrint(r) && !isControlOrBidi(r)
}

// cut shortens s to at most max bytes on a rune boundary, ending in "...".
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	n := max - 3
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// CheckText returns an error when s is not what CleanText(s, max) makes
// of it: a field of a report that was not written by avdurls, or was
// edited.
func CheckText(field, s string, max int) error {
	if c := CleanText(s, max); c != s {
		return fmt.Errorf("%s %q holds unprintable characters or is longer than %d bytes", field, cut(c, 80), max)
	}
	return nil
}

// CleanComputer returns a computer name safe to store, print, render and
// compare: a name made of ASCII letters, digits, '-', '_' and '.' (what
// Windows NetBIOS and DNS host names use), at most MaxComputer bytes, is
// returned as it is; an empty name becomes "-"; in any other, every other
// byte is written as \xNN, so that "https://x" or an escape sequence cannot
// pass for a plain name. Escapes CleanComputer wrote stay as they are, so
// that CleanComputer(CleanComputer(s)) == CleanComputer(s).
func CleanComputer(s string) string {
	if s == "" {
		return "-"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case computerByte(c):
			b.WriteByte(c)
		case isEscape(s[i:]):
			b.WriteString(s[i : i+4])
			i += 3
		default:
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	out := b.String()
	if len(out) <= MaxComputer {
		return out
	}
	n := MaxComputer - 3
	if j := strings.LastIndexByte(out[n-3:n], '\\'); j >= 0 {
		n -= 3 - j // do not cut an escape in two
	}
	return out[:n] + "..."
}

// isEscape reports whether s starts with \xHH (lower-case hex).
func isEscape(s string) bool {
	return len(s) >= 4 && s[0] == '\\' && s[1] == 'x' && isHex(s[2]) && isHex(s[3])
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

func computerByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}

// CheckComputer returns an error when s is not what CleanComputer makes of
// it.
func CheckComputer(s string) error {
	if c := CleanComputer(s); c != s {
		return fmt.Errorf("computer name %q is not a plain computer name", cut(c, 80))
	}
	return nil
}
