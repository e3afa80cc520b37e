package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/render"
)

// tamperPayloads are what a hostile editor of a report writes into a
// field: path separators and "..", line breaks, quotes, interpolation and
// command substitution of HCL, Bicep and sh, an ARM expression, a
// terminal escape (OSC title and clear screen), bidi overrides, a link, a
// spreadsheet formula and a 10 kB string.
var tamperPayloads = []string{
	"../../x/avd",
	`..\..\x\avd`,
	"eu\nevil.example.com",
	"a\r\nevil.example.com",
	`a"b'c`,
	"${file(\"/etc/passwd\")}",
	"$(touch PWNED)",
	"`touch PWNED`",
	"[concat('a','b')]",
	"\x1b]0;pwned\x07\x1b[2J",
	"evil\u202ecom.exe",
	"https://evil.example/approve",
	"=HYPERLINK(\"http://evil.example\")",
	strings.Repeat("x", 10000),
}

// tamperBase is a valid report of one host with every list filled: the
// scan of one sample export, with a health event, an agent check, a
// rejected and a review name added.
func tamperBase(t *testing.T) map[string]any {
	t.Helper()
	out, errs, code := runScan(t, "-q", "-f", "json", "--region", "eastus2", filepath.Join("..", "..", "testdata", "exports", "avd-eus2-0.evtx"))
	if code != exitOK {
		t.Fatalf("scan: exit %d: %s", code, errs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	ev := map[string]any{"computer": "avd-eus2-0.contoso.local", "file": "avd.evtx", "recordId": 1, "eventId": 3701, "time": "2024-05-06T08:28:00Z", "status": "reachable"}
	h := m["hosts"].([]any)[0].(map[string]any)
	h["health"] = []any{map[string]any{"eventId": 3703, "time": "2024-05-06T08:28:00Z", "recordId": 2, "file": "avd.evtx", "summary": "RD Gateway URL not accessible"}}
	h["agentChecks"] = []any{map[string]any{"name": "DomainJoinedCheck", "outcome": "Success", "detail": "ok"}}
	m["rejected"] = []any{map[string]any{"address": "evil.example.com", "code": "untrusted", "reason": "not under any row", "evidenceCount": 1, "evidence": []any{ev}}}
	m["review"] = []any{map[string]any{"address": "attackereh.servicebus.windows.net", "code": "registrable", "reason": "review", "row": "*eh.servicebus.windows.net", "evidenceCount": 1, "evidence": []any{ev}}}
	b, _ := json.Marshal(m)
	if _, err := catalog.DecodeReport(b); err != nil {
		t.Fatalf("the base report is refused: %v", err)
	}
	return m
}

// stringPaths returns the paths of the string fields of v, taking the
// first element of each list.
func stringPaths(v any, path []any, out *[][]any) {
	switch x := v.(type) {
	case string:
		*out = append(*out, slices.Clone(path))
	case map[string]any:
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		}) {
			stringPaths(x[k], append(path, k), out)
		}
	case []any:
		if len(x) > 0 {
			stringPaths(x[0], append(path, 0), out)
		}
	}
}

// setPath returns a deep copy of v with the field at path set to s.
func setPath(v any, path []any, s string) any {
	b, _ := json.Marshal(v)
	var c any
	json.Unmarshal(b, &c)
	cur := c
	for i, p := range path {
		last := i == len(path)-1
		switch k := p.(type) {
		case string:
			if last {
				cur.(map[string]any)[k] = s
			} else {
				cur = cur.(map[string]any)[k]
			}
		case int:
			if last {
				cur.([]any)[k] = s
			} else {
				cur = cur.([]any)[k]
			}
		}
	}
	return c
}

