// Command flood writes inputs of one kind that name many distinct hosts,
// for the memory benchmark (bench/flood.sh): a hostile or broken source
// that sends a new name in every line. Three of four names are untrusted
// (rejected), one of four is under the catalog's *.wvd.microsoft.com
// (allowed up to --max-entries per region, then rejected).
//
//	go run ./bench/flood -kind xml -size 16 -o flood.xml
//
// Kinds: evtx, xml, urltool, azjson, azcsv, regionmap, report, and hosts:
// event XML whose every event comes from a new computer.
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// namesPerEvent is how many names one event holds: under the default
// bound of names read from one event.
const namesPerEvent = 200

var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	kind := flag.String("kind", "xml", "evtx, xml, hosts, urltool, azjson, azcsv, regionmap or report")
	sizeMiB := flag.Int("size", 16, "size in MiB (about)")
	out := flag.String("o", "", "output file")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "flood: -o is required")
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err == nil {
		w := bufio.NewWriterSize(f, 1<<20)
		err = write(w, *kind, int64(*sizeMiB)<<20)
		if ferr := w.Flush(); err == nil {
			err = ferr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
}

// counter counts the bytes written.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func write(w io.Writer, kind string, size int64) error {
	c := &counter{w: w}
	switch kind {
	case "evtx":
		return writeEVTX(c, size)
	case "xml":
		return writeXML(c, size)
	case "hosts":
		return writeHosts(c, size)
	case "urltool":
		return writeURLTool(c, size)
	case "azjson", "azcsv":
		return writeExport(c, size, kind == "azcsv")
	case "regionmap":
		return writeRegionMap(c, size)
	case "report":
		return writeReport(c, size)
	}
	return fmt.Errorf("unknown kind %q", kind)
}

// name is the i-th distinct name of the flood.
func name(i int) string {
	if i%4 == 3 {
		return fmt.Sprintf("rdgateway-f%07x-eus2-r1.wvd.microsoft.com", i)
	}
	return fmt.Sprintf("h%07x.flood%d.example.net", i, i%97)
}

// event is the text of the e-th event: the agent's URL report with
// namesPerEvent new names.
func event(e int) string {
	var b strings.Builder
	b.WriteString("UrlsAccessibleCheck :  Outcome: HealthCheckSucceeded\nAccessible URLs:\n")
	for i := range namesPerEvent {
		b.WriteString(name(e*namesPerEvent + i))
		b.WriteByte('\n')
	}
	return b.String()
}

func computer(e int) string { return fmt.Sprintf("avd-%02d.contoso.local", e%16) }

func writeEVTX(c *counter, size int64) error {
	var recs []evtxtest.Record
	approx := int64(0)
	for e := 0; approx < size; e++ {
		text := event(e)
		recs = append(recs, evtxtest.Record{Provider: "WVD-Agent", EventID: 3701, Level: 4, Time: base.Add(time.Duration(e) * time.Second),
			Computer: computer(e), Data: []string{text}})
		approx += int64(2*len(text) + 300)
	}
	return evtxtest.Write(c, recs, evtxtest.Options{})
}

func writeXML(c *counter, size int64) error {
	fmt.Fprint(c, "<Events>\n")
	for e := 0; c.n < size; e++ {
		fmt.Fprintf(c, `<Event><System><Provider Name="WVD-Agent"/><EventID>3701</EventID><TimeCreated SystemTime="%s"/>`+
			`<EventRecordID>%d</EventRecordID><Channel>Application</Channel><Computer>%s</Computer></System><EventData><Data>%s</Data></EventData></Event>`+"\n",
			base.Add(time.Duration(e)*time.Second).Format(time.RFC3339), e+1, computer(e), strings.ReplaceAll(event(e), "\n", "&#10;"))
	}
	_, err := fmt.Fprint(c, "</Events>\n")
	return err
}

