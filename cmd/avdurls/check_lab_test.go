package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/avdurls/avdurls/reach/checktest"
	"github.com/rogpeppe/go-internal/testscript"
)

// checkLab is the testscript command of the check scripts, on loopback
// only:
//
//	checklab start            start the servers; set DNS, PROXY, OPEN, CLOSED; write ca.pem
//	checklab expand IN OUT    IN with ${NAME} replaced by the variable's value
//	checklab json FILE ADDRESS:PORT FIELD=VALUE...
//	                          the result of check's JSON for the entry has these values
//	checklab proxied WORD     the proxy saw a request holding WORD (! for never)
func checkLab(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: checklab start|expand|json|proxied ...")
	}
	switch args[0] {
	case "start":
		startCheckLab(ts)
	case "expand":
		if len(args) != 3 {
			ts.Fatalf("usage: checklab expand IN OUT")
		}
		expanded := regexp.MustCompile(`\$\{(\w+)\}`).ReplaceAllStringFunc(ts.ReadFile(args[1]), func(m string) string {
			return ts.Getenv(m[2 : len(m)-1])
		})
		ts.Check(os.WriteFile(ts.MkAbs(args[2]), []byte(expanded), 0o644))
	case "json":
		checkLabJSON(ts, neg, args[1:])
	case "proxied":
		seen := strings.Join(labProxy(ts).Seen(), "\n")
		if strings.Contains(seen, args[1]) == neg {
			ts.Fatalf("proxy requests %q; want %q (negated %v)", seen, args[1], neg)
		}
	default:
		ts.Fatalf("checklab: unknown subcommand %s", args[0])
	}
}

// labProxies is the proxy of each running script; scripts run in
// parallel.
var (
	labMu      sync.Mutex
	labProxies = map[*testscript.TestScript]*checktest.Proxy{}
)

// labProxy is the proxy of a script's lab.
func labProxy(ts *testscript.TestScript) *checktest.Proxy {
	labMu.Lock()
	defer labMu.Unlock()
	p := labProxies[ts]
	if p == nil {
		ts.Fatalf("checklab start first")
	}
	return p
}

// startCheckLab starts the servers of a script, stopped when it ends.
func startCheckLab(ts *testscript.TestScript) {
	ca, err := checktest.NewCA("avdurls Test Root CA")
	ts.Check(err)
	insp, err := checktest.NewCA("Contoso Inspection CA")
	ts.Check(err)
	good, err := ca.Issue("login.microsoftonline.com", "gcs.prod.monitoring.core.windows.net")
	ts.Check(err)
	fake, err := insp.Issue("mrsglobalsteus2prod.blob.core.windows.net")
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs("ca.pem"), ca.PEM(), 0o644))
	start := func(f func() (*checktest.Server, error)) int {
		s, err := f()
		ts.Check(err)
		ts.Defer(s.Close)
		return s.Port()
	}
	goodPort := start(func() (*checktest.Server, error) { return checktest.StartTLS(good) })
	routes := map[string]int{
		"login.microsoftonline.com":                  goodPort,
		"mrsglobalsteus2prod.blob.core.windows.net":  start(func() (*checktest.Server, error) { return checktest.StartTLS(fake) }),
		"wvdportalstorageblob.blob.core.windows.net": start(checktest.StartSilent),
		"www.microsoft.com":                          start(func() (*checktest.Server, error) { return checktest.StartHTTP(200, false) }),
		"oneocsp.microsoft.com":                      start(func() (*checktest.Server, error) { return checktest.StartHTTP(470, false) }),
		"catalogartifact.azureedge.net":              0, // refused by the proxy
	}
	closed, err := checktest.ClosedPort()
	ts.Check(err)
	dns, err := checktest.StartDNS(map[string]string{"azkms.core.windows.net": checktest.Loopback, "gcs.prod.monitoring.core.windows.net": checktest.Loopback,
		"aka.ms": checktest.NXDomain, "ctldl.windowsupdate.com": checktest.NoAnswer})
	ts.Check(err)
	ts.Defer(dns.Close)
	proxy, err := checktest.StartProxy(routes)
	ts.Check(err)
	ts.Defer(proxy.Close)
	labMu.Lock()
	labProxies[ts] = proxy
	labMu.Unlock()
	ts.Defer(func() {
		labMu.Lock()
		delete(labProxies, ts)
		labMu.Unlock()
	})
	ts.Setenv("DNS", dns.Addr())
	ts.Setenv("PROXY", "http://"+proxy.Addr())
	ts.Setenv("OPEN", strconv.Itoa(goodPort))
	ts.Setenv("CLOSED", strconv.Itoa(closed))
}

// checkLabJSON checks fields of one result of check's JSON output.
func checkLabJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 || neg {
		ts.Fatalf("usage: checklab json FILE ADDRESS:PORT FIELD=VALUE...")
	}
	var doc struct{ Results []map[string]any }
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &doc))
	for _, r := range doc.Results {
		if fmt.Sprintf("%v:%v", r["address"], r["port"]) != args[1] {
			continue
		}
		for _, kv := range args[2:] {
			k, want, _ := strings.Cut(kv, "=")
			got := fmt.Sprint(r[k])
			if m, err := regexp.MatchString(want, got); err != nil || !m {
				ts.Fatalf("%s: %s is %q, want %q", args[1], k, got, want)
			}
		}
		return
	}
	ts.Fatalf("no result for %s", args[1])
}
