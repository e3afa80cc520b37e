package catalog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// pageDates are the saved revisions of Microsoft's page in testdata/pages.
var pageDates = []string{"2022-08-30", "2023-11-21", "2024-06-26", "2024-11-21"}

func pagePath(date string) string {
	return filepath.Join("testdata", "pages", "required-fqdn-endpoint-"+date+".md")
}

func importPage(t *testing.T, date string) Version {
	t.Helper()
	f, err := os.Open(pagePath(date))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, _, err := ImportMarkdown(f, "")
	if err != nil {
		t.Fatalf("ImportMarkdown(%s) = %v", date, err)
	}
	return v
}

// TestImportPages imports each saved revision and checks the header and the
// row counts per cloud, scope and status.
func TestImportPages(t *testing.T) {
	type count struct{ required, optional, deprecated int }
	want := map[string]map[string]count{
		"2022-08-30": {"public/sessionhost": {13, 8, 5}, "usgov/sessionhost": {10, 7, 5}, "public/client": {8, 0, 0}, "usgov/client": {8, 0, 0}},
		"2023-11-21": {"public/sessionhost": {13, 8, 0}, "usgov/sessionhost": {10, 7, 0}, "public/client": {8, 0, 0}, "usgov/client": {8, 0, 0}},
		"2024-06-26": {"public/sessionhost": {12, 9, 0}, "usgov/sessionhost": {10, 8, 0}, "public/client": {8, 0, 0}, "usgov/client": {8, 0, 0}},
		"2024-11-21": {"public/sessionhost": {14, 9, 0}, "usgov/sessionhost": {11, 8, 0}, "public/client": {13, 0, 0}, "usgov/client": {12, 0, 0}},
	}
	for _, date := range pageDates {
		v := importPage(t, date)
		if v.ID != date || v.SourceDate != date || v.Confidence != ConfidencePrimary {
			t.Errorf("%s: id %q, sourceDate %q, confidence %q", date, v.ID, v.SourceDate, v.Confidence)
		}
		msDate := date[5:7] + "/" + date[8:10] + "/" + date[:4]
		if !strings.Contains(v.Source, "ms.date "+msDate) || !strings.Contains(v.Source, "Microsoft Learn") {
			t.Errorf("%s: source %q does not name the page and its ms.date", date, v.Source)
		}
		if err := (&Catalog{SchemaVersion: SchemaVersion, Versions: []Version{v}}).validate(); err != nil {
			t.Errorf("%s: the imported version is not a valid catalog: %v", date, err)
		}
		got := map[string]count{}
		for _, r := range v.AllRows {
			c := got[string(r.Cloud)+"/"+string(r.Scope)]
			switch {
			case r.Deprecated:
				c.deprecated++
			case r.Required:
				c.required++
			default:
				c.optional++
			}
			got[string(r.Cloud)+"/"+string(r.Scope)] = c
		}
		if fmt.Sprint(got) != fmt.Sprint(want[date]) {
			t.Errorf("%s: (required, optional, deprecated) per cloud/scope = %v, want %v", date, got, want[date])
		}
	}
}

// notFromPage reports whether a built-in row is one that the built-in
// version adds to the page: Azure China rows (docs.azure.cn; the page has
// no China tab), rows carried forward from an earlier version, deprecated
// rows when the page has no "no longer supported" table, and the
// 168.63.129.16 port 32526 rows (from Microsoft's page on that address).
func notFromPage(r Row, pageHasDeprecated bool) bool {
	return r.Cloud == CloudChina ||
		(r.Deprecated && !pageHasDeprecated) ||
		strings.Contains(strings.ToLower(r.Note), "carried forward") ||
		strings.HasPrefix(r.Note, "Microsoft's page on 168.63.129.16")
}

