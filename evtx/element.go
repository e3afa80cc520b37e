package evtx

import (
	"strconv"
	"strings"
	"time"
)

// element is one element of a rendered event document. Rendered XML inputs
// and decoded BinXML both produce Elements, so the step from document to
// Event is shared.
type element struct {
	Name     string
	Attrs    []attr
	Text     string // character data directly inside the element
	Children []*element
}

// attr is an attribute of an element.
type attr struct {
	Name, Value string
}

// Attr returns the value of the named attribute and whether it exists.
func (e *element) Attr(name string) (string, bool) {
	for _, a := range e.Attrs {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// Child returns the first child element with the given local name, or nil.
func (e *element) Child(name string) *element {
	if e == nil {
		return nil
	}
	for _, c := range e.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (e *element) text() string {
	if e == nil {
		return ""
	}
	return e.Text
}

// eventFromElement builds an Event from a rendered <Event> element. Fields
// missing from the document are left zero; the caller fills RecordID and
// Time from the record header when they are.
func eventFromElement(root *element) Event {
	ev := Event{Data: []string{}, Chunk: -1}
	sys := root.Child("System")
	if p := sys.Child("Provider"); p != nil {
		ev.Provider, _ = p.Attr("Name")
		if ev.Provider == "" {
			ev.Provider, _ = p.Attr("EventSourceName")
		}
	}
	if id := sys.Child("EventID"); id != nil {
		v, _ := strconv.ParseUint(strings.TrimSpace(id.Text), 10, 32)
		ev.EventID = uint32(v)
		if q, ok := id.Attr("Qualifiers"); ok {
			v, _ := strconv.ParseUint(strings.TrimSpace(q), 10, 32)
			ev.Qualifiers = uint32(v)
		}
	}
	if tc := sys.Child("TimeCreated"); tc != nil {
		if s, ok := tc.Attr("SystemTime"); ok {
			if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil {
				ev.Time = t.UTC()
			}
		}
	}
	if r := sys.Child("EventRecordID"); r != nil {
		ev.RecordID, _ = strconv.ParseUint(strings.TrimSpace(r.Text), 10, 64)
	}
	ev.Channel = sys.Child("Channel").text()
	ev.Computer = sys.Child("Computer").text()
	if ed := root.Child("EventData"); ed != nil {
		named := false
		for _, d := range ed.Children {
			if d.Name != "Data" {
				continue
			}
			n, _ := d.Attr("Name")
			named = named || n != ""
			ev.Data = append(ev.Data, d.Text)
			ev.DataNames = append(ev.DataNames, n)
		}
		if !named {
			ev.DataNames = nil
		}
	} else if ud := root.Child("UserData"); ud != nil {
		for _, c := range ud.Children {
			leaves(c, &ev)
		}
	}
	if ri := root.Child("RenderingInfo"); ri != nil {
		ev.Message = ri.Child("Message").text()
	}
	return ev
}

// leaves appends the text of every leaf element below e, in document order.
func leaves(e *element, ev *Event) {
	if len(e.Children) == 0 {
		ev.Data = append(ev.Data, e.Text)
		ev.DataNames = append(ev.DataNames, e.Name)
		return
	}
	for _, c := range e.Children {
		leaves(c, ev)
	}
}
