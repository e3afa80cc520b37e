//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/avdurls/avdurls/internal/atomicfile/filetest"
)

// TestOutputDirPlantedLinkAndFIFO: a link named like a region file,
// pointing out of the folder, and a FIFO named like one are refused with
// their path and why: exit 1 at once, the link's target untouched.
func TestOutputDirPlantedLinkAndFIFO(t *testing.T) {
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("keep\n"), 0o644)
	for name, plant := range map[string]func(string) error{
		"link": func(p string) error { return os.Symlink(victim, p) },
		"fifo": func(p string) error { return syscall.Mkfifo(p, 0o644) },
	} {
		dir := t.TempDir()
		planted := filepath.Join(dir, "eastus2.edl")
		if err := plant(planted); err != nil {
			t.Fatal(err)
		}
		type res struct {
			errs string
			code int
		}
		done := make(chan res, 1)
		go func() {
			_, errs, code := runScan(t, append([]string{"-q", "-f", "edl", "--output-dir", dir}, sampleArgs...)...)
			done <- res{errs, code}
		}()
		select {
		case r := <-done:
			if r.code != exitError || !strings.Contains(r.errs, planted) {
				t.Errorf("%s: exit %d, stderr %q; want 1 naming %s", name, r.code, r.errs, planted)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: scan --output-dir hangs", name)
		}
		if b, _ := os.ReadFile(victim); string(b) != "keep\n" {
			t.Fatalf("%s: the link's target holds %q", name, b)
		}
		filetest.NoTemps(t, dir)
	}
}

// TestOutputDirNotLeftOnError: a run that fails (exit 1) leaves no
// --output-dir folder behind; a run that works makes it.
func TestOutputDirNotLeftOnError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rules", "eu")
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"schemaVersion": 3, "cloud": "mars"}`), 0o644)
	if _, errs, code := runScan(t, "-q", "-f", "edl", "--output-dir", dir, bad); code != exitError {
		t.Fatalf("exit %d, want 1: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Dir(dir)); err == nil {
		t.Errorf("exit 1 left %s behind", filepath.Dir(dir))
	}
	if _, errs, code := runScan(t, append([]string{"-q", "-f", "edl", "--output-dir", dir}, sampleArgs...)...); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "eastus2.edl")); err != nil {
		t.Errorf("eastus2.edl not written: %v", err)
	}
}
