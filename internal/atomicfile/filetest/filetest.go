// Package filetest holds the checks the tests of atomic output share: no
// temporary file left behind, and a character device to write to.
package filetest

import (
	"os"
	"strings"
	"testing"
)

// NoTemps fails the test when a temporary file (".tmp-" or a probe) is
// left in dir.
func NoTemps(t testing.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), "probe") {
			t.Errorf("temporary file %s left in %s", e.Name(), dir)
		}
	}
}
