package discover

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Reasons shared by Normalize and Extract.
const (
	reasonIPLiteral = "IP address literal, not a host name"
	reasonControl   = "contains control or bidi characters"
	reasonWildcard  = `contains a wildcard "*"`
)

// maxValue is where Reject.Value is cut.
const maxValue = 512

// Normalize is the one canonicaliser of host names: every name that enters
// avdurls (from events, exports, URL-tool text, every list of a report,
// region maps, catalogs, --trust-suffix) is judged and written in the form
// it returns. It checks that s is a plain ASCII host name and returns it in
// canonical form: surrounding ASCII white space trimmed, lower case, one
// trailing dot removed, and valid as IDNA 2008 asks of a name to register
// (golang.org/x/net/idna: no "--" in a label's third and fourth place, no
// label or name too long).
//
// Nothing exotic is mapped. Non-ASCII characters (full-width dots such as
// U+3002, U+FF0E and U+FF61 included), control and bidi characters,
// percent-encoding, backslash escapes, "@" and wildcards make the name
// invalid instead of being converted, so a look-alike never becomes a
// trusted name. A valid name is 1 to 253 characters long and has at least
// two labels; each label has 1 to 63 characters from a-z, 0-9 and "-", and
// neither starts nor ends with "-". Labels starting with "xn--" (punycode,
// IDN) are rejected, as are IP address literals, an all-digit top-level label
// and a one-character top-level label (no such top-level domain exists).
//
// The error text is a reason a person can act on; it quotes the offending
// label or character, not the whole input.
func Normalize(s string) (host string, err error) {
	s = strings.Trim(s, " \t\r\n\v\f")
	if s == "" {
		return "", errors.New("empty name")
	}
	if reason := checkRunes(s); reason != "" {
		return "", errors.New(reason)
	}
	// From here on s is printable ASCII.
	if looksIPv4(s) || looksIPv6(s) {
		return "", errors.New(reasonIPLiteral)
	}
	if reason := checkSpecial(s); reason != "" {
		return "", errors.New(reason)
	}
	name := strings.TrimSuffix(s, ".")
	if name == "" {
		return "", errors.New(`empty name (only ".")`)
	}
	if len(name) > 253 {
		return "", fmt.Errorf("name longer than 253 characters (%d)", len(name))
	}
	if err := checkLabels(name); err != nil {
		return "", err
	}
	name = LowerASCII(name)
	if err := checkIDNA(name); err != nil {
		return "", err
	}
	return name, nil
}

// checkIDNA checks name, already all ASCII letters, digits, "-" and "."
// in labels of valid length without punycode, as IDNA 2008 asks of a name
// to register (golang.org/x/net/idna). Of such names IDNA can refuse only
// those with "--" in a label (reserved for R-LDH labels in its third and
// fourth place), so only those are handed to the library: it costs more
// than every other check together (FuzzNormalizeIDNA holds the shortcut
// to the library's verdict).
func checkIDNA(name string) error {
	if !strings.Contains(name, "--") {
		return nil
	}
	if a, err := idna.Registration.ToASCII(name); err != nil || a != name {
		return fmt.Errorf("not a valid IDNA host name (%v)", idnaReason(err))
	}
	return nil
}

// idnaReason is the reason of an IDNA error, without the package prefix.
func idnaReason(err error) string {
	if err == nil {
		return "not in its ASCII form"
	}
	return strings.TrimPrefix(err.Error(), "idna: ")
}

// Canonical returns s in canonical form when it is a valid host name
// (Normalize), else s unchanged and false: for lists that keep invalid
// names as evidence of what was refused.
func Canonical(s string) (string, bool) {
	n, err := Normalize(s)
	if err != nil {
		return s, false
	}
	return n, true
}

// checkRunes returns why s is not all printable ASCII, or "". Control and
// bidi characters anywhere win over other non-ASCII characters, so the
// reason names the most dangerous problem.
func checkRunes(s string) string {
	var other rune = -1
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b < 0x20 || b == 0x7f {
				return reasonControl
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return "is not valid UTF-8"
		}
		if isControlOrBidi(r) {
			return reasonControl
		}
		if other < 0 {
			other = r
		}
		i += size
	}
	switch other {
	case -1:
		return ""
	case '\u3002', '\uff0e', '\uff61':
		return fmt.Sprintf(`contains the look-alike dot %q (U+%04X); only ASCII "." separates labels`, string(other), other)
	}
	return fmt.Sprintf("contains non-ASCII character %q (U+%04X); only ASCII host names are accepted", string(other), other)
}

