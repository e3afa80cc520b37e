package evtx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// maxURLToolInput bounds the size of URL-tool output, which is read whole:
// the tool prints a few KiB.
const maxURLToolInput = 16 << 20

// maxLegacyXMLInput bounds the input of ReadEventXML, which returns every
// event at once; ReadEventXMLFunc streams and has no such bound.
const maxLegacyXMLInput = 256 << 20

// utf8BOM is the UTF-8 byte order mark.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// ReadText reads a text input such as URL-tool output whole (at most
// 16 MiB), as UTF-8, decoding UTF-16 with a byte order mark (what
// PowerShell 5 redirection writes) and dropping a UTF-8 byte order mark.
// discover.URLToolEvent reads what the text says.
func ReadText(r io.Reader, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(newTextReader(r), maxURLToolInput+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > maxURLToolInput {
		return "", fmt.Errorf("%s: larger than %d MiB, which URL-tool output never is; is it the right file?", name, maxURLToolInput>>20)
	}
	return string(b), nil
}

// newTextReader returns r as UTF-8 text: a UTF-8 byte order mark is
// dropped and UTF-16 with a byte order mark is decoded as it is read, so
// the input is never held whole.
func newTextReader(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, utf8BOM):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		// ExpectBOM takes the byte order from the mark and drops it.
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	}
	return br
}

// decodeText decodes the first bytes of an input for Sniff; see
// newTextReader.
func decodeText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, utf8BOM):
		return string(b[3:])
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return decodeUTF16(b[2:])
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		u := make([]uint16, (len(b)-2)/2)
		for i := range u {
			u[i] = uint16(b[2+2*i])<<8 | uint16(b[3+2*i])
		}
		return string(utf16.Decode(u))
	}
	return string(b)
}

// Kind is what an input holds, as Sniff tells it from its content.
type Kind string

// The kinds of input Sniff recognises.
const (
	KindUnknown   Kind = ""
	KindEVTX      Kind = "evtx"       // an .evtx file
	KindXML       Kind = "xml"        // rendered event XML
	KindURLTool   Kind = "urltool"    // WVDAgentUrlTool.exe output
	KindReport    Kind = "report"     // an avdurls JSON report, or its start
	KindReportEnd Kind = "report-end" // the end of a report without its start
)

// Sniff tells what an input holds from its first bytes: "evtx", "xml"
// (rendered events), "urltool" (WVDAgentUrlTool.exe output), "report" (an
// avdurls JSON report, whole or cut short: its start), "report-end" (the
// end of a report without its start, as Azure VM Run Command keeps only
// the last 4,096 bytes of output) or "" when none.
func Sniff(head []byte) Kind {
	if bytes.HasPrefix(head, fileMagic) {
		return KindEVTX
	}
	s := strings.TrimSpace(decodeText(head))
	low := strings.ToLower(s)
	switch {
	case strings.HasPrefix(s, "<") && strings.Contains(s, "<Event"):
		return KindXML
	case reportStart(s):
		return KindReport
	case strings.Contains(low, "urlsaccessiblecheck") || strings.Contains(low, "accessible urls"):
		return KindURLTool
	case reportEnd(s):
		return KindReportEnd
	}
	return KindUnknown
}

// reportStart tells whether s starts like a JSON report: an object whose
// first key is "schemaVersion", however it is indented (so a report cut
// anywhere after that key is still recognised), or an object holding the
// keys "schemaVersion" and "regions" in another order.
func reportStart(s string) bool {
	rest, ok := strings.CutPrefix(s, "{")
	if !ok {
		return false
	}
	return strings.HasPrefix(strings.TrimLeft(rest, " \t\r\n"), `"schemaVersion"`) ||
		strings.Contains(s, `"schemaVersion"`) && strings.Contains(s, `"regions"`)
}

// reportKeys are keys only an avdurls report holds; text that holds one
// but does not start like a report is the end of a report.
var reportKeys = []string{`"schemaVersion"`, `"regionBasis"`, `"damagedChunks"`, `"evidenceCount"`}

// reportEnd tells whether s is the end of a JSON report without its start:
// text that holds a report's keys, does not start like one, and is no
// event XML.
func reportEnd(s string) bool {
	if reportStart(s) || strings.Contains(s, "<Event") {
		return false
	}
	for _, k := range reportKeys {
		if strings.Contains(s, k+":") || strings.Contains(s, k+" :") {
			return true
		}
	}
	return false
}

// ReadEventXML reads rendered events (wevtutil qe /f:xml, Get-WinEvent's
// ToXml(), with or without a root element) into Events. It holds them all,
// so its input is bounded to 256 MiB; ReadEventXMLFunc streams. Events
// larger than the default bounds are skipped; the error then wraps
// ErrEventTooLarge and the other events are returned.
func ReadEventXML(r io.Reader, name string) ([]Event, error) {
	var evs []Event
	var first string
	opt := XMLOptions{Warn: func(w Warning) {
		if first == "" {
			first = w.Reason
		}
	}}
	lr := &io.LimitedReader{R: r, N: maxLegacyXMLInput + 1}
	st, err := ReadEventXMLFunc(lr, name, opt, func(ev Event) error {
		evs = append(evs, ev)
		return nil
	})
	switch {
	case lr.N <= 0:
		return evs, fmt.Errorf("%s: larger than %d MiB; split it or export as .evtx", name, maxLegacyXMLInput>>20)
	case err == nil && st.Oversized > 0:
		err = fmt.Errorf("%s: %d events skipped, the first: %s: %w", name, st.Oversized, first, ErrEventTooLarge)
	}
	return evs, err
}

// ReadEventXMLFunc reads rendered events (see ReadEventXML) as a stream,
// calling fn with every event that passes opt.Filter. Memory is bounded by
// one event (see XMLOptions), not by the input. UTF-16 and UTF-8 with a
// byte order mark are decoded as they are read. It stops at the first
// syntax error (wrapped with name), budget (wrapping ErrBudget) or error of
// fn (returned as it is); the events before were delivered.
func ReadEventXMLFunc(r io.Reader, name string, opt XMLOptions, fn func(Event) error) (XMLStats, error) {
	cr := &countingReader{r: r}
	var fnErr error
	matched := 0
	st, err := ParseEventXMLFunc(newTextReader(cr), name, opt, func(el *Element) error {
		ev := EventFromElement(el)
		ev.File = name
		if !opt.Filter.Match(ev) {
			return nil
		}
		if opt.MaxEvents > 0 && matched >= opt.MaxEvents {
			return budgetError(fmt.Sprintf("%s: more than %d matching events, the budget per file; the rest of the file was skipped", name, opt.MaxEvents))
		}
		matched++
		fnErr = fn(ev)
		return fnErr
	})
	st.Matched, st.Bytes = matched, cr.n
	if err != nil && err != fnErr && !errors.Is(err, ErrBudget) {
		err = fmt.Errorf("%s: rendered event XML: %w", name, err)
	}
	return st, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

// Read reads from the underlying reader and counts.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
