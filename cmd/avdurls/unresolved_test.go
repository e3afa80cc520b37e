package main

import (
	"bytes"
	"encoding/json"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/render"
)

// requiredWildcards are the wildcard rows of the default catalog that
// are carried as wildcards for a cloud and scope (required rows only).
func requiredWildcards(cl catalog.Cloud, sc catalog.Scope) []string {
	var out []string
	for _, r := range catalog.Default().Newest().Rows(cl, sc) {
		if r.Required && r.Wildcard != catalog.WildcardNames {
			out = append(out, r.Address)
		}
	}
	return out
}

// carriedIn reports whether the output of a format carries wildcard w in
// its product's own syntax.
func carriedIn(t *testing.T, format, out, w string) bool {
	t.Helper()
	dom := strings.TrimPrefix(w, "*")
	switch format {
	case "text", "edl":
		return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(w) + `$`).MatchString(out)
	case "squid":
		return regexp.MustCompile(`(?m)^acl \S+_wildcards443 dstdomain .*` + regexp.QuoteMeta(dom) + `( |$)`).MatchString(out)
	case "fortigate":
		return strings.Contains(out, `set fqdn "`+w+`"`) && strings.Contains(out, "-wildcards-tcp-443")
	case "azfw-arm":
		var tmpl struct {
			Resources []struct {
				Name       string          `json:"name"`
				Properties json.RawMessage `json:"properties"`
			} `json:"resources"`
		}
		if err := json.Unmarshal([]byte(out), &tmpl); err != nil {
			t.Fatalf("azfw-arm: %v", err)
		}
		for _, res := range tmpl.Resources {
			props := sdkGroup(t, res.Name, res.Properties)
			for _, rc := range props.RuleCollections {
				fc, ok := rc.(*armnetwork.FirewallPolicyFilterRuleCollection)
				if !ok {
					continue
				}
				for _, rule := range fc.Rules {
					if ar, ok := rule.(*armnetwork.ApplicationRule); ok {
						for _, f := range ar.TargetFqdns {
							if *f == w {
								return true
							}
						}
					}
				}
			}
		}
		return false
	case "bicep":
		return strings.Contains(out, "'"+w+"'")
	case "terraform":
		if _, d := hclparse.NewParser().ParseHCL([]byte(out), "x.tf"); d.HasErrors() {
			t.Fatalf("terraform: %v", d)
		}
		return strings.Contains(out, `"`+w+`"`)
	case "az-cli":
		return regexp.MustCompile(`--target-fqdns [^\n]*'` + regexp.QuoteMeta(w) + `'`).MatchString(out)
	}
	return strings.Contains(out, w) // csv, json, markdown, table: listed
}

// TestWildcardsCarried: per cloud and scope, every format carries the
// wildcards Microsoft requires (and, for clients, those no scan can name)
// in its product's syntax; with --no-wildcards none does, and the file
// (where it can) and stderr say what is left out. Squid's own parser
// reads the squid output where squid is installed (CI installs it).
func TestWildcardsCarried(t *testing.T) {
	for _, cl := range catalog.Clouds() {
		for _, sc := range catalog.Scopes() {
			want := requiredWildcards(cl, sc)
			for _, f := range render.Formats() {
				if strings.HasPrefix(f.Name, "edl-") {
					continue // a domain or IP list carries no wildcard; NotCarried says so
				}
				args := []string{"catalog", "-f", f.Name, "--cloud", string(cl), "--scope", string(sc), "--source", "any"}
				var out, errb bytes.Buffer
				if code := run(args, &out, &errb); code != exitOK {
					t.Fatalf("%v: exit %d: %s", args, code, errb.String())
				}
				for _, w := range want {
					if !carriedIn(t, f.Name, out.String(), w) {
						t.Errorf("%s/%s -f %s: %s not carried as a wildcard:\n%s", cl, sc, f.Name, w, out.String())
					}
				}
				if f.Name == "squid" && len(want) > 0 {
					squidParses(t, out.String())
				}
				out.Reset()
				errb.Reset()
				run(append(args, "--no-wildcards"), &out, &errb)
				for _, w := range want {
					if f.Name != "json" && f.Name != "csv" && f.Name != "markdown" && f.Name != "table" && carriedIn(t, f.Name, out.String(), w) {
						t.Errorf("%s/%s -f %s --no-wildcards: %s still carried", cl, sc, f.Name, w)
					}
				}
			}
			if len(want) == 0 && sc == catalog.ScopeSessionHost {
				t.Errorf("%s/%s: no required wildcard at all", cl, sc)
			}
		}
	}
}

// squidParses runs squid -k parse on the rules, behind an http_port
// line, where squid is installed; in CI it must be.
func squidParses(t *testing.T, rules string) {
	t.Helper()
	sq, err := exec.LookPath("squid")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("squid is not installed (required in CI)")
		}
		t.Log("squid not installed: its parser not run")
		return
	}
	conf := filepath.Join(t.TempDir(), "squid.conf")
	text := "http_port 127.0.0.1:3128\n" + rules + "http_access deny all\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sq, "-k", "parse", "-f", conf).CombinedOutput()
	if err != nil || regexp.MustCompile(`(?i)(ERROR|FATAL|WARNING)`).Match(out) {
		t.Errorf("squid -k parse: %v\n%s\n%s", err, out, text)
	}
}

// TestUnresolvedNeverSilent: an unresolved row (--no-wildcards) is, in
// every format, stated in the file or the output lists it, and said on
// stderr where the file cannot hold it; never silently missing.
func TestUnresolvedNeverSilent(t *testing.T) {
	const row = "*.wvd.microsoft.com"
	for _, f := range render.Formats() {
		args := []string{"-f", f.Name, "--region", "eastus2", "--no-wildcards", "../../testdata/exports/avd-eus2-0.evtx"}
		out, errs, code := runScan(t, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		stated := strings.Contains(out, row)
		warned := strings.Contains(errs, "unresolved wildcard row is not in the "+f.Name+" output (eastus2: "+row+")")
		enforced := strings.Contains(out, "fqdntag-windowsvirtualdesktop")
		switch f.Name {
		case "azfw-arm", "bicep", "terraform", "az-cli":
			if !enforced || warned {
				t.Errorf("%s: the unresolved row is not enforced by tag rules (or a warning says it is missing)", f.Name)
			}
		case "edl", "edl-domain", "edl-ip":
			if stated || !warned {
				t.Errorf("%s: stated %v (a Palo Alto list has no comments), warned %v", f.Name, stated, warned)
			}
		case "text", "squid", "fortigate":
			if !stated || !warned {
				t.Errorf("%s: stated in the file %v, warned %v; want both", f.Name, stated, warned)
			}
		default: // csv, json, markdown, table list it as a row
			if !stated || warned {
				t.Errorf("%s: listed %v, warned %v", f.Name, stated, warned)
			}
		}
	}
}
