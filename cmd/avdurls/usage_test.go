package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/render"
)

// TestHelpListsEveryFormat: the help of scan and catalog lists every
// format of the registry.
func TestHelpListsEveryFormat(t *testing.T) {
	for _, cmd := range []string{"scan", "catalog"} {
		var out bytes.Buffer
		run([]string{"help", cmd}, &out, &out)
		text := out.String()
		if strings.Contains(text, "{{") {
			t.Errorf("help %s: a placeholder is left: %s", cmd, text)
		}
		for _, f := range render.Formats() {
			if !strings.Contains(text, " "+f.Name+",") && !strings.Contains(text, " "+f.Name+"\n") && !strings.Contains(text, " "+f.Name+")") && !strings.Contains(text, " "+f.Name+" (default)") {
				t.Errorf("help %s does not list format %s", cmd, f.Name)
			}
		}
	}
}

// TestDidYouMean: a mistyped command or flag gets the nearest one.
func TestDidYouMean(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"scna"}, `unknown command "scna"; did you mean scan?`},
		{[]string{"chek"}, "did you mean check?"},
		{[]string{"scan", "--regon", "x", "a.evtx"}, "unknown flag: --regon; did you mean --region?"},
		{[]string{"diff", "--stict", "a", "b"}, "did you mean --strict?"},
		{[]string{"check", "--timout", "1s"}, "did you mean --timeout?"},
	} {
		var out, errb bytes.Buffer
		if code := run(c.args, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%q: exit %d, %q; want 2 and %q", c.args, code, errb.String(), c.want)
		}
	}
	var errb bytes.Buffer
	run([]string{"xyzzy"}, &errb, &errb)
	if strings.Contains(errb.String(), "did you mean") {
		t.Errorf("no command is near xyzzy: %q", errb.String())
	}
}
