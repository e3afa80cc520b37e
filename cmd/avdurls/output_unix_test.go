//go:build unix

package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/internal/atomicfile/filetest"
)

// TestOutputCharDevice writes the scan to a null character device, which
// must stay a device (as root the old code replaced /dev/null with a
// file).
func TestOutputCharDevice(t *testing.T) {
	dev := filetest.NullDevice(t)
	_, errs, code := runScan(t, append([]string{"-q", "-o", dev}, sampleArgs...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	filetest.IsCharDevice(t, dev)
}

// helperEnv names the environment variable that turns this test binary
// into the helper process of TestInterruptRemovesTemps and
// TestOutputDescriptor.
const helperEnv = "AVDURLS_TEST_HELPER"

// helper starts this test binary as a helper process running test with
// the given environment value, its standard output going to stdout (a
// pipe when nil).
func helper(t *testing.T, test, value string, stdout *os.File) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), helperEnv+"="+value)
	if stdout != nil {
		cmd.Stdout = stdout
	}
	return cmd
}

// TestHelperDescriptor is the helper process of TestOutputDescriptor: the
// catalog written with -o to the path it is given.
func TestHelperDescriptor(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	os.Exit(run([]string{"catalog", "-f", "json", "-o", path}, io.Discard, os.Stderr))
}

// TestOutputDescriptor writes -o /dev/stdout and -o /dev/fd/1 to the
// descriptor the shell opened: with >> the earlier text stays.
func TestOutputDescriptor(t *testing.T) {
	for _, path := range []string{"/dev/stdout", "/dev/fd/1"} {
		log := filepath.Join(t.TempDir(), "log")
		if err := os.WriteFile(log, []byte("earlier\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		cmd := helper(t, "TestHelperDescriptor", path, f)
		var errb strings.Builder
		cmd.Stderr = &errb
		err = cmd.Run()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v: %s", path, err, errb.String())
		}
		b, _ := os.ReadFile(log)
		if !strings.HasPrefix(string(b), "earlier\n") || !strings.Contains(string(b), "login.microsoftonline.com") {
			t.Errorf("%s: log holds %q", path, b)
		}
		if fi, _ := os.Stat(log); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: log mode %v", path, fi.Mode().Perm())
		}
	}
}
