package main

// The lab of check with real components: the test re-runs its own binary
// (the helper process) inside a private network and mount namespace
// (unshare -n -m, as root). There, only loopback exists, with the lab's
// addresses added to it and a default route into it, so nothing can
// leave; an iptables chain counts (and drops) any packet to an address
// that is not the lab's, and the test asserts it counted none. The
// helper starts Debian's dnsmasq (catalog names, NXDOMAIN, no answer,
// REFUSED), Go TLS and HTTP servers (a public-looking CA and an
// inspection CA), squid as a plain proxy that allows some names and
// denies others and as an ssl-bump proxy, drops one address with
// iptables and leaves a port closed; bind-mounts a hosts file that lies;
// then runs avdurls check through the command (run) per case and writes
// what it saw to results.json for the test to judge.

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// netnsEnv, set to the lab's directory, makes the test binary the helper
// process.
const netnsEnv = "AVDURLS_NETNS_LAB"

func init() {
	if dir := os.Getenv(netnsEnv); dir != "" {
		os.Exit(netnsHelper(dir))
	}
}

// The lab's addresses, all on the namespace's loopback.
const (
	labPublic   = "20.1.0.1"  // TLS of the public-looking CA, HTTP 200 over it
	labInspect  = "20.1.0.2"  // TLS of the inspection CA
	labDropped  = "20.1.0.3"  // dropped by iptables
	labClosed   = "20.1.0.4"  // nothing listens
	labHTTP     = "20.1.0.5"  // HTTP 200 on port 80
	labBlock    = "10.9.0.80" // a private filtering device: 403 with X-Squid-Error
	labDNS      = "10.9.0.53" // dnsmasq
	labSquid    = "10.9.0.31" // squid: 3128 plain, 3129 ssl-bump
	labNowhere  = "20.1.0.9"  // dnsmasq's upstream for one name: never answers
	labHostsLie = "20.1.0.99" // what the hosts file says
)

// labCase is one run of check in the lab and what it gave.
type labCase struct {
	Name   string
	Args   []string
	Env    map[string]string
	Code   int
	Stdout string
	Stderr string
}

// labResults is what the helper writes for the test.
type labResults struct {
	Cases      []labCase
	DNSLog     string
	SquidLog   string
	CacheLog   string // squid's, for failures
	Escaped    string // iptables counters of packets to non-lab addresses
	SetupError string
}

// TestCheckNetnsLab runs the lab and judges each case: stage, reason
// words, inspection, proxy and exit code; dnsmasq saw the queries, squid
// logged its denials, and no packet went to an address outside the lab.
func TestCheckNetnsLab(t *testing.T) {
	need := []string{"unshare", "ip", "iptables", "dnsmasq", "squid", "mount"}
	var missing []string
	for _, tool := range need {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if _, err := os.Stat(certgenPath); err != nil {
		missing = append(missing, certgenPath+" (squid-openssl)")
	}
	if os.Geteuid() != 0 {
		missing = append(missing, "root (for unshare -n -m)")
	}
	if len(missing) > 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the check lab needs %v (apt-get install iptables dnsmasq squid-openssl; run as root)", missing)
		}
		t.Skipf("the check lab needs %v", missing)
	}
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} { // squid runs as the proxy user
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("unshare", "-n", "-m", "--propagation", "private", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), netnsEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	b, rerr := os.ReadFile(filepath.Join(dir, "results.json"))
	if rerr != nil {
		t.Fatalf("the lab helper wrote no results (%v): %v\n%s", rerr, err, out)
	}
	var res labResults
	if err := json.Unmarshal(b, &res); err != nil || res.SetupError != "" {
		t.Fatalf("lab: %v %s\n%s", err, res.SetupError, out)
	}
	judgeLab(t, res)
	if t.Failed() {
		t.Logf("squid's access log:\n%s\nsquid's cache log:\n%s\ndnsmasq's log:\n%s", res.SquidLog, res.CacheLog, res.DNSLog)
	}
}

// labWant is what one entry of a case must show.
type labWant struct {
	entry   string // address:port
	checked bool
	ok      bool
	stage   string
	reason  []string // regular expressions, all must match
	inspect bool
	proxy   string // regular expression of the proxy field
	// resolved, when not empty, is the addresses resolved, joined by ",".
	resolved string
}

