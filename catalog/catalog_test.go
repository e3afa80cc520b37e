package catalog

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEmbeddedParses(t *testing.T) {
	c, err := Load(bytes.NewReader(embedded))
	if err != nil {
		t.Fatalf("Load(catalog.json) = %v", err)
	}
	if c.SchemaVersion != SchemaVersion {
		t.Errorf("schemaVersion = %d, want %d", c.SchemaVersion, SchemaVersion)
	}
	if got := Default(); len(got.Versions) != len(c.Versions) {
		t.Errorf("Default() has %d versions, want %d", len(got.Versions), len(c.Versions))
	}
}

// TestEmbeddedRows checks each row on its own, so that a broken row is named
// even though Load stops at the first error.
func TestEmbeddedRows(t *testing.T) {
	for _, v := range Default().Versions {
		type key struct {
			cloud   Cloud
			scope   Scope
			address string
			port    int
			proto   string
		}
		seen := map[key]bool{}
		for i, r := range v.AllRows {
			if err := r.Validate(); err != nil {
				t.Errorf("version %q, row %d (%q): Validate() = %v", v.ID, i+1, r.Address, err)
			}
			k := key{r.Cloud, r.Scope, r.Address, r.Port, r.Protocol}
			if seen[k] {
				t.Errorf("version %q, row %d: duplicate %+v", v.ID, i+1, k)
			}
			seen[k] = true
			if r.Kind() == KindWildcard && !strings.HasPrefix(r.Address, "*.") && !strings.HasPrefix(r.Address, "*xt.") && !strings.HasPrefix(r.Address, "*eh.") {
				t.Errorf("version %q, row %d: unexpected wildcard form %q", v.ID, i+1, r.Address)
			}
		}
	}
}