// compareWithBuiltin compares an imported page with a built-in version row
// by row, on the page's clouds (public, usgov), and returns the
// differences as "row X: imported …, built-in …".
func compareWithBuiltin(imported, builtin *Version) []string {
	pageHasDeprecated := false
	for _, r := range imported.AllRows {
		pageHasDeprecated = pageHasDeprecated || r.Deprecated
	}
	b := *builtin
	b.AllRows = nil
	for _, r := range builtin.AllRows {
		if !notFromPage(r, pageHasDeprecated) {
			b.AllRows = append(b.AllRows, r)
		}
	}
	var diffs []string
	for _, c := range DiffVersions(&b, imported) {
		name := fmt.Sprintf("row %s/%s %s", c.Cloud, c.Scope, c.Address)
		switch c.Change {
		case ChangeAdded:
			diffs = append(diffs, fmt.Sprintf("%s: imported %s, built-in has no such row", name, describeRow(*c.New)))
		case ChangeRemoved:
			diffs = append(diffs, fmt.Sprintf("%s: imported has no such row, built-in %s", name, describeRow(*c.Old)))
		default:
			diffs = append(diffs, fmt.Sprintf("%s: imported %s, built-in %s (%s differ)", name, describeRow(*c.New), describeRow(*c.Old), strings.Join(c.Fields, ", ")))
		}
	}
	return diffs
}

func describeRow(r Row) string {
	return fmt.Sprintf("%d/%s tag %q purpose %q required=%v deprecated=%v registrable=%v",
		r.Port, r.Protocol, r.ServiceTag, r.Purpose, r.Required, r.Deprecated, r.Registrable)
}

// TestImportMatchesBuiltin compares each revision that has a built-in
// version of the same date with it, row by row.
//
// 2024-06-26 and 2024-11-21 match exactly (their built-in rows were made
// from the page text). 2022-08-30 does not quite: its built-in rows were
// written by hand before the importer existed and reword two purposes of
// the page on both clouds (the page's "Agent traffic<br />[Diagnostic
// output](...)" is "Agent traffic, diagnostic output", and "Azure Instance
// Metadata service endpoint" is "... Service endpoint"). That version is
// kept unchanged, so those purposes are compared case-insensitively; every
// other field of every row is compared as is.
func TestImportMatchesBuiltin(t *testing.T) {
	c := Default()
	for _, date := range []string{"2022-08-30", "2024-06-26", "2024-11-21"} {
		imported := importPage(t, date)
		builtin, err := c.Version(date)
		if err != nil {
			t.Fatal(err)
		}
		if date == "2022-08-30" {
			b := *builtin
			b.AllRows = append([]Row(nil), builtin.AllRows...)
			for i := range b.AllRows {
				for _, r := range imported.AllRows {
					if r.Address == b.AllRows[i].Address && strings.EqualFold(r.Purpose, b.AllRows[i].Purpose) {
						b.AllRows[i].Purpose = r.Purpose
					}
				}
			}
			builtin = &b
		}
		for _, d := range compareWithBuiltin(&imported, builtin) {
			t.Errorf("%s: %s", date, d)
		}
	}
}

// TestBuiltin20241121 checks what the built-in 2024-11-21 version adds to
// the page: the deprecated and Azure China rows of 2024-06-26, carried
// forward with a note, and 168.63.129.16 port 32526.
func TestBuiltin20241121(t *testing.T) {
	c := Default()
	v, _ := c.Version("2024-11-21")
	old, _ := c.Version("2024-06-26")
	has := func(r Row) bool {
		for _, n := range v.AllRows {
			if n.Cloud == r.Cloud && n.Scope == r.Scope && n.Address == r.Address && n.Port == r.Port &&
				n.Protocol == r.Protocol && n.Deprecated == r.Deprecated && n.Required == r.Required &&
				n.ServiceTag == r.ServiceTag && n.Registrable == r.Registrable && n.Purpose == r.Purpose {
				return strings.Contains(n.Note, "carried forward from 2024-06-26")
			}
		}
		return false
	}
	for _, r := range old.AllRows {
		if (r.Deprecated || r.Cloud == CloudChina) && !has(r) {
			t.Errorf("2024-11-21 does not carry forward 2024-06-26 row %s/%s %s:%d with a note", r.Cloud, r.Scope, r.Address, r.Port)
		}
	}
	for _, cl := range Clouds() {
		found := false
		for _, x := range v.Rows(cl, ScopeSessionHost) {
			if x.Address == "168.63.129.16" && x.Port == 32526 && x.Protocol == "TCP" && x.Required &&
				strings.Contains(x.Note, "what-is-ip-address-168-63-129-16.md, ms.date 03/30/2023") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no required 168.63.129.16 TCP 32526 row with its source note", cl)
		}
	}
}

