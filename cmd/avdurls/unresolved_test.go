package main

import (
	"strings"
	"testing"

	"github.com/avdurls/avdurls/render"
)

// TestUnresolvedNeverSilent: in every format, the unresolved
// *.wvd.microsoft.com is enforced by a tag rule or stated in the file
// (stderr too, where the file cannot hold it); never silently missing.
func TestUnresolvedNeverSilent(t *testing.T) {
	const row = "*.wvd.microsoft.com"
	for _, f := range render.Formats() {
		for _, noTags := range []bool{false, true} {
			args := []string{"-f", f.Name, "--region", "eastus2", "../../testdata/exports/avd-eus2-0.evtx"}
			if noTags {
				args = append(args, "--no-tag-rules")
			}
			out, errs, code := runScan(t, args...)
			if code != exitOK {
				t.Fatalf("%v: exit %d: %s", args, code, errs)
			}
			enforced := strings.Contains(out, "WindowsVirtualDesktop") && strings.Contains(out, "fqdntag-windowsvirtualdesktop")
			stated := strings.Contains(out, row)
			warned := strings.Contains(errs, "unresolved wildcard row is not in the "+f.Name+" output (eastus2: "+row+")")
			switch f.Name {
			case "azfw-arm", "bicep", "terraform", "az-cli":
				if !noTags && (!enforced || warned) {
					t.Errorf("%s: the unresolved row is not enforced by tag rules (or a warning says it is missing)", f.Name)
				}
				if noTags && (enforced || !stated || !warned) {
					t.Errorf("%s --no-tag-rules: tag rules %v, stated in the file %v, warned %v; want no, yes, yes", f.Name, enforced, stated, warned)
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
}
