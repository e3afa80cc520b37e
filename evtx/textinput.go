package evtx

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"
)

// maxTextInput bounds the size of XML and URL-tool inputs, which are read
// whole.
const maxTextInput = 256 << 20

// ReadText reads a text input whole, as UTF-8, decoding UTF-16 with a byte
// order mark (what PowerShell 5 redirection writes) and dropping a UTF-8
// byte order mark.
func ReadText(r io.Reader, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxTextInput+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > maxTextInput {
		return "", fmt.Errorf("%s: larger than %d MiB; split it or export as .evtx", name, maxTextInput>>20)
	}
	return decodeText(b), nil
}

func decodeText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
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

// Sniff tells what an input holds from its first bytes: "evtx", "xml"
// (rendered events), "urltool" (WVDAgentUrlTool.exe output), "report" (an
// avdurls JSON report) or "" when none.
func Sniff(head []byte) string {
	if bytes.HasPrefix(head, fileMagic) {
		return "evtx"
	}
	s := strings.TrimSpace(decodeText(head))
	low := strings.ToLower(s)
	switch {
	case strings.HasPrefix(s, "<") && strings.Contains(s, "<Event"):
		return "xml"
	case strings.HasPrefix(s, "{") && strings.Contains(s, `"schemaVersion"`) && strings.Contains(s, `"regions"`):
		return "report"
	case strings.Contains(low, "urlsaccessiblecheck") || strings.Contains(low, "accessible urls"):
		return "urltool"
	}
	return ""
}

// ReadEventXML reads rendered events (wevtutil qe /f:xml, Get-WinEvent's
// ToXml(), with or without a root element) into Events.
func ReadEventXML(r io.Reader, name string) ([]Event, error) {
	s, err := ReadText(r, name)
	if err != nil {
		return nil, err
	}
	// wevtutil writes a sequence of <Event> elements without a root.
	els, err := ParseEventXML(strings.NewReader("<avdurls-root>" + stripDecl(s) + "</avdurls-root>"))
	if err != nil {
		return nil, fmt.Errorf("%s: rendered event XML: %w", name, err)
	}
	evs := make([]Event, 0, len(els))
	for _, el := range els {
		ev := EventFromElement(el)
		ev.File = name
		evs = append(evs, ev)
	}
	return evs, nil
}

// stripDecl removes XML declarations, which may not appear inside the
// wrapper root.
func stripDecl(s string) string {
	for {
		i := strings.Index(s, "<?xml")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], "?>")
		if j < 0 {
			return s
		}
		s = s[:i] + s[i+j+2:]
	}
}

// URLToolProvider is the provider of events made from URL-tool output.
const URLToolProvider = "WVDAgentUrlTool"

// ReadURLTool reads the text output of the agent's URL checker
// (WVDAgentUrlTool.exe) as one event: its accessible and not accessible
// sections are read by discover like a 3701 event's text. computer names
// the host (the tool does not print it); modTime stands for the event time.
func ReadURLTool(r io.Reader, name, computer string, modTime time.Time) (Event, error) {
	s, err := ReadText(r, name)
	if err != nil {
		return Event{}, err
	}
	return Event{Provider: URLToolProvider, EventID: 3701, Time: modTime.UTC(), Computer: computer,
		Channel: "Application", Data: []string{s}, File: name, Chunk: -1}, nil
}