// TestImportRobust feeds the parser the irregular shapes of the real page
// and checks what comes out.
func TestImportRobust(t *testing.T) {
	page := "---\r\ntitle: T\r\nms.date: 1/2/2025\r\n---\r\n" +
		"## Session host virtual machines\r\n" +
		"# [Azure cloud](#tab/azure)\r\n" +
		"|Address|Protocol|Outbound port|Purpose|Service tag|\r\n" +
		"|:--|--|--:|--|--|\r\n" +
		"|`A.Example.com `|  TCP|80, 443|  Two &amp; ports<br>[link](x.md)|N/A  |\r\n" +
		"| `b.example.com` | UDP | 3478 | Four cells |\r\n" +
		"| `&#42;.c.example.com` | TCP/UDP | 443/80 | Escaped \\* star | `AzureCloud` |\r\n" +
		"| `51.5.0.0/16` | UDP | 3478 | A range | WindowsVirtualDesktop |\r\n" +
		"| `*.blob.core.windows.net` | TCP | 443 | Storage \\| pipe | Storage |\r\n" +
		"\r\n> We no longer support the following URLs:\r\n>\r\n" +
		"> | Address | Outbound TCP port | Purpose |\r\n> |--|--|--|\r\n> | `old.example.com` | 443 | Old |\r\n" +
		"---\r\n"
	v, _, err := Import(strings.NewReader(page), "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range v.AllRows {
		got = append(got, fmt.Sprintf("%s %d/%s %q %q req=%v dep=%v reg=%v", r.Address, r.Port, r.Protocol, r.Purpose, r.ServiceTag, r.Required, r.Deprecated, r.Registrable))
	}
	want := []string{
		`a.example.com 80/TCP "Two & ports, link" "" req=true dep=false reg=false`,
		`a.example.com 443/TCP "Two & ports, link" "" req=true dep=false reg=false`,
		`b.example.com 3478/UDP "Four cells" "" req=true dep=false reg=false`,
		`*.c.example.com 443/TCP "Escaped * star" "AzureCloud" req=true dep=false reg=false`,
		`*.c.example.com 80/TCP "Escaped * star" "AzureCloud" req=true dep=false reg=false`,
		`*.c.example.com 443/UDP "Escaped * star" "AzureCloud" req=true dep=false reg=false`,
		`*.c.example.com 80/UDP "Escaped * star" "AzureCloud" req=true dep=false reg=false`,
		`51.5.0.0/16 3478/UDP "A range" "WindowsVirtualDesktop" req=true dep=false reg=false`,
		`*.blob.core.windows.net 443/TCP "Storage | pipe" "Storage" req=true dep=false reg=true`,
		`old.example.com 443/TCP "Old" "" req=false dep=true reg=false`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if v.ID != "2025-01-02" || v.SourceDate != "2025-01-02" {
		t.Errorf("id %q, sourceDate %q, want 2025-01-02", v.ID, v.SourceDate)
	}
	if v, _, err := Import(strings.NewReader(page), "mine"); err != nil || v.ID != "mine" {
		t.Errorf("Import(id mine) = %q, %v", v.ID, err)
	}
}

// TestImportErrors checks that bad and hostile input gives a clear error,
// naming the line when a row is at fault, and never a panic.
//
// A row it cannot read is a warning naming its line, and the rest of the
// page still imports (TestImportProse); so a page of one bad row is an
// error naming that row.
func TestImportErrors(t *testing.T) {
	head := "---\nms.date: 11/21/2024\n---\n## Session host virtual machines\n# [Azure cloud](#tab/azure)\n| Address | Protocol | Outbound port | Purpose | Service tag |\n|--|--|--|--|--|\n"
	tests := []struct{ name, page, want string }{
		{"empty", "", "no ms.date"},
		{"no rows", "---\nms.date: 11/21/2024\n---\n# Nothing\n", "no endpoint rows found"},
		{"bad date", "---\nms.date: 21/11/2024\n---\n", `ms.date "21/11/2024" is not a date`},
		{"bad port", head + "| `a.example.com` | TCP | 0 | x | N/A |\n", `line 8: "a.example.com": port "0" is not a number 1-65535`},
		{"port text", head + "| `a.example.com` | TCP | depends on the client | x | N/A |\n", `line 8: "a.example.com": no port in "depends on the client"`},
		{"port words first", head + "| `a.example.com` | TCP | usually 443 | x | N/A |\n", `line 8: "a.example.com": port cell "usually 443" has words before its first port`},
		{"no port", head + "| `a.example.com` | TCP |  | x | N/A |\n", `line 8: "a.example.com": no port`},
		{"bad protocol", head + "| `a.example.com` | ICMP | 80 | x | N/A |\n", `line 8: "a.example.com": protocol "ICMP" unknown`},
		{"bad address", head + "| `a b.example.com` | TCP | 80 | x | N/A |\n", `line 8: "a b.example.com": `},
		{"url", head + "| `https://a.example.com/x` | TCP | 80 | x | N/A |\n", `line 8: "https://a.example.com/x"`},
		{"empty address", head + "| | TCP | 80 | x | N/A |\n", "line 8: empty address"},
		{"bad tag", head + "| `a.example.com` | TCP | 80 | x | Azure Cloud |\n", `line 8: "a.example.com": service tag "Azure Cloud"`},
		{"control char", head + "| `a.example.com` | TCP | 80 | x\x1b[31m | N/A |\n", `line 8: "a.example.com": purpose`},
		{"bidi", head + "| `a.example.com` | TCP | 80 | x\u202e | N/A |\n", `line 8: "a.example.com": purpose`},
		{"conflict", head + "| `a.example.com` | TCP | 80 | x | N/A |\n| `a.example.com` | TCP | 80 | y | N/A |\n", "line 9: \"a.example.com\" port 80/TCP in cloud public, scope sessionhost is also on line 8, with other values"},
		{"unknown tab", "---\nms.date: 11/21/2024\n---\n## Session host virtual machines\n# [Mars](#tab/mars)\n", `line 5: tab "mars" is not a cloud`},
		{"no port column", "---\nms.date: 11/21/2024\n---\n## Session host virtual machines\n# [Azure cloud](#tab/azure)\n| Address | Purpose |\n|--|--|\n| `a.example.com` | x |\n", "line 6: the table has an Address column but no port column"},
		{"utf16", "\xff\xfe-\x00-\x00", "UTF-16"},
		{"bad id", head + "| `a.example.com` | TCP | 80 | x | N/A |\n", "version id"},
	}
	for _, tt := range tests {
		id := ""
		if tt.name == "bad id" {
			id = "Bad ID"
		}
		_, warnings, err := Import(strings.NewReader(tt.page), id)
		got := strings.Join(warnings, "\n")
		if err != nil {
			got = err.Error() + "\n" + got
		}
		if (err == nil && warnings == nil) || !strings.Contains(got, tt.want) {
			t.Errorf("%s: Import() error = %v, warnings %q, want one to contain %q", tt.name, err, warnings, tt.want)
		}
	}
	big := strings.Repeat("x", maxImportBytes+1)
	if _, _, err := Import(strings.NewReader(big), ""); err == nil || !strings.Contains(err.Error(), "larger than 4 MiB") {
		t.Errorf("a page over 4 MiB: error = %v", err)
	}
	if _, _, err := Import(iotest.ErrReader(os.ErrClosed), ""); err == nil {
		t.Error("a failing reader: no error")
	}
}

// TestImportProse reads Microsoft's prose in cells: the live page's
// platform-address row "TCP/UDP | 80, 32526, and 53 when Azure-provided
// DNS is used" is one row a port and protocol, the condition in the note of
// the port it follows; an unreadable row next to it is a warning and the
// other rows import.
func TestImportProse(t *testing.T) {
	page := "---\nms.date: 11/21/2024\n---\n## Session host virtual machines\n# [Azure cloud](#tab/azure)\n" +
		"| Address | Protocol | Outbound port | Purpose | Service tag |\n|--|--|--|--|--|\n" +
		"| `168.63.129.16` | TCP/UDP | 80, 32526, and 53 when Azure-provided DNS is used | Session host health monitoring | N/A |\n" +
		"| `bad.example.com` | TCP | see below | x | N/A |\n" +
		"| `login.microsoftonline.com` | TCP | 443 | Authentication | AzureActiveDirectory |\n---\n"
	v, warnings, err := Import(strings.NewReader(page), "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range v.AllRows {
		got = append(got, fmt.Sprintf("%s %d/%s %q", r.Address, r.Port, r.Protocol, r.Note))
	}
	want := []string{
		`168.63.129.16 80/TCP ""`, `168.63.129.16 32526/TCP ""`, `168.63.129.16 53/TCP "only when Azure-provided DNS is used"`,
		`168.63.129.16 80/UDP ""`, `168.63.129.16 32526/UDP ""`, `168.63.129.16 53/UDP "only when Azure-provided DNS is used"`,
		`login.microsoftonline.com 443/TCP ""`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], `line 9: "bad.example.com": no port in "see below": row left out`) {
		t.Errorf("warnings = %q, want one naming line 9", warnings)
	}
}

