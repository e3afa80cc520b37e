package catalog

import (
	"strconv"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	ok := Row{Address: "login.microsoftonline.com", Port: 443, Protocol: "TCP", Cloud: CloudPublic, Scope: ScopeSessionHost, Required: true}
	with := func(f func(*Row)) Row { r := ok; f(&r); return r }
	addr := func(a string) Row { return with(func(r *Row) { r.Address = a }) }
	long := strings.Repeat("a", 63)
	tests := []struct {
		row  Row
		want string // substring of the error, "" for valid
	}{
		{ok, ""},
		{addr("aka.ms"), ""},
		{addr("*.wvd.microsoft.com"), ""},
		{addr("*xt.blob.core.windows.net"), ""},
		{addr("*-xt.blob.core.windows.net"), ""},
		{addr("xn--80ak6aa92e.example"), "punycode"}, // one validator: discover.Normalize refuses IDN
		{addr("169.254.169.254"), ""},
		{addr("2001:db8::1"), ""},
		{addr("51.5.0.0/16"), ""},
		{addr(long + ".example"), ""},
		{addr(""), "address is empty"},
		{addr("Login.microsoftonline.com"), `must be lower case (want "login.microsoftonline.com")`},
		{addr("localhost"), "at least two labels"},
		{addr("a..b"), "empty label"},
		{addr(".a.b"), "empty label"},
		{addr("a.b."), "one character"},
		{addr("a.bc."), "canonical form"},
		{addr("-a.bc"), `starts or ends with "-"`},
		{addr("a-.bc"), `starts or ends with "-"`},
		{addr("a_b.example"), `underscores are not valid`},
		{addr("a b.example"), `contains character " "`},
		{addr("bücher.example"), "non-ASCII character"},
		{addr("a" + long + ".example"), "longer than 63"},
		{addr(strings.Repeat(long+".", 4) + "example"), "longer than 253"},
		{addr("a.123"), "is all digits"},
		{addr("1.2.3"), "not a valid IP address"},
		{addr("169.254.169.254.1"), "not a valid IP address"},
		{addr("2001:DB8::1"), "lower case"},
		{addr("2001:db8:0::1"), `canonical form (want "2001:db8::1")`},
		{addr("::ffff:1.2.3.4"), ""},
		{addr("fe80::1%eth0"), "zone"},
		{addr("51.5.1.0/16"), `canonical form (want "51.5.0.0/16")`},
		{addr("51.5.0.0/33"), "not a valid CIDR prefix"},
		{addr("*"), "has no suffix"},
		{addr("*.com"), "at least two labels"},
		{addr("*."), "empty name"},
		{addr("*.*.example.com"), "'*' is allowed only once"},
		{addr("*x*.example.com"), "'*' is allowed only once"},
		{addr("a.*.example.com"), `contains a wildcard "*"`},
		{addr("a*.example.com"), `contains a wildcard "*"`},
		{addr("*x-.example.com"), "end with '-'"},
		{addr("*x_y.example.com"), `character '_' not allowed`},
		{addr("*" + long + ".example.com"), "longer than 63"},
		{addr("*.a..example"), "empty label"},
		{addr("*.example.123"), "all digits"},
		{with(func(r *Row) { r.Port = 0 }), "port 0 out of range 1-65535"},
		{with(func(r *Row) { r.Port = 65536 }), "port 65536 out of range 1-65535"},
		{with(func(r *Row) { r.Port = 65535 }), ""},
		{with(func(r *Row) { r.Protocol = "tcp" }), `protocol "tcp" unknown (want TCP or UDP)`},
		{with(func(r *Row) { r.Protocol = "UDP" }), ""},
		{with(func(r *Row) { r.Cloud = "germany" }), `cloud "germany" unknown`},
		{with(func(r *Row) { r.Cloud = "" }), `cloud "" unknown`},
		{with(func(r *Row) { r.Scope = "server" }), `scope "server" unknown`},
		{with(func(r *Row) { r.ServiceTag = "AzureFrontDoor.Frontend" }), ""},
		{with(func(r *Row) { r.ServiceTag = "N/A" }), `service tag "N/A" is not a tag name`},
		{with(func(r *Row) { r.Purpose = "line\nbreak" }), "purpose \"line\\\\x0abreak\" holds unprintable characters"},
		{with(func(r *Row) { r.Note = "bad \x00" }), "note \"bad \\\\x00\" holds unprintable characters"},
		{with(func(r *Row) { r.Purpose = "evil\u202eexe" }), "purpose \"evil\\\\u202eexe\" holds unprintable characters"},
		{with(func(r *Row) { r.Deprecated = true }), "both required and deprecated"},
		{with(func(r *Row) { r.Required, r.Deprecated = false, true }), ""},
	}
	for _, tt := range tests {
		err := tt.row.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Validate(%+v) = %v, want nil", tt.row, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Validate(%+v) = %v, want error containing %q", tt.row, err, tt.want)
		}
	}
}

// catalogJSON builds a small catalog whose first row is row (a JSON object
// body) and whose second is a valid row.
func catalogJSON(schema, row string) string {
	return `{"schemaVersion": ` + schema + `, "versions": [{"id": "2024-06-26", "sourceDate": "2024-06-26", "source": "test", "confidence": "primary", "rows": [
` + row + `,
{"address": "aka.ms", "port": 443, "protocol": "TCP", "purpose": "x", "cloud": "public", "scope": "client", "required": true}
]}]}`
}

const goodRow = `{"address": "*.x.example", "port": 443, "protocol": "TCP", "purpose": "x", "cloud": "public", "scope": "sessionhost", "required": true}`

