package evtx

import (
	"encoding/xml"
	"errors"
	"io"
)

// maxXMLDepth bounds element nesting in rendered XML input.
const maxXMLDepth = 256

// ParseEventXML reads rendered event XML (as written by wevtutil, Get-WinEvent
// or evtxexport) and returns every <Event> element, at any depth, as a tree.
// Namespaces are dropped: names are local names.
func ParseEventXML(r io.Reader) ([]*Element, error) {
	d := xml.NewDecoder(r)
	d.Strict = true
	var events []*Element
	var stack []*Element
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if len(stack) > 0 {
				return events, io.ErrUnexpectedEOF
			}
			return events, nil
		}
		if err != nil {
			return events, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				return events, errors.New("XML nested too deeply")
			}
			el := &Element{Name: t.Name.Local}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				el.Attrs = append(el.Attrs, Attr{Name: a.Name.Local, Value: a.Value})
			}
			if n := len(stack); n > 0 {
				stack[n-1].Children = append(stack[n-1].Children, el)
			}
			if el.Name == "Event" && !insideEvent(stack) {
				events = append(events, el)
			}
			stack = append(stack, el)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if n := len(stack); n > 0 {
				stack[n-1].Text += string(t)
			}
		}
	}
}

func insideEvent(stack []*Element) bool {
	for _, e := range stack {
		if e.Name == "Event" {
			return true
		}
	}
	return false
}