// writeHosts writes event XML of a new computer in every event, each with
// a few names.
func writeHosts(c *counter, size int64) error {
	fmt.Fprint(c, "<Events>\n")
	for e := 0; c.n < size; e++ {
		fmt.Fprintf(c, `<Event><System><Provider Name="WVD-Agent"/><EventID>3701</EventID><TimeCreated SystemTime="%s"/>`+
			`<EventRecordID>%d</EventRecordID><Channel>Application</Channel><Computer>avd-%07d.contoso.local</Computer></System>`+
			`<EventData><Data>Accessible URLs:&#10;%s&#10;%s&#10;rdgateway-c100-eus2-r1.wvd.microsoft.com</Data></EventData></Event>`+"\n",
			base.Add(time.Duration(e)*time.Second).Format(time.RFC3339), e+1, e, name(e), name(e+1))
	}
	_, err := fmt.Fprint(c, "</Events>\n")
	return err
}

func writeURLTool(c *counter, size int64) error {
	fmt.Fprint(c, "Acquired on 2026/01/01 00:00:00\r\n")
	for e := 0; c.n < size; e++ {
		if _, err := fmt.Fprint(c, strings.ReplaceAll(event(e), "\n", "\r\n")); err != nil {
			return err
		}
	}
	return nil
}

// writeExport writes the rows of a Log Analytics query as az monitor
// log-analytics query -o json or the portal's CSV export write them.
func writeExport(c *counter, size int64, isCSV bool) error {
	cw := csv.NewWriter(c)
	if isCSV {
		fmt.Fprint(c, "\xef\xbb\xbf")
		_ = cw.Write([]string{"Computer", "EventID", "EventLog", "ResourceId", "Count", "First [UTC]", "Last [UTC]", "Text"})
	} else {
		fmt.Fprint(c, "[\n")
	}
	for e := 0; c.n < size; e++ {
		t := base.Add(time.Duration(e) * time.Second).Format("2006-01-02T15:04:05.000Z")
		cells := []string{computer(e), "3701", "Application", "", "1", t, t, event(e)}
		if isCSV {
			_ = cw.Write(cells)
			cw.Flush()
			continue
		}
		b, _ := json.Marshal(map[string]string{"TableName": "PrimaryResult", "Computer": cells[0], "EventID": cells[1], "EventLog": cells[2],
			"ResourceId": cells[3], "Count": cells[4], "First": cells[5], "Last": cells[6], "Text": cells[7]})
		if e > 0 {
			fmt.Fprint(c, ",\n")
		}
		c.Write(b)
	}
	if !isCSV {
		fmt.Fprint(c, "\n]\n")
	}
	cw.Flush()
	return cw.Error()
}

func writeRegionMap(c *counter, size int64) error {
	fmt.Fprint(c, "computer,region\n")
	for i := 0; c.n < size-4096; i++ { // under the bound of a region map at 64 MiB
		if _, err := fmt.Fprintf(c, "avd-%08d.contoso.local,eastus2\n", i); err != nil {
			return err
		}
	}
	return nil
}

// writeReport writes a report of schema version 3 (what avdurls wrote
// before bounded lists) whose rejected list holds every name.
func writeReport(c *counter, size int64) error {
	fmt.Fprint(c, `{"schemaVersion":3,"catalog":{"version":"2024-11-21.2","sourceDate":"2024-11-21","confidence":"primary","source":"flood"},`+
		`"cloud":"public","scope":"sessionhost","optional":false,"regions":[],"hosts":[{"computer":"avd-00.contoso.local","region":"eastus2","regionBasis":"region map","events":1}],"rejected":[`)
	for i := 0; c.n < size-4096; i++ { // under the bound of a report at 64 MiB
		if i > 0 {
			fmt.Fprint(c, ",")
		}
		t := base.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		fmt.Fprintf(c, `{"address":"h%07x.flood.example.net","code":"untrusted","reason":"not under any catalog row","evidenceCount":1,`+
			`"evidence":[{"computer":"avd-00.contoso.local","file":"flood.evtx","recordId":%d,"eventId":3701,"time":%q,"status":"reachable"}]}`, i, i+1, t)
	}
	_, err := fmt.Fprint(c, `],"deprecated":[],"review":[],"inputs":[]}`+"\n")
	return err
}
