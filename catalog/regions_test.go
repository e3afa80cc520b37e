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
