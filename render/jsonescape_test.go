package render

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestEscapeJSON: bidi and invisible characters, in the BMP and beyond,
// are written as \u escapes, and the JSON decodes to the same strings.
func TestEscapeJSON(t *testing.T) {
	in := []string{"a\u202eb", "\u200b\ufeff\u061c\u2066", "\U000e0001tag", "ok é 日本", "\x1b[2J"}
	var b bytes.Buffer
	if err := WriteJSON(&b, in); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"\u202e", "\u200b", "\ufeff", "\u061c", "\u2066", "\U000e0001", "\x1b"} {
		if bytes.Contains(b.Bytes(), []byte(r)) {
			t.Errorf("WriteJSON writes %+q raw: %s", r, b.Bytes())
		}
	}
	if !bytes.Contains(b.Bytes(), []byte(`\udb40\udc01`)) || !bytes.Contains(b.Bytes(), []byte("日本")) {
		t.Errorf("WriteJSON = %s", b.Bytes())
	}
	var back []string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if back[i] != in[i] {
			t.Errorf("decoded %q, want %q", back[i], in[i])
		}
	}
}
