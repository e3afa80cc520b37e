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
