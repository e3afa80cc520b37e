package scan

import (
	"bytes"
	"strings"
	"testing"
)

// TestReadTextBound: URL-tool output is read whole, so it is bounded.
func TestReadTextBound(t *testing.T) {
	_, err := ReadText(bytes.NewReader(append([]byte("accessible urls\n"), bytes.Repeat([]byte("x"), maxURLToolInput)...)), "u.txt")
	if err == nil || !strings.Contains(err.Error(), "u.txt: larger than 16 MiB") {
		t.Errorf("err %v, want a size error", err)
	}
	s, err := ReadText(bytes.NewReader([]byte{0xff, 0xfe, 'h', 0, 'i', 0}), "u.txt")
	if s != "hi" || err != nil {
		t.Errorf("UTF-16: %q, %v", s, err)
	}
}
