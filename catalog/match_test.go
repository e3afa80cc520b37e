package catalog

import (
	"encoding/json"
	"testing"
)

func TestKind(t *testing.T) {
	tests := []struct {
		addr string
		want RowKind
	}{
		{"login.microsoftonline.com", KindFQDN},
		{"aka.ms", KindFQDN},
		{"*.wvd.microsoft.com", KindWildcard},
		{"*xt.blob.core.windows.net", KindWildcard},
		{"169.254.169.254", KindIP},
		{"2001:db8::1", KindIP},
		{"300.1.1.1", KindIP},
		{"51.5.0.0/16", KindCIDR},
	}
	for _, tt := range tests {
		if got := (Row{Address: tt.addr}).Kind(); got != tt.want {
			t.Errorf("Kind(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	b, err := json.Marshal(struct{ K RowKind }{KindWildcard})
	if err != nil || string(b) != `{"K":"wildcard"}` {
		t.Errorf("json.Marshal(KindWildcard) = %s, %v", b, err)
	}
	if got := RowKind(0).String(); got != "RowKind(0)" {
		t.Errorf("RowKind(0).String() = %q", got)
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		addr, host string
		want       bool
	}{
		// Exact rows.
		{"login.microsoftonline.com", "login.microsoftonline.com", true},
		{"login.microsoftonline.com", "LOGIN.MicrosoftOnline.com", true},
		{"login.microsoftonline.com", "login.microsoftonline.com.", true},
		{"Login.MicrosoftOnline.com", "login.microsoftonline.com", true},
		{"login.microsoftonline.com", "x.login.microsoftonline.com", false},
		{"login.microsoftonline.com", "login.microsoftonline.com.evil.example", false},
		{"login.microsoftonline.com", "login.microsoftonline.co", false},
		{"login.microsoftonline.com", "login.xn--microsoftonlin-0ub.com", false},
		{"aka.ms", "aka.ms", true},
		{"aka.ms", "\u212aaka.ms", false}, // Kelvin sign, not "k"
		{"www.microsoft.com", "www.\u212ficrosoft.com", false},

		// "*.suffix".
		{"*.wvd.microsoft.com", "rdbroker.wvd.microsoft.com", true},
		{"*.wvd.microsoft.com", "fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f.rdbroker-g-us-r0.wvd.microsoft.com", true},
		{"*.wvd.microsoft.com", "rdgateway-c225-UKS-r1.wvd.microsoft.com", true},
		{"*.wvd.microsoft.com", "xn--80ak6aa92e.wvd.microsoft.com", false}, // one validator: IDN labels are refused everywhere
		{"*.wvd.microsoft.com", "wvd.microsoft.com", false},
		{"*.wvd.microsoft.com", "evilwvd.microsoft.com", false},
		{"*.wvd.microsoft.com", "wvd.microsoft.com.evil.example", false},
		{"*.wvd.microsoft.com", "rdbroker.wvd.microsoft.com.evil.example", false},
		{"*.wvd.microsoft.com", "rdbroker.xn--wvd-microsoft-9db.com", false},
		{"*.wvd.microsoft.com", "rdbroker.wvd.xn--microsft-3ya.com", false},
		{"*.wvd.microsoft.com", "xn--wvd-microsoft-com.example", false},
		{"*.wvd.microsoft.com", ".wvd.microsoft.com", false},
		{"*.wvd.microsoft.com", "a..wvd.microsoft.com", false},
		{"*.wvd.microsoft.com", "a b.wvd.microsoft.com", false},
		{"*.wvd.microsoft.com", "a/b.wvd.microsoft.com", false},
		{"*.wvd.microsoft.com", "a_b.wvd.microsoft.com", false},
		{"*.wvd.microsoft.com", "-a.wvd.microsoft.com", false},
		{"*.wvd.microsoft.com", "", false},
		{"*.WVD.Microsoft.com", "rdbroker.wvd.microsoft.com", true},
		{"*.prod.warm.ingest.monitor.core.windows.net", "eastus2-shared.prod.warm.ingest.monitor.core.windows.net", true},
		{"*.prod.warm.ingest.monitor.core.windows.net", "qos.prod.warm.ingest.monitor.core.windows.net", true},
		{"*.prod.warm.ingest.monitor.core.windows.net", "prod.warm.ingest.monitor.core.windows.net", false},
		{"*.prod.warm.ingest.monitor.core.windows.net", "core.windows.net", false},
		{"*.prod.warm.ingest.monitor.core.windows.net", "windows.net", false},
		{"*.servicebus.windows.net", "windows.net", false},
		{"*.servicebus.windows.net", "core.windows.net", false},

		// "*lit.suffix".
		{"*xt.blob.core.windows.net", "gsm123xt.blob.core.windows.net", true},
		{"*xt.blob.core.windows.net", "GSM123XT.blob.core.windows.net", true},
		{"*xt.blob.core.windows.net", "axt.blob.core.windows.net", true},
		{"*xt.blob.core.windows.net", "xt.blob.core.windows.net", false},
		{"*xt.blob.core.windows.net", "a.bxt.blob.core.windows.net", false},
		{"*xt.blob.core.windows.net", "gsm123xtblob.core.windows.net", false},
		{"*xt.blob.core.windows.net", "gsm123xy.blob.core.windows.net", false},
		{"*xt.blob.core.windows.net", "blob.core.windows.net", false},
		{"*xt.blob.core.windows.net", "core.windows.net", false},
		{"*xt.blob.core.windows.net", "windows.net", false},
		{"*xt.blob.core.windows.net", "gsm123xt.blob.core.windows.net.evil.example", false},
		{"*eh.servicebus.windows.net", "gsm987eh.servicebus.windows.net", true},
		{"*eh.servicebus.windows.net", "eh.servicebus.windows.net", false},
		{"*eh.servicebus.windows.net", "x.gsm987eh.servicebus.windows.net", false},

		// IP and CIDR rows never match a host name.
		{"169.254.169.254", "169.254.169.254", false},
		{"51.5.0.0/16", "51.5.0.1", false},
		{"51.5.0.0/16", "51.5.0.0/16", false},

		// Rows that Validate rejects match nothing wild.
		{"*", "a.b", false},
		{"*.com", "evil.com", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := (Row{Address: tt.addr}).Matches(tt.host); got != tt.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tt.addr, tt.host, got, tt.want)
		}
	}
}

func TestMatchBest(t *testing.T) {
	row := func(addr string, required, deprecated bool) Row {
		return Row{Address: addr, Port: 443, Protocol: "TCP", Cloud: CloudPublic, Scope: ScopeSessionHost, Required: required, Deprecated: deprecated}
	}
	v := &Version{AllRows: []Row{
		row("*.core.windows.net", true, false),
		row("*.blob.core.windows.net", false, false),
		row("*xt.blob.core.windows.net", false, true),
		row("mrsglobalsteus2prod.blob.core.windows.net", true, false),
		row("*.wvd.microsoft.com", false, true),
		row("*.wvd.microsoft.com", true, false), // port differs below
		row("*.a.example", false, false),
		row("*.a.example", true, false),
		row("*.d.example", false, true),
		row("*.d.example", false, false),
		{Address: "*.other.example", Port: 443, Protocol: "TCP", Cloud: CloudUSGov, Scope: ScopeSessionHost, Required: true},
		{Address: "*.client.example", Port: 443, Protocol: "TCP", Cloud: CloudPublic, Scope: ScopeClient, Required: true},
	}}
	v.AllRows[5].Port = 80
	tests := []struct {
		host       string
		want       string
		deprecated bool
		required   bool
	}{
		{"mrsglobalsteus2prod.blob.core.windows.net", "mrsglobalsteus2prod.blob.core.windows.net", false, true}, // exact beats wildcard
		{"gsm1xt.blob.core.windows.net", "*xt.blob.core.windows.net", true, false},                              // longer literal, though deprecated
		{"foo.blob.core.windows.net", "*.blob.core.windows.net", false, false},                                  // longer suffix
		{"foo.table.core.windows.net", "*.core.windows.net", false, true},
		{"x.wvd.microsoft.com", "*.wvd.microsoft.com", false, true},                                              // same specificity: supported beats deprecated
		{"x.a.example", "*.a.example", false, true},                                                              // then required beats optional
		{"x.d.example", "*.d.example", false, false},                                                             // supported optional beats deprecated
		{"x.other.example", "", false, false},                                                                    // other cloud
		{"x.client.example", "", false, false},                                                                   // other scope
		{"windows.net", "", false, false},                                                                        // no row
		{"not a host", "", false, false},                                                                         // not a host name
		{"MRSGLOBALSTEUS2PROD.BLOB.CORE.WINDOWS.NET.", "mrsglobalsteus2prod.blob.core.windows.net", false, true}, // normalised
	}
	for _, tt := range tests {
		r, ok := v.Match(tt.host, CloudPublic, ScopeSessionHost)
		got := ""
		if ok {
			got = r.Address
		}
		if got != tt.want || r.Deprecated != tt.deprecated || r.Required != tt.required {
			t.Errorf("Match(%q) = %q (required %v, deprecated %v), want %q (required %v, deprecated %v)",
				tt.host, got, r.Required, r.Deprecated, tt.want, tt.required, tt.deprecated)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	v := Default().Newest()
	for b.Loop() {
		v.Match("fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f.rdbroker-g-us-r0.wvd.microsoft.com", CloudPublic, ScopeSessionHost)
	}
}