// TestEmbeddedCounts pins the number of rows per cloud, scope and status, so
// that an accidental edit of catalog.json shows up.
func TestEmbeddedCounts(t *testing.T) {
	type count struct{ required, optional, deprecated int }
	want := map[string]map[string]count{
		"2022-08-30": {
			"public/sessionhost": {13, 8, 5},
			"public/client":      {8, 0, 0},
			"usgov/sessionhost":  {10, 7, 5},
			"usgov/client":       {8, 0, 0},
		},
		"2024-06-26": {
			"public/sessionhost": {12, 9, 5},
			"public/client":      {8, 0, 0},
			"usgov/sessionhost":  {10, 8, 6},
			"usgov/client":       {8, 0, 0},
			"china/sessionhost":  {16, 0, 0},
		},
		"2024-11-21": {
			"public/sessionhost": {15, 9, 5},
			"public/client":      {13, 0, 0},
			"usgov/sessionhost":  {12, 8, 6},
			"usgov/client":       {12, 0, 0},
			"china/sessionhost":  {17, 0, 0},
		},
		"2024-11-21.2": {
			"public/sessionhost": {15, 11, 5},
			"public/client":      {13, 2, 0},
			"usgov/sessionhost":  {12, 8, 6},
			"usgov/client":       {12, 0, 0},
			"china/sessionhost":  {17, 0, 0},
		},
		"2025-late": {
			"public/sessionhost": {22, 9, 5},
			"public/client":      {17, 0, 0},
			"usgov/sessionhost":  {10, 8, 6},
			"usgov/client":       {8, 0, 0},
			"china/sessionhost":  {16, 0, 0},
		},
	}
	c := Default()
	var ids []string
	for _, v := range c.Versions {
		ids = append(ids, v.ID)
	}
	if !slices.Equal(ids, []string{"2022-08-30", "2024-06-26", "2024-11-21", "2024-11-21.2", "2025-late"}) {
		t.Fatalf("version ids = %q", ids)
	}
	for id, byCS := range want {
		v, err := c.Version(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, cl := range Clouds() {
			for _, sc := range Scopes() {
				var got count
				for _, r := range v.Rows(cl, sc) {
					switch {
					case r.Deprecated:
						got.deprecated++
					case r.Required:
						got.required++
					default:
						got.optional++
					}
				}
				cs := string(cl) + "/" + string(sc)
				if got != byCS[cs] {
					t.Errorf("version %q %s: (required, optional, deprecated) = %v, want %v", id, cs, got, byCS[cs])
				}
			}
		}
	}
}

func TestEmbeddedContent(t *testing.T) {
	c := Default()
	v24, _ := c.Version("2024-06-26")
	v25, _ := c.Version("2025-late")
	if v24.Confidence != ConfidencePrimary || v25.Confidence != ConfidenceSecondary {
		t.Errorf("confidence = %q, %q, want primary, secondary", v24.Confidence, v25.Confidence)
	}
	// The secondary version holds every 2024-06-26 row unchanged.
	for _, r := range v24.AllRows {
		if !slices.Contains(v25.AllRows, r) {
			t.Errorf("2025-late lacks 2024-06-26 row %+v", r)
		}
	}
	tests := []struct {
		version, host string
		cloud         Cloud
		scope         Scope
		want          string // address of the best row, "" for none
		deprecated    bool
	}{
		{"2022-08-30", "kms.core.windows.net", CloudPublic, ScopeSessionHost, "kms.core.windows.net", false},
		{"2024-06-26", "kms.core.windows.net", CloudPublic, ScopeSessionHost, "kms.core.windows.net", true},
		{"2024-06-26", "kms.core.usgovcloudapi.net", CloudUSGov, ScopeSessionHost, "kms.core.usgovcloudapi.net", true},
		{"2024-06-26", "gsm1xt.blob.core.windows.net", CloudPublic, ScopeSessionHost, "*xt.blob.core.windows.net", true},
		{"2024-06-26", "gsm1eh.servicebus.windows.net", CloudPublic, ScopeSessionHost, "*eh.servicebus.windows.net", false},
		{"2022-08-30", "gsm1eh.servicebus.windows.net", CloudPublic, ScopeSessionHost, "*eh.servicebus.windows.net", true},
		{"2024-06-26", "rdgateway-c100-cne2-r1.wvd.azure.cn", CloudChina, ScopeSessionHost, "*.wvd.azure.cn", false},
		{"2024-06-26", "gsm1xt.blob.core.chinacloudapi.cn", CloudChina, ScopeSessionHost, "*xt.blob.core.chinacloudapi.cn", false},
		{"2024-06-26", "rdbroker.wvd.azure.us", CloudUSGov, ScopeSessionHost, "*.wvd.azure.us", false},
		{"2024-06-26", "rdbroker.wvd.microsoft.com", CloudUSGov, ScopeSessionHost, "", false},
		{"2024-06-26", "eastus2-shared.prod.warm.ingest.monitor.core.windows.net", CloudPublic, ScopeSessionHost, "*.prod.warm.ingest.monitor.core.windows.net", false},
		{"2024-06-26", "x.service.windows.cloud.microsoft", CloudPublic, ScopeSessionHost, "", false},
		{"2025-late", "x.service.windows.cloud.microsoft", CloudPublic, ScopeSessionHost, "*.service.windows.cloud.microsoft", false},
		{"2025-late", "a.windows.cloud.microsoft", CloudPublic, ScopeSessionHost, "*.windows.cloud.microsoft", false},
		{"2024-06-26", "x.servicebus.windows.net", CloudPublic, ScopeClient, "*.servicebus.windows.net", false},
	}
	for _, tt := range tests {
		v, err := c.Version(tt.version)
		if err != nil {
			t.Fatal(err)
		}
		r, ok := v.Match(tt.host, tt.cloud, tt.scope)
		got := ""
		if ok {
			got = r.Address
		}
		if got != tt.want || r.Deprecated != tt.deprecated {
			t.Errorf("%s: Match(%q, %s, %s) = %q (deprecated %v), want %q (deprecated %v)",
				tt.version, tt.host, tt.cloud, tt.scope, got, r.Deprecated, tt.want, tt.deprecated)
		}
	}
}

func TestNewest(t *testing.T) {
	if got := Default().Newest(); got == nil || got.ID != "2024-11-21.2" {
		t.Fatalf("Default().Newest() = %v, want 2024-11-21.2", got.ID)
	}
	c := &Catalog{Versions: []Version{
		{ID: "b", SourceDate: "2025-01-01", Confidence: ConfidenceSecondary},
		{ID: "a", SourceDate: "2023-01-01", Confidence: ConfidenceSecondary},
	}}
	if got := c.Newest(); got == nil || got.ID != "b" {
		t.Errorf("Newest() without primary versions = %v, want b", got)
	}
	if got := (&Catalog{}).Newest(); got != nil {
		t.Errorf("Newest() of an empty catalog = %v, want nil", got)
	}
}

func TestVersion(t *testing.T) {
	c := Default()
	if v, err := c.Version("2022-08-30"); err != nil || v.ID != "2022-08-30" {
		t.Errorf("Version(%q) = %v, %v", "2022-08-30", v, err)
	}
	_, err := c.Version("2099-01-01")
	want := `unknown catalog version "2099-01-01" (known: 2022-08-30, 2024-06-26, 2024-11-21, 2024-11-21.2, 2025-late)`
	if err == nil || err.Error() != want {
		t.Errorf("Version(%q) error = %v, want %s", "2099-01-01", err, want)
	}
}

func TestDefaultIsACopy(t *testing.T) {
	a := Default()
	a.Versions[0].AllRows[0].Address = "changed.example"
	a.Versions = a.Versions[:1]
	b := Default()
	if len(b.Versions) == 1 || b.Versions[0].AllRows[0].Address == "changed.example" {
		t.Error("changing Default()'s result changed the next Default()")
	}
}

func TestRowsSorted(t *testing.T) {
	v := Default().Newest()
	rows := v.Rows(CloudPublic, ScopeSessionHost)
	if !slices.IsSortedFunc(rows, compareRows) {
		t.Errorf("Rows(public, sessionhost) not sorted: %v", rows)
	}
	if rows[0].Deprecated || !rows[0].Required || !rows[len(rows)-1].Deprecated {
		t.Errorf("Rows(public, sessionhost): want required rows first and deprecated last")
	}
	for _, r := range rows {
		if r.Cloud != CloudPublic || r.Scope != ScopeSessionHost {
			t.Errorf("Rows(public, sessionhost) holds %+v", r)
		}
	}
	if got := v.Rows(CloudChina, ScopeClient); len(got) != 0 {
		t.Errorf("Rows(china, client) = %v, want none", got)
	}
	rows[0].Address = "changed.example"
	if v.Rows(CloudPublic, ScopeSessionHost)[0].Address == "changed.example" {
		t.Error("Rows returned the version's own storage")
	}
}

func TestParseCloud(t *testing.T) {
	tests := []struct {
		in   string
		want Cloud
		ok   bool
	}{
		{"public", CloudPublic, true},
		{"AzureCloud", CloudPublic, true},
		{" usgov ", CloudUSGov, true},
		{"AZUREUSGOVERNMENT", CloudUSGov, true},
		{"china", CloudChina, true},
		{"azurechinacloud", CloudChina, true},
		{"", "", false},
		{"germany", "", false},
	}
	for _, tt := range tests {
		got, err := ParseCloud(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseCloud(%q) = %q, %v, want %q (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if _, err := ParseCloud("germany"); err == nil || !strings.Contains(err.Error(), "public, usgov or china") {
		t.Errorf("ParseCloud(%q) error = %v, want the list of clouds", "germany", err)
	}
}

func TestParseScope(t *testing.T) {
	tests := []struct {
		in   string
		want Scope
		ok   bool
	}{
		{"sessionhost", ScopeSessionHost, true},
		{"Session-Host", ScopeSessionHost, true},
		{"client", ScopeClient, true},
		{"CLIENT", ScopeClient, true},
		{"host", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := ParseScope(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseScope(%q) = %q, %v, want %q (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, embedded, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(good); err != nil {
		t.Errorf("LoadFile(%q) = %v", good, err)
	}
	bad := filepath.Join(dir, "catalog.json")
	broken := strings.Replace(string(embedded), `"port": 443`, `"port": 0`, 1)
	if err := os.WriteFile(bad, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(bad)
	want := fmt.Sprintf(`%s: version "2022-08-30", row 1 ("login.microsoftonline.com"): port 0 out of range 1-65535`, bad)
	if err == nil || err.Error() != want {
		t.Errorf("LoadFile(%q) error = %v, want %s", bad, err, want)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("LoadFile(missing) = nil error")
	}
}
