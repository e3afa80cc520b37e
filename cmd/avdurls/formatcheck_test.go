package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	gmtext "github.com/yuin/goldmark/text"
)

// checkOutput reads out as the product of format reads it and fails the
// test when anything in it escaped its field: JSON that avdurls's own gate
// refuses, CSV with a ragged row or a formula, a list line that is not an
// address, HCL that does not parse or interpolates anything but the policy
// variable, an ARM string that is an expression avdurls did not write,
// Markdown with a link or raw HTML, a shell script that does not parse, or
// any raw control character.
func checkFormat(t *testing.T, format string, out []byte) {
	t.Helper()
	if i := bytes.IndexFunc(out, func(r rune) bool { return r != '\n' && r != '\t' && !textRuneTest(r) }); i >= 0 {
		t.Fatalf("%s: raw unprintable character %q at byte %d", format, out[i:i+1], i)
	}
	switch format {
	case "json":
		if _, err := catalog.DecodeReport(out); err != nil {
			t.Fatalf("json: avdurls's own gate refuses its output: %v", err)
		}
	case "csv":
		checkCSV(t, out)
	case "text":
		checkLines(t, format, out)
	case "edl", "edl-domain", "edl-ip":
		checkEDL(t, format, out)
	case "squid":
		checkSquid(t, out)
	case "terraform":
		checkHCL(t, out)
	case "azfw-arm":
		checkARM(t, out)
	case "markdown":
		checkMarkdown(t, out)
	case "az-cli":
		checkShell(t, out)
	case "fortigate":
		checkFortiGate(t, out)
	case "bicep":
		checkBicep(t, out)
	}
}

func textRuneTest(r rune) bool {
	return discover.CleanText(string(r), 8) == string(r)
}

func checkCSV(t *testing.T, out []byte) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	for _, rec := range recs {
		for _, cell := range rec {
			if c := strings.TrimLeft(cell, " "); c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Fatalf("csv: cell %q would be read as a formula", cell)
			}
		}
	}
}

// checkLines accepts, per line, an address, a blank line or a comment.
func checkLines(t *testing.T, format string, out []byte) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if line == "" || strings.HasPrefix(line, "# ") {
			continue
		}
		if _, err := netip.ParseAddr(line); err == nil {
			continue
		}
		if _, err := netip.ParsePrefix(line); err == nil {
			continue
		}
		if n, err := discover.Normalize(line); (err != nil || n != line) && !isWildcard(line) {
			t.Fatalf("%s: line %q is not an address", format, line)
		}
	}
}

// isWildcard accepts "*." and a host name in canonical form: a wildcard
// carried as one.
func isWildcard(s string) bool {
	rest, ok := strings.CutPrefix(s, "*.")
	n, err := discover.Normalize(rest)
	return ok && err == nil && n == rest && strings.Contains(rest, ".")
}

// checkEDL accepts what PAN-OS reads from a list of its type: exactly one
// entry a line, no blank line, no comment, no entry twice; host names
// (exact, no wildcard or scheme) in the URL and domain lists, IP
// addresses or prefixes in the IP list.
func checkEDL(t *testing.T, format string, out []byte) {
	t.Helper()
	if len(out) == 0 {
		return
	}
	if !bytes.HasSuffix(out, []byte("\n")) {
		t.Fatalf("%s: the last line is not ended", format)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if seen[line] {
			t.Fatalf("%s: %q twice", format, line)
		}
		seen[line] = true
		if format == "edl-ip" {
			_, aerr := netip.ParseAddr(line)
			_, perr := netip.ParsePrefix(line)
			if aerr != nil && perr != nil {
				t.Fatalf("%s: line %q is not an IP address or prefix", format, line)
			}
			continue
		}
		if format == "edl" && isWildcard(line) {
			continue // PAN-OS URL lists take "*.domain"
		}
		if n, err := discover.Normalize(line); err != nil || n != line || strings.ContainsAny(line, "*^/: #") {
			t.Fatalf("%s: line %q is not an exact host name", format, line)
		}
	}
}

// squidLine are the line shapes of the squid output: a comment, a blank
// line, a dstdomain or port acl, or an http_access allow of two acls.
var squidLine = regexp.MustCompile(`^(#.*|)$|^acl ([A-Za-z0-9_.-]+) (dstdomain|port) (.+)$|^http_access allow ([A-Za-z0-9_.-]+) ([A-Za-z0-9_.-]+)$`)

// checkSquid reads the squid.conf lines: every name of a dstdomain acl an
// exact host name (a leading dot would admit every subdomain), every port
// acl one port, each http_access line naming a dstdomain acl and a port
// acl defined above it.
func checkSquid(t *testing.T, out []byte) {
	t.Helper()
	kinds := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		m := squidLine.FindStringSubmatch(line)
		switch {
		case m == nil:
			t.Fatalf("squid: line %q is not one avdurls writes", line)
		case m[3] == "dstdomain":
			for _, name := range strings.Fields(m[4]) {
				if strings.Contains(m[2], "_wildcards") && isWildcard("*"+name) {
					continue // a wildcard carried as one: .domain, in an acl of its own
				}
				if n, err := discover.Normalize(name); err != nil || n != name || strings.HasPrefix(name, ".") {
					t.Fatalf("squid: %q in %q is not an exact host name", name, line)
				}
			}
			kinds[m[2]] = "dstdomain"
		case m[3] == "port":
			if _, err := strconv.ParseUint(m[4], 10, 16); err != nil {
				t.Fatalf("squid: port acl %q", line)
			}
			kinds[m[2]] = "port"
		case m[5] != "":
			if kinds[m[5]] != "dstdomain" || kinds[m[6]] != "port" {
				t.Fatalf("squid: %q does not allow a defined name acl with a defined port acl", line)
			}
		}
	}
}

