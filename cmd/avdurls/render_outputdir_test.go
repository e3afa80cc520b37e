package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestTerraformOutputDirLoads loads the whole --output-dir Terraform set
// with HashiCorp's parser, as terraform init reads a module: every file
// parses, no variable or resource is declared twice across the files,
// every variable used is declared, and the rule collection groups have
// distinct priorities, the same as in the single-file output.
func TestTerraformOutputDirLoads(t *testing.T) {
	p := hclparse.NewParser()
	declared := map[string]string{} // "variable.x" or "resource.type.name" -> file
	used := map[string]bool{}
	dirPrio := map[string]int64{}
	for _, f := range sampleFiles(t, "terraform") {
		file, diags := p.ParseHCL(f.text, f.name)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", f.name, diags.Error())
		}
		for _, blk := range file.Body.(*hclsyntax.Body).Blocks {
			key := blk.Type + "." + strings.Join(blk.Labels, ".")
			if prev, ok := declared[key]; ok {
				t.Errorf("%s declared in %s and again in %s", key, prev, f.name)
			}
			declared[key] = f.name
			if blk.Type == "resource" {
				collectVars(blk.Body, used)
				dirPrio[blk.Labels[1]] = attrInt(t, blk.Body, "priority")
			}
		}
	}
	for v := range used {
		if _, ok := declared["variable."+strings.TrimPrefix(v, "var.")]; !ok {
			t.Errorf("%s is used but no file declares it", v)
		}
	}
	file, diags := hclsyntax.ParseConfig(sampleOut(t, "terraform"), "avd.tf", hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	stdoutPrio := map[string]int64{}
	for _, blk := range file.Body.(*hclsyntax.Body).Blocks {
		if blk.Type == "resource" {
			stdoutPrio[blk.Labels[1]] = attrInt(t, blk.Body, "priority")
		}
	}
	if len(stdoutPrio) < 2 || !mapsEqual(dirPrio, stdoutPrio) {
		t.Errorf("--output-dir priorities %v, single file %v: want the same, at least two groups", dirPrio, stdoutPrio)
	}
	seen := map[int64]bool{}
	for _, p := range dirPrio {
		if seen[p] {
			t.Errorf("priority %d given to two groups: %v", p, dirPrio)
		}
		seen[p] = true
	}
}

func collectVars(b *hclsyntax.Body, used map[string]bool) {
	for _, a := range b.Attributes {
		for _, v := range a.Expr.Variables() {
			if name := string(hclTraversalName(v)); strings.HasPrefix(name, "var.") {
				used[name] = true
			}
		}
	}
	for _, blk := range b.Blocks {
		collectVars(blk.Body, used)
	}
}

func attrInt(t *testing.T, b *hclsyntax.Body, name string) int64 {
	t.Helper()
	a, ok := b.Attributes[name]
	if !ok {
		t.Fatalf("no %s attribute", name)
	}
	v, d := a.Expr.Value(nil)
	if d.HasErrors() {
		t.Fatal(d.Error())
	}
	n, _ := v.AsBigFloat().Int64()
	return n
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

var priorityNumber = regexp.MustCompile(`(?i)priority\W+(\d+)`)

// TestOutputDirKeepsPriorities: in every Azure Firewall format the files
// of --output-dir together hold the same group and collection priorities
// as the single-file output (each region keeps its place, not 1000 each).
func TestOutputDirKeepsPriorities(t *testing.T) {
	all := func(b []byte) []string {
		var n []string
		for _, m := range priorityNumber.FindAllSubmatch(b, -1) {
			n = append(n, string(m[1]))
		}
		slices.Sort(n)
		return n
	}
	for _, format := range []string{"azfw-arm", "bicep", "terraform", "az-cli"} {
		var dir []string
		for _, f := range sampleFiles(t, format) {
			dir = append(dir, all(f.text)...)
		}
		slices.Sort(dir)
		want := all(sampleOut(t, format))
		if len(want) == 0 || !slices.Equal(dir, want) {
			t.Errorf("%s: --output-dir priorities %v, single file %v", format, dir, want)
		}
	}
}

// TestEDLOneRegion: a Palo Alto list of a report with several regions is
// refused with the way out, and nothing is written to stdout or -o.
func TestEDLOneRegion(t *testing.T) {
	for _, f := range []string{"edl", "edl-domain", "edl-ip"} {
		out, errs, code := runScan(t, append([]string{"-q", "-f", f}, sampleArgs...)...)
		if code != exitError || out != "" || !strings.Contains(errs, "--output-dir") {
			t.Errorf("%s with two regions: exit %d, %d bytes out, stderr %q; want exit 1, nothing, the hint", f, code, len(out), errs)
		}
	}
}

// TestFortiGateKeepsEverything: on the 2025-late catalog the TURN range is
// a subnet object in a UDP 3478 group, 168.63.129.16 is one object in the
// groups of both its ports, and each port has its own service.
func TestFortiGateKeepsEverything(t *testing.T) {
	out := string(sampleOut(t, "fortigate", "--catalog-version", "2025-late"))
	checkFormat(t, "fortigate", []byte(out))
	for _, want := range []string{
		"        set subnet 51.5.0.0 255.255.0.0\n",
		"    edit \"avd-eastus2-udp-3478\"\n        set member \"avd-51.5.0.0-16\"\n",
		"    edit \"avd-eastus2-tcp-32526\"\n        set member \"avd-168.63.129.16\"\n",
		"    edit \"avd-udp-3478\"\n        set protocol TCP/UDP/SCTP\n        set udp-portrange 3478\n",
		"    edit \"avd-tcp-1688\"\n        set protocol TCP/UDP/SCTP\n        set tcp-portrange 1688\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("fortigate output lacks %q", want)
		}
	}
	if n := strings.Count(out, "    edit \"avd-168.63.129.16\"\n"); n != 1 {
		t.Errorf("168.63.129.16 edited %d times, want once", n)
	}
}
