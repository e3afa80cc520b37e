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
// brackets, parentheses and trailing ":", "!" or "?", then, if it is a URL
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
func Extract(e evtx.Event) (found []Finding, rejected []Reject) {
	x := extractor{base: Evidence{
		Computer: e.Computer,
		File:     e.File,
		RecordID: e.RecordID,
		EventID:  e.EventID,
		Time:     e.Time,
	}}
	start := StatusFor(e.EventID)
	for _, s := range e.Data {
		x.scan(s, start)
	}
	if e.Message != "" {
		x.scan(e.Message, start)
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
	seen     map[seenKey]struct{}
	cands    []candidate // the current line's candidates, reused
	words    []byte      // the current line's other words, lower case, reused
}

type seenKey struct {
	value, reason string // reason is "" for a Finding
	status        Status
}

// candidate is a token that looks like a host name: host is the part to
// normalise; reason is set when the token's shape already rules it out.
type candidate struct {
	raw, host, reason string
}

func (x *extractor) scan(s string, status Status) {
	for s != "" {
		line := s
		if i := strings.IndexAny(s, "\r\n"); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		status = x.line(line, status)
	}
}

// line handles one line and returns the status for the next one.
func (x *extractor) line(line string, status Status) Status {
	x.cands = x.cands[:0]
	x.words = x.words[:0]
	for line != "" {
		i := 0
		for i < len(line) && isSep(line[i]) {
			i++
		}
		j := i
		for j < len(line) && !isSep(line[j]) {
			j++
		}
		tok := line[i:j]
		line = line[j:]
		if tok == "" {
			continue
		}
		if c, ok := parseToken(tok); ok {
			x.cands = append(x.cands, c)
		} else {
			x.words = appendLower(x.words, tok)
		}
	}
	if st, ok := headerStatus(x.words); ok {
		status = st
	}
	for _, c := range x.cands {
		x.emit(c, status)
	}
	return status
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
	if i := strings.Index(raw, "://"); i >= 0 {
		isURL, rest = true, raw[i+3:]
		if !validScheme(raw[:i]) {
			c.reason = fmt.Sprintf("URL scheme %q is malformed", clip(raw[:i]))
			return c, true
		}
	} else if strings.HasPrefix(raw, "//") {
		isURL, rest = true, raw[2:]
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

// stripPort removes ":port" (digits, 0-65535, or empty) after a host. An
// authority with more than one colon is returned as it is.
func stripPort(a string) string {
	i := strings.IndexByte(a, ':')
	if i < 0 || strings.IndexByte(a[i+1:], ':') >= 0 {
		return a
	}
	p := a[i+1:]
	if len(p) > 5 {
		return a
	}
	n := 0
	for j := 0; j < len(p); j++ {
		if p[j] < '0' || p[j] > '9' {
			return a
		}
		n = n*10 + int(p[j]-'0')
	}
	if n > 65535 {
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
	last := strings.TrimSuffix(h, ".")
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

func (x *extractor) emit(c candidate, status Status) {
	ev := x.base
	ev.Status = status
	if c.reason == "" {
		host, err := Normalize(c.host)
		if err == nil {
			if x.first(seenKey{value: host, status: status}) {
				x.found = append(x.found, Finding{Host: host, Evidence: ev})
			}
			return
		}
		c.reason = err.Error()
	}
	v := safeValue(c.raw)
	if x.first(seenKey{value: v, reason: c.reason, status: status}) {
		x.rejected = append(x.rejected, Reject{Value: v, Reason: c.reason, Evidence: ev})
	}
}

// first reports whether k is seen for the first time in this event.
func (x *extractor) first(k seenKey) bool {
	if _, dup := x.seen[k]; dup {
		return false
	}
	if x.seen == nil {
		x.seen = make(map[seenKey]struct{})
	}
	x.seen[k] = struct{}{}
	return true
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
