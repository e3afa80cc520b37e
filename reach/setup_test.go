package reach

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadPEMCerts: a file without a certificate is an error naming it.
func TestReadPEMCerts(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.pem")
	if err := os.WriteFile(p, []byte("not pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPEMCerts(p, nil); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("ReadPEMCerts: %v", err)
	}
}