// TestTamperedReports edits every string field of a report with every
// payload, and runs the result through scan in every format, scan
// --output-dir and diff. Each run either refuses the report (exit 1,
// nothing written) or writes output that its product reads with nothing
// escaping its field; no file is ever written outside the output folder,
// and nothing unprintable reaches the terminal.
func TestTamperedReports(t *testing.T) {
	base := tamperBase(t)
	var paths [][]any
	stringPaths(base, nil, &paths)
	root := t.TempDir()
	good := filepath.Join(root, "good.json")
	b, _ := json.Marshal(base)
	if err := os.WriteFile(good, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cases, refused := 0, 0
	for _, path := range paths {
		for i, payload := range tamperPayloads {
			cases++
			name := fmt.Sprint(path...) + "/" + fmt.Sprint(i)
			ok := t.Run(name, func(t *testing.T) {
				dir := filepath.Join(root, fmt.Sprintf("case%d", cases))
				out := filepath.Join(dir, "rules")
				if err := os.MkdirAll(out, 0o755); err != nil {
					t.Fatal(err)
				}
				rep := filepath.Join(dir, "r.json")
				b, _ := json.Marshal(setPath(base, path, payload))
				if err := os.WriteFile(rep, b, 0o644); err != nil {
					t.Fatal(err)
				}
				if tamperRun(t, dir, rep, out, good) {
					refused++
				}
			})
			if !ok {
				t.FailNow() // one case's failure says enough
			}
		}
	}
	t.Logf("%d string fields x %d payloads = %d tampered reports (%d refused by the gate), each through %d formats, --output-dir and diff",
		len(paths), len(tamperPayloads), cases, refused, len(render.Formats()))
}

// tamperRun runs one tampered report through everything and says whether
// the gate refused it.
func tamperRun(t *testing.T, dir, rep, out, good string) (refused bool) {
	t.Helper()
	for _, f := range render.Formats() {
		stdout, stderr, code := runScan(t, "-q", "-f", f.Name, rep)
		checkTerminal(t, stderr)
		switch code {
		case exitError:
			refused = true
			if stdout != "" {
				t.Fatalf("%s: exit 1 but wrote %d bytes", f.Name, len(stdout))
			}
		case exitOK, exitPartial:
			if refused {
				t.Fatalf("%s: refused in one format, accepted in another", f.Name)
			}
			checkFormat(t, f.Name, []byte(stdout))
			if f.Name == "table" {
				checkTerminal(t, stdout)
			}
		default:
			t.Fatalf("%s: exit %d: %s", f.Name, code, stderr)
		}
	}
	_, stderr, code := runScan(t, "-q", "-f", "json", "--output-dir", out, rep)
	checkTerminal(t, stderr)
	if (code == exitError) != refused {
		t.Fatalf("--output-dir: exit %d, refused by stdout runs: %v", code, refused)
	}
	checkTree(t, dir, out, refused)
	var o, e bytes.Buffer
	code = run([]string{"diff", "-f", "markdown", good, rep}, &o, &e)
	checkTerminal(t, e.String())
	switch {
	case code == exitError && !refused:
		t.Fatalf("diff refused a report scan accepted: %s", e.String())
	case code == exitError:
	case code == exitOK || code == exitChanged:
		checkFormat(t, "markdown", o.Bytes())
	default:
		t.Fatalf("diff: exit %d: %s", code, e.String())
	}
	return refused
}

// checkTerminal fails on any raw control, escape or bidi character.
func checkTerminal(t *testing.T, s string) {
	t.Helper()
	for i, r := range s {
		if r != '\n' && !textRuneTest(r) {
			t.Fatalf("raw %q at byte %d of terminal output: %q", r, i, s[max(0, i-40):min(len(s), i+40)])
		}
	}
}

// checkTree checks that only the report and region files in out exist
// below dir, each named REGION.json for a region of the table.
func checkTree(t *testing.T, dir, out string, refused bool) {
	t.Helper()
	err := filepath.WalkDir(filepath.Dir(dir), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(dir), p)
		switch {
		case rel == "good.json" || !strings.HasPrefix(rel, filepath.Base(dir)+string(filepath.Separator)):
		case p == filepath.Join(dir, "r.json"):
		case filepath.Dir(p) == out && !refused:
			region := strings.TrimSuffix(d.Name(), ".json")
			if _, ok := catalog.LookupRegion(catalog.CloudPublic, region); !ok && region != catalog.UnknownRegion {
				t.Fatalf("--output-dir wrote %s", rel)
			}
		default:
			t.Fatalf("a file was written outside the output folder, or though the report was refused: %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
