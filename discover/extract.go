package discover

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/avdurls/avdurls/evtx"
)

// Extract returns the host names in an event, with evidence, and the text
// that looked like a host name but is not a valid one.
//
// It reads every string of e.Data and then e.Message, if not empty. Each
// string is split into lines at "\r" and "\n", and each line into tokens at
// spaces, tabs, commas and semicolons. A token loses surrounding quotes,
// brackets, parentheses and trailing ":", "!" or "?"; then a word glued to
// it with a colon ("Information:<empty>", "URLs:host"); then, if it is a URL
// ("scheme://..." or "//..."), its scheme, path, query and fragment; then
// its port. What is left is a candidate if it
//   - came from a URL,
//   - is made of "*" only, or contains "*" and a dot,
//   - is an IPv4 or IPv6 literal, or
//   - contains a dot (also a look-alike dot or "%2e") and its last label has
//     two or more characters, at least one of them a letter or non-ASCII.
//
// So headers, separators, "<empty>", GUIDs, numbers and version strings
// such as 1.2.3 or 1.0.8297.800 are not candidates and are ignored.
// Candidates that pass Normalize become Findings; the others become Rejects
// with the reason. A token with "@" in its host part (user@host) is rejected
// as a whole: neither part is taken.
//
// Status: each string starts with StatusFor(e.EventID). A line's words that
// are not candidates, lower-cased and joined by single spaces, are searched
// for section headers, which set the status from that line to the end of the
// string (or the next header): "not accessible", "not reachable",
// "nicht erreichbar", "unerreichbar", "inaccessible", "unreachable" or
// "failed" mean Unreachable; otherwise "accessible", "reachable" or
// "erreichbar" mean Reachable. So "NOT Accessible URLs:" and
// "Nicht erreichbare URLs:" start an Unreachable section, "Accessible URLs:"
// a Reachable one.
//
// Findings are unique by host and status within the event and Rejects by
// value, reason and status, both in order of first occurrence. A host that
// the event lists under two statuses yields two Findings.
//
// An event yields at most DefaultMaxNamesPerEvent Findings and Rejects;
// see ExtractN.
func Extract(e evtx.Event) (found []Finding, rejected []Reject) {
	return ExtractN(e, DefaultMaxNamesPerEvent)
}

// DefaultMaxNamesPerEvent is how many host names (Findings and Rejects)
// Extract takes from one event. A genuine agent event lists a few dozen.
const DefaultMaxNamesPerEvent = 1000

// ExtractN is Extract with a bound on the names taken from the event: at
// most max Findings and Rejects together; 0 or less means no bound. When
// the event holds more, the rest of it is not read and one more Reject says
// so (see TooManyNamesReason); its Value is the first name not taken.
func ExtractN(e evtx.Event, max int) (found []Finding, rejected []Reject) {
	x := extractor{max: max, base: Evidence{
		Computer: e.Computer,
		File:     e.File,
		RecordID: e.RecordID,
		EventID:  e.EventID,
		Time:     e.Time,
	}}
	var candBuf [8]candidate
	var wordBuf [128]byte
	buf := lineBuf{candBuf[:0], wordBuf[:0]}
	start := StatusFor(e.EventID)
	for _, s := range e.Data {
		if x.full {
			break
		}
		buf = x.scan(s, start, buf)
	}
	if e.Message != "" && !x.full {
		x.scan(e.Message, start, buf)
	}
	return x.found, x.rejected
}

// Section header markers, lower case. Unreachable markers are checked first:
// each contains or negates a reachable one.
var (
	unreachableMarkers = [...]string{"not accessible", "not reachable", "nicht erreichbar", "unerreichbar", "inaccessible", "unreachable", "failed"}
	reachableMarkers   = [...]string{"accessible", "reachable", "erreichbar"}
)

type extractor struct {
	base     Evidence
	found    []Finding
	rejected []Reject
	seen     map[seenKey]struct{} // built once there are many results
	max      int                  // bound on len(found)+len(rejected); <= 0: none
	full     bool                 // the bound was reached: stop reading
}

// TooManyNamesReason is the reason of the Reject that ends an event with
// more than max host names.
func TooManyNamesReason(max int) string {
	return fmt.Sprintf("event holds more than %d host names; the rest were not read", max)
}

// maxLineCands bounds the candidates a line holds while its words are
// searched for a section header; the candidates after them are read again
// once the line's status is known.
const maxLineCands = 4096

// lineBuf holds one line's candidates and its other words (lower case,
// joined by spaces). It is passed by value and reused from line to line, so
// its first arrays can live on Extract's stack.
type lineBuf struct {
	cands []candidate
	words []byte
}

// linearSeen is how many results first scans before it builds a map.
const linearSeen = 16

type seenKey struct {
	value, reason string // reason is "" for a Finding
	status        Status
}

// candidate is a token that looks like a host name: host is the part to
// normalise; reason is set when the token's shape already rules it out;
// label is a word glued in front with ":" ("URLs:host"), kept for header
// detection.
type candidate struct {
	raw, host, reason, label string
}