// judgeLab asserts the results of every case and the logs.
func judgeLab(t *testing.T, res labResults) {
	cases := map[string]labCase{}
	for _, c := range res.Cases {
		cases[c.Name] = c
	}
	for name, want := range labExpect() {
		c, ok := cases[name]
		if !ok {
			t.Errorf("case %s did not run", name)
			continue
		}
		if c.Code != want.code {
			t.Errorf("%s: exit %d, want %d\nstderr: %s", name, c.Code, want.code, c.Stderr)
		}
		for _, re := range want.stderr {
			if !regexp.MustCompile(re).MatchString(c.Stderr) {
				t.Errorf("%s: stderr %q lacks %q", name, c.Stderr, re)
			}
		}
		for _, secret := range []string{"s#cret", "s%23cret"} {
			if strings.Contains(c.Stdout+c.Stderr, secret) {
				t.Errorf("%s: the proxy password is printed", name)
			}
		}
		if len(want.entries) > 0 {
			judgeEntries(t, name, c.Stdout, want.entries)
		}
	}
	for _, q := range []string{"query[A] login.microsoftonline.com from", "query[A] aka.ms from", "query[A] azkms.core.windows.net from", "query[A] ctldl.windowsupdate.com from"} {
		if !strings.Contains(res.DNSLog, q) {
			t.Errorf("dnsmasq's log lacks %q:\n%s", q, res.DNSLog)
		}
	}
	if strings.Contains(res.DNSLog, "query[A] intranet.contoso.com") {
		t.Errorf("a name the catalog does not allow was looked up")
	}
	for _, re := range []string{`TCP_DENIED/403 .*CONNECT catalogartifact\.azureedge\.net:443`, `TCP_DENIED/403 .*oneocsp\.microsoft\.com`, `CONNECT login\.microsoftonline\.com:443`} {
		if !regexp.MustCompile(re).MatchString(res.SquidLog) {
			t.Errorf("squid's access log lacks %q:\n%s", re, res.SquidLog)
		}
	}
	if m := regexp.MustCompile(`(?m)^\s*(\d+)\s+\d+\s+DROP\s`).FindStringSubmatch(res.Escaped); m == nil || m[1] != "0" {
		t.Errorf("packets to addresses outside the lab (want none):\n%s", res.Escaped)
	}
}

