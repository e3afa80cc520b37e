package render

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/discover"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// plainText renders md as GitHub Flavored Markdown to HTML (goldmark, the
// parser the format checks use) and returns the text it shows, and the
// first tag other than a paragraph or table tag ("" if none).
func plainText(md string) (string, string) {
	var out bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert([]byte(md), &out); err != nil {
		return "", "error " + err.Error()
	}
	markup := ""
	text := tagR.ReplaceAllStringFunc(out.String(), func(tag string) string {
		name := strings.Trim(strings.Fields(strings.Trim(tag, "<>/"))[0], "/")
		switch name {
		case "p", "table", "thead", "tbody", "tr", "th", "td":
		default:
			if markup == "" {
				markup = tag
			}
		}
		return ""
	})
	return strings.TrimSpace(html.UnescapeString(text)), markup
}

// tagR matches an HTML tag of goldmark's output.
var tagR = regexp.MustCompile(`<[^>]+>`)

// TestMarkdownEscapeReadsBack: escaped prose, as a paragraph and as a table
// cell, reads back as exactly its text, with no link, autolink, HTML,
// emphasis, heading or list; ordinary prose keeps its colons, parentheses
// and dots unescaped (no stray backslashes in a change request).
func TestMarkdownEscapeReadsBack(t *testing.T) {
	hostile := []string{
		"event: seen 13 times, last on 2024-05-08 11:53Z (record 30702 of avd-eus2-1.contoso.local)",
		"see https://evil.example/x and www.evil.example and admin@evil.example",
		"[click](https://evil.example) ![img](x.png) <script>alert(1)</script> &amp; &#42;",
		"*bold* _it_ ~~gone~~ `code` | pipe \\ backslash",
		"# heading", "- item", "+ item", "1. item", "2) item", "=====", "---", "> quote",
		"a\u202eb\u200bc", "OLD was judged with catalog 2024-06-26, NEW with catalog 2024-11-21.2",
	}
	for _, s := range hostile {
		want := discover.CleanText(s, 1<<20)
		for _, md := range []string{MarkdownEscape(s) + "\n", "| h |\n|---|\n| " + MarkdownEscape(s) + " |\n"} {
			got, markup := plainText(md)
			if markup != "" {
				t.Errorf("%q: escaped %q reads as a %s", s, md, markup)
			}
			got = strings.TrimSpace(strings.TrimPrefix(got, "h"))
			if got != want {
				t.Errorf("%q: escaped %q reads back as %q", s, md, got)
			}
		}
	}
	for _, s := range []string{"event: seen 13 times, last on 2024-05-08 11:53Z (record 30702 of avd-eus2-1.contoso.local)", "From catalog 2024-06-26 to 2024-11-21.2.", "Catalog 2024-11-21 (2024-11-21) -> 2024-11-21.2 (2024-11-21): 5 added"} {
		if m := MarkdownEscape(s); m != s {
			t.Errorf("MarkdownEscape(%q) = %q: stray escapes in plain prose", s, m)
		}
	}
}