func (x *extractor) scan(s string, status Status, buf lineBuf) lineBuf {
	for s != "" && !x.full {
		i := 0
		for i < len(s) && s[i] != '\n' && s[i] != '\r' {
			i++
		}
		line := s[:i]
		if i < len(s) {
			i++
		}
		s = s[i:]
		status, buf = x.line(line, status, buf)
	}
	return buf
}

// line handles one line and returns the status for the next one.
func (x *extractor) line(line string, status Status, buf lineBuf) (Status, lineBuf) {
	buf.cands, buf.words = buf.cands[:0], buf.words[:0]
	rest, overflow := "", false // the line from the first candidate not held
	for s := line; s != ""; {
		tok, next := nextToken(s)
		if c, ok := parseToken(tok); ok {
			if len(buf.cands) == maxLineCands && !overflow {
				rest, overflow = s, true
			}
			if !overflow {
				buf.cands = append(buf.cands, c)
			}
			if c.label != "" {
				buf.words = appendLower(buf.words, c.label)
			}
		} else if tok != "" {
			buf.words = appendLower(buf.words, tok)
		}
		s = next
	}
	if st, ok := headerStatus(buf.words); ok {
		status = st
	}
	for _, c := range buf.cands {
		x.emit(c, status)
	}
	for s := rest; s != "" && !x.full; {
		tok, next := nextToken(s)
		if c, ok := parseToken(tok); ok {
			x.emit(c, status)
		}
		s = next
	}
	return status, buf
}

// nextToken splits the first token off s, skipping separators before it;
// tok is "" when s holds separators only.
func nextToken(s string) (tok, rest string) {
	i := 0
	for i < len(s) && isSep(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSep(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

func isSep(c byte) bool {
	switch c {
	case ' ', '\t', '\v', '\f', ',', ';':
		return true
	}
	return false
}

func appendLower(buf []byte, word string) []byte {
	if len(buf) > 0 {
		buf = append(buf, ' ')
	}
	for i := 0; i < len(word); i++ {
		c := word[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

func headerStatus(words []byte) (Status, bool) {
	if len(words) == 0 {
		return "", false
	}
	for _, m := range unreachableMarkers {
		if bytes.Contains(words, []byte(m)) {
			return Unreachable, true
		}
	}
	for _, m := range reachableMarkers {
		if bytes.Contains(words, []byte(m)) {
			return Reachable, true
		}
	}
	return "", false
}

// parseToken reports whether tok is a candidate and splits it.
func parseToken(tok string) (candidate, bool) {
	raw := trimPunct(tok)
	if raw == "" {
		return candidate{}, false
	}
	c := candidate{raw: raw}
	rest, isURL := raw, false
	if label, value, ok := strings.Cut(raw, ":"); ok && isWord(label) && !isPort(value) && !strings.HasPrefix(value, "//") {
		// A label glued to its value, as in "Information:<empty>".
		c.label, rest = label, trimPunct(value)
	}
	if i := strings.Index(rest, "://"); i >= 0 {
		isURL = true
		scheme := rest[:i]
		rest = rest[i+3:]
		if !validScheme(scheme) {
			c.reason = fmt.Sprintf("URL scheme %q is malformed", clip(scheme))
			return c, true
		}
	} else if strings.HasPrefix(rest, "//") {
		isURL, rest = true, rest[2:]
	}
	auth := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		auth = rest[:i]
	}
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		if !isURL && !looksLikeHost(auth) {
			return candidate{}, false
		}
		c.reason = fmt.Sprintf(`URL has userinfo "@"; the host part was %q`, clip(stripPort(auth[at+1:])))
		return c, true
	}
	if looksIPv6(auth) {
		c.host, c.reason = auth, reasonIPLiteral
		return c, true
	}
	c.host = stripPort(auth)
	if isURL {
		if c.host == "" {
			c.reason = "URL has no host"
		}
		return c, true
	}
	return c, looksLikeHost(c.host)
}

// trimPunct removes quotes and brackets around a token, and trailing
// ":", "!", "?", and a "." that follows a closing quote or bracket.
func trimPunct(s string) string {
	const open, closing = "\"'`([{<", "\"'`)]}>:!?"
	for s != "" && strings.IndexByte(open, s[0]) >= 0 {
		s = s[1:]
	}
	for s != "" {
		n := len(s)
		if strings.IndexByte(closing, s[n-1]) >= 0 ||
			s[n-1] == '.' && n >= 2 && strings.IndexByte(closing, s[n-2]) >= 0 {
			s = s[:n-1]
			continue
		}
		break
	}
	return s
}

// validScheme reports an RFC 3986 scheme: a letter, then letters, digits,
// "+", "-" or ".".
func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		switch {
		case 'a' <= c && c <= 'z':
		case i > 0 && ('0' <= s[i] && s[i] <= '9' || s[i] == '+' || s[i] == '-' || s[i] == '.'):
		default:
			return false
		}
	}
	return true
}

// isWord reports one or more ASCII letters.
func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// isPort reports a port number: 1 to 5 digits, at most 65535.
func isPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n <= 65535
}

// stripPort removes ":port" (digits, 0-65535, or empty) after a host. An
// authority with more than one colon is returned as it is.
func stripPort(a string) string {
	i := strings.IndexByte(a, ':')
	if i < 0 || strings.IndexByte(a[i+1:], ':') >= 0 {
		return a
	}
	if p := a[i+1:]; p != "" && !isPort(p) {
		return a
	}
	return a[:i]
}

// looksLikeHost is the candidate test for a host part that did not come
// from a URL; see Extract.
func looksLikeHost(h string) bool {
	switch {
	case h == "":
		return false
	case strings.Trim(h, "*") == "":
		return true
	case looksIPv4(h):
		return true
	}
	last := strings.TrimRight(h, ".")
	switch {
	case !hasDot(last):
		return false
	case strings.IndexByte(h, '*') >= 0:
		return true
	}
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last = last[i+1:]
	}
	if len(last) < 2 {
		return false
	}
	for i := 0; i < len(last); i++ {
		if c := last[i]; c >= utf8.RuneSelf || 'a' <= c|0x20 && c|0x20 <= 'z' {
			return true
		}
	}
	return false
}