func checkHCL(t *testing.T, out []byte) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig(out, "avd.tf", hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		t.Fatalf("terraform: %s", diags.Error())
	}
	var walk func(b *hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		for _, a := range b.Attributes {
			for _, v := range a.Expr.Variables() {
				if name := string(hclTraversalName(v)); name != "var.firewall_policy_id" && name != "string" && name != "list" && !strings.HasPrefix(name, "var.sources_") {
					t.Fatalf("terraform: attribute %s refers to %s", a.Name, name)
				}
			}
		}
		for _, blk := range b.Blocks {
			walk(blk.Body)
		}
	}
	walk(f.Body.(*hclsyntax.Body))
}

func hclTraversalName(tr hcl.Traversal) []byte {
	var parts []string
	for _, s := range tr {
		switch x := s.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, x.Name)
		case hcl.TraverseAttr:
			parts = append(parts, x.Name)
		}
	}
	return []byte(strings.Join(parts, "."))
}

// armExpr are the only template expressions avdurls writes.
var armExpr = regexp.MustCompile(`^\[(format\('\{0\}/\{1\}', parameters\('firewallPolicyName'\), '[a-z0-9-]+'\)|resourceId\('Microsoft\.Network/firewallPolicies/ruleCollectionGroups', parameters\('firewallPolicyName'\), '[a-z0-9-]+'\)|parameters\('sources_[a-z0-9]+'\))\]$`)

func checkARM(t *testing.T, out []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("azfw-arm: %v", err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if strings.HasPrefix(x, "[") && !strings.HasPrefix(x, "[[") && !armExpr.MatchString(x) {
				t.Fatalf("azfw-arm: %q is a template expression avdurls did not write", x)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
}

func checkMarkdown(t *testing.T, out []byte) {
	t.Helper()
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	doc := md.Parser().Parse(gmtext.NewReader(out))
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.Kind() {
		case ast.KindLink, ast.KindAutoLink, ast.KindImage, ast.KindRawHTML, ast.KindHTMLBlock:
			t.Fatalf("markdown: a %s node in the output: %q", n.Kind(), nodeText(n, out))
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func nodeText(n ast.Node, src []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if tx, ok := c.(*ast.Text); ok {
			b.Write(tx.Segment.Value(src))
		}
	}
	return b.String()
}

// checkShell parses the script with bash and runs it with az replaced by
// a function that only records its arguments: any other command the
// script runs would create the marker file.
func checkShell(t *testing.T, out []byte) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed to check the az-cli output")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "avd.sh")
	if err := os.WriteFile(script, out, 0o755); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(bash, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("az-cli: bash -n: %v: %s", err, b)
	}
	fake := "az() { :; }\nexport -f az\n"
	sources := ""
	for _, m := range regexp.MustCompile(`\$\{(SOURCES_[A-Z0-9]+):\?`).FindAllStringSubmatch(string(out), -1) {
		sources += m[1] + "=10.0.0.0/8 "
	}
	if sources != "" {
		// Without its sources the script refuses to run.
		cmd := exec.Command(bash, "-c", fake+"RG=rg POLICY=pol PATH=/nonexistent source "+script)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "to the source addresses") {
			t.Fatalf("az-cli: ran without the sources it needs: %v: %s", err, b)
		}
	}
	cmd := exec.Command(bash, "-c", fake+"RG=rg POLICY=pol "+sources+"PATH=/nonexistent source "+script)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("az-cli: running with a fake az: %v: %s", err, b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("az-cli: the script created files: %v", entries)
	}
}

// checkFortiGate accepts only the line shapes of FortiOS CLI avdurls
// writes, each quoted string closed.
var fortiLine = regexp.MustCompile(`^(#[^\n]*|config firewall (address|addrgrp|service custom|service group)|end|    next|    edit "([^"\\]|\\.)*"|        set [a-z0-9-]+( ("([^"\\]|\\.)*"|[A-Za-z0-9./:-]+))+)$`)

// checkFortiGate also fails when an object is edited twice in a table
// (FortiOS would keep only the second), or when a group names a member no
// address object defines.
func checkFortiGate(t *testing.T, out []byte) {
	t.Helper()
	section, edited := "", map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if !fortiLine.MatchString(line) {
			t.Fatalf("fortigate: line %q is not one avdurls writes", line)
		}
		switch {
		case strings.HasPrefix(line, "config "):
			section = line
		case strings.HasPrefix(line, "    edit "):
			key := section + "/" + line
			if edited[key] {
				t.Fatalf("fortigate: %s: %q twice", section, line)
			}
			edited[key] = true
		case strings.HasPrefix(line, "        set member "):
			for _, m := range fortiQuoted.FindAllString(strings.TrimPrefix(line, "        set member "), -1) {
				if !edited["config firewall address/    edit "+m] {
					t.Fatalf("fortigate: group member %s is no address object", m)
				}
			}
		}
	}
}

var fortiQuoted = regexp.MustCompile(`"([^"\\]|\\.)*"`)

// checkBicep accepts lines whose single-quoted strings all close and hold
// no interpolation.
func checkBicep(t *testing.T, out []byte) {
	t.Helper()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			continue
		}
		in := false
		for i := 0; i < len(line); i++ {
			switch c := line[i]; {
			case in && c == '\\':
				i++
			case c == '\'':
				in = !in
			case in && c == '$' && i+1 < len(line) && line[i+1] == '{':
				t.Fatalf("bicep: interpolation in %q", line)
			}
		}
		if in {
			t.Fatalf("bicep: unclosed string in %q", line)
		}
	}
}
