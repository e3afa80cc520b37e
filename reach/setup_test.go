package reach

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProxyFunc: a given proxy is used for every name; a proxy that is
// not http://host:port is refused; none at all is nil.
func TestProxyFunc(t *testing.T) {
	for _, v := range []string{"HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"} {
		t.Setenv(v, "")
	}
	if pf, err := ProxyFunc(""); pf != nil || err != nil {
		t.Errorf("no proxy: %v, %v", pf != nil, err)
	}
	pf, err := ProxyFunc("http://user:pw@127.0.0.1:3128")
	if err != nil {
		t.Fatal(err)
	}
	u, err := pf(&url.URL{Scheme: "https", Host: "login.microsoftonline.com"})
	if err != nil || u == nil || u.Host != "127.0.0.1:3128" {
		t.Errorf("proxy for a name: %v, %v", u, err)
	}
	for _, bad := range []string{"127.0.0.1:3128", "ftp://x:1", "http://"} {
		if _, err := ProxyFunc(bad); err == nil || !strings.Contains(err.Error(), "give http://host:port") {
			t.Errorf("ProxyFunc(%q) = %v", bad, err)
		}
	}
}

// TestReadPEMCerts: a file without a certificate is an error naming it.
func TestReadPEMCerts(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.pem")
	if err := os.WriteFile(p, []byte("not pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPEMCerts(p, nil); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("ReadPEMCerts: %v", err)
	}
}
