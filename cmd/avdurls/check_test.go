package main

import (
	"io"
	"testing"
)

// TestCheckCatalogOnlyTargets: --catalog-only lists the catalog's rows of
// the region (names, IP rules) and its wildcards, without the network.
func TestCheckCatalogOnlyTargets(t *testing.T) {
	o := checkOptions{catalogOnly: true, region: "westeurope", regionGiven: true, cloud: "public", scope: "sessionhost"}
	ts, err := newEnv(io.Discard, io.Discard).checkTargets(o)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, tg := range ts {
		if tg.Region != "westeurope" {
			t.Errorf("%s in region %q", tg.Address, tg.Region)
		}
		have[tg.Address+" "+tg.Kind] = true
	}
	for _, want := range []string{"login.microsoftonline.com fqdn", "169.254.169.254 ip", "168.63.129.16 ip", "*.wvd.microsoft.com wildcard"} {
		if !have[want] {
			t.Errorf("no %s among %v", want, have)
		}
	}
}