// judgeEntries asserts the entries of a case's JSON output.
func judgeEntries(t *testing.T, name, stdout string, wants []labWant) {
	var doc struct {
		Results []struct {
			Address, Stage, Reason, Proxy string
			Port                          int
			Checked, OK, Inspection       bool
			Resolved                      []string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Errorf("%s: output is not JSON: %v\n%s", name, err, stdout)
		return
	}
	for _, w := range wants {
		found := false
		for _, r := range doc.Results {
			if fmt.Sprintf("%s:%d", r.Address, r.Port) != w.entry {
				continue
			}
			found = true
			if w.resolved != "" && strings.Join(r.Resolved, ",") != w.resolved {
				t.Errorf("%s, %s: resolved %v, want %s", name, w.entry, r.Resolved, w.resolved)
			}
			bad := r.Checked != w.checked || r.OK != w.ok || r.Stage != w.stage || r.Inspection != w.inspect ||
				!regexp.MustCompile(w.proxy).MatchString(r.Proxy)
			for _, re := range w.reason {
				bad = bad || !regexp.MustCompile(re).MatchString(r.Reason)
			}
			if bad {
				t.Errorf("%s, %s: checked %v, ok %v, stage %q, inspection %v, proxy %q, reason %q;\nwant checked %v, ok %v, stage %q, inspection %v, proxy %q, reason %q",
					name, w.entry, r.Checked, r.OK, r.Stage, r.Inspection, r.Proxy, r.Reason, w.checked, w.ok, w.stage, w.inspect, w.proxy, w.reason)
			}
		}
		if !found {
			t.Errorf("%s: no result for %s", name, w.entry)
		}
	}
}

// labCaseWant is what a case must give.
type labCaseWant struct {
	code    int
	stderr  []string
	entries []labWant
}

// labExpect is what each case must give.
func labExpect() map[string]labCaseWant {
	direct := "^$"
	plain := `^http://\*\*\*@10\.9\.0\.31:3128$`
	bump := `^http://10\.9\.0\.31:3129$`
	return map[string]labCaseWant{
		"direct": {code: 5, stderr: []string{`11 entries checked in .*: 3 passed, 8 failed \(dns 4, tcp 2, tls 1, http 1\); TLS inspection seen on 1; 3 not checked`}, entries: []labWant{
			{"login.microsoftonline.com:443", true, true, "", []string{"^$"}, false, direct, labPublic}, // not the hosts file's
			{"gcs.prod.monitoring.core.windows.net:443", true, true, "", []string{"^$"}, false, direct, ""},
			{"rdbroker.wvd.microsoft.com:443", true, false, "tcp", []string{`none of the 2 addresses accepted a connection, each tried for 2s`, `20\.1\.0\.3:443: no answer within 2s \(packets dropped`, `20\.1\.0\.4:443: connection refused`}, false, direct, ""},
			{"catalogartifact.azureedge.net:443", true, false, "tcp", []string{`^20\.1\.0\.4:443: connection refused`}, false, direct, ""},
			{"mrsglobalsteus2prod.blob.core.windows.net:443", true, false, "tls", []string{`TLS inspection: .*"Contoso Inspection CA"`, `passed on \(HTTP 200 OK\)`}, true, direct, ""},
			{"aka.ms:443", true, false, "dns", []string{`DNS server 10\.9\.0\.53:53 says aka\.ms does not exist \(NXDOMAIN\)`}, false, direct, ""},
			{"ctldl.windowsupdate.com:80", true, false, "dns", []string{`no answer from DNS server 10\.9\.0\.53:53 for ctldl\.windowsupdate\.com within 2s`}, false, direct, ""},
			{"azkms.core.windows.net:1688", true, false, "dns", []string{`answered REFUSED for azkms\.core\.windows\.net`}, false, direct, ""},
			{"wvdportalstorageblob.blob.core.windows.net:443", true, false, "dns", []string{`169\.254\.169\.254 .*169\.254\.0\.0/16 \(link-local`, `nothing was dialled`}, false, direct, ""},
			{"www.microsoft.com:80", true, true, "", []string{"^$"}, false, direct, ""},
			{"oneocsp.microsoft.com:80", true, false, "http", []string{`blocked by a squid proxy: HTTP 403 Forbidden \(X-Squid-Error: ERR_ACCESS_DENIED 0\)`}, false, direct, ""},
			{"intranet.contoso.com:22", false, false, "", []string{`^not checked: intranet\.contoso\.com is under no row`}, false, direct, ""},
			{"login.microsoftonline.com:8443", false, false, "", []string{`^not checked: catalog .* has no row for login\.microsoftonline\.com on 8443/TCP`}, false, direct, ""},
			{"20.1.0.1:22", false, false, "", []string{`^not checked: 20\.1\.0\.1 22/TCP is not a platform address`}, false, direct, ""},
		}},
		"squid": {code: 5, stderr: []string{`proxy: http://\*\*\*@10\.9\.0\.31:3128 for port 443, .* \(from --proxy\)`}, entries: []labWant{
			{"login.microsoftonline.com:443", true, true, "", []string{"^$"}, false, plain, ""},
			{"www.microsoft.com:80", true, true, "", []string{"^$"}, false, plain, ""},
			{"catalogartifact.azureedge.net:443", true, false, "tcp", []string{`answered CONNECT catalogartifact\.azureedge\.net:443 with 403 Forbidden \(X-Squid-Error: ERR_ACCESS_DENIED 0\): the proxy's rules deny the name`}, false, plain, ""},
			{"aka.ms:443", true, false, "tcp", []string{`with 500 Internal Server Error \(X-Squid-Error: ERR_CANNOT_FORWARD 0\): the proxy could not resolve or reach the name`}, false, plain, ""},
			{"oneocsp.microsoft.com:80", true, false, "http", []string{`blocked by the proxy \(squid\): HTTP 403 Forbidden \(X-Squid-Error: ERR_ACCESS_DENIED 0\)`}, false, plain, ""},
			{"login.windows.net:443", true, false, "tcp", []string{`with 503 Service Unavailable \(X-Squid-Error: ERR_CONNECT_FAIL 111\): the proxy could not resolve or reach the name`}, false, plain, ""},
		}},
		"ssl-bump": {code: 5, entries: []labWant{
			{"login.microsoftonline.com:443", true, false, "tls", []string{`TLS inspection: the certificate for login\.microsoftonline\.com was issued by "Contoso Inspection CA"`, `passed on \(HTTP 200 OK\)`}, true, bump, ""},
			{"catalogartifact.azureedge.net:443", true, false, "http", []string{`blocked by the proxy \(squid\): HTTP 403 Forbidden \(X-Squid-Error: ERR_ACCESS_DENIED 0\)`, `exempt the name from TLS inspection as well`, `Contoso Inspection CA`}, true, bump, ""},
			{"aka.ms:443", true, false, "http", []string{`blocked by the proxy \(squid\): HTTP 50[0-4] .*X-Squid-Error: ERR_`, `could not resolve or reach`, `exempt the name from TLS inspection as well`}, true, bump, ""},
			{"login.windows.net:443", true, false, "http", []string{`blocked by the proxy \(squid\): HTTP 503 Service Unavailable \(X-Squid-Error: ERR_CONNECT_FAIL 111\)`, `exempt the name from TLS inspection as well`}, true, bump, ""},
		}},
		"system-resolver": {code: 5, entries: []labWant{
			{"login.microsoftonline.com:443", true, false, "tcp", []string{`^20\.1\.0\.99:443: no answer within 2s`}, false, direct, labHostsLie},
			{"aka.ms:443", true, false, "dns", []string{`the system resolver says aka\.ms does not exist`}, false, direct, ""},
		}},
		"all-pass":  {code: 0, stderr: []string{`2 entries checked in .*: 2 passed, 0 failed`}},
		"bad-proxy": {code: 2, stderr: []string{`HTTPS_PROXY "socks4://\*\*\*@10\.9\.0\.31:1080": scheme socks4 is not one Go speaks to proxies`}},
	}
}

// certgenPath is squid's certificate generator (squid-openssl).
const certgenPath = "/usr/lib/squid/security_file_certgen"

// netnsHelper is the helper process, inside the namespace: it sets the
// lab up, runs the cases and writes results.json to dir.
func netnsHelper(dir string) int {
	res := labResults{}
	stop, err := labSetup(dir)
	defer stop()
	if err != nil {
		res.SetupError = err.Error()
	} else {
		res.Cases = labRun(dir)
		res.DNSLog = readLog(filepath.Join(dir, "dnsmasq.log"))
		res.SquidLog = readLog(filepath.Join(dir, "squid", "access.log"))
		res.CacheLog = readLog(filepath.Join(dir, "squid", "cache.log"))
		out, _ := exec.Command("iptables", "-L", "LABOUT", "-v", "-n", "-x").CombinedOutput()
		res.Escaped = string(out)
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "results.json"), b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func readLog(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// labSetup builds the lab; stop ends what it started.
func labSetup(dir string) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if err := labNetwork(dir); err != nil {
		return stop, err
	}
	pub, insp, err := labCAs(dir)
	if err != nil {
		return stop, err
	}
	servers, err := labServers(pub, insp)
	stops = append(stops, servers)
	if err != nil {
		return stop, err
	}
	for _, start := range []func(string) (func(), error){startDnsmasq, startSquid} {
		s, err := start(dir)
		if s != nil {
			stops = append(stops, s)
		}
		if err != nil {
			return stop, err
		}
	}
	return stop, nil
}

// sh runs a command of the lab's setup.
func sh(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// labNetwork brings loopback up with the lab's addresses and a default
// route into it, the iptables rules, and the lying hosts file and the
// lab's resolv.conf bind-mounted over the system's (this mount namespace
// only).
func labNetwork(dir string) error {
	cmds := [][]string{{"ip", "link", "set", "lo", "up"}}
	for _, a := range []string{labPublic, labInspect, labDropped, labClosed, labHTTP, labBlock, labDNS, labSquid} {
		cmds = append(cmds, []string{"ip", "addr", "add", a + "/32", "dev", "lo"})
	}
	cmds = append(cmds, []string{"ip", "route", "add", "default", "dev", "lo"},
		[]string{"iptables", "-A", "OUTPUT", "-d", labDropped, "-p", "tcp", "-j", "DROP"},
		[]string{"iptables", "-N", "LABOUT"},
		[]string{"iptables", "-A", "OUTPUT", "-j", "LABOUT"},
		[]string{"iptables", "-A", "LABOUT", "-d", "127.0.0.0/8", "-j", "RETURN"},
		[]string{"iptables", "-A", "LABOUT", "-d", "20.1.0.0/24", "-j", "RETURN"},
		[]string{"iptables", "-A", "LABOUT", "-d", "10.9.0.0/24", "-j", "RETURN"},
		[]string{"iptables", "-A", "LABOUT", "-j", "DROP"})
	for _, c := range cmds {
		if err := sh(c[0], c[1:]...); err != nil {
			return err
		}
	}
	files := map[string]string{
		"hosts":       "127.0.0.1 localhost\n" + labHostsLie + " login.microsoftonline.com gcs.prod.monitoring.core.windows.net\n",
		"resolv.conf": "nameserver " + labDNS + "\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
		if err := sh("mount", "--bind", p, "/etc/"+name); err != nil {
			return err
		}
	}
	return nil
}

// labCA is a certificate authority of the lab, RSA (squid's generator
// takes it).
type labCA struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

// newLabCA makes a CA named cn of the organisation org.
func newLabCA(cn, org string) (*labCA, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn, Organization: []string{org}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return &labCA{cert: cert, key: key}, err
}

// issue makes a server certificate for names.
func (ca *labCA) issue(names ...string) (tls.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}, err
}

// certPEM is a certificate in PEM.
func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// labCAs makes the public-looking CA (pub.pem, given to check as
// --ca-file and --public-ca) and the inspection CA (insp.pem with its
// key, for squid's ssl-bump).
func labCAs(dir string) (pub, insp *labCA, err error) {
	if pub, err = newLabCA("Lab Global Root G2", "DigiCert Inc"); err != nil {
		return nil, nil, err
	}
	if insp, err = newLabCA("Contoso Inspection CA", "Contoso"); err != nil {
		return nil, nil, err
	}
	key := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(insp.key)})
	for name, b := range map[string][]byte{"pub.pem": certPEM(pub.cert), "insp.pem": append(certPEM(insp.cert), key...)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, nil, err
		}
	}
	return pub, insp, nil
}

