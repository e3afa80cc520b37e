package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/internal/atomicfile/filetest"
)

// TestOutputDirWritesNothingOnError runs scan --output-dir into a folder
// where one region's file cannot be written (a folder is in its way):
// exit 1 and no region file written.
func TestOutputDirWritesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "westeurope.edl"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runScan(t, append([]string{"-f", "edl", "--output-dir", dir}, sampleArgs...)...)
	if code != exitError {
		t.Fatalf("exit %d, want 1: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "eastus2.edl")); err == nil {
		t.Error("eastus2.edl written although the run failed")
	}
	if strings.Contains(errs, "wrote ") {
		t.Errorf("stderr claims a file was written: %s", errs)
	}
	filetest.NoTemps(t, dir)
}
