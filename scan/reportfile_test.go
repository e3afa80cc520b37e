package scan

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestReadReportBytes: a report up to the bound is read whole; a larger
// one is refused with an error that names the bound and the flag.
func TestReadReportBytes(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.json")
	if err := os.WriteFile(small, []byte(`{"schemaVersion":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, max := range []int64{19, 20, 0, -1} {
		if b, err := readReportBytes(small, max); err != nil || string(b) != `{"schemaVersion":1}` {
			t.Errorf("max %d: %q, %v", max, b, err)
		}
	}
	_, err := readReportBytes(small, 18)
	if err == nil || err.Error() != small+": report is larger than 1.72e-05 MiB" || !errors.Is(err, ErrReportTooLarge) {
		t.Errorf("max 18: err %v", err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, bytes.Repeat([]byte(" "), 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = readReportBytes(big, 2<<20)
	if err == nil || err.Error() != big+": report is larger than 2 MiB" {
		t.Errorf("big: err %v", err)
	}
	if _, err := readReportBytes(dir, DefaultMaxReportBytes); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: err %v", err)
	}
	if _, err := readReportBytes(filepath.Join(dir, "none.json"), DefaultMaxReportBytes); !os.IsNotExist(err) {
		t.Errorf("missing: err %v", err)
	}
}

// TestReadReportBytesPipe: a file that is not regular (its size unknown)
// is cut after max+1 bytes and refused.
func TestReadReportBytesPipe(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no named pipes in the file system")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		w.Write(bytes.Repeat([]byte("x"), 1<<20+5)) // stops when the reader is closed
		w.Close()
	}()
	path := "/dev/fd/" + strconv.Itoa(int(r.Fd()))
	if _, err := os.Stat(path); err != nil {
		t.Skip("no /dev/fd")
	}
	_, err = readReportBytes(path, 1<<20)
	if err == nil || !strings.Contains(err.Error(), "report is larger than 1 MiB") {
		t.Errorf("pipe: err %v", err)
	}
}
