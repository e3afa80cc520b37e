package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/evtx"
	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// invisible are bidi and invisible characters that must never be written
// raw: RLO, zero width space, byte order mark, Arabic letter mark, LRI.
var invisible = []string{"\u202e", "\u200b", "\ufeff", "\u061c", "\u2066"}

// rawInvisible fails for every invisible character written raw in b.
func rawInvisible(t *testing.T, what string, b []byte) {
	t.Helper()
	for _, c := range invisible {
		if bytes.Contains(b, []byte(c)) {
			t.Errorf("%s writes U+%04X raw", what, []rune(c)[0])
		}
	}
}

// TestHostileFileNames: .evtx files whose names hold bidi and invisible
// characters (one readable, one empty, so its name is in an error too)
// give a report the tool reads back; no such character is written raw.
func TestHostileFileNames(t *testing.T) {
	dir := t.TempDir()
	sample, err := os.ReadFile(filepath.Join("..", "..", "testdata", "exports", "avd-eus2-0.evtx"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "avd\u202extve.evtx"), sample, 0o644)
	os.WriteFile(filepath.Join(dir, "empty\u200b\ufeff.evtx"), nil, 0o644)
	out, errs, code := runScan(t, "-f", "json", "--region", "eastus2", dir)
	if code != exitPartial {
		t.Fatalf("scan: exit %d, want 3: %s", code, errs)
	}
	rawInvisible(t, "scan -f json", []byte(out))
	rawInvisible(t, "scan's stderr", []byte(errs))
	if _, err := catalog.DecodeReport([]byte(out)); err != nil {
		t.Fatalf("the tool refuses its own report: %v", err)
	}
	rep := filepath.Join(t.TempDir(), "r.json")
	os.WriteFile(rep, []byte(out), 0o644)
	if _, errs, code := runScan(t, "-q", "-f", "json", rep); code != exitOK {
		t.Errorf("scan of its own report: exit %d: %s", code, errs)
	}
	for _, f := range []string{"text", "csv", "markdown"} {
		o, e, _ := runScan(t, "-f", f, "--region", "eastus2", dir)
		rawInvisible(t, "scan -f "+f, []byte(o+e))
	}
}

// TestEventsEscapesInvisible: events keeps every string lossless but
// writes bidi and invisible characters as \u escapes, never raw.
func TestEventsEscapesInvisible(t *testing.T) {
	computer := "avd\u202e-0\u200b.contoso.local"
	data := []string{"Accessible URLs:\u061c\ufeff\n\u2066x.wvd.microsoft.com"}
	path := writeExport(t, []evtxtest.Record{{Provider: "WVD-Agent", EventID: 3701, Level: 4, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Computer: computer, Data: data}})
	named := filepath.Join(filepath.Dir(path), "x\u202e.evtx")
	os.Rename(path, named)
	var out, errb bytes.Buffer
	if code := run([]string{"events", named}, &out, &errb); code != exitOK {
		t.Fatalf("events: exit %d: %s", code, errb.String())
	}
	rawInvisible(t, "events", out.Bytes())
	rawInvisible(t, "events' stderr", errb.Bytes())
	if !strings.Contains(out.String(), `\u202e`) {
		t.Errorf("events does not escape U+202E: %s", out.String())
	}
	sc := bufio.NewScanner(&out)
	n := 0
	for sc.Scan() {
		var ev evtx.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		n++
		if ev.Computer != computer || len(ev.Data) != 1 || ev.Data[0] != data[0] || ev.File != named {
			t.Errorf("events is not lossless: %q %q %q", ev.Computer, ev.Data, ev.File)
		}
	}
	if n != 1 {
		t.Errorf("%d events, want 1", n)
	}
}