func TestLoadErrors(t *testing.T) {
	tooMany := `{"address": "a.example", "port": 1, "protocol": "TCP", "purpose": "", "cloud": "public", "scope": "client", "required": false}`
	var rows []string
	for i := range 10001 {
		rows = append(rows, strings.Replace(tooMany, `"port": 1`, `"port": `+strconv.Itoa(i%65535+1)+`, "note": "`+strconv.Itoa(i)+`"`, 1))
	}
	tests := []struct {
		name, in, want string
	}{
		{"valid", catalogJSON("1", goodRow), ""},
		{"unknown field", catalogJSON("1", strings.Replace(goodRow, `"port"`, `"colour": "red", "port"`, 1)), `catalog: unknown field "colour"`},
		{"unknown top-level field", `{"schemaVersion": 1, "extra": true, "versions": []}`, `catalog: unknown field "extra"`},
		{"bad port", catalogJSON("1", strings.Replace(goodRow, `443`, `0`, 1)), `catalog: version "2024-06-26", row 1 ("*.x.example"): port 0 out of range 1-65535`},
		{"port as string", catalogJSON("1", strings.Replace(goodRow, `443`, `"443"`, 1)), `catalog:2:40: versions.rows.port: cannot use JSON string as int`},
		{"huge port", catalogJSON("1", strings.Replace(goodRow, `443`, `1e300`, 1)), `cannot use JSON number`},
		{"duplicate", catalogJSON("1", strings.Replace(goodRow, `"*.x.example"`, `"aka.ms"`, 1)+`, `+strings.Replace(goodRow, `"*.x.example"`, `"aka.ms"`, 1)), `catalog: version "2024-06-26", row 2 ("aka.ms"): duplicate of row 1 (same cloud, scope, address, port and protocol)`},
		{"same address other port", catalogJSON("1", goodRow+`, `+strings.Replace(goodRow, `443`, `80`, 1)), ""},
		{"wrong schemaVersion", catalogJSON("3", goodRow), `catalog: schemaVersion 3 is not supported (this avdurls reads 1 and 2)`},
		{"missing schemaVersion", `{"versions": []}`, `catalog: schemaVersion 0 is not supported (this avdurls reads 1 and 2)`},
		{"no versions", `{"schemaVersion": 1, "versions": []}`, `catalog: no versions`},
		{"no rows", `{"schemaVersion": 1, "versions": [{"id": "a", "sourceDate": "2024-01-01", "source": "s", "confidence": "primary", "rows": []}]}`, `catalog: version "a": no rows`},
		{"bad date", strings.Replace(catalogJSON("1", goodRow), `"sourceDate": "2024-06-26"`, `"sourceDate": "26/06/2024"`, 1), `version "2024-06-26": sourceDate "26/06/2024" is not a date (want YYYY-MM-DD)`},
		{"bad confidence", strings.Replace(catalogJSON("1", goodRow), `"primary"`, `"maybe"`, 1), `confidence "maybe" unknown`},
		{"empty id", strings.Replace(catalogJSON("1", goodRow), `"id": "2024-06-26"`, `"id": ""`, 1), `catalog: version 1: id is empty`},
		{"duplicate id", `{"schemaVersion": 1, "versions": [` + strings.Repeat(`{"id": "a", "sourceDate": "2024-01-01", "source": "s", "confidence": "primary", "rows": [`+goodRow+`]},`, 2) + `{"id": "b"}]}`, `catalog: version "a": duplicate id (also version 1)`},
		{"garbage", "\x00\xff garbage", `catalog:1:1: invalid character`},
		{"empty", "", `catalog: empty input, want a JSON object`},
		{"truncated", catalogJSON("1", goodRow)[:60], `catalog: unexpected end of input`},
		{"array", `[]`, `catalog:1:1: the catalog must be a JSON object, not array`},
		{"trailing data", catalogJSON("1", goodRow) + ` {}`, `unexpected data after the catalog object`},
		{"byte order mark", "\ufeff" + catalogJSON("1", goodRow), ""},
		{"utf-16", "\xff\xfe{\x00", `catalog: the file is UTF-16; save it as UTF-8`},
		{"deep nesting", strings.Repeat("[", 20000), `exceeded max depth`},
		{"trailing space", catalogJSON("1", goodRow) + " \n", ""},
		{"syntax error position", "{\n  \"schemaVersion\": 1,\n  \"versions\": [}\n", `catalog:3:16: invalid character '}'`},
		{"too many rows", `{"schemaVersion": 1, "versions": [{"id": "a", "sourceDate": "2024-01-01", "source": "s", "confidence": "primary", "rows": [` + strings.Join(rows, ",") + `]}]}`, `catalog: 10001 rows, more than the limit of 10000`},
		{"too large", `{"schemaVersion": 1, "versions": [], "x": "` + strings.Repeat("a", maxInputBytes) + `"}`, `catalog: larger than 4 MiB`},
	}
	for _, tt := range tests {
		_, err := Load(strings.NewReader(tt.in))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Load() = %v, want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Load() = %v, want error containing %q", tt.name, err, tt.want)
		}
	}
}

// TestWildcardNotStartingWithStar: a wildcard field without its '*' is an
// error, not a panic (TestTamperedReports found it in a report's
// regions[].wildcards[].address).
func TestWildcardNotStartingWithStar(t *testing.T) {
	for _, a := range []string{"example.com", "", ".", "x"} {
		if err := validateWildcard(a); err == nil {
			t.Errorf("validateWildcard(%q) = nil", a)
		}
	}
}