// labNames are the names the lab's TLS servers hold certificates for.
var labNames = []string{"login.microsoftonline.com", "gcs.prod.monitoring.core.windows.net", "rdbroker.wvd.microsoft.com",
	"catalogartifact.azureedge.net", "mrsglobalsteus2prod.blob.core.windows.net", "aka.ms"}

// labServers starts the Go servers: TLS of each CA answering HTTP 200,
// HTTP 200 on port 80, and a private filtering device's block page.
func labServers(pub, insp *labCA) (func(), error) {
	var servers []*http.Server
	stop := func() {
		for _, s := range servers {
			s.Close()
		}
	}
	answer := func(code int, h http.Header) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			for k, v := range h {
				w.Header()[k] = v
			}
			w.WriteHeader(code)
		})
	}
	for _, s := range []struct {
		addr string
		ca   *labCA
		h    http.Handler
	}{
		{labPublic + ":443", pub, answer(200, nil)},
		{labInspect + ":443", insp, answer(200, nil)},
		{labHTTP + ":80", nil, answer(200, http.Header{"Via": {"1.1 lab-cdn"}})},
		{labBlock + ":80", nil, answer(403, http.Header{"X-Squid-Error": {"ERR_ACCESS_DENIED 0"}})},
	} {
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			return stop, err
		}
		srv := &http.Server{Handler: s.h, ReadHeaderTimeout: 10 * time.Second}
		if s.ca != nil {
			cert, err := s.ca.issue(labNames...)
			if err != nil {
				return stop, err
			}
			ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
		}
		servers = append(servers, srv)
		go srv.Serve(ln)
	}
	return stop, nil
}