// checkSpecial returns why s holds a character that has a meaning in
// patterns, URLs or escapes, or "". A wildcard wins over the others.
func checkSpecial(s string) string {
	var worst byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*':
			return reasonWildcard
		case '%', '\\', '@':
			if worst == 0 {
				worst = c
			}
		}
	}
	switch worst {
	case '%':
		return `contains "%"; percent-encoding is not decoded`
	case '\\':
		return "contains a backslash; escapes are not decoded"
	case '@':
		return `contains "@" (user@host)`
	}
	return ""
}

// isControlOrBidi reports C1 controls, bidi marks, embeddings, overrides and
// isolates, zero-width characters and the byte order mark: characters that
// change how a name is displayed without being visible.
func isControlOrBidi(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // ALM, LRM, RLM
		return true
	case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff: // zero width
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	}
	return false
}

// checkLabels validates the labels of name: printable ASCII, no trailing dot,
// at most 253 characters.
func checkLabels(name string) error {
	labels := 0
	for rest := name; ; {
		label, tail, more := strings.Cut(rest, ".")
		labels++
		if err := checkLabel(label); err != nil {
			return err
		}
		if !more {
			if labels < 2 {
				return fmt.Errorf("single label %q; a host name needs at least two labels", label)
			}
			return checkTLD(label)
		}
		rest = tail
	}
}

func checkLabel(label string) error {
	switch {
	case label == "":
		return errors.New(`empty label (a leading "." or "..")`)
	case len(label) > 63:
		return fmt.Errorf("label longer than 63 characters (%d)", len(label))
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-':
		case c == '_':
			return fmt.Errorf(`label %q contains "_"; underscores are not valid in host names`, label)
		default:
			return fmt.Errorf(`contains character %q; only a-z, 0-9, "-" and "." are allowed`, string(rune(c)))
		}
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return fmt.Errorf(`label %q starts or ends with "-"`, label)
	}
	if len(label) >= 4 && strings.EqualFold(label[:4], "xn--") {
		return fmt.Errorf("label %q is punycode (IDN); only ASCII host names are accepted", label)
	}
	return nil
}

func checkTLD(label string) error {
	digits := true
	for i := 0; i < len(label) && digits; i++ {
		digits = '0' <= label[i] && label[i] <= '9'
	}
	switch {
	case digits:
		return fmt.Errorf("top-level label %q is all digits", label)
	case len(label) == 1:
		return fmt.Errorf("top-level label %q has one character; no such top-level domain exists", label)
	}
	return nil
}

// LowerASCII lower-cases ASCII letters only, so that no Unicode case
// folding (such as the Kelvin sign to "k") can make a look-alike equal; it
// allocates only if s has an upper-case letter.
func LowerASCII(s string) string {
	i := 0
	for i < len(s) && !('A' <= s[i] && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if 'A' <= b[i] && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

// looksIPv4 reports a dotted-quad IPv4 address (decimal parts 0-255, an
// optional trailing dot).
func looksIPv4(s string) bool {
	s = strings.TrimSuffix(s, ".")
	parts := 0
	for rest := s; ; {
		part, tail, more := strings.Cut(rest, ".")
		if part == "" || len(part) > 3 {
			return false
		}
		n := 0
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
			n = n*10 + int(part[i]-'0')
		}
		if n > 255 {
			return false
		}
		parts++
		if !more {
			return parts == 4
		}
		rest = tail
	}
}

// looksIPv6 reports an IPv6 literal, with or without brackets and a port:
// only hex digits, ":" and "." (for an embedded IPv4 part), at least one hex
// digit, and either "::" or at least seven colons. Times like 12:34:56 and
// MAC addresses do not qualify.
func looksIPv6(s string) bool {
	colons, hex := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':':
			colons++
		case c == '[' || c == ']' || c == '.':
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
			hex = true
		default:
			return false
		}
	}
	return hex && (colons >= 7 || colons >= 2 && strings.Contains(s, "::"))
}
