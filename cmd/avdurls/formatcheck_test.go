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
	case "text", "edl", "squid":
		checkLines(t, format, out)
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
		if n, err := discover.Normalize(line); err != nil || n != line {
			t.Fatalf("%s: line %q is not an address", format, line)
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
				if name := string(hclTraversalName(v)); name != "var.firewall_policy_id" && name != "string" {
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
var armExpr = regexp.MustCompile(`^\[(format\('\{0\}/\{1\}', parameters\('firewallPolicyName'\), '[a-z0-9-]+'\)|resourceId\('Microsoft\.Network/firewallPolicies/ruleCollectionGroups', parameters\('firewallPolicyName'\), '[a-z0-9-]+'\))\]$`)

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
	cmd := exec.Command(bash, "-c", fake+"RG=rg POLICY=pol PATH=/nonexistent source "+script)
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

func checkFortiGate(t *testing.T, out []byte) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if !fortiLine.MatchString(line) {
			t.Fatalf("fortigate: line %q is not one avdurls writes", line)
		}
	}
}

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