// startDnsmasq starts dnsmasq on the lab's DNS address: catalog names
// answered with lab addresses, aka.ms NXDOMAIN, ctldl.windowsupdate.com
// forwarded to an upstream that never answers, the rest REFUSED (no
// upstream), no hosts file.
func startDnsmasq(dir string) (func(), error) {
	args := []string{"--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces", "--listen-address=" + labDNS,
		"--log-queries", "--log-facility=" + filepath.Join(dir, "dnsmasq.log"), "--pid-file=" + filepath.Join(dir, "dnsmasq.pid"), "--user=root",
		"--cache-size=0",
		"--address=/login.microsoftonline.com/" + labPublic,
		"--address=/gcs.prod.monitoring.core.windows.net/" + labDropped, "--address=/gcs.prod.monitoring.core.windows.net/" + labPublic,
		"--address=/rdbroker.wvd.microsoft.com/" + labDropped, "--address=/rdbroker.wvd.microsoft.com/" + labClosed,
		"--address=/catalogartifact.azureedge.net/" + labClosed, "--address=/login.windows.net/" + labClosed,
		"--address=/mrsglobalsteus2prod.blob.core.windows.net/" + labInspect,
		"--address=/wvdportalstorageblob.blob.core.windows.net/169.254.169.254",
		"--address=/www.microsoft.com/" + labHTTP,
		"--address=/oneocsp.microsoft.com/" + labBlock,
		"--address=/aka.ms/",
		"--server=/ctldl.windowsupdate.com/" + labNowhere,
	}
	return startDaemon(exec.Command("dnsmasq", args...), labDNS+":53", "udp")
}

