package evtxtest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lookTool returns the path of an external reader, skipping the test if it
// is missing, or failing it in CI (CI set), where it must be installed.
func lookTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s not installed (apt-get install %s)", name, pkg)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// event is what the external readers print of a record, as far as the tests
// compare it.
type event struct {
	Provider   string
	EventID    string
	Qualifiers string
	Level      string
	Time       time.Time
	RecordID   string
	Channel    string
	Computer   string
	Data       []string
}

type xmlEvent struct {
	System struct {
		Provider struct {
			Name string `xml:"Name,attr"`
		}
		EventID struct {
			Qualifiers string `xml:"Qualifiers,attr"`
			ID         string `xml:",chardata"`
		}
		Level       string
		TimeCreated struct {
			SystemTime string `xml:"SystemTime,attr"`
		}
		EventRecordID string
		Channel       string
		Computer      string
	}
	Data []string `xml:"EventData>Data"`
}

// decodeEvents decodes every <Event> element in out, whatever text lies
// between them (tool banners, "Event number:" lines, blank lines).
func decodeEvents(out []byte) ([]xmlEvent, error) {
	dec := xml.NewDecoder(bytes.NewReader(out))
	var evs []xmlEvent
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return evs, nil
		}
		if err != nil {
			return evs, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Event" {
			var ev xmlEvent
			if err := dec.DecodeElement(&ev, &se); err != nil {
				return evs, err
			}
			evs = append(evs, ev)
		}
	}
}

// runEvtxexport returns the records that libevtx's evtxexport -f xml
// prints for the file b.
func runEvtxexport(t *testing.T, name string, b []byte) []event {
	t.Helper()
	exe := lookTool(t, "evtxexport", "libevtx-utils")
	path := filepath.Join(t.TempDir(), name+".evtx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(exe, "-f", "xml", path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("evtxexport %s: %v\n%s", name, err, stderr.Bytes())
	}
	if stderr.Len() > 0 {
		t.Errorf("evtxexport %s wrote to stderr:\n%s", name, stderr.Bytes())
	}
	xevs, err := decodeEvents(stdout.Bytes())
	if err != nil {
		t.Fatalf("evtxexport %s: decoding its output: %v", name, err)
	}
	evs := make([]event, len(xevs))
	for i, x := range xevs {
		tm, err := time.Parse(time.RFC3339Nano, x.System.TimeCreated.SystemTime)
		if err != nil {
			t.Errorf("evtxexport %s: event %d: %v", name, i, err)
		}
		evs[i] = fromXML(x, tm)
		evs[i].Data = x.Data
	}
	return evs
}

// runPythonEvtx returns the records that python-evtx's evtx_dump.py prints
// for the file b. It prints the strings of a Data element as escaped
// <string> items.
func runPythonEvtx(t *testing.T, name string, b []byte) []event {
	t.Helper()
	exe := lookTool(t, "evtx_dump.py", "python3-evtx")
	path := filepath.Join(t.TempDir(), name+".evtx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(exe, path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("evtx_dump.py %s: %v\n%s", name, err, stderr.Bytes())
	}
	// encoding/xml refuses the XML 1.1 declaration the tool prints.
	out := stdout.Bytes()
	if bytes.HasPrefix(out, []byte("<?xml")) {
		out = out[bytes.Index(out, []byte("?>"))+2:]
	}
	xevs, err := decodeEvents(out)
	if err != nil {
		t.Fatalf("evtx_dump.py %s: decoding its output: %v", name, err)
	}
	evs := make([]event, len(xevs))
	for i, x := range xevs {
		tm, err := time.Parse("2006-01-02 15:04:05", x.System.TimeCreated.SystemTime)
		if err != nil {
			t.Errorf("evtx_dump.py %s: event %d: %v", name, i, err)
		}
		evs[i] = fromXML(x, tm)
		if len(x.Data) != 1 {
			t.Errorf("evtx_dump.py %s: event %d: %d Data elements, want 1", name, i, len(x.Data))
			continue
		}
		evs[i].Data = pyStrings(x.Data[0])
	}
	return evs
}

func fromXML(x xmlEvent, tm time.Time) event {
	s := x.System
	return event{
		Provider:   s.Provider.Name,
		EventID:    s.EventID.ID,
		Qualifiers: s.EventID.Qualifiers,
		Level:      s.Level,
		Time:       tm,
		RecordID:   s.EventRecordID,
		Channel:    s.Channel,
		Computer:   s.Computer,
	}
}

// pyStrings splits python-evtx's "<string>a</string>\n<string>b</string>\n".
func pyStrings(s string) []string {
	var ss []string
	for {
		_, after, ok := strings.Cut(s, "<string>")
		if !ok {
			return ss
		}
		v, rest, _ := strings.Cut(after, "</string>")
		ss = append(ss, v)
		s = rest
	}
}

// wantEvents returns what a reader should print for recs written with
// opt: record identifiers assigned as Write does, strings as an XML parser
// returns them (line ends normalised to LF), times at precision prec.
func wantEvents(recs []Record, opt Options, prec time.Duration) []event {
	next := opt.FirstRecordID
	if next == 0 {
		next = 1
	}
	nl := strings.NewReplacer("\r\n", "\n", "\r", "\n")
	evs := make([]event, len(recs))
	for i, r := range recs {
		id := r.RecordID
		if id == 0 {
			id = next
		}
		next = id + 1
		ch := r.Channel
		if ch == "" {
			ch = "Application"
		}
		var data []string
		for _, d := range r.Data {
			data = append(data, nl.Replace(d))
		}
		evs[i] = event{
			Provider:   nl.Replace(r.Provider),
			EventID:    strconv.Itoa(int(r.EventID)),
			Qualifiers: strconv.Itoa(int(r.Qualifiers)),
			Level:      strconv.Itoa(int(r.Level)),
			Time:       r.Time.UTC().Truncate(prec),
			RecordID:   strconv.FormatUint(id, 10),
			Channel:    nl.Replace(ch),
			Computer:   nl.Replace(r.Computer),
			Data:       data,
		}
	}
	return evs
}

// compareEvents reports every field of every record that differs; times
// may differ by up to tol.
func compareEvents(t *testing.T, reader string, got, want []event, tol time.Duration) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d records, want %d", reader, len(got), len(want))
	}
	bad := 0
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		var diffs []string
		field := func(name, g, w string) {
			if g != w {
				diffs = append(diffs, fmt.Sprintf("%s = %q, want %q", name, g, w))
			}
		}
		field("Provider Name", g.Provider, w.Provider)
		field("EventID", g.EventID, w.EventID)
		field("Qualifiers", g.Qualifiers, w.Qualifiers)
		field("Level", g.Level, w.Level)
		field("EventRecordID", g.RecordID, w.RecordID)
		field("Channel", g.Channel, w.Channel)
		field("Computer", g.Computer, w.Computer)
		if d := g.Time.Sub(w.Time); d > tol || d < -tol {
			diffs = append(diffs, fmt.Sprintf("TimeCreated = %v, want %v", g.Time, w.Time))
		}
		if !slices.Equal(g.Data, w.Data) {
			diffs = append(diffs, fmt.Sprintf("Data = %q, want %q", g.Data, w.Data))
		}
		if len(diffs) > 0 {
			bad++
			if bad <= 10 {
				t.Errorf("%s: record %d: %s", reader, i, strings.Join(diffs, "; "))
			}
		}
	}
	if bad > 10 {
		t.Errorf("%s: %d records differ in all", reader, bad)
	}
}
