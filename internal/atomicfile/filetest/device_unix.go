//go:build unix

package filetest

import (
	"os"
	"path/filepath"
	"testing"
)

// mkCharDevice, where set, makes a null character device at path, so the
// device tests need not touch the system's /dev/null.
var mkCharDevice func(path string) error

// NullDevice is a character device for the test: a private null device
// where one can be made (as root on Linux), else /dev/null; the test is
// skipped where there is neither.
func NullDevice(t testing.TB) string {
	t.Helper()
	if mkCharDevice != nil {
		path := filepath.Join(t.TempDir(), "null")
		if mkCharDevice(path) == nil {
			if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
				f.Close()
				return path
			}
		}
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Skip("no character device to write to")
	}
	return os.DevNull
}

// IsCharDevice fails the test unless path is still a character device.
func IsCharDevice(t testing.TB, path string) {
	t.Helper()
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a character device: %v %v", path, fi.Mode(), err)
	}
}