// startDaemon starts cmd and waits until addr answers; stop kills it (by
// its own process id) and waits for it.
func startDaemon(cmd *exec.Cmd, addr, network string) (func(), error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	for range 100 {
		if network == "udp" {
			time.Sleep(300 * time.Millisecond) // dnsmasq binds at once
			return stop, nil
		}
		if c, err := net.DialTimeout(network, addr, 100*time.Millisecond); err == nil {
			c.Close()
			return stop, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return stop, fmt.Errorf("%s did not start on %s: %s", cmd.Path, addr, out.String())
}

// squidConf is squid's configuration: port 3128 a plain proxy, 3129 an
// ssl-bump one whose certificates the inspection CA signs; both allow
// login.microsoftonline.com, www.microsoft.com, aka.ms (which the lab
// DNS says does not exist) and login.windows.net (at the closed port) and
// deny the rest.
const squidConf = `http_port {{SQUID}}:3128
http_port {{SQUID}}:3129 ssl-bump cert={{DIR}}/insp.pem generate-host-certificates=on dynamic_cert_mem_cache_size=4MB
sslcrtd_program {{CERTGEN}} -s {{SDIR}}/ssl_db -M 4MB
sslcrtd_children 2 startup=1 idle=1
tls_outgoing_options cafile={{DIR}}/pub.pem
ssl_bump bump all
acl allowed dstdomain login.microsoftonline.com www.microsoft.com aka.ms login.windows.net
http_access allow allowed
http_access deny all
dns_nameservers {{DNS}}
hosts_file none
access_log stdio:{{SDIR}}/access.log
cache_log {{SDIR}}/cache.log
pid_filename {{SDIR}}/squid.pid
cache deny all
coredump_dir {{SDIR}}
visible_hostname avdurls-lab
shutdown_lifetime 0 seconds
`

// startSquid writes squid's configuration and certificate database and
// starts it in the foreground.
func startSquid(dir string) (func(), error) {
	sdir := filepath.Join(dir, "squid") // the proxy user's: logs, certificate database
	conf := strings.NewReplacer("{{SQUID}}", labSquid, "{{DIR}}", dir, "{{SDIR}}", sdir, "{{CERTGEN}}", certgenPath, "{{DNS}}", labDNS).Replace(squidConf)
	p := filepath.Join(dir, "squid.conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	if err := os.Mkdir(sdir, 0o755); err != nil {
		return nil, err
	}
	if err := sh(certgenPath, "-c", "-s", filepath.Join(sdir, "ssl_db"), "-M", "4MB"); err != nil {
		return nil, err
	}
	if err := sh("chown", "-R", "proxy:proxy", sdir); err != nil {
		return nil, err
	}
	stop, err := startDaemon(exec.Command("squid", "-N", "-f", p), labSquid+":3129", "tcp")
	if err != nil {
		err = fmt.Errorf("%v\ncache.log: %s", err, readLog(filepath.Join(sdir, "cache.log")))
	}
	return stop, err
}

// labReport is a report of the entries (address port, TCP, fqdn unless
// an IP address).
func labReport(entries ...string) string {
	var es, ips []string
	for _, e := range entries {
		addr, port, _ := strings.Cut(e, " ")
		kind, list := "fqdn", &es
		if net.ParseIP(addr) != nil {
			kind, list = "ip", &ips
		}
		*list = append(*list, fmt.Sprintf(`{"address": %q, "port": %s, "protocol": "TCP", "kind": %q, "source": "catalog", "purpose": "lab", "required": true, "evidenceCount": 0, "evidence": []}`, addr, port, kind))
	}
	return `{"schemaVersion": 2, "catalog": {"version": "2024-11-21", "sourceDate": "2024-11-21", "confidence": "primary", "source": "lab"},
 "cloud": "public", "scope": "sessionhost", "optional": false,
 "regions": [{"region": "westeurope", "entries": [` + strings.Join(es, ",\n") + `], "ipRules": [` + strings.Join(ips, ",\n") + `], "unresolved": []}],
 "hosts": [], "rejected": [], "deprecated": [], "review": [], "inputs": []}`
}

// labRun runs check for each case, through the command.
func labRun(dir string) []labCase {
	reports := map[string]string{
		"direct.json": labReport("login.microsoftonline.com 443", "gcs.prod.monitoring.core.windows.net 443", "rdbroker.wvd.microsoft.com 443",
			"catalogartifact.azureedge.net 443", "mrsglobalsteus2prod.blob.core.windows.net 443", "aka.ms 443", "ctldl.windowsupdate.com 80",
			"azkms.core.windows.net 1688", "wvdportalstorageblob.blob.core.windows.net 443", "www.microsoft.com 80", "oneocsp.microsoft.com 80",
			"intranet.contoso.com 22", "login.microsoftonline.com 8443", labPublic+" 22"),
		"squid.json":  labReport("login.microsoftonline.com 443", "www.microsoft.com 80", "catalogartifact.azureedge.net 443", "aka.ms 443", "oneocsp.microsoft.com 80", "login.windows.net 443"),
		"bump.json":   labReport("login.microsoftonline.com 443", "catalogartifact.azureedge.net 443", "aka.ms 443", "login.windows.net 443"),
		"ok.json":     labReport("login.microsoftonline.com 443", "www.microsoft.com 80"),
		"system.json": labReport("login.microsoftonline.com 443", "aka.ms 443"),
	}
	for name, text := range reports {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
	pub := filepath.Join(dir, "pub.pem")
	common := []string{"check", "-q", "-f", "json", "--timeout", "2s", "--ca-file", pub, "--public-ca", pub}
	plainProxy := "http://labuser:s%23cret@" + labSquid + ":3128"
	cases := []labCase{
		{Name: "direct", Args: append(common, "--dns-server", labDNS+":53", filepath.Join(dir, "direct.json"))},
		{Name: "system-resolver", Args: append(common, filepath.Join(dir, "system.json"))},
		{Name: "squid", Args: append(common, "--proxy", plainProxy, filepath.Join(dir, "squid.json"))},
		{Name: "ssl-bump", Args: append(common, "--proxy", "http://"+labSquid+":3129", filepath.Join(dir, "bump.json"))},
		{Name: "all-pass", Args: append(common, "--proxy", plainProxy, filepath.Join(dir, "ok.json"))},
		{Name: "bad-proxy", Args: append(common, filepath.Join(dir, "ok.json")), Env: map[string]string{"HTTPS_PROXY": "socks4://u:s%23cret@" + labSquid + ":1080"}},
	}
	for _, v := range []string{"HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"} {
		os.Unsetenv(v)
	}
	for i, c := range cases {
		for k, v := range c.Env {
			os.Setenv(k, v)
		}
		var out, errb bytes.Buffer
		cases[i].Code = run(c.Args, &out, &errb)
		cases[i].Stdout, cases[i].Stderr = out.String(), errb.String()
		for k := range c.Env {
			os.Unsetenv(k)
		}
	}
	return cases
}