// TestImportHTML reads the hand-made Learn page of testdata/learn-page.html
// (not checked against a real saved Learn page) and checks it gives the
// same rows as the same tables in markdown.
func TestImportHTML(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "learn-page.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, _, err := Import(f, "")
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != "2024-11-21" || !strings.Contains(v.Source, "saved HTML") || !strings.Contains(v.Source, `"Required FQDNs and endpoints for Azure Virtual Desktop"`) {
		t.Errorf("id %q, source %q", v.ID, v.Source)
	}
	page := importPage(t, "2024-11-21")
	// The hand-made page holds the first rows of each table of the
	// 2024-11-21 revision; each must equal the row imported from markdown.
	for _, r := range v.AllRows {
		found := false
		for _, p := range page.AllRows {
			if p == r {
				found = true
			}
		}
		if !found {
			t.Errorf("HTML row %+v is not a row of the markdown page", r)
		}
	}
	type kind struct {
		cloud Cloud
		scope Scope
		req   bool
	}
	seen := map[kind]int{}
	for _, r := range v.AllRows {
		seen[kind{r.Cloud, r.Scope, r.Required}]++
	}
	for _, k := range []kind{
		{CloudPublic, ScopeSessionHost, true}, {CloudPublic, ScopeSessionHost, false},
		{CloudUSGov, ScopeSessionHost, true}, {CloudUSGov, ScopeSessionHost, false},
		{CloudPublic, ScopeClient, true}, {CloudUSGov, ScopeClient, true},
	} {
		if seen[k] == 0 {
			t.Errorf("no HTML rows for %+v", k)
		}
	}
	if len(v.AllRows) != 20 {
		t.Errorf("%d HTML rows, want 20", len(v.AllRows))
	}
}

