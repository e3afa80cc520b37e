package render

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// hostileStrings try to break out of a string in some format.
var hostileStrings = []string{
	`a"b`, `a'b`, `a\b`, `${jndi:ldap://x}`, `%{if true}x%{endif}`, "line\nbreak", "tab\there", `=cmd|' /C calc'!A0`,
	`+1`, `-1`, `@SUM(A1)`, "`rm -rf /`", `$(reboot)`, `'; rm -rf / #`, `</script><b>`, `| pipe |`, `[link](http://x)`, "\x00nul",
}

// TestEscapers: each format's quoting reads back as the original string
// with the format's own parser, or at least keeps it inside one string.
func TestEscapers(t *testing.T) {
	for _, s := range hostileStrings {
		// HCL: the string as hclwrite writes it parses back to s.
		q := string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
		expr, d := hclsyntax.ParseExpression([]byte(q), "x", hcl.Pos{Line: 1, Column: 1})
		if d.HasErrors() {
			t.Errorf("hclwrite's %s for %q does not parse: %s", q, s, d.Error())
		} else if v, d := expr.Value(nil); d.HasErrors() || v.AsString() != s {
			t.Errorf("hclwrite's %s for %q reads back as %q (%v)", q, s, v.GoString(), d)
		}
		// Shell: printf of the quoted word prints s.
		if !strings.Contains(s, "\x00") {
			out, err := exec.Command("sh", "-c", "printf %s "+shellQuote(s)).Output()
			if err != nil || string(out) != s {
				t.Errorf("shellQuote(%q) prints %q (%v)", s, out, err)
			}
		}
		// Bicep: single-quoted, no raw quote, newline or ${ inside.
		q = bicepString(s)
		inner := q[1 : len(q)-1]
		if strings.Contains(strings.ReplaceAll(inner, `\'`, ""), "'") || strings.ContainsAny(inner, "\n\r\x00") || strings.Contains(strings.ReplaceAll(inner, `\$`, ""), "${") {
			t.Errorf("bicepString(%q) = %s", s, q)
		}
		// FortiOS: double-quoted, no unescaped quote or newline inside.
		q = fortiString(s)
		inner = q[1 : len(q)-1]
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(inner, `\\`, ""), `\"`, ""), `"`) || strings.ContainsAny(inner, "\n\r") {
			t.Errorf("fortiString(%q) = %s", s, q)
		}
		// Markdown: no raw pipe, backtick, bracket, angle bracket or newline.
		m := MarkdownEscape(s)
		for _, c := range []string{"|", "`", "[", "<", "\n"} {
			if strings.Contains(strings.ReplaceAll(m, `\`+c, ""), c) {
				t.Errorf("MarkdownEscape(%q) = %q leaves %q", s, m, c)
			}
		}
		// CSV: no formula start.
		if c := safeCell(s); c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
			t.Errorf("safeCell(%q) = %q", s, c)
		}
	}
}
