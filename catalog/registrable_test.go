package catalog

import (
	"strings"
	"testing"
)

// TestCustomerNamedParentZones: a wildcard is registrable when any label
// under it can be a customer's resource: directly over a customer zone, or
// over a parent zone of one (any number of labels under *.core.windows.net
// reaches <account>.blob.core.windows.net).
func TestCustomerNamedParentZones(t *testing.T) {
	for addr, want := range map[string]bool{
		"*.blob.core.windows.net":                     true,
		"*xt.blob.core.windows.net":                   true,
		"*.core.windows.net":                          true,
		"*.windows.net":                               true,
		"*.core.usgovcloudapi.net":                    true,
		"*.chinacloudapi.cn":                          true,
		"*.servicebus.windows.net":                    true,
		"*.wvd.microsoft.com":                         false,
		"*.prod.warm.ingest.monitor.core.windows.net": false,
		"*lit.core.windows.net":                       false, // one label directly under core.windows.net: no customer's
		"login.microsoftonline.com":                   false,
		"blob.core.windows.net":                       false,
	} {
		if got := customerNamed(Row{Address: addr}); got != want {
			t.Errorf("customerNamed(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestRegistrableWarnings: a catalog version that has registrable wildcard
// rows says so, one warning a row, naming the customer zone under it.
func TestRegistrableWarnings(t *testing.T) {
	v := Version{ID: "x", AllRows: []Row{
		{Address: "*.core.windows.net", Cloud: CloudPublic, Scope: ScopeSessionHost},
		{Address: "*.wvd.microsoft.com", Cloud: CloudPublic, Scope: ScopeSessionHost},
		{Address: "*eh.servicebus.windows.net", Cloud: CloudPublic, Scope: ScopeSessionHost, Registrable: true},
	}}
	w := v.RegistrableWarnings()
	if len(w) != 2 {
		t.Fatalf("RegistrableWarnings = %q, want 2", w)
	}
	want := "catalog x: row *.core.windows.net (public/sessionhost): any Azure customer can name a resource under it (blob.core.windows.net is a customer zone); names under it go to review, never to an allowlist"
	if w[0] != want {
		t.Errorf("warning %q, want %q", w[0], want)
	}
	if want := "catalog x: row *eh.servicebus.windows.net (public/sessionhost): any Azure customer can name a resource under it (servicebus.windows.net is a customer zone)"; !strings.HasPrefix(w[1], want) {
		t.Errorf("warning %q, want %q...", w[1], want)
	}
}
