package render

import (
	"strings"
	"testing"

	"github.com/avdurls/avdurls/reach"
)

// TestCheckTableIsTerminalSafe: text from the network cannot drive the
// terminal in the table; CSV cells cannot become formulas.
func TestCheckTableIsTerminalSafe(t *testing.T) {
	res := []reach.Result{{Region: "westeurope", Address: "login.microsoftonline.com", Port: 443, Protocol: "TCP", Checked: true,
		Stage: "tls", Reason: "=cmd|' /C calc'!A0 \x1b]0;pwned\x07", Issuer: "\u202eevil"}}
	var b strings.Builder
	if err := WriteDoc(&b, "table", CheckDoc(res, reach.Summarize(res, 0))); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07\u202e") {
		t.Errorf("control characters reached the table: %q", b.String())
	}
	b.Reset()
	if err := WriteDoc(&b, "csv", CheckDoc(res, reach.Summarize(res, 0))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), ",'=cmd") {
		t.Errorf("formula not neutralised: %q", b.String())
	}
}