// TestImportHTMLErrors checks hostile HTML.
func TestImportHTMLErrors(t *testing.T) {
	head := `<html><head><meta name="ms.date" content="11/21/2024"></head><body><h2>Session host virtual machines</h2><section role="tabpanel" data-tab="azure">`
	tests := []struct{ name, page, want string }{
		{"no date", `<html><body></body></html>`, "no ms.date"},
		{"nested", head + "<table><tr><td><table>", "line 1: a table inside a table"},
		{"bad row", head + "<table><thead><tr><th>Address</th><th>Protocol</th><th>Outbound port</th></tr></thead>\n<tbody>\n<tr><td>a..example.com</td><td>TCP</td><td>443</td></tr></tbody></table>", `line 3: "a..example.com"`},
		{"unknown tab", `<html><head><meta name="ms.date" content="11/21/2024"></head><section data-tab="mars">`, `tab "mars"`},
		{"no rows", head + "</section>", "no endpoint rows found"},
	}
	for _, tt := range tests {
		_, _, err := Import(strings.NewReader(tt.page), "")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Import() error = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
	deep := head + strings.Repeat("<section>", 2000)
	if _, _, err := Import(strings.NewReader(deep), ""); err == nil || !strings.Contains(err.Error(), "nested more than 1000") {
		t.Errorf("deep sections: error = %v", err)
	}
}

// TestBuiltinNewest checks the default version against the newest
// Microsoft texts reached: the US Government ctldl.windowsupdate.com, the
// RDP Shortpath TURN relay ranges (optional, public cloud, session hosts
// and clients), the Azure China service tags, and every wildcard row's
// policy as its purpose reads.
func TestBuiltinNewest(t *testing.T) {
	c := Default()
	v := c.Newest()
	if v.ID != "2024-11-21.2" || v.Confidence != ConfidencePrimary {
		t.Fatalf("default %s (%s), want 2024-11-21.2", v.ID, v.Confidence)
	}
	find := func(cl Cloud, sc Scope, addr string, port int) *Row {
		for _, r := range v.Rows(cl, sc) {
			if r.Address == addr && r.Port == port {
				return &r
			}
		}
		return nil
	}
	if find(CloudUSGov, ScopeSessionHost, "ctldl.windowsupdate.com", 80) == nil || find(CloudUSGov, ScopeSessionHost, "ctdl.windowsupdate.com", 80) != nil {
		t.Error("US Government: want ctldl.windowsupdate.com, not the typo ctdl")
	}
	for _, sc := range Scopes() {
		for _, cidr := range []string{"20.202.0.0/16", "51.5.0.0/16"} {
			r := find(CloudPublic, sc, cidr, 3478)
			if r == nil || r.Protocol != "UDP" || r.Required || !strings.Contains(r.Note, "RDP Shortpath") {
				t.Errorf("%s: TURN relay %s UDP 3478: %+v", sc, cidr, r)
			}
		}
	}
	if r := find(CloudChina, ScopeSessionHost, "kms.core.chinacloudapi.cn", 1688); r == nil || r.ServiceTag != "Internet" {
		t.Errorf("China kms: %+v", r)
	}
	for _, old := range c.Versions {
		for _, r := range old.AllRows {
			if r.Wildcard != wildcardPolicyOf(r) {
				t.Errorf("%s: %s/%s %s: wildcard %q, but its purpose %q reads %q", old.ID, r.Cloud, r.Scope, r.Address, r.Wildcard, r.Purpose, wildcardPolicyOf(r))
			}
		}
	}
}

// TestImportCanonicalAddress: an imported page's addresses are brought to
// the one canonical form (lower case, no trailing dot), host names and
// wildcards alike; addresses are otherwise left to Validate.
func TestImportCanonicalAddress(t *testing.T) {
	for in, want := range map[string]string{
		" LOGIN.MicrosoftOnline.COM. ": "login.microsoftonline.com",
		"*.WVD.Microsoft.com.":         "*.wvd.microsoft.com",
		"*XT.Blob.Core.Windows.NET":    "*xt.blob.core.windows.net",
		"169.254.169.254":              "169.254.169.254",
		"51.5.0.0/16":                  "51.5.0.0/16",
	} {
		if got := canonicalAddress(in); got != want {
			t.Errorf("canonicalAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