// hasDot reports an ASCII dot, a look-alike dot or a percent-encoded dot.
func hasDot(h string) bool {
	return strings.IndexByte(h, '.') >= 0 ||
		strings.Contains(h, "%2e") || strings.Contains(h, "%2E") ||
		strings.Contains(h, "\u3002") || strings.Contains(h, "\uff0e") || strings.Contains(h, "\uff61")
}

// emit adds a candidate as a Finding or a Reject, unless the event
// yielded it before or the bound on names is reached.
func (x *extractor) emit(c candidate, status Status) {
	if x.full {
		return
	}
	ev := x.base
	ev.Status = status
	if c.reason == "" {
		host, err := Normalize(c.host)
		if err == nil {
			if x.first(seenKey{value: host, status: status}) && x.room(c, ev) {
				if x.found == nil {
					// An agent's URL event names about ten: one array
					// instead of growing from one.
					x.found = make([]Finding, 0, 16)
				}
				x.found = append(x.found, Finding{Host: host, Evidence: ev})
			}
			return
		}
		c.reason = err.Error()
	}
	v := safeValue(c.raw)
	if x.first(seenKey{value: v, reason: c.reason, status: status}) && x.room(c, ev) {
		x.rejected = append(x.rejected, Reject{Value: v, Code: CodeInvalidName, Reason: c.reason, Evidence: ev})
	}
}

// room reports whether one more result fits the bound; when it does not,
// it adds the Reject that says so and stops the event.
func (x *extractor) room(c candidate, ev Evidence) bool {
	if x.max <= 0 || len(x.found)+len(x.rejected) < x.max {
		return true
	}
	x.full = true
	x.rejected = append(x.rejected, Reject{Value: safeValue(c.raw), Code: CodeTooManyNames, Reason: TooManyNamesReason(x.max), Evidence: ev})
	return false
}

// first reports whether k is seen for the first time in this event. It
// scans the results while they are few and uses a map after that, so a
// forged event with thousands of names costs linear time.
func (x *extractor) first(k seenKey) bool {
	if x.seen == nil {
		if len(x.found)+len(x.rejected) < linearSeen {
			return !x.has(k)
		}
		x.seen = make(map[seenKey]struct{}, 2*linearSeen)
		for _, f := range x.found {
			x.seen[seenKey{value: f.Host, status: f.Evidence.Status}] = struct{}{}
		}
		for _, r := range x.rejected {
			x.seen[seenKey{value: r.Value, reason: r.Reason, status: r.Evidence.Status}] = struct{}{}
		}
	}
	if _, dup := x.seen[k]; dup {
		return false
	}
	x.seen[k] = struct{}{}
	return true
}

// has reports whether k is among the results, by scanning them.
func (x *extractor) has(k seenKey) bool {
	if k.reason == "" {
		for _, f := range x.found {
			if f.Host == k.value && f.Evidence.Status == k.status {
				return true
			}
		}
		return false
	}
	for _, r := range x.rejected {
		if r.Value == k.value && r.Reason == k.reason && r.Evidence.Status == k.status {
			return true
		}
	}
	return false
}

// safeValue returns s for printing: as it is if it is printable ASCII,
// escaped Go-style otherwise; cut at maxValue bytes with "...".
func safeValue(s string) string {
	cut := len(s) > maxValue
	if cut {
		s = s[:maxValue]
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			q := strconv.QuoteToASCII(s)
			s = q[1 : len(q)-1]
			break
		}
	}
	if cut {
		s += "..."
	}
	return s
}

// clip shortens text quoted in a reason to 64 bytes.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
