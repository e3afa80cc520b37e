package catalog

import (
	"strings"
	"testing"
)

func TestRegionTable(t *testing.T) {
	for _, c := range Clouds() {
		rs := Regions(c)
		if len(rs) == 0 {
			t.Fatalf("Regions(%s) is empty", c)
		}
		for _, r := range rs {
			if err := CheckRegion(c, r.Name); err != nil {
				t.Errorf("CheckRegion(%s, %q) = %v, want nil", c, r.Name, err)
			}
			if r.DisplayName == "" || r.Geography == "" {
				t.Errorf("region %s/%s lacks a display name or geography", c, r.Name)
			}
			for i := 0; i < len(r.Name); i++ {
				if ch := r.Name[i]; !('a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9') {
					t.Errorf("region name %q is not lower-case letters and digits", r.Name)
				}
			}
		}
	}
	for _, must := range []struct {
		c    Cloud
		name string
	}{{CloudPublic, "westeurope"}, {CloudPublic, "eastus2"}, {CloudPublic, "italynorth"}, {CloudUSGov, "usgovvirginia"}, {CloudChina, "chinanorth3"}} {
		if _, ok := LookupRegion(must.c, must.name); !ok {
			t.Errorf("LookupRegion(%s, %q) not found", must.c, must.name)
		}
	}
}

func TestCheckRegion(t *testing.T) {
	tests := []struct {
		cloud Cloud
		in    string
		want  string // substring of the error; "" for nil
	}{
		{CloudPublic, "westeurope", ""},
		{CloudPublic, "westeuropee", "did you mean westeurope?"},
		{CloudPublic, "eastu2", "did you mean eastus or eastus2?"},
		{CloudPublic, "", "empty region name"},
		{CloudPublic, "West Europe", "write it as westeurope"},
		{CloudPublic, "usgovvirginia", "region of cloud usgov"},
		{CloudChina, "westeurope", "region of cloud public"},
		{CloudPublic, "../../x/avd", "is not an Azure region"},
		{CloudPublic, "eu\nevil.example.com", `"eu\\x0aevil.example.com"`},
		{CloudPublic, "unknown", "is not an Azure region"},
		{CloudPublic, strings.Repeat("a", 10000), "is not an Azure region"},
	}
	for _, tt := range tests {
		err := CheckRegion(tt.cloud, tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckRegion(%s, %q) = %v, want nil", tt.cloud, tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckRegion(%s, %q) = %v, want an error with %q", tt.cloud, tt.in, err, tt.want)
		case err != nil && strings.ContainsAny(err.Error(), "\n\x1b"):
			t.Errorf("CheckRegion(%s, %q) error holds control characters: %q", tt.cloud, tt.in, err)
		}
	}
}

// TestRestrictedAndReportedRegions: restricted-access regions are in the
// table; a region Azure reported that the table lacks is taken with a
// note when it has the form of one, refused otherwise; typed regions keep
// the did-you-mean check.
func TestRestrictedAndReportedRegions(t *testing.T) {
	for _, name := range []string{"swedensouth", "taiwannorth", "israelnorthwest", "usdodeast"} {
		c := CloudPublic
		if name == "usdodeast" {
			c = CloudUSGov
		}
		ri, ok := LookupRegion(c, name)
		if !ok || !ri.Restricted {
			t.Errorf("%s: %+v, %v; want a restricted region", name, ri, ok)
		}
	}
	if note, err := CheckReportedRegion(CloudPublic, "westeurope"); note != "" || err != nil {
		t.Errorf("westeurope: %q, %v", note, err)
	}
	if note, err := CheckReportedRegion(CloudPublic, "newregion2"); err != nil || !strings.Contains(note, "not in avdurls's region table") {
		t.Errorf("newregion2: %q, %v", note, err)
	}
	for _, bad := range []string{"West Europe", "../x", "usgovvirginia", "a"} {
		if _, err := CheckReportedRegion(CloudPublic, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := CheckRegion(CloudPublic, "newregion2"); err == nil {
		t.Error("a typed region the table lacks was accepted")
	}
}
