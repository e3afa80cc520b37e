package catalog

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzImport checks that any page gives a valid version or an error, never
// a panic, whether read as markdown or HTML. It is seeded with the four
// saved revisions of Microsoft's page and the hand-made Learn page. The
// seeds are large: for long runs add -fuzzminimizetime=5s, or the fuzzer
// spends most of its time minimizing.
func FuzzImport(f *testing.F) {
	for _, date := range pageDates {
		b, err := os.ReadFile(pagePath(date))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	b, err := os.ReadFile(filepath.Join("testdata", "learn-page.html"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("---\nms.date: 01/02/2025\n---\n## Session hosts\n# [A](#tab/azure)\n|Address|Port|\n|-|-|\n|`a.example.com`|80/443|\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, imp := range []func([]byte, string) (Version, []string, error){importMarkdown, importHTML} {
			v, warnings, err := imp(bytes.Clone(data), "")
			if len(warnings) > maxImportWarnings {
				t.Fatalf("%d warnings, over the bound %d", len(warnings), maxImportWarnings)
			}
			if err != nil {
				continue
			}
			c := &Catalog{SchemaVersion: SchemaVersion, Versions: []Version{v}}
			if err := c.validate(); err != nil {
				t.Fatalf("import gave an invalid version: %v", err)
			}
		}
		_, _, _ = Import(bytes.NewReader(data), "")
	})
}
