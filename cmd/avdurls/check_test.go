package main

import (
	"io"
	"strings"
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

// TestCheckProxyExit2: a proxy setting check cannot use is exit 2 before
// anything is checked, naming the setting, its credentials shown as ***.
func TestCheckProxyExit2(t *testing.T) {
	for _, v := range []string{"HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "NO_PROXY", "no_proxy"} {
		t.Setenv(v, "")
	}
	for _, tc := range []struct{ env, value, flag, name, secret string }{
		{"HTTPS_PROXY", "http://user:pa#ss@proxy:3128", "", "HTTPS_PROXY", "pa#ss"},
		{"HTTP_PROXY", "gopher://proxy:70", "", "HTTP_PROXY", ""},
		{"https_proxy", "http://user:1234/x@proxy:3128", "", "https_proxy", "1234"},
		{"", "", "ftp://u:s3cret@proxy:21", "--proxy", "s3cret"},
	} {
		if tc.env != "" {
			t.Setenv(tc.env, tc.value)
		}
		args := []string{"--catalog-only", "--region", "westeurope"}
		if tc.flag != "" {
			args = append(args, "--proxy", tc.flag)
		}
		var out, errb strings.Builder
		code, err := newEnv(&out, &errb).cmdCheck(args)
		if code != exitUsage || err == nil || !strings.HasPrefix(err.Error(), tc.name+" ") || (tc.secret != "" && strings.Contains(err.Error()+errb.String(), tc.secret)) {
			t.Errorf("%s %q: exit %d, %v; want exit 2 naming %s without the credentials", tc.name, tc.value+tc.flag, code, err, tc.name)
		}
		if out.Len() > 0 {
			t.Errorf("%s: wrote %q", tc.name, out.String())
		}
		if tc.env != "" {
			t.Setenv(tc.env, "")
		}
	}
}
